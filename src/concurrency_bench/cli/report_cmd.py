"""`concurrency-bench report FILE...`: render stored results files again, without measuring,
in any format of the registry (report/formats.py)."""

from __future__ import annotations

import argparse
from typing import Any

from concurrency_bench import results
from concurrency_bench.cli.args import path_arg
from concurrency_bench.cli.out_dir import prove_file_writable, prove_writable
from concurrency_bench.errors import InputError
from concurrency_bench.report import formats
from concurrency_bench.report.console import emit


def add_parser(subparsers: Any) -> None:
    """Attach the `report` subcommand."""
    described = "; ".join(f"{f.name}: {f.summary}" for f in formats.REGISTRY.values())
    parser = subparsers.add_parser(
        "report",
        help="show stored results files as tables (text, md, csv), an HTML page, figures, "
        "or JSON for github-action-benchmark (ci) and pyperf",
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="results files written by `run` or `sweep`"
    )
    parser.add_argument(
        "--format",
        choices=tuple(formats.REGISTRY),
        default="text",
        help=f"output format (default: text); {described}. Several files: "
        f"{', '.join(formats.MANY_FILES)} (html makes one table per scenario across them)",
    )
    parser.add_argument(
        "--output",
        type=path_arg("output"),
        default=None,
        metavar="PATH",
        help="write to PATH instead of stdout (figures: the folder to write them into)",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Print or write the output; an unreadable or unknown file is a ResultsError (one line,
    exit 2), anything unexpected one line and exit 3."""
    fmt = formats.get(args.format)
    if len(args.files) > 1 and not fmt.many:
        raise InputError(
            f"`format` {fmt.name} takes one file, got {len(args.files)} "
            f"(several files: {', '.join(formats.MANY_FILES)})"
        )
    if fmt.render is None and args.output is None:
        raise InputError(f"`format` {fmt.name} writes files: give the folder with --output")
    missing = fmt.missing()
    if missing is not None:
        raise InputError(f"`format` {missing}")
    if args.output is not None:
        if fmt.render is None:  # a format that writes a folder of files
            prove_writable(args.output, "output")
        else:
            prove_file_writable(args.output, "output")
    loaded = [(path, results.load(path)) for path in args.files]
    if fmt.write is not None:
        fmt.write(loaded[0][1], args.output)
    elif fmt.render is not None:
        text = fmt.render(loaded)
        if args.output is None:
            emit(text)
        else:
            results.write_atomic(args.output, text, overwrite=True)
    return 0
