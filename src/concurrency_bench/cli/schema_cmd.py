"""`concurrency-bench schema`: print the JSON Schema of a results file, as shipped."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from concurrency_bench.results import published_text


def add_parser(subparsers: Any) -> None:
    """Attach the `schema` subcommand."""
    parser = subparsers.add_parser(
        "schema", help="print the JSON Schema of a results file (schema 2), for any validator"
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Print the published schema file unchanged."""
    sys.stdout.write(published_text())
    return 0
