"""`concurrency-bench run`: measure the models in isolated workers, store the file, show tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from concurrency_bench.cli.args import (
    add_model_arguments,
    add_scenario_arguments,
    float_in,
    int_in,
    path_arg,
    scenario_from_args,
    specs_from_args,
)
from concurrency_bench.cli.out_dir import prove_writable
from concurrency_bench.cli.progress import ProgressBar, planned_workers
from concurrency_bench.cli.signals import Received, interrupt_signals
from concurrency_bench.engine import (
    MAX_ROUNDS,
    MAX_ROUNDS_PER_PROCESS,
    MAX_WARMUP,
    EngineOptions,
    measure_all,
)
from concurrency_bench.engine.interpreters import (
    Interpreter,
    describe,
    probe_all,
    protocol_mismatch,
)
from concurrency_bench.engine.memory_estimate import check_memory
from concurrency_bench.errors import InputError
from concurrency_bench.report import pythons_table, render, write_outputs
from concurrency_bench.report.console import emit
from concurrency_bench.results import ResultsFile
from concurrency_bench.results.measured import check_measured
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario

DEFAULT_OUT = Path("results") / "runs"
FAILING_STATUSES = ("failed", "wrong", "interrupted")
"""Statuses that make the run exit 1 (unavailable and not-run rows are shown, not failures)."""


def add_parser(subparsers: Any) -> None:
    """Attach the `run` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="measure models in isolated workers, store a results file and show the tables",
    )
    add_scenario_arguments(parser)
    add_model_arguments(parser)
    add_measuring_arguments(parser)
    parser.add_argument(
        "--python",
        type=python_list,
        default=None,
        metavar="PY[,PY...]",
        help="run every model's workers under each of these interpreters, interleaved: a "
        "path, a name on PATH, or a version such as 3.12 (this interpreter when it is 3.12, "
        "else PATH's python3.12, else pyenv's); "
        "each needs concurrency-bench's dependencies and the models' packages (default: "
        "this interpreter)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        type=path_arg("out"),
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"folder for the results file ({DEFAULT_OUT}); latest.md, latest.csv and "
        "ci-benchmark.json go to "
        "its parent when it is named 'runs', else into it",
    )
    output.add_argument("--quiet", action="store_true", help="no progress bar, no file note")
    output.add_argument(
        "--json", action="store_true", help="print the results file instead of the table"
    )
    parser.set_defaults(handler=main)


def add_measuring_arguments(parser: argparse.ArgumentParser, *, rounds: int = 5) -> None:
    """The engine's options (rounds, warm-up, GC, timeout, budget), shared with `ab`."""
    group = parser.add_argument_group("measuring")
    group.add_argument(
        "--rounds",
        type=int_in("rounds", 1, MAX_ROUNDS),
        default=rounds,
        metavar="R",
        help=f"measured rounds, the same for every model ({rounds})",
    )
    group.add_argument(
        "--rounds-per-process",
        type=int_in("rounds-per-process", 1, MAX_ROUNDS_PER_PROCESS),
        default=1,
        metavar="N",
        help="measured rounds each fresh worker process runs (1: every round in its own "
        "process, as pyperf does; raise it to trade independence for time)",
    )
    group.add_argument(
        "--warmup",
        type=int_in("warmup", 0, MAX_WARMUP),
        default=1,
        metavar="W",
        help="warm-up rounds each worker runs before its measured ones (1)",
    )
    group.add_argument(
        "--gc", choices=("on", "off"), default="on", help="garbage collector during rounds (on)"
    )
    group.add_argument(
        "--timeout-s",
        type=float_in("timeout-s", 0.0, 1e6, low_open=True),
        default=None,
        metavar="S",
        help="per-worker timeout in seconds (default: derived from the scenario's ideal time "
        "and the worker's rounds)",
    )
    group.add_argument(
        "--sequential-budget-s",
        type=float_in("sequential-budget-s", 0.0, 1e6),
        default=10.0,
        metavar="S",
        help="skip models that queue jobs (sequential ones, pools smaller than the job count) "
        "when a round would take longer than this (10)",
    )


def python_list(text: str) -> list[str]:
    """`--python`'s comma-separated interpreters (found and probed later, before measuring)."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"`python` must be comma-separated interpreters (paths, or versions such as "
            f"3.12); got {text!r}"
        )
    return names


def engine_options(args: argparse.Namespace) -> EngineOptions:
    """The engine options the measuring arguments give (no progress yet: see progress_bar)."""
    named = {f.name for f in fields(EngineOptions) if f.name != "progress"}
    return EngineOptions(**{name: getattr(args, name) for name in named})


def interpreters(texts: list[str] | None, specs: list[ModelSpec]) -> list[Interpreter]:
    """The `--python` interpreters, probed before anything is measured (bad ones exit 2)."""
    if not texts:
        return []
    found = probe_all(texts, specs)
    for python in found:
        mismatch = protocol_mismatch(python, "`python`")
        if mismatch is not None:
            raise InputError(mismatch)
    return found


def progress_bar(
    quiet: bool, pairs: Sequence[tuple[Scenario, ModelSpec]], options: EngineOptions
) -> ProgressBar | None:
    """The run's progress bar on stderr, only when it is a terminal and not --quiet."""
    if quiet or not sys.stderr.isatty():
        return None
    return ProgressBar(sys.stderr, planned_workers(pairs, options))


def latest_dir(out: Path) -> Path:
    """Where latest.md and latest.csv go: results/ for results/runs, else the out folder."""
    return out.parent if out.name == "runs" else out


def main(args: argparse.Namespace) -> int:
    """Validate everything, measure, write the file (also when interrupted), show the table."""
    scenario = scenario_from_args(args)
    specs = specs_from_args(args)
    check_memory(scenario, specs, pool_size=args.pool_size)
    pythons = interpreters(args.python, specs)  # probed before anything is written
    if not args.quiet:
        for text, python in zip(args.python or (), pythons, strict=True):
            label = python.info.label
            emit(f"--python {text}: {describe(python)}, rows labelled {label}\n", sys.stderr)
    out: Path = args.out
    prove_writable(out)  # before measuring, so results are never lost to their folder
    prove_writable(latest_dir(out))
    options = engine_options(args)
    each = len(pythons) or 1
    progress = progress_bar(args.quiet, [(scenario, spec) for spec in specs] * each, options)
    options = replace(options, progress=progress)
    received = interrupt_signals()  # SIGTERM and SIGHUP stop the run as Ctrl-C does
    results = measure_all(specs, [scenario], options, pythons)
    received.hold()  # from here a signal is only noted: a second one must not cost the file
    if progress is not None:
        progress.close()
    check_measured(results)  # an empty run replaces no table
    written = write_outputs(results, out, latest_dir(out))
    if args.json:
        if written.results_path is not None:  # else it is on stdout already
            sys.stdout.write(results.to_json())
    else:
        sys.stdout.write(render(results, "text"))
        if len(pythons) > 1:
            sys.stdout.write("\n" + pythons_table.render(results))
    if not args.quiet and written.results_path is not None:
        tables = ", ".join(str(p) for p in written.tables)
        print(f"results: {written.results_path} (tables: {tables})", file=sys.stderr)
    return exit_status(results, received)


def exit_status(results: ResultsFile, received: Received) -> int:
    """128 + the signal when one arrived (Ctrl-C 130, SIGTERM 143, SIGHUP 129), 1 when any
    model failed or summed wrong, else 0."""
    if results.partial:
        print("interrupted: the results of the models that finished were kept", file=sys.stderr)
        return received.exit_status()
    if received.signum is not None:  # arrived while the complete file was being written
        return received.exit_status()
    return 1 if any(model.status in FAILING_STATUSES for _, model in results.models()) else 0
