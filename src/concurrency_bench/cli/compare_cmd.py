"""`concurrency-bench compare`: the regression gate between two results files.

Exit status: 0 pass, 1 a significant regression, 2 bad input or a bad file (one line naming
the file), 3 an internal error (one line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from concurrency_bench.analysis.gate import compare
from concurrency_bench.cli.gate_args import EXIT_OK, EXIT_REGRESSION, add_gate_arguments
from concurrency_bench.errors import InputError
from concurrency_bench.report import compare_table
from concurrency_bench.report.console import emit
from concurrency_bench.results import ResultsError, ResultsFile, load
from concurrency_bench.textsafe import visible

BASELINE = Path("results") / "baseline.json"
"""What `--baseline` compares against, relative to the current directory."""


def add_parser(subparsers: Any) -> None:
    """Attach the `compare` subcommand."""
    parser = subparsers.add_parser(
        "compare",
        help="compare two results files; exit 1 when a model got significantly slower",
        usage="%(prog)s [options] BASE NEW | %(prog)s [options] --baseline NEW",
        description="One row per (scenario, model): medians, change and a verdict from a "
        "one-sided Mann-Whitney U test on one value per worker process (the median of its "
        "rounds). Exit 1 when some model is significantly slower by more than the threshold, "
        "or was ok and now fails or sums wrong; 0 otherwise; 2 for bad input or a bad file; "
        "3 for an internal error.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="BASE NEW, or NEW with --baseline")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help=f"use {BASELINE} (relative to the current directory) as BASE",
    )
    add_gate_arguments(parser)
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Load both files, print warnings (stderr), the table and a summary; 1 on a regression."""
    base_path, new_path = _paths(args.files, baseline=args.baseline)
    base, new = _load(base_path, baseline=args.baseline), load(new_path)
    comparison = compare(
        base,
        new,
        metric=args.metric,
        threshold_pct=args.threshold,
        alpha=args.alpha,
        base_source=str(base_path),
        new_source=str(new_path),
    )
    for warning in comparison.warnings:
        emit(f"concurrency-bench: warning: {visible(warning)}\n", sys.stderr)
    emit(compare_table.render(comparison, (base_path, base), (new_path, new)))
    return EXIT_REGRESSION if comparison.regressions else EXIT_OK


def _paths(files: list[str], *, baseline: bool) -> tuple[Path, Path]:
    if baseline:
        if len(files) != 1:
            raise InputError(f"`--baseline` takes exactly one file, NEW; got {len(files)} files")
        return BASELINE, Path(files[0])
    if len(files) != 2:
        raise InputError(f"compare needs two files, BASE NEW (or --baseline NEW); got {len(files)}")
    return Path(files[0]), Path(files[1])


def _load(path: Path, *, baseline: bool) -> ResultsFile:
    if baseline and not path.exists():
        raise ResultsError(
            f"no baseline at {path} (looked in {Path.cwd()}); run from the project root "
            "or give BASE NEW"
        )
    return load(path)
