"""`concurrency-bench compare`: the regression gate between two results files (exit 1 = slower)."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from tabulate import tabulate

from concurrency_bench.analysis.gate import (
    DEFAULT_ALPHA,
    DEFAULT_THRESHOLD_PCT,
    METRICS,
    Comparison,
    Row,
    compare,
)
from concurrency_bench.cli.args import float_in
from concurrency_bench.errors import InputError
from concurrency_bench.results import ResultsError, ResultsFile, load

BASELINE = Path("results") / "baseline.json"
"""What `--baseline` compares against, relative to the current directory."""
EXIT_OK, EXIT_REGRESSION = 0, 1


def add_parser(subparsers: Any) -> None:
    """Attach the `compare` subcommand."""
    parser = subparsers.add_parser(
        "compare",
        help="compare two results files; exit 1 when a model got significantly slower",
        usage="%(prog)s [options] BASE NEW | %(prog)s [options] --baseline NEW",
        description="One row per (scenario, model): medians, change and a verdict from a "
        "one-sided Mann-Whitney U test on the per-round values. Exit 1 when some model is "
        "significantly slower by more than the threshold, or was ok and now fails or sums "
        "wrong; 0 otherwise; 2 for bad input.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="BASE NEW, or NEW with --baseline")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help=f"use {BASELINE} (relative to the current directory) as BASE",
    )
    parser.add_argument(
        "--metric",
        choices=tuple(METRICS),
        default="overhead",
        help="overhead: (wall - ideal) per job, in µs; wall: wall time, in ms (overhead)",
    )
    parser.add_argument(
        "--threshold",
        type=float_in("threshold", 0.0, 1000.0, low_open=True),
        default=DEFAULT_THRESHOLD_PCT,
        metavar="PCT",
        help=f"smallest change in %% that counts as slower/faster ({DEFAULT_THRESHOLD_PCT:g})",
    )
    parser.add_argument(
        "--alpha",
        type=float_in("alpha", 0.0, 0.5, low_open=True, high_open=True),
        default=DEFAULT_ALPHA,
        metavar="A",
        help=f"significance level of each one-sided test ({DEFAULT_ALPHA:g})",
    )
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
        print(f"concurrency-bench: warning: {warning}", file=sys.stderr)
    print(_heading(comparison, (base_path, base), (new_path, new)))
    print()
    print(render_table(comparison))
    print()
    print(summary_line(comparison))
    regressions = comparison.regressions
    if regressions:
        names = ", ".join(f"{row.scenario}/{row.model}" for row in regressions)
        print(f"gate: FAIL, {len(regressions)} regression(s): {names}")
        return EXIT_REGRESSION
    print("gate: pass")
    return EXIT_OK


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


def _heading(comparison: Comparison, *files: tuple[Path, ResultsFile]) -> str:
    metric = comparison.metric
    described = [f"{path} ({results.created_utc})" for path, results in files]
    return (
        f"{metric.title} ({metric.unit}), median of the rounds: {described[0]} -> "
        f"{described[1]}\none-sided Mann-Whitney U on the rounds (p in the direction of the "
        f"change), alpha {comparison.alpha:g}, "
        f"threshold {comparison.threshold_pct:g}%"
    )


def render_table(comparison: Comparison) -> str:
    """The comparison table, one row per (scenario, model)."""
    unit = comparison.metric.unit
    headers = ["scenario", "model", f"base {unit}", f"new {unit}", "change", "p", "verdict"]
    rows = [_cells(row, comparison.metric.scale) for row in comparison.rows]
    return tabulate(
        rows,
        headers=headers,
        disable_numparse=True,
        colalign=("left", "left", "right", "right", "right", "right", "left"),
    )


def _cells(row: Row, scale: float) -> list[str]:
    p = None
    if row.p_slower is not None and row.p_faster is not None:
        p = row.p_faster if (row.change_pct or 0) < 0 else row.p_slower
    return [
        row.scenario,
        row.model,
        _number(row.base, scale),
        _number(row.new, scale),
        _percent(row.change_pct),
        "" if p is None else f"{p:.3f}",
        row.verdict if row.detail is None else _detail(row),
    ]


def _detail(row: Row) -> str:
    return f"REGRESSION {row.detail}" if row.verdict == "broke" else str(row.detail)


def _number(seconds: float | None, scale: float) -> str:
    """Four significant figures or so, without scientific notation."""
    if seconds is None:
        return ""
    value = seconds * scale
    size = abs(value)
    decimals = 0 if size >= 1000 else 1 if size >= 100 else 2 if size >= 1 else 3
    return f"{value:.{decimals}f}"


def _percent(change: float | None) -> str:
    if change is None:
        return ""
    if math.isinf(change):
        return "+inf%" if change > 0 else "-inf%"
    return f"{change:+.1f}%"


def summary_line(comparison: Comparison) -> str:
    """'N slower, N faster, N unchanged, N noise', plus the other kinds of rows when present."""
    counts = comparison.counts()
    line = ", ".join(f"{counts[v]} {v}" for v in ("slower", "faster", "unchanged", "noise"))
    extra = [
        f"{counts['broke']} broke (ok in base, failed or wrong in new)" if counts["broke"] else "",
        f"{counts['not compared']} not compared (not ok)" if counts["not compared"] else "",
        f"{counts['only in base']} only in base" if counts["only in base"] else "",
        f"{counts['only in new']} only in new" if counts["only in new"] else "",
    ]
    extra = [part for part in extra if part]
    return line + ("; " + ", ".join(extra) if extra else "")
