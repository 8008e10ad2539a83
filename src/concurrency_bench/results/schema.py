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
from typing import Annotated, Any, Final, Literal, get_args

import msgspec

from concurrency_bench.errors import InputError
from concurrency_bench.results.identity import row_label
from concurrency_bench.results.layout import dumps
from concurrency_bench.summaries import Summary, instability
from concurrency_bench.textsafe import NAME_REFUSED_CLASS, json_text, refused_in_name
from concurrency_bench.workload import MAX_DELAY_S, MAX_JOBS, Scenario

SCHEMA_VERSION: Final = 2
FILE_MODE = 0o644
Status = Literal["ok", "wrong", "failed", "not-run", "unavailable", "interrupted"]
STATUSES: tuple[str, ...] = get_args(Status)
UNMEASURED_STATUSES = frozenset({"not-run", "unavailable"})
"""Statuses of a model that never ran a round, so a file giving it rounds contradicts itself."""
Metric = Literal["wall", "overhead", "cpu", "gc"]

MAX_SECONDS: Final = 10 * MAX_JOBS * MAX_DELAY_S
"""The largest time a file may hold: ten times the longest ideal round (every job of the
largest scenario waiting the longest delay, one after another). Anything above is not a
measurement, and the bound lets JSON Schema exclude infinity, which it cannot name."""
MAX_COUNT: Final = 2**63 - 1
"""Counts, pids and byte sizes fit a signed 64-bit integer; larger ones are not real."""
MAX_ENVIRONMENT_DEPTH = 8
"""`environment` nests two levels today; deeper data is not from this code."""
OVERHEAD_TOLERANCE_S = 1e-9
"""How far `overhead_s` may be from `wall_s - ideal_s` (float rounding, not a second figure)."""

Seconds = Annotated[float, msgspec.Meta(ge=0.0, le=MAX_SECONDS)]
SignedSeconds = Annotated[float, msgspec.Meta(ge=-MAX_SECONDS, le=MAX_SECONDS)]
Natural = Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)]
Count = Annotated[int, msgspec.Meta(ge=1, le=MAX_COUNT)]
Setting = Annotated[int, msgspec.Meta(ge=-MAX_COUNT - 1, le=MAX_COUNT)]
NAME_PATTERN = rf"^[^{NAME_REFUSED_CLASS}]+$"
"""A name (model, scenario, interpreter) is one line of plain text: no control, format or
separator character, so no table, message or terminal takes it for anything but a name."""
Name = Annotated[str, msgspec.Meta(min_length=1, pattern=NAME_PATTERN)]
Timestamp = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$",
        description="UTC time the run started, e.g. 2024-01-02T03:04:05Z",
    ),
]


class ResultsError(InputError):
    """A results file that is missing, malformed, or of a version this code does not know."""


def _finite(name: str, value: float, *, signed: bool = False) -> None:
    """Refuse NaN, infinities and values outside the file's time range, naming the field.

    msgspec checks the `Meta` ranges only when decoding; this also holds for records built in
    Python (the engine's), so a file is never written that the loader would refuse.
    """
    low = -MAX_SECONDS if signed else 0.0
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number, got {value!r}")
    if not low <= value <= MAX_SECONDS:
        raise ValueError(f"`{name}` must be from {low:g} to {MAX_SECONDS:g}, got {value!r}")


def _count(name: str, value: int | None, low: int) -> None:
    if value is not None and not low <= value <= MAX_COUNT:
        raise ValueError(f"`{name}` must be from {low} to {MAX_COUNT}, got {value}")


def check_name(name: str, value: str) -> None:
    """Refuse an empty name or one holding a control, format or separator character (the
    loader's check; NAME_PATTERN is its approximation for JSON Schema)."""
    if not isinstance(value, str) or not value or refused_in_name(value) is not None:
        raise InputError(
            f"`{name}` must be a non-empty line of plain text (no control, format or line "
            f"separator character), got {value!r}"
        )


def _plain(value: object, where: str, depth: int = 0) -> None:
    """Refuse environment data no collector writes: deep nesting, huge ints, non-finite floats."""
    if depth > MAX_ENVIRONMENT_DEPTH:
        raise ValueError(f"`{where}` is nested more than {MAX_ENVIRONMENT_DEPTH} levels deep")
    if isinstance(value, dict):
        for key, item in value.items():
            _plain(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _plain(item, f"{where}[{index}]", depth + 1)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"`{where}` must be a finite number, got {value!r}")
    elif isinstance(value, int) and not isinstance(value, bool):
        _count(where, value, -MAX_COUNT - 1)
    elif value is not None and not isinstance(value, str | bool):
        raise ValueError(f"`{where}` must be JSON data, got {type(value).__name__}")


class Record(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Common options of every record: immutable, keyword-only, unknown fields refused."""


Fraction = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]


class GcRound(Record, frozen=True, kw_only=True):
    """The garbage collector inside one round's timed region, in the measuring process: how
    many collections of each generation (0, 1, 2) ran and the seconds they took."""

    collections: tuple[Natural, Natural, Natural]
    seconds: tuple[Seconds, Seconds, Seconds]

    def __post_init__(self) -> None:
        for generation, (count, seconds) in enumerate(zip(self.collections, self.seconds)):
            _count(f"gc.collections[{generation}]", count, 0)
            _finite(f"gc.seconds[{generation}]", seconds)

    @property
    def total_s(self) -> float:
        """Seconds in every collection of the round."""
        return sum(self.seconds)


class Round(Record, frozen=True, kw_only=True, omit_defaults=True):
    """One measured round's figures (seconds): wall and CPU time of the timed region, and wall
    minus the scenario's ideal (negative when timers fire early). Over TCP also the ints
    server's CPU time during the round and its busy fraction (CPU / wall, at most 1): the
    evidence that the server was not what limited the round. And the garbage collector's
    work inside the timed region (`gc`), absent from files written before it was recorded."""

    wall_s: Seconds
    cpu_s: Seconds
    overhead_s: SignedSeconds
    server_cpu_s: Seconds | None = None
    server_busy: Fraction | None = None
    gc: GcRound | None = None
    """The collector's share of the timed region (None: a file from before it was recorded)."""

    def __post_init__(self) -> None:
        _finite("wall_s", self.wall_s)
        _finite("cpu_s", self.cpu_s)
        _finite("overhead_s", self.overhead_s, signed=True)
        if self.server_cpu_s is not None:
            _finite("server_cpu_s", self.server_cpu_s)
        if self.server_busy is not None and not 0.0 <= self.server_busy <= 1.0:
            raise ValueError(f"`server_busy` must be from 0 to 1, got {self.server_busy!r}")
        if self.gc is not None and self.gc.total_s > self.wall_s + OVERHEAD_TOLERANCE_S:
            raise ValueError(
                f"`gc.seconds` must add up to at most wall_s ({self.wall_s!r}), "
                f"got {self.gc.total_s!r}"
            )

    def value(self, metric: Metric) -> float:
        """The round's figure for `metric`, in seconds (gc: its collections' total; a round
        without GC figures has none, ValueError)."""
        if metric == "gc":
            if self.gc is None:
                raise ValueError("this round has no GC figures (a file from before them)")
            return self.gc.total_s
        return {"wall": self.wall_s, "overhead": self.overhead_s, "cpu": self.cpu_s}[metric]


class Lateness(Record, frozen=True, kw_only=True):
    """Per-job lateness (finish - start - delay) pooled over measured rounds, in seconds."""

    p50_s: SignedSeconds
    p99_s: SignedSeconds
    max_s: SignedSeconds

    def __post_init__(self) -> None:
        for name in ("p50_s", "p99_s", "max_s"):
            _finite(name, getattr(self, name), signed=True)
        if not self.p50_s <= self.p99_s <= self.max_s:
            raise ValueError("lateness must have p50_s <= p99_s <= max_s")


class ProcessRun(Record, frozen=True, kw_only=True):
    """One worker process: its warm-ups, its measured rounds, its own lateness and memory."""

    pid: Count | None
    """The worker's process id; None in a run converted from schema 1, which did not keep it."""
    warmups: tuple[Seconds, ...] = ()
    """Wall seconds of each warm-up round, in order (empty when there were none, or unknown)."""
    values: tuple[Round, ...] = ()
    lateness: Lateness | None = None
    rss_before_bytes: Natural | None = None
    rss_peak_bytes: Natural | None = None

    def __post_init__(self) -> None:
        _count("pid", self.pid, 1)
        for index, warmup in enumerate(self.warmups):
            _finite(f"warmups[{index}]", warmup)
        _count("rss_before_bytes", self.rss_before_bytes, 0)
        _count("rss_peak_bytes", self.rss_peak_bytes, 0)

    def median(self, metric: Metric) -> float:
        """The median of this process's measured rounds for `metric`."""
        return statistics.median(r.value(metric) for r in self.values)


class PythonInfo(Record, frozen=True, kw_only=True, omit_defaults=True):
    """The interpreter a row's workers ran under (`run --python`, `ab`): which one, and its build.

    Absent from rows measured under the harness's own interpreter, which the file's
    `environment` describes.
    """

    label: Name
    """How tables and the gate tell this interpreter's rows apart: its version (3.12), a
    longer name when two interpreters of a run share it, or base/new in an `ab` file."""
    executable: Name
    version: Name
    """platform.python_version() of that interpreter, e.g. 3.12.1."""
    implementation: Name
    """platform.python_implementation(), e.g. CPython."""
    build: str = ""
    """platform.python_build() and python_compiler(), e.g. "main, Jan 1 2024 GCC 12.2.0"."""

    def __post_init__(self) -> None:
        for name in ("label", "executable", "version", "implementation"):
            check_name(name, getattr(self, name))


class ModelResult(Record, frozen=True, kw_only=True):
    """Everything measured for one model on one scenario; every figure is derived from `runs`."""

    model: Name
    status: Status
    reason: str | None = None
    concurrent: bool
    ideal_s: Seconds
    jobs: Annotated[int, msgspec.Meta(ge=1, le=MAX_JOBS)]
    settings: dict[str, Setting | str] = {}
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
        _finite("ideal_s", self.ideal_s)
        if not 1 <= self.jobs <= MAX_JOBS:
            raise ValueError(f"`jobs` must be from 1 to {MAX_JOBS}, got {self.jobs}")
        for key, value in self.settings.items():
            if isinstance(value, int):
                _count(f"settings.{key}", value, -MAX_COUNT - 1)
        _count("rss_before_bytes", self.rss_before_bytes, 0)
        _count("rss_peak_bytes", self.rss_peak_bytes, 0)
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
        _count("rounds", self.rounds, 1)
        _count("rounds_per_process", self.rounds_per_process, 1)
        _count("warmup", self.warmup, 0)
        if self.timeout_s is not None:
            _finite("timeout_s", self.timeout_s)
        _finite("sequential_budget_s", self.sequential_budget_s)


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
        _plain(self.environment, "environment")

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
