"""`concurrency-bench report FILE`: render a stored results file again, without measuring."""

from __future__ import annotations

import argparse
from typing import Any

from concurrency_bench import results
from concurrency_bench.cli.guard import exits_3_on_internal_error
from concurrency_bench.report import FORMATS, render
from concurrency_bench.report.console import emit


def add_parser(subparsers: Any) -> None:
    """Attach the `report` subcommand."""
    parser = subparsers.add_parser(
        "report", help="show a stored results file as comparison tables (text, md or csv)"
    )
    parser.add_argument("file", metavar="FILE", help="a results file written by `run`")
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    parser.set_defaults(handler=main)


@exits_3_on_internal_error
def main(args: argparse.Namespace) -> int:
    """Print the tables; an unreadable or unknown file is a ResultsError (one line, exit 2),
    anything unexpected one line and exit 3."""
    emit(render(results.load(args.file), args.format))
    return 0
