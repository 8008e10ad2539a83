"""`concurrency-bench list`: every model, whether it can run here, and what it does."""

from __future__ import annotations

import argparse
from typing import Any

from tabulate import tabulate

from concurrency_bench.runners import REGISTRY


def add_parser(subparsers: Any) -> None:
    """Attach the `list` subcommand."""
    parser = subparsers.add_parser("list", help="show every model and whether it is available")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Print one row per model."""
    rows = []
    for spec in REGISTRY.values():
        reason = spec.unavailable_reason()
        rows.append(
            [
                spec.name,
                "yes" if reason is None else "no",
                "concurrent" if spec.concurrent else "sequential",
                spec.description
                if reason is None
                else f"{spec.description} (unavailable: {reason})",
            ]
        )
    print(tabulate(rows, headers=["model", "available", "kind", "description"]))
    return 0
