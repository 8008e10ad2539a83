"""The figures' data, taken from results files only: sizes (or CPU works) per workload, points
per model.

Pure (no matplotlib), so what a figure shows is tested apart from how it is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concurrency_bench.report.rows import notes, pool_of
from concurrency_bench.results import ModelResult, ResultsFile, ScenarioKey, block_rows, row_label
from concurrency_bench.summaries import cpu_bound, quartiles
from concurrency_bench.workload import Scenario, uniform_name

Axes = tuple[str, str | None, str | None]
Shape = tuple[float, tuple[tuple[str, object], ...]]
"""What a uniform scenario is apart from its size and name: its one delay (s) and every other
field of its definition (ints, seed, I/O kind, connections, ...: `ScenarioKey.fields`)."""


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

    def scaled(self, factor: float) -> Band:
        """The band in another unit (`factor` from this one's)."""
        return Band(self.q1 * factor, self.median * factor, self.q3 * factor)


@dataclass(frozen=True)
class Point:
    """One model at one size: its per-job overhead and wall, their spread, memory per job."""

    jobs: int
    overhead_per_job_us: Band
    wall_s: Band
    memory_per_job_bytes: float | None
    pool: int | None
    """How many jobs the model ran at once when a pool capped it below `jobs`, else None."""
    cpu_s: float = 0.0
    """The median CPU time of a round."""
    ideal_s: float = 0.0
    """The round's ideal wall time."""

    @property
    def cpu_bound(self) -> bool:
        """Whether CPU, not waiting, set the round's wall (summaries.cpu_bound; never when a
        pool made the jobs queue: the queue may be what set it)."""
        return self.pool is None and cpu_bound(self.cpu_s, self.ideal_s)


@dataclass(frozen=True)
class Series:
    """A row's points over the sizes, smallest first, and the sizes it was not measured at; the
    row is its key's axes (model, interpreter, client), the same at every size."""

    model: str
    interpreter: str | None
    client: str | None
    points: tuple[Point, ...]
    missing: tuple[tuple[int, str], ...]
    """(jobs, why) for each size without figures: not run over the budget, failed, ..."""

    @property
    def label(self) -> str:
        """The row's label (results.row_label)."""
        return row_label(self.model, self.interpreter, self.client)


@dataclass(frozen=True)
class ScalingGroup:
    """Uniform scenarios that differ only in their number of jobs: one scaling figure."""

    shape: Shape
    name: str
    """The workload's name with the size left out: `uniform-Nx50ms-100ints`, `...-tcp`."""
    scenarios: tuple[Scenario, ...]
    series: tuple[Series, ...]

    @property
    def sizes(self) -> list[int]:
        """The numbers of jobs, smallest first."""
        return [s.jobs for s in self.scenarios]


def uniform_shape(scenario: Scenario) -> Shape | None:
    """The shape of a scenario whose jobs all wait the same; None otherwise."""
    delays = scenario.delays_s
    if scenario.unit_s is not None or min(delays) != max(delays):
        return None
    return (delays[0], ScenarioKey.of(scenario).fields)


def sizeless_name(scenario: Scenario) -> str:
    """A uniform scenario's name with its size as N (`uniform-Nx50ms-100ints-tcp`); a name
    of its own keeps what follows its size, or is the uniform name's."""
    delay, ints = scenario.delays_s[0], scenario.ints_per_job
    sized = uniform_name(scenario.jobs, delay, ints)
    rest = scenario.name[len(sized) :] if scenario.name.startswith(sized) else ""
    return uniform_name("N", delay, ints) + rest


def _unique(names: list[str]) -> list[str]:
    """The names, a second and later one of the same text numbered (`-2`, `-3`)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


def point(result: ModelResult) -> Point:
    """A ranked model's figures at its scenario's size."""
    return Point(
        jobs=result.jobs,
        overhead_per_job_us=Band.of([v * 1e6 / result.jobs for v in result.values("overhead")]),
        wall_s=Band.of(result.values("wall")),
        memory_per_job_bytes=result.memory_per_job_bytes,
        pool=pool_of(result),
        cpu_s=result.cpu.median,
        ideal_s=result.ideal_s,
    )


def why_missing(result: ModelResult) -> str:
    """Why a model has no figures at a size, in the tables' words ("not run: would take ...")."""
    return next(iter(notes(result)), result.status)


def scaling_groups(results: ResultsFile) -> list[ScalingGroup]:
    """Every workload (one full definition but the size) measured at two sizes or more, in the
    file's order; one series per row (model, interpreter, client) over its sizes."""
    by_shape: dict[Shape, list[tuple[Scenario, list[tuple[Axes, ModelResult]]]]] = {}
    for block in results.scenarios:
        shape = uniform_shape(block.scenario)
        if shape is not None:
            rows = [(key.axes, result) for key, result in block_rows(block)]
            by_shape.setdefault(shape, []).append((block.scenario, rows))
    found = []
    for shape, unsorted in by_shape.items():
        blocks = sorted(unsorted, key=lambda b: b[0].jobs)
        if len({s.jobs for s, _ in blocks}) < 2:
            continue
        every = list(dict.fromkeys(axes for _, rows in blocks for axes, _ in rows))
        series = []
        for axes in every:
            points, missing = [], []
            for _, rows in blocks:
                here = dict(rows)
                if axes not in here:
                    continue
                result = here[axes]
                if result.ranked:
                    points.append(point(result))
                else:
                    missing.append((result.jobs, why_missing(result)))
            series.append(Series(*axes, tuple(points), tuple(missing)))
        found.append((shape, sizeless_name(blocks[0][0]), blocks, series))
    names = _unique([name for _, name, _, _ in found])
    return [
        ScalingGroup(shape, name, tuple(s for s, _ in blocks), tuple(series))
        for (shape, _, blocks, series), name in zip(found, names)
    ]


@dataclass(frozen=True)
class CpuPoint:
    """One row at one CPU work per job: its wall time and spread."""

    cpu_ms: float
    wall_s: Band


@dataclass(frozen=True)
class CpuSeries:
    """A row's walls over the CPU works, least first, and the works it has no figures at."""

    model: str
    interpreter: str | None
    client: str | None
    points: tuple[CpuPoint, ...]
    missing: tuple[tuple[float, str], ...]

    @property
    def label(self) -> str:
        """The row's label (results.row_label)."""
        return row_label(self.model, self.interpreter, self.client)


@dataclass(frozen=True)
class CrossoverGroup:
    """Scenarios that differ only in their CPU work per job (`--cpu-ms`): one crossover figure."""

    name: str
    """The workload's name with the CPU work as X: `uniform-200x50ms-100ints-cpuXms`."""
    scenarios: tuple[Scenario, ...]
    series: tuple[CpuSeries, ...]

    @property
    def cpu_ms(self) -> list[float]:
        """The CPU works per job, least first."""
        return [s.cpu_ms for s in self.scenarios]


def cpuless_name(scenario: Scenario) -> str:
    """The scenario's name with its CPU work as X (`...-cpuXms`, added when it had none)."""
    marked = f"-cpu{scenario.cpu_ms:g}ms"
    if scenario.cpu_ms and marked in scenario.name:
        return scenario.name.replace(marked, "-cpuXms", 1)
    return f"{scenario.name}-cpuXms"


def crossover_groups(results: ResultsFile) -> list[CrossoverGroup]:
    """Every workload (one full definition but the CPU work) measured at two CPU works or more,
    in the file's order; one series per row over its CPU works."""
    by_rest: dict[object, list[tuple[Scenario, list[tuple[Axes, ModelResult]]]]] = {}
    for block in results.scenarios:
        key = ScenarioKey.of(block.scenario)
        rest = (key.jobs, key.delays, tuple(f for f in key.fields if f[0] != "cpu_ms"))
        rows = [(k.axes, result) for k, result in block_rows(block)]
        by_rest.setdefault(rest, []).append((block.scenario, rows))
    found = []
    for unsorted in by_rest.values():
        blocks = sorted(unsorted, key=lambda b: b[0].cpu_ms)
        if len({s.cpu_ms for s, _ in blocks}) < 2:
            continue
        every = list(dict.fromkeys(axes for _, rows in blocks for axes, _ in rows))
        series = []
        for axes in every:
            points, missing = [], []
            for scenario, rows in blocks:
                result = dict(rows).get(axes)
                if result is None:
                    continue
                if result.ranked:
                    points.append(CpuPoint(scenario.cpu_ms, Band.of(result.values("wall"))))
                else:
                    missing.append((scenario.cpu_ms, why_missing(result)))
            series.append(CpuSeries(*axes, tuple(points), tuple(missing)))
        found.append((cpuless_name(blocks[0][0]), blocks, series))
    names = _unique([name for name, _, _ in found])
    return [
        CrossoverGroup(name, tuple(s for s, _ in blocks), tuple(series))
        for (_, blocks, series), name in zip(found, names)
    ]
