"""Synthetic results for tests of readers (report, compare): no measuring, only chosen figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

from concurrency_bench.results import (
    GcRound,
    Lateness,
    ModelResult,
    ProcessRun,
    ResultsFile,
    Round,
    RunSettings,
    ScenarioResults,
    Status,
)
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario

ENVIRONMENT = {
    "cpu_model": "Test CPU @ 3.0GHz",
    "logical_cores": 2,
    "memory_total_bytes": 24 * 1024**3,
    "os": "Linux",
    "kernel": "6.1.0",
    "python_version": "3.11.7",
    "python_implementation": "CPython",
    "packages": {"uvloop": "0.19.0", "trio": "0.25.0", "anyio": "4.3.0", "tabulate": "0.9.0"},
    "git_commit": "0123456789abcdef0123456789abcdef01234567",
    "git_dirty": False,
    "gc": {"setting": "on", "thresholds": [700, 10, 10]},
}
"""Fields as environment.collect() writes them (a subset), fixed so tests can compare them."""


def scenario(jobs: int = 1000, delay_ms: float = 50.0, *, ints: int = 100) -> Scenario:
    """A uniform scenario: `jobs` jobs that all wait `delay_ms`."""
    return Scenario.uniform(jobs, delay_ms / 1000, ints_per_job=ints)


def model_result(
    runner: str,
    scenario: Scenario,
    *,
    status: Status = "ok",
    walls: Sequence[float] | None = None,
    overheads: Sequence[float] | None = None,
    cpus: Sequence[float] | None = None,
    reason: str | None = None,
    settings: dict[str, int | str] | None = None,
    lateness: Lateness | None = None,
    rss_before_bytes: int | None = None,
    rss_peak_bytes: int | None = None,
    concurrent: bool | None = None,
    rounds_per_process: int = 1,
) -> ModelResult:
    """A ModelResult with the given per-round wall or overhead values (seconds).

    Give `walls` or `overheads` (or both); the other is derived from the scenario's ideal time
    for this model, as the engine does. Neither gives a result with no rounds (not-run, ...).
    The rounds are spread over worker processes `rounds_per_process` at a time (pids 1000, ...).
    """
    if concurrent is None:
        spec = REGISTRY.get(runner)
        concurrent = spec.concurrent if spec is not None else True
    ideal = scenario.ideal_wall_s(concurrent=concurrent)
    if walls is None and overheads is not None:
        walls = [ideal + o for o in overheads]
    if overheads is None and walls is not None:
        overheads = [w - ideal for w in walls]
    rounds: tuple[Round, ...] = ()
    if walls is not None and overheads is not None:
        if len(walls) != len(overheads):
            raise ValueError("walls and overheads need one value per round each")
        cpus = cpus if cpus is not None else [o / 2 for o in overheads]
        rounds = tuple(
            Round(wall_s=w, cpu_s=c, overhead_s=o)
            for w, c, o in zip(walls, cpus, overheads, strict=True)
        )
    if rounds and lateness is None:
        lateness = Lateness(p50_s=0.0005, p99_s=0.002, max_s=0.003)
    return ModelResult(
        model=runner,
        status=status,
        concurrent=concurrent,
        ideal_s=ideal,
        jobs=scenario.jobs,
        reason=reason,
        settings=dict(settings or {}),
        runs=tuple(
            ProcessRun(pid=1000 + n, values=rounds[start : start + rounds_per_process])
            for n, start in enumerate(range(0, len(rounds), rounds_per_process))
        ),
        lateness=lateness,
        rss_before_bytes=rss_before_bytes,
        rss_peak_bytes=rss_peak_bytes,
    )


def results_file(
    blocks: Iterable[tuple[Scenario, Iterable[ModelResult]]],
    *,
    partial: bool = False,
    rounds: int = 5,
    environment: dict[str, object] | None = None,
) -> ResultsFile:
    """A ResultsFile holding the given (scenario, model results) blocks."""
    return ResultsFile(
        created_utc="2024-01-02T03:04:05Z",
        settings=RunSettings(
            rounds=rounds, warmup=1, gc="on", timeout_s=None, sequential_budget_s=10.0
        ),
        environment=dict(ENVIRONMENT if environment is None else environment),
        scenarios=tuple(ScenarioResults(scenario=s, models=tuple(models)) for s, models in blocks),
        partial=partial,
    )


def with_gc(model: ModelResult, gc_seconds: Sequence[float]) -> ModelResult:
    """The model with each round's time in collections set (full collections only)."""
    rounds = iter(gc_seconds)
    runs = tuple(
        msgspec.structs.replace(
            run,
            values=tuple(
                msgspec.structs.replace(
                    r, gc=GcRound(collections=(0, 0, 1), seconds=(0.0, 0.0, next(rounds)))
                )
                for r in run.values
            ),
        )
        for run in model.runs
    )
    return msgspec.structs.replace(model, runs=runs)
