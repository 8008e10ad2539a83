"""The measuring sequence `run`, `ab` and `sweep` share (`timeline` its first step), in order.

Before anything is measured: the workload and models the options give, refused when they
cannot fit in memory (`workload`), and every output folder proven writable (`prove_outputs`).
Then one engine call (`measure`: engine.measure_file) under a progress bar on a terminal,
SIGTERM and SIGHUP stopping it as Ctrl-C does; once it returns, signals are only noted, so a
second one cannot cost the file. Last, `exit_status`: what became of the models, or which
signal came.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from concurrency_bench.cli.args import scenario_from_args, specs_from_args
from concurrency_bench.cli.out_dir import prove_writable
from concurrency_bench.cli.progress import ProgressBar, planned_workers
from concurrency_bench.cli.signals import Received, interrupt_signals
from concurrency_bench.engine import EngineOptions, Interpreter, check_memory, measure_file
from concurrency_bench.results import ResultsFile
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario

DEFAULT_OUT = Path("results") / "runs"
FAILING_STATUSES = ("failed", "wrong", "interrupted")
"""Statuses that make a run exit 1 (unavailable and not-run rows are shown, not failures)."""

Pairs = Sequence[tuple[Scenario, ModelSpec]]


@dataclass(frozen=True)
class Measured:
    """The engine's results file and the signals the command received while measuring."""

    results: ResultsFile
    received: Received


def workload(
    args: argparse.Namespace, *, per_job_columns: bool = False
) -> tuple[Scenario, list[ModelSpec]]:
    """The scenario and models the options give; bad input when the run would need more
    memory than the machine has (`per_job_columns`: the timeline keeps every job's times)."""
    scenario = scenario_from_args(args)
    specs = specs_from_args(args)
    check_memory(scenario, specs, pool_size=args.pool_size, per_job_columns=per_job_columns)
    return scenario, specs


def latest_dir(out: Path) -> Path:
    """Where latest.md and latest.csv go: results/ for results/runs, else the out folder."""
    return out.parent if out.name == "runs" else out


def prove_outputs(out: Path, *, tables: bool = True) -> None:
    """Prove `out` (and with `tables` the latest tables' folder) writable before measuring,
    so that results are never lost to their folder."""
    prove_writable(out)
    if tables:
        prove_writable(latest_dir(out))


def progress_bar(quiet: bool, pairs: Pairs, options: EngineOptions) -> ProgressBar | None:
    """The run's progress bar on stderr, only when it is a terminal and not --quiet."""
    if quiet or not sys.stderr.isatty():
        return None
    return ProgressBar(sys.stderr, planned_workers(pairs, options))


def measure(
    pairs: Pairs,
    options: EngineOptions,
    *,
    quiet: bool,
    pythons: Sequence[Interpreter] = (),
    received: Received | None = None,
) -> Measured:
    """Measure the pairs (under each of `pythons`) in one engine call, with a progress bar;
    `received`: signals the command already handles (sweep's, from before its probe)."""
    received = received or interrupt_signals()
    bar = progress_bar(quiet, list(pairs) * (len(pythons) or 1), options)
    results = measure_file(pairs, replace(options, progress=bar), pythons)
    received.hold()  # from here a signal is only noted: a second one must not cost the file
    if bar is not None:
        bar.close()
    return Measured(results, received)


def exit_status(results: ResultsFile, received: Received) -> int:
    """128 + the signal when one arrived (Ctrl-C 130, SIGTERM 143, SIGHUP 129), 1 when any
    model failed or summed wrong, else 0."""
    if results.partial:
        print("interrupted: the results of the models that finished were kept", file=sys.stderr)
        return received.exit_status()
    if received.signum is not None:  # arrived while the complete file was being written
        return received.exit_status()
    return 1 if any(model.status in FAILING_STATUSES for _, model in results.models()) else 0
