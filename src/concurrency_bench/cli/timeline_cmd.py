"""`concurrency-bench timeline`: the seed text's call/start/finish table, measured per model."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from concurrency_bench.cli.args import add_model_arguments, add_scenario_arguments, path_arg
from concurrency_bench.cli.measuring import workload
from concurrency_bench.cli.out_dir import check_file_name, prove_file_writable
from concurrency_bench.cli.signals import interrupt_signals
from concurrency_bench.engine import (
    EngineOptions,
    SingleRun,
    collect_environment,
    run_each,
    utc_now,
)
from concurrency_bench.errors import InputError
from concurrency_bench.report import figures
from concurrency_bench.report.cells import environment_text
from concurrency_bench.report.timeline_table import render_text, timeline_dict
from concurrency_bench.workload import Scenario


def add_parser(subparsers: Any) -> None:
    """Attach the `timeline` subcommand."""
    parser = subparsers.add_parser(
        "timeline",
        help="one run per model: when each job started and finished, and in which order",
    )
    add_scenario_arguments(parser, default="seed")
    add_model_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--plot",
        type=path_arg("plot"),
        default=None,
        metavar="PATH",
        help="also draw the timelines as a figure: PATH.svg and PATH.png (needs matplotlib; "
        f"at most {figures.TIMELINE_MAX_JOBS} jobs)",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Run each model once and print its timeline; exit 1 if any model failed or summed wrong,
    128 + the signal after Ctrl-C (130), SIGTERM or SIGHUP (the finished timelines are shown)."""
    scenario, specs = workload(args, per_job_columns=True)
    if args.plot is not None:
        check_plot(args.plot, scenario)
    received = interrupt_signals()
    outcomes = run_each(specs, scenario, pool_size=args.pool_size)
    received.hold()  # show what finished even if a second signal comes
    if args.format == "json":
        print(json.dumps([timeline_dict(o) for o in outcomes], indent=2))
    else:
        print("\n\n".join(render_text(o, scenario) for o in outcomes))
    if args.plot is not None:
        for path in plot_timeline(outcomes, scenario, args.plot):
            print(f"figure: {path}", file=sys.stderr)
    bad = [o for o in outcomes if o.measurement is None and o.status != "unavailable"]
    wrong = [o for o in outcomes if o.measurement is not None and not o.measurement.sums_ok]
    if received.signum is not None:
        return received.exit_status()
    return 1 if bad or wrong else 0


def check_plot(path: Path, scenario: Scenario) -> None:
    """Refuse a plot that cannot be drawn, before anything is measured."""
    if not figures.available():
        raise InputError(f"`plot` {figures.MISSING}")
    most = figures.TIMELINE_MAX_JOBS
    if scenario.jobs > most:
        raise InputError(f"`plot` draws at most {most} jobs per model, got {scenario.jobs:,}")
    if path.suffix not in ("", ".svg", ".png"):
        raise InputError(f"`plot` must be a path ending in .svg, .png or nothing, got {path}")
    check_file_name(path, "plot")
    for suffix in (".svg", ".png"):
        prove_file_writable(path.with_suffix(suffix), "plot")


def plot_timeline(outcomes: Sequence[SingleRun], scenario: Scenario, path: Path) -> list[Path]:
    """Draw the timelines; write PATH.svg and PATH.png (the machine in the caption)."""
    from concurrency_bench.report.figures.seed import draw_timeline  # noqa: PLC0415
    from concurrency_bench.report.figures.style import save  # noqa: PLC0415

    caption = "Measured on " + environment_text(collect_environment(EngineOptions()), utc_now())
    plot = draw_timeline(outcomes, scenario, caption)
    plot.name = path.with_suffix("").name
    return save(plot, path.parent)
