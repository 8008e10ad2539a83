"""`concurrency-bench timeline`: the seed text's call/start/finish table, measured per model."""

from __future__ import annotations

import argparse
import json
from typing import Any

from concurrency_bench.cli.args import (
    add_model_arguments,
    add_scenario_arguments,
    scenario_from_args,
    specs_from_args,
)
from concurrency_bench.cli.signals import interrupt_signals
from concurrency_bench.engine import run_each
from concurrency_bench.engine.memory_estimate import check_memory
from concurrency_bench.report.timeline_table import render_text, timeline_dict


def add_parser(subparsers: Any) -> None:
    """Attach the `timeline` subcommand."""
    parser = subparsers.add_parser(
        "timeline",
        help="one run per model: when each job started and finished, and in which order",
    )
    add_scenario_arguments(parser, default="seed")
    add_model_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Run each model once and print its timeline; exit 1 if any model failed or summed wrong,
    128 + the signal after Ctrl-C (130), SIGTERM or SIGHUP (the finished timelines are shown)."""
    scenario = scenario_from_args(args)
    specs = specs_from_args(args)
    check_memory(scenario, specs, pool_size=args.pool_size, per_job_columns=True)
    received = interrupt_signals()
    outcomes = run_each(specs, scenario, pool_size=args.pool_size)
    received.hold()  # show what finished even if a second signal comes
    if args.format == "json":
        print(json.dumps([timeline_dict(o) for o in outcomes], indent=2))
    else:
        print("\n\n".join(render_text(o, scenario) for o in outcomes))
    bad = [o for o in outcomes if o.measurement is None and o.status != "unavailable"]
    wrong = [o for o in outcomes if o.measurement is not None and not o.measurement.sums_ok]
    if received.signum is not None:
        return received.exit_status()
    return 1 if bad or wrong else 0
