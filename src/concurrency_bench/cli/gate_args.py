"""The gate's options, declared once: `--metric`, `--threshold` and `--alpha` (`compare`, `ab`;
`history` the last two), and the gate's exit statuses."""

from __future__ import annotations

import argparse

from concurrency_bench.analysis.gate import DEFAULT_ALPHA, DEFAULT_THRESHOLD_PCT, METRICS
from concurrency_bench.cli.args import float_in

MAX_THRESHOLD_PCT = 1000.0
"""The largest `--threshold` (%): finite, so that no value switches the gate off."""
EXIT_OK, EXIT_REGRESSION = 0, 1
"""The gate's exit statuses (`compare`, `ab`): no regression, a significant one."""


def add_gate_arguments(parser: argparse.ArgumentParser) -> None:
    """The gate's options: `--metric` and what counts as a change (`compare`, `ab`)."""
    parser.add_argument(
        "--metric",
        choices=tuple(METRICS),
        default="overhead",
        help="overhead: (wall - ideal) per job, in µs; wall: wall time, in ms; gc: time in "
        "the garbage collector per round, in ms (overhead)",
    )
    add_significance_arguments(parser)


def add_significance_arguments(parser: argparse.ArgumentParser) -> None:
    """What the gate calls a change: `--threshold` and `--alpha` (also `history`'s marks)."""
    parser.add_argument(
        "--threshold",
        "--threshold-pct",
        dest="threshold",
        type=float_in("threshold", 0.0, MAX_THRESHOLD_PCT, low_open=True),
        default=DEFAULT_THRESHOLD_PCT,
        metavar="PCT",
        help=f"smallest change in %% that counts as slower/faster ({DEFAULT_THRESHOLD_PCT:g}); "
        "--threshold-pct is another spelling",
    )
    parser.add_argument(
        "--alpha",
        type=float_in("alpha", 0.0, 0.5, low_open=True, high_open=True),
        default=DEFAULT_ALPHA,
        metavar="A",
        help=f"significance level of each one-sided test ({DEFAULT_ALPHA:g})",
    )
