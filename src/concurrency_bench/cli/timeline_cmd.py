"""`concurrency-bench timeline`: the seed text's call/start/finish table, measured per model."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tabulate import tabulate

from concurrency_bench.cli.args import (
    add_model_arguments,
    add_scenario_arguments,
    scenario_from_args,
    specs_from_args,
)
from concurrency_bench.cli.signals import interrupt_signals
from concurrency_bench.engine.memory_estimate import check_memory
from concurrency_bench.engine.single_run import SingleRun, run_each
from concurrency_bench.engine.timing import Measurement
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


def timeline_dict(outcome: SingleRun) -> dict[str, Any]:
    """The JSON form of one model's timeline (or its failure)."""
    m = outcome.measurement
    if m is None:
        return {"runner": outcome.model, "status": outcome.status, "reason": outcome.reason}
    return {
        "runner": m.model,
        "status": "ok" if m.sums_ok else "wrong",
        "reason": m.mismatch,
        "wall_s": m.wall_s,
        "ideal_s": m.ideal_s,
        "sums_ok": m.sums_ok,
        "settings": m.settings,
        "jobs": m.jobs_as_dicts(),
    }


def render_text(outcome: SingleRun, scenario: Scenario) -> str:
    """The seed's table for one model: times in scenario units and in milliseconds."""
    m = outcome.measurement
    if m is None:
        return f"{outcome.model}: {outcome.status}: {outcome.reason}"
    return f"{_heading(m, scenario)}\n{tabulate(_rows(m, scenario), headers=_headers(scenario))}"


def _units(seconds: float, scenario: Scenario) -> str:
    return f"{seconds / scenario.unit_s:.2f}" if scenario.unit_s else ""


def _headers(scenario: Scenario) -> list[str]:
    if scenario.unit_s:
        unit = f"{scenario.unit_s * 1000:g} ms"
        return [
            "call",
            f"delay (x{unit})",
            "start",
            "finish",
            "finish order",
            "start ms",
            "finish ms",
        ]
    return ["call", "delay ms", "start ms", "finish ms", "finish order"]


def _rows(m: Measurement, scenario: Scenario) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for job in m.jobs_as_dicts():
        call = job["index"] + 1
        start_ms, finish_ms = job["start_s"] * 1000, job["finish_s"] * 1000
        if scenario.unit_s:
            rows.append(
                [
                    call,
                    _units(job["delay_s"], scenario),
                    _units(job["start_s"], scenario),
                    _units(job["finish_s"], scenario),
                    job["finish_order"],
                    f"{start_ms:.1f}",
                    f"{finish_ms:.1f}",
                ]
            )
        else:
            rows.append(
                [
                    call,
                    f"{job['delay_s'] * 1000:g}",
                    f"{start_ms:.1f}",
                    f"{finish_ms:.1f}",
                    job["finish_order"],
                ]
            )
    return rows


def _heading(m: Measurement, scenario: Scenario) -> str:
    wall = f"{m.wall_s * 1000:.1f} ms"
    ideal = f"{m.ideal_s * 1000:.1f} ms"
    if scenario.unit_s:
        wall += f" = {m.wall_s / scenario.unit_s:.2f} units"
        ideal += f" = {m.ideal_s / scenario.unit_s:.2f} units"
    sums = "sums ok" if m.sums_ok else f"WRONG SUMS: {m.mismatch}"
    settings = "".join(f", {k}={v}" for k, v in m.settings.items())
    return f"{m.model}: total wall {wall} (ideal {ideal}); {sums}{settings}"
