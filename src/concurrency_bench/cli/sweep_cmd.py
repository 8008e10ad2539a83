"""`concurrency-bench sweep`: every model at several sizes (and CPU shares, `--cpu-ms`), in one
interleaved engine call.

A probe first estimates each (size, model) point's time (cli.sweep_plan); points over the
per-point budget, or over the machine's memory, are rows "not run: would take N s" and the
model is not tried at larger sizes. Everything else is measured by ONE engine call (the
measuring sequence `run` uses, cli.measuring), workers interleaved across every size and
model; the points not run join its rows in one results file.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

from concurrency_bench.cli.args import (
    MAX_SECONDS_OPTION,
    add_io_arguments,
    add_model_arguments,
    float_in,
    int_in,
    path_arg,
    specs_from_args,
    with_io_from_args,
)
from concurrency_bench.cli.measuring import (
    DEFAULT_OUT,
    exit_status,
    latest_dir,
    measure,
    prove_outputs,
)
from concurrency_bench.cli.signals import interrupt_signals
from concurrency_bench.cli.sweep_plan import (
    Point,
    Probe,
    check_sizes_fit,
    plan,
    probe_from,
    probe_jobs,
    row_of,
)
from concurrency_bench.engine import (
    MAX_ROUNDS,
    MAX_WARMUP,
    EngineOptions,
    available_bytes,
    measure_pairs,
    model_row,
    results_file,
)
from concurrency_bench.report import render, write_outputs
from concurrency_bench.results import ResultsFile
from concurrency_bench.results.measured import check_measured
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import (
    DEFAULT_INTS_PER_JOB,
    MAX_CPU_MS,
    MAX_DELAY_S,
    MAX_INTS_PER_JOB,
    MAX_JOBS,
    Scenario,
)

DEFAULT_SIZES = (10, 100, 1_000, 10_000, 100_000)
DEFAULT_BUDGET_S = 120.0
"""Per point, as estimated: 1,000,000 jobs of asyncio-gather or uvloop fit (three workers of
one round each); the queueing models stop where a point would take minutes."""
DEFAULT_ROUNDS = 3
"""Three worker processes per point: the fewest the rank test can ever separate."""


def sizes(text: str) -> list[int]:
    """`10,100,1000`: distinct whole numbers of jobs from 1 to MAX_JOBS, ascending."""
    parse = int_in("jobs", 1, MAX_JOBS)
    parts = [p.strip().replace("_", "") for p in text.split(",")]
    if not all(parts):
        raise argparse.ArgumentTypeError(f"`jobs` must be comma-separated numbers, got {text!r}")
    return sorted({parse(p) for p in parts})


def cpu_values(text: str) -> list[float]:
    """`0,0.1,1`: distinct CPU works per job in ms, each from 0 to MAX_CPU_MS, ascending."""
    parse = float_in("cpu-ms", 0.0, MAX_CPU_MS)
    parts = [p.strip() for p in text.split(",")]
    if not all(parts):
        raise argparse.ArgumentTypeError(
            f"`cpu-ms` must be comma-separated numbers from 0 to {MAX_CPU_MS:g}, got {text!r}"
        )
    return sorted({parse(p) for p in parts})


def add_parser(subparsers: Any) -> None:
    """Attach the `sweep` subcommand."""
    parser = subparsers.add_parser(
        "sweep", help="measure every model at several numbers of jobs into one results file"
    )
    parser.add_argument(
        "--jobs",
        type=sizes,
        default=list(DEFAULT_SIZES),
        metavar="N,N,...",
        help=f"numbers of jobs ({','.join(map(str, DEFAULT_SIZES))})",
    )
    parser.add_argument(
        "--delay-ms",
        type=float_in("delay-ms", 0.0, MAX_DELAY_S * 1000),
        default=50.0,
        metavar="D",
        help="delay of every job in ms (50)",
    )
    parser.add_argument(
        "--ints",
        type=int_in("ints", 0, MAX_INTS_PER_JOB),
        default=DEFAULT_INTS_PER_JOB,
        help=f"random ints each job sums ({DEFAULT_INTS_PER_JOB})",
    )
    parser.add_argument(
        "--cpu-ms",
        type=cpu_values,
        default=[0.0],
        metavar="X,X,...",
        help="CPU work per job after its wait, in ms: a point per (size, value), for where "
        "models cross over as the CPU share grows (0)",
    )
    add_io_arguments(parser)
    add_model_arguments(parser)
    parser.add_argument(
        "--budget-s",
        type=float_in("budget-s", 0.0, MAX_SECONDS_OPTION, low_open=True),
        default=DEFAULT_BUDGET_S,
        metavar="S",
        help=f"time budget per (size, model) point, all its workers ({DEFAULT_BUDGET_S:g})",
    )
    parser.add_argument(
        "--rounds",
        type=int_in("rounds", 1, MAX_ROUNDS),
        default=DEFAULT_ROUNDS,
        help=f"measured rounds per point, one worker process each ({DEFAULT_ROUNDS})",
    )
    parser.add_argument(
        "--warmup",
        type=int_in("warmup", 0, MAX_WARMUP),
        default=0,
        help="warm-up rounds per worker (0: a warm-up costs as much as a round, so one would "
        "double the large points; give 1 to keep first-round costs out of the figures)",
    )
    parser.add_argument(
        "--out", type=path_arg("out"), default=DEFAULT_OUT, metavar="DIR", help=f"({DEFAULT_OUT})"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no file note")
    parser.set_defaults(handler=main)


def scenarios_of(args: argparse.Namespace) -> list[Scenario]:
    """One uniform scenario per (size, CPU work): their names differ only in those."""
    return [_scenario(n, args, cpu_ms) for n in args.jobs for cpu_ms in args.cpu_ms]


def _scenario(jobs: int, args: argparse.Namespace, cpu_ms: float = 0.0) -> Scenario:
    """The sweep's scenario at one size and CPU work, with its io (timers, TCP, HTTP)."""
    scenario = Scenario.uniform(jobs, args.delay_ms / 1000, ints_per_job=args.ints)
    return with_io_from_args(scenario, args).with_cpu(cpu_ms)


def probe(specs: list[ModelSpec], args: argparse.Namespace, quiet: bool) -> dict[str, Probe]:
    """Run each available model on 1 job and on its probe size, one worker and one round each
    (measure_pairs, as the sweep itself measures), without CPU work (the plan adds it); their
    costs by name."""
    found: dict[str, Probe] = {}
    delay = args.delay_ms / 1000
    options = EngineOptions(rounds=1, warmup=0, sequential_budget_s=math.inf,
                            pool_size=args.pool_size)  # fmt: skip
    for spec in (s for s in specs if s.available):
        row = row_of(spec)
        jobs = probe_jobs(spec, delay, max(args.jobs), args.pool_size, args.connections)
        if not quiet:
            print(f"probing {row} at 1 and {jobs:,} jobs", file=sys.stderr, end="\r")
        timed = []
        for size in (1, jobs):
            scenario = _scenario(size, args)
            started = time.monotonic()
            (result,) = measure_pairs([(scenario, spec)], options).results
            elapsed = time.monotonic() - started
            if not result.ranked:
                break  # the model fails here; its points run and say why
            bound = spec.connection_bound(scenario.connections)
            ideal = scenario.queued_wall_s(spec.concurrency(size, args.pool_size, bound))
            timed.append((elapsed, result.wall.median, ideal))
        if len(timed) == 2:
            found[row] = probe_from(row, timed[0], timed[1], jobs)
    if not quiet:
        print(" " * 60, file=sys.stderr, end="\r")
    return found


def main(args: argparse.Namespace) -> int:
    """Probe, plan, measure every point that fits in one engine call, write one file."""
    specs = specs_from_args(args)
    scenarios = scenarios_of(args)  # bad --io/--connections: one line before anything runs
    memory = available_bytes()
    check_sizes_fit(scenarios, specs, args.pool_size, memory)  # and a size that fits no model
    out: Path = args.out
    prove_outputs(out)
    options = EngineOptions(
        rounds=args.rounds,
        warmup=args.warmup,
        sequential_budget_s=args.budget_s,
        pool_size=args.pool_size,
    )
    started = time.monotonic()
    received = interrupt_signals()  # the probe too stops on SIGTERM and SIGHUP
    probes = probe(specs, args, args.quiet or not sys.stderr.isatty())
    points = plan(scenarios, specs, probes, options, args.budget_s, memory)
    pairs = [(p.scenario, p.spec) for p in points if p.reason is None]
    measured = measure(pairs, options, quiet=args.quiet, received=received)
    results = with_points(measured.results, points, options, _sweep_notes(args.budget_s, probes))
    check_measured(results)  # an empty sweep replaces no table
    written = write_outputs(results, out, latest_dir(out), pages=True)
    sys.stdout.write(render(results, "text"))
    if not args.quiet and written.results_path is not None:
        took = time.monotonic() - started
        print(f"results: {written.results_path} ({took:.0f} s)", file=sys.stderr)
    return exit_status(results, received)


def with_points(
    measured: ResultsFile, points: list[Point], options: EngineOptions, notes: dict[str, Any]
) -> ResultsFile:
    """The sweep's file: every point in plan order, measured or "not run" and why, with the
    sweep's budget and probe under `environment.sweep`."""
    rows = {(s.name, m.row_name): m for s, m in measured.models()}
    return results_file(
        [(p.scenario, p.spec) for p in points],
        [
            rows[p.scenario.name, row_of(p.spec)]
            if p.reason is None
            else model_row(p.spec, p.scenario, "not-run", p.reason)
            for p in points
        ],
        options,
        created_utc=measured.created_utc,
        environment={**measured.environment, "sweep": notes},
        partial=measured.partial,
    )


def _sweep_notes(budget_s: float, probes: dict[str, Probe]) -> dict[str, Any]:
    """What the sweep's plan rested on: its budget per point and each model's probe."""
    return {
        "budget_s_per_point": budget_s,
        "probe": {
            name: {
                "jobs": p.jobs,
                "start_s": round(p.start_s, 4),
                "per_job_us": round(p.per_job_s * 1e6, 3),
                "setup_per_job_us": round(p.setup_per_job_s * 1e6, 3),
            }
            for name, p in probes.items()
        },
    }
