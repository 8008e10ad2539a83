"""The results file, schema 2: typed records of one engine run, one entry per worker process.

In the spirit of pyperf's format: per (scenario, model) a list `runs`, one per worker process
(the unit of repetition), each with its pid, the wall time of each warm-up round and the
figures of each measured round. Summaries, tables and the gate are computed from these and
never stored. The records are msgspec Structs: decoding validates types and unknown fields
in C (fast for a 1,000,000-job file), `__post_init__` adds what types cannot say (finite,
non-negative), and `json_schema()` publishes the same definition as JSON Schema.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Sequence
from typing import Any, Literal, get_args

import msgspec

from concurrency_bench.analysis.statistics import Summary, instability
from concurrency_bench.errors import InputError
from concurrency_bench.workload import Scenario

SCHEMA_VERSION = 2
FILE_MODE = 0o644
Status = Literal["ok", "wrong", "failed", "not-run", "unavailable", "interrupted"]
STATUSES: tuple[str, ...] = get_args(Status)
Metric = Literal["wall", "overhead", "cpu"]


class ResultsError(InputError):
    """A results file that is missing, malformed, or of a version this code does not know."""


def _finite(name: str, value: float, *, minimum: float | None = None) -> None:
    """Refuse NaN and infinities (and values under `minimum`), naming the field."""
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum:g}, got {value!r}")


class Record(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Common options of every record: immutable, keyword-only, unknown fields refused."""


class Round(Record, frozen=True, kw_only=True):
    """One measured round's figures (seconds): wall and CPU time of the timed region, and wall
    minus the scenario's ideal (negative when timers fire early)."""

    wall_s: float
    cpu_s: float
    overhead_s: float

    def __post_init__(self) -> None:
        _finite("wall_s", self.wall_s, minimum=0.0)
        _finite("cpu_s", self.cpu_s, minimum=0.0)
        _finite("overhead_s", self.overhead_s)

    def value(self, metric: Metric) -> float:
        """The round's figure for `metric`, in seconds."""
        return {"wall": self.wall_s, "overhead": self.overhead_s, "cpu": self.cpu_s}[metric]


class Lateness(Record, frozen=True, kw_only=True):
    """Per-job lateness (finish - start - delay) pooled over measured rounds, in seconds."""

    p50_s: float
    p99_s: float
    max_s: float

    def __post_init__(self) -> None:
        for name in ("p50_s", "p99_s", "max_s"):
            _finite(name, getattr(self, name))
        if not self.p50_s <= self.p99_s <= self.max_s:
            raise ValueError("lateness must have p50_s <= p99_s <= max_s")


class ProcessRun(Record, frozen=True, kw_only=True):
    """One worker process: its warm-ups, its measured rounds, its own lateness and memory."""

    pid: int | None
    """The worker's process id; None in a run converted from schema 1, which did not keep it."""
    warmups: tuple[float, ...] = ()
    """Wall seconds of each warm-up round, in order (empty when there were none, or unknown)."""
    values: tuple[Round, ...] = ()
    lateness: Lateness | None = None
    rss_before_bytes: int | None = None
    rss_peak_bytes: int | None = None

    def __post_init__(self) -> None:
        for index, warmup in enumerate(self.warmups):
            _finite(f"warmups[{index}]", warmup, minimum=0.0)
        for name in ("rss_before_bytes", "rss_peak_bytes"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"`{name}` must be 0 or more, got {value}")

    def median(self, metric: Metric) -> float:
        """The median of this process's measured rounds for `metric`."""
        return statistics.median(r.value(metric) for r in self.values)


class ModelResult(Record, frozen=True, kw_only=True):
    """Everything measured for one model on one scenario; every figure is derived from `runs`."""

    model: str
    status: Status
    reason: str | None = None
    concurrent: bool
    ideal_s: float
    jobs: int
    settings: dict[str, int | str] = {}
    runs: tuple[ProcessRun, ...] = ()
    lateness: Lateness | None = None
    """Pooled over every process's rounds (the engine merges the workers' quantiles)."""
    rss_before_bytes: int | None = None
    rss_peak_bytes: int | None = None
    """RSS before the rounds and at the peak of the median worker (growth = peak - before)."""

    def __post_init__(self) -> None:
        if not self.model:
            raise ValueError("`model` must be a non-empty string")
        _finite("ideal_s", self.ideal_s, minimum=0.0)
        if self.jobs < 1:
            raise ValueError(f"`jobs` must be 1 or more, got {self.jobs}")
        if self.status == "ok" and not any(run.values for run in self.runs):
            raise ValueError(f"model {self.model!r} is ok but has no measured rounds")

    @property
    def rounds(self) -> tuple[Round, ...]:
        """Every measured round, process after process."""
        return tuple(r for run in self.runs for r in run.values)

    @property
    def measured(self) -> bool:
        """True when there are rounds to summarise (ok, wrong, or interrupted midway)."""
        return any(run.values for run in self.runs)

    @property
    def sums_ok(self) -> bool | None:
        """True for ok, False for wrong, None when the sums were never checked (no rounds)."""
        return {"ok": True, "wrong": False}.get(self.status) if self.measured else None

    @property
    def ranked(self) -> bool:
        """Only models that ran and summed correctly are ranked."""
        return self.status == "ok" and self.measured

    def values(self, metric: Metric) -> list[float]:
        """Every measured round's `metric`, in seconds."""
        return [r.value(metric) for r in self.rounds]

    def process_medians(self, metric: Metric) -> list[float]:
        """One value per worker process (the median of its rounds): the independent samples."""
        return [run.median(metric) for run in self.runs if run.values]

    @property
    def wall(self) -> Summary:
        """Wall time over the rounds, in seconds."""
        return Summary.of(self.values("wall"))

    @property
    def overhead(self) -> Summary:
        """Wall minus ideal over the rounds, in seconds."""
        return Summary.of(self.values("overhead"))

    @property
    def cpu(self) -> Summary:
        """CPU time of the worker process over the rounds, in seconds."""
        return Summary.of(self.values("cpu"))

    @property
    def overhead_per_job_us(self) -> Summary:
        """Overhead per job, in microseconds."""
        return self.overhead.scaled(1e6 / self.jobs)

    @property
    def memory_per_job_bytes(self) -> float | None:
        """(peak RSS - RSS before the first round) / jobs, when the worker reported both."""
        if self.rss_peak_bytes is None or self.rss_before_bytes is None:
            return None
        return max(0, self.rss_peak_bytes - self.rss_before_bytes) / self.jobs

    @property
    def unstable(self) -> str | None:
        """Why the spread makes this result doubtful, or None."""
        if len(self.rounds) < 2:
            return None
        return instability(self.wall, self.overhead)


class ScenarioResults(Record, frozen=True, kw_only=True):
    """One scenario and the results of every model asked for, in the order they ran."""

    scenario: Scenario
    models: tuple[ModelResult, ...]

    def __post_init__(self) -> None:
        for model in self.models:
            if model.jobs != self.scenario.jobs:
                raise ValueError(
                    f"model {model.model!r} has jobs {model.jobs}, "
                    f"the scenario {self.scenario.jobs}"
                )
            ideal = self.scenario.ideal_wall_s(concurrent=model.concurrent)
            if not math.isclose(model.ideal_s, ideal, rel_tol=1e-9, abs_tol=1e-12):
                raise ValueError(
                    f"model {model.model!r} has ideal_s {model.ideal_s!r}, but its scenario "
                    f"gives {ideal!r}"
                )


class RunSettings(Record, frozen=True, kw_only=True):
    """How the engine measured: the same for every model in the file."""

    rounds: int
    warmup: int
    gc: Literal["on", "off"]
    timeout_s: float | None
    sequential_budget_s: float
    rounds_per_process: int = 1
    """Measured rounds per fresh worker process."""

    def __post_init__(self) -> None:
        if self.rounds < 1 or self.rounds_per_process < 1 or self.warmup < 0:
            raise ValueError("`rounds` and `rounds_per_process` must be 1 or more, `warmup` 0+")
        if self.timeout_s is not None:
            _finite("timeout_s", self.timeout_s, minimum=0.0)
        _finite("sequential_budget_s", self.sequential_budget_s, minimum=0.0)


class ResultsFile(Record, frozen=True, kw_only=True):
    """One engine run: when, where, how, and the results per scenario."""

    schema_version: int = SCHEMA_VERSION
    created_utc: str
    partial: bool = False
    """True when the run was interrupted and not every model was measured."""
    settings: RunSettings
    environment: dict[str, Any]
    scenarios: tuple[ScenarioResults, ...]

    def models(self) -> Iterator[tuple[Scenario, ModelResult]]:
        """Every (scenario, model result) pair in the file."""
        for block in self.scenarios:
            for model in block.models:
                yield block.scenario, model

    def to_json(self) -> str:
        """The file's text (indented, `schema_version` first)."""
        return msgspec.json.format(msgspec.json.encode(self).decode()) + "\n"


def decode(data: bytes | str) -> ResultsFile:
    """Parse and validate a schema-2 file's text; msgspec errors name the field's path."""
    return msgspec.json.decode(data, type=ResultsFile)


def convert(data: Any) -> ResultsFile:
    """Validate already-parsed JSON data (a dict) as a schema-2 file."""
    return msgspec.convert(data, type=ResultsFile)


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of a schema-2 results file."""
    return msgspec.json.schema(ResultsFile)


def pool_runs(values: Sequence[Sequence[Round]]) -> tuple[ProcessRun, ...]:
    """Runs without pids or warm-ups from per-process round lists (tests and converters)."""
    return tuple(ProcessRun(pid=None, values=tuple(rounds)) for rounds in values)
