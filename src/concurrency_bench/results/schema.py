"""The results file, schema 2: typed records of one engine run, one entry per worker process.

In the spirit of pyperf's format: per (scenario, model) a list `runs`, one per worker process
(the unit of repetition), each with its pid, the wall time of each warm-up round and the
figures of each measured round. Summaries, tables and the gate are computed from these and
never stored. The records are msgspec Structs: decoding validates types, ranges (`Meta`) and
unknown fields in C (fast for a 1,000,000-job file), `__post_init__` adds what types cannot
say (finite, consistent with the scenario), and `published.py` turns the same definition into
the JSON Schema shipped with the package.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Literal

import msgspec

from concurrency_bench.results.identity import row_label
from concurrency_bench.results.layout import dumps
from concurrency_bench.results.records import (
    FILE_MODE,
    MAX_COUNT,
    MAX_ENVIRONMENT_DEPTH,
    MAX_SECONDS,
    NAME_PATTERN,
    OVERHEAD_TOLERANCE_S,
    SCHEMA_VERSION,
    STATUSES,
    UNMEASURED_STATUSES,
    Count,
    Fraction,
    GcRound,
    Lateness,
    Metric,
    Name,
    Natural,
    ProcessRun,
    PythonInfo,
    Record,
    ResultsError,
    Round,
    Seconds,
    Setting,
    SignedSeconds,
    Status,
    Timestamp,
    check_count,
    check_finite,
    check_name,
    check_plain,
)
from concurrency_bench.summaries import Summary, instability
from concurrency_bench.textsafe import json_text
from concurrency_bench.workload import MAX_JOBS, Scenario

__all__ = [  # the records of records.py are part of this module's names too
    "FILE_MODE",
    "MAX_COUNT",
    "MAX_ENVIRONMENT_DEPTH",
    "MAX_SECONDS",
    "NAME_PATTERN",
    "OVERHEAD_TOLERANCE_S",
    "SCHEMA_VERSION",
    "STATUSES",
    "UNMEASURED_STATUSES",
    "Count",
    "Fraction",
    "GcRound",
    "Lateness",
    "Metric",
    "ModelResult",
    "Name",
    "Natural",
    "ProcessRun",
    "PythonInfo",
    "Record",
    "ResultsError",
    "ResultsFile",
    "Round",
    "RunSettings",
    "ScenarioResults",
    "Seconds",
    "Setting",
    "SignedSeconds",
    "Status",
    "Timestamp",
    "check_count",
    "check_finite",
    "check_name",
    "check_plain",
    "decode",
    "pool_runs",
]


class ModelResult(Record, frozen=True, kw_only=True):
    """Everything measured for one model on one scenario; every figure is derived from `runs`."""

    model: Name
    status: Status
    reason: str | None = None
    concurrent: bool
    ideal_s: Seconds
    jobs: Annotated[int, msgspec.Meta(ge=1, le=MAX_JOBS)]
    settings: dict[str, Setting | str] = {}  # noqa: RUF012 (msgspec copies it per record)
    runs: tuple[ProcessRun, ...] = ()
    lateness: Lateness | None = None
    """Pooled over every process's rounds (the engine merges the workers' quantiles)."""
    rss_before_bytes: Natural | None = None
    rss_peak_bytes: Natural | None = None
    """RSS before the rounds and at the peak of the median worker (growth = peak - before)."""
    python: PythonInfo | None = None
    """The interpreter the workers ran under, when the run named one (else the harness's)."""
    client: Name | None = None
    """The client library of the row (`--io http`: aiohttp, httpx, ...); None for a kind
    without clients. Absent in older schema-2 files, which read as None."""

    def __post_init__(self) -> None:
        check_name("model", self.model)
        check_finite("ideal_s", self.ideal_s)
        if not 1 <= self.jobs <= MAX_JOBS:
            raise ValueError(f"`jobs` must be from 1 to {MAX_JOBS}, got {self.jobs}")
        for key, value in self.settings.items():
            if isinstance(value, int):
                check_count(f"settings.{key}", value, -MAX_COUNT - 1)
        check_count("rss_before_bytes", self.rss_before_bytes, 0)
        check_count("rss_peak_bytes", self.rss_peak_bytes, 0)
        self._check_runs()

    def _check_runs(self) -> None:
        """The rounds agree with the status and the ideal time, so no reader is misled."""
        if self.status == "ok" and (not self.runs or not all(run.values for run in self.runs)):
            raise ValueError(f"model {self.model!r} is ok but a worker has no measured rounds")
        if self.status in UNMEASURED_STATUSES and self.measured:
            raise ValueError(f"model {self.model!r} is {self.status} but has measured rounds")
        for index, r in enumerate(self.rounds):
            expected = r.wall_s - self.ideal_s
            if not math.isclose(r.overhead_s, expected, rel_tol=1e-9, abs_tol=OVERHEAD_TOLERANCE_S):
                raise ValueError(
                    f"model {self.model!r} round {index} has overhead_s {r.overhead_s!r}, but "
                    f"wall_s - ideal_s is {expected!r}"
                )

    @property
    def row_name(self) -> str:
        """The row's label (`identity.row_label`): "asyncio-gather + aiohttp (3.13)"."""
        python = None if self.python is None else self.python.label
        return row_label(self.model, python, self.client)

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
    def has_gc(self) -> bool:
        """True when every measured round recorded its collections (not in older files)."""
        return self.measured and all(r.gc is not None for r in self.rounds)

    @property
    def gc_share(self) -> float | None:
        """The median over the rounds of the collector's share of the wall; None when no
        round recorded it."""
        shares = [r.gc.total_s / r.wall_s for r in self.rounds if r.gc is not None and r.wall_s]
        return statistics.median(shares) if shares else None

    @property
    def server_busy(self) -> float | None:
        """The median of the rounds' server busy fractions (TCP rows), None without any."""
        busy = [r.server_busy for r in self.rounds if r.server_busy is not None]
        return statistics.median(busy) if busy else None

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
        check_name("scenario.name", self.scenario.name)
        ideals: dict[bool, float] = {}  # each is a pass over the delays: once, not per model
        for model in self.models:
            if model.jobs != self.scenario.jobs:
                raise ValueError(
                    f"model {model.model!r} has jobs {model.jobs}, "
                    f"the scenario {self.scenario.jobs}"
                )
            concurrent = model.concurrent
            if concurrent not in ideals:
                ideals[concurrent] = self.scenario.ideal_wall_s(concurrent=concurrent)
            ideal = ideals[concurrent]
            if not math.isclose(model.ideal_s, ideal, rel_tol=1e-9, abs_tol=1e-12):
                raise ValueError(
                    f"model {model.model!r} has ideal_s {model.ideal_s!r}, but its scenario "
                    f"gives {ideal!r}"
                )


class RunSettings(Record, frozen=True, kw_only=True):
    """How the engine measured: the same for every model in the file."""

    rounds: Count
    warmup: Natural
    gc: Literal["on", "off"]
    timeout_s: Seconds | None
    sequential_budget_s: Seconds
    rounds_per_process: Count = 1
    """Measured rounds per fresh worker process."""

    def __post_init__(self) -> None:
        check_count("rounds", self.rounds, 1)
        check_count("rounds_per_process", self.rounds_per_process, 1)
        check_count("warmup", self.warmup, 0)
        if self.timeout_s is not None:
            check_finite("timeout_s", self.timeout_s)
        check_finite("sequential_budget_s", self.sequential_budget_s)


class ResultsFile(Record, frozen=True, kw_only=True):
    """One engine run: when, where, how, and the results per scenario."""

    schema_version: Literal[2] = SCHEMA_VERSION
    created_utc: Timestamp
    partial: bool = False
    """True when the run was interrupted and not every model was measured."""
    settings: RunSettings
    environment: dict[str, Any]
    scenarios: tuple[ScenarioResults, ...]

    def __post_init__(self) -> None:
        check_plain(self.environment, "environment")

    def models(self) -> Iterator[tuple[Scenario, ModelResult]]:
        """Every (scenario, model result) pair in the file."""
        for block in self.scenarios:
            for model in block.models:
                yield block.scenario, model

    def to_json(self) -> str:
        """The file's text: indented, but short records and number arrays on one line each."""
        return json_text(dumps(msgspec.to_builtins(self)))


def decode(data: bytes | str) -> ResultsFile:
    """Parse and validate a schema-2 file's text; msgspec errors name the field's path."""
    return msgspec.json.decode(data, type=ResultsFile)


def pool_runs(values: Sequence[Sequence[Round]]) -> tuple[ProcessRun, ...]:
    """Runs without pids or warm-ups from per-process round lists (tests and converters)."""
    return tuple(ProcessRun(pid=None, values=tuple(rounds)) for rounds in values)
