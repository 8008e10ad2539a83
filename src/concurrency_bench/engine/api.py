"""The engine's entry points: measure (scenario, model) pairs into rows and a results file, or
run each model once for its timeline.

A worker that raises, hangs past its timeout, is killed or runs out of memory makes the
model a `failed` row naming the worker, its later workers are not started, and the run goes
on; Ctrl-C (or a signal handler raising KeyboardInterrupt) stops the current worker and
keeps every model's finished rounds (the file is marked partial).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from concurrency_bench.engine import environment, limits
from concurrency_bench.engine.interpreters import Interpreter
from concurrency_bench.engine.model_run import ModelRun, interleave
from concurrency_bench.engine.policy import EngineOptions, not_started
from concurrency_bench.engine.probes import memory_source
from concurrency_bench.engine.servers import ScenarioServers
from concurrency_bench.engine.timing import Measurement
from concurrency_bench.results import ModelResult, ResultsFile, ScenarioResults, Status
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario, calibrate


@dataclass(frozen=True)
class Measured:
    """The rows of `measure_pairs`, one per pair in the pairs' order, and whether Ctrl-C came."""

    results: tuple[ModelResult, ...]
    interrupted: bool = False


@dataclass(frozen=True)
class SingleRun:
    """A model's one run (`run_each`): its measurement, or why there is none."""

    model: str
    """The row's label: the model, with its client library when it has one."""
    status: Status
    measurement: Measurement | None = None
    reason: str | None = None


def check_open_files() -> None:
    """Make sure this process may open what the engine needs (InputError naming the limit)."""
    limits.ensure_open_files(limits.ENGINE_OPEN_FILES, "the engine")


def measure_pairs(
    pairs: Sequence[tuple[Scenario, ModelSpec]],
    options: EngineOptions,
    *,
    pythons: Sequence[Interpreter | None] | None = None,
) -> Measured:
    """Measure every (scenario, model) pair, interleaved: worker 1 of each, then worker 2, ...

    A pair that failed starts no more workers; after a Ctrl-C every pair keeps the rounds
    it finished (status interrupted unless it was complete), and pairs never reached are
    rows too (interrupted, not started). A scenario's server (for kinds that have one) starts
    before its first worker and stops when every pair is done (engine/servers.py).
    `pythons`, one per pair, names the interpreter each pair's workers run under (None: this
    one). Jobs with CPU work do the same number of steps in every pair of the call,
    calibrated here once, before any worker starts.
    """
    check_open_files()
    steps = calibrate(scenario.cpu_ms for scenario, _ in pairs)
    chosen = list(pythons) if pythons is not None else [None] * len(pairs)
    if len(chosen) != len(pairs):
        raise ValueError(f"{len(pairs)} pairs but {len(chosen)} interpreters")
    with ScenarioServers() as servers:
        runs = [
            ModelRun(
                spec,
                scenario,
                options,
                pair=number,
                pairs=len(pairs),
                servers=servers,
                python=python,
                cpu_iterations=steps[scenario.cpu_ms],
            )
            for number, ((scenario, spec), python) in enumerate(zip(pairs, chosen), start=1)
        ]
        interrupted = interleave(runs)
    return Measured(tuple(run.outcome().result for run in runs), interrupted)


def measure_all(
    specs: Sequence[ModelSpec],
    scenarios: Iterable[Scenario],
    options: EngineOptions,
    pythons: Sequence[Interpreter] = (),
) -> ResultsFile:
    """Every model on every scenario, scenario by scenario: `measure_file` of those pairs."""
    return measure_file([(s, spec) for s in scenarios for spec in specs], options, pythons)


def measure_file(
    pairs: Sequence[tuple[Scenario, ModelSpec]],
    options: EngineOptions,
    pythons: Sequence[Interpreter] = (),
) -> ResultsFile:
    """The results file of these (scenario, model) pairs, measured interleaved
    (measure_pairs) after the environment is collected; Ctrl-C returns what finished, marked
    partial. With `pythons`, every pair runs under each of them (rows keyed by scenario,
    model and interpreter, interleaved alike).

    Pairs the interrupt kept from starting still get a row (interrupted, not started), so
    the file always says what was asked for and what became of it.
    """
    check_open_files()
    created = utc_now()
    each: Sequence[Interpreter | None] = pythons or [None]
    runs = [(s, spec, python) for s, spec in pairs for python in each]
    planned = [(s, spec) for s, spec, _ in runs]
    chosen = [python for _, _, python in runs]
    env: dict[str, Any] = {}
    try:
        env = collect_environment(options)
    except KeyboardInterrupt:
        rows = tuple(not_started(s, spec, python) for s, spec, python in runs)
        measured = Measured(rows, interrupted=True)
    else:
        measured = measure_pairs(planned, options, pythons=chosen)
    return results_file(
        planned,
        measured.results,
        options,
        created_utc=created,
        environment=env,
        partial=measured.interrupted,
    )


def run_each(
    specs: Sequence[ModelSpec],
    scenario: Scenario,
    *,
    pool_size: int | None = None,
    timeout_s: float | None = None,
) -> list[SingleRun]:
    """Run every model once (no warm-up, no budget) in a fresh worker each, keeping the last
    round's per-job columns: the `timeline` command. A model that hangs, crashes or raises
    becomes its own failed run; after a Ctrl-C the list ends with the interrupted model.
    """
    check_open_files()
    options = EngineOptions(
        rounds=1,
        warmup=0,
        timeout_s=timeout_s,
        sequential_budget_s=math.inf,
        pool_size=pool_size,
    )
    outcomes = []
    steps = calibrate([scenario.cpu_ms])[scenario.cpu_ms]
    with ScenarioServers() as servers:
        for spec in specs:
            run = ModelRun(
                spec,
                scenario,
                options,
                return_jobs=True,
                servers=servers,
                cpu_iterations=steps,
            )
            interrupted = interleave([run])
            outcome = run.outcome()
            result = outcome.result
            measurement = outcome.last_round if result.status in ("ok", "wrong") else None
            outcomes.append(SingleRun(result.row_name, result.status, measurement, result.reason))
            if interrupted or outcome.interrupted:  # Ctrl-C: show what finished, stop
                break
    return outcomes


def utc_now() -> str:
    """The current UTC time as the results file writes it: 2024-01-02T03:04:05Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect_environment(options: EngineOptions) -> dict[str, Any]:
    """The environment block of a results file (collected outside every timed region)."""
    env = environment.collect(options.gc)
    env["memory_method"] = (
        f"{memory_source()}; baseline after payloads and setup, before the first"
        " (warm-up) round; the worker process only, not pool children; of a model's"
        " workers, the one whose growth is the median"
    )
    env["isolation"] = (
        "fresh worker processes per (model, scenario), interleaved across them (worker 1 of"
        " every pair, then worker 2 of every one, ...), each with its own setup and warm-up,"
        " running settings.rounds_per_process of the measured rounds"
    )
    env["open_files"] = limits.describe()
    return env


def results_file(
    pairs: Sequence[tuple[Scenario, ModelSpec]],
    results: Sequence[ModelResult],
    options: EngineOptions,
    *,
    created_utc: str,
    environment: dict[str, Any],
    partial: bool,
) -> ResultsFile:
    """The results file of measured pairs: one block per scenario, in run order."""
    blocks: dict[str, tuple[Scenario, list[ModelResult]]] = {}
    for (scenario, _), result in zip(pairs, results, strict=True):
        blocks.setdefault(scenario.name, (scenario, []))[1].append(result)
    return ResultsFile(
        created_utc=created_utc,
        settings=options.run_settings(),
        environment=environment,
        scenarios=tuple(
            ScenarioResults(scenario=s, models=tuple(models)) for s, models in blocks.values()
        ),
        partial=partial,
    )
