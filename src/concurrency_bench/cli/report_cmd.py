"""`concurrency-bench report FILE...`: render stored results files again, without measuring."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from concurrency_bench import results
from concurrency_bench.cli.out_dir import prove_writable
from concurrency_bench.errors import InputError
from concurrency_bench.report import FORMATS, html, render
from concurrency_bench.report.console import emit
from concurrency_bench.textsafe import visible

PAGE_FORMATS = ("html", "pyperf")
"""Formats beyond the tables: the HTML page (several files allowed) and pyperf's JSON."""
MANY_FILES = ("text", "md", "html")
"""Formats that take several files (the others describe one run)."""


def add_parser(subparsers: Any) -> None:
    """Attach the `report` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="show stored results files as tables (text, md, csv), an HTML page with figures, "
        "or pyperf's JSON",
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="results files written by `run` or `sweep`"
    )
    parser.add_argument(
        "--format",
        choices=(*FORMATS, *PAGE_FORMATS),
        default="text",
        help="output format (default: text); html is one self-contained page, with one table "
        "per scenario across several files",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="PATH",
        help="write to PATH instead of stdout",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Print or write the output; an unreadable or unknown file is a ResultsError (one line,
    exit 2), anything unexpected one line and exit 3."""
    if len(args.files) > 1 and args.format not in MANY_FILES:
        raise InputError(
            f"`format` {args.format} takes one file, got {len(args.files)} "
            f"(several files: {', '.join(MANY_FILES)})"
        )
    if args.output is not None:
        prove_writable(args.output.parent if str(args.output.parent) else Path("."), "output")
    loaded = [(path, results.load(path)) for path in args.files]
    text = _render(loaded, args.format)
    if args.output is None:
        emit(text)
    else:
        results.write_atomic(args.output, text, overwrite=True)
    return 0


def _render(loaded: list[tuple[str, results.ResultsFile]], fmt: str) -> str:
    if fmt == "html":
        return html.render(loaded)
    if fmt == "pyperf":
        from concurrency_bench.report import pyperf_export  # noqa: PLC0415 (one format's module)

        return pyperf_export.to_json(loaded[0][1])
    if len(loaded) == 1:
        return render(loaded[0][1], fmt)
    heading = "# {}\n\n" if fmt == "md" else "== {} ==\n\n"
    return "\n".join(heading.format(visible(path)) + render(found, fmt) for path, found in loaded)
