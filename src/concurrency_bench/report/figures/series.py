"""The figures' data, taken from results files only: sizes per workload, points per model.

Pure (no matplotlib), so what a figure shows is tested apart from how it is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concurrency_bench.results import ModelResult, ResultsFile
from concurrency_bench.runners import REGISTRY
from concurrency_bench.summaries import quartiles
from concurrency_bench.workload import Scenario, uniform_name

Shape = tuple[float, int, int]
"""What a uniform scenario is apart from its size: delay (s), ints per job, seed."""


@dataclass(frozen=True)
class Band:
    """Q1, median and Q3 of a model's rounds: the line and the band around it."""

    q1: float
    median: float
    q3: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Band:
        """The quartiles of at least one value (linear interpolation, as Summary)."""
        return cls(*quartiles(sorted(values)))


@dataclass(frozen=True)
class Point:
    """One model at one size: its per-job overhead and wall, their spread, memory per job."""

    jobs: int
    overhead_per_job_us: Band
    wall_s: Band
    memory_per_job_bytes: float | None
    pool: int | None
    """How many jobs the model ran at once when a pool capped it below `jobs`, else None."""


@dataclass(frozen=True)
class Series:
    """A model's points over the sizes, smallest first, and the sizes it was not measured at."""

    model: str
    points: tuple[Point, ...]
    missing: tuple[tuple[int, str], ...]
    """(jobs, why) for each size without figures: not run over the budget, failed, ..."""


@dataclass(frozen=True)
class ScalingGroup:
    """Uniform scenarios that differ only in their number of jobs: one scaling figure."""

    shape: Shape
    scenarios: tuple[Scenario, ...]
    series: tuple[Series, ...]

    @property
    def name(self) -> str:
        """The workload's name with the size left out: `uniform-Nx50ms-100ints`."""
        delay, ints, _ = self.shape
        return uniform_name("N", delay, ints)

    @property
    def sizes(self) -> list[int]:
        """The numbers of jobs, smallest first."""
        return [s.jobs for s in self.scenarios]


def uniform_shape(scenario: Scenario) -> Shape | None:
    """(delay, ints, seed) of a scenario whose jobs all wait the same; None otherwise."""
    delays = scenario.delays_s
    if scenario.unit_s is not None or min(delays) != max(delays):
        return None
    return (delays[0], scenario.ints_per_job, scenario.seed)


def pool_of(result: ModelResult) -> int | None:
    """The pool size a pooled model ran with when it was below the job count, else None."""
    spec = REGISTRY.get(result.model)
    if spec is None or not spec.pooled:
        return None
    sizes = [v for v in result.settings.values() if isinstance(v, int) and not isinstance(v, bool)]
    return sizes[0] if sizes and sizes[0] < result.jobs else None


def point(result: ModelResult) -> Point:
    """A ranked model's figures at its scenario's size."""
    return Point(
        jobs=result.jobs,
        overhead_per_job_us=Band.of([v * 1e6 / result.jobs for v in result.values("overhead")]),
        wall_s=Band.of(result.values("wall")),
        memory_per_job_bytes=result.memory_per_job_bytes,
        pool=pool_of(result),
    )


def why_missing(result: ModelResult) -> str:
    """A short reason a model has no figures at a size."""
    return f"{result.status}: {result.reason}" if result.reason else result.status


def scaling_groups(results: ResultsFile) -> list[ScalingGroup]:
    """Every workload measured at two sizes or more, in the file's order."""
    by_shape: dict[Shape, list[tuple[Scenario, Sequence[ModelResult]]]] = {}
    for block in results.scenarios:
        shape = uniform_shape(block.scenario)
        if shape is not None:
            by_shape.setdefault(shape, []).append((block.scenario, block.models))
    groups = []
    for shape, unsorted in by_shape.items():
        blocks = sorted(unsorted, key=lambda b: b[0].jobs)
        if len({s.jobs for s, _ in blocks}) < 2:
            continue
        models = list(dict.fromkeys(m.model for _, ms in blocks for m in ms))
        series = []
        for model in models:
            points, missing = [], []
            for _, results_here in blocks:
                found = next((m for m in results_here if m.model == model), None)
                if found is None:
                    continue
                if found.ranked:
                    points.append(point(found))
                else:
                    missing.append((found.jobs, why_missing(found)))
            series.append(Series(model, tuple(points), tuple(missing)))
        groups.append(ScalingGroup(shape, tuple(s for s, _ in blocks), tuple(series)))
    return groups
