"""`concurrency-bench report`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Attach the `report` subcommand."""
    parser = subparsers.add_parser("report", help="(not built yet)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Not built yet."""
    print("not built yet")
    return 2
