"""The leaf records of a results file (rounds, runs, lateness, the interpreter) and the
checks every record shares: ranges, finite times, names that hold no control characters."""

from __future__ import annotations

import math
import statistics
from typing import Annotated, Final, Literal, get_args

import msgspec

from concurrency_bench.errors import InputError
from concurrency_bench.textsafe import NAME_REFUSED_CLASS, refused_in_name
from concurrency_bench.workload import MAX_DELAY_S, MAX_JOBS

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


def check_finite(name: str, value: float, *, signed: bool = False) -> None:
    """Refuse NaN, infinities and values outside the file's time range, naming the field.

    msgspec checks the `Meta` ranges only when decoding; this also holds for records built in
    Python (the engine's), so a file is never written that the loader would refuse.
    """
    low = -MAX_SECONDS if signed else 0.0
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number, got {value!r}")
    if not low <= value <= MAX_SECONDS:
        raise ValueError(f"`{name}` must be from {low:g} to {MAX_SECONDS:g}, got {value!r}")


def check_count(name: str, value: int | None, low: int) -> None:
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


def check_plain(value: object, where: str, depth: int = 0) -> None:
    """Refuse environment data no collector writes: deep nesting, huge ints, non-finite floats."""
    if depth > MAX_ENVIRONMENT_DEPTH:
        raise ValueError(f"`{where}` is nested more than {MAX_ENVIRONMENT_DEPTH} levels deep")
    if isinstance(value, dict):
        for key, item in value.items():
            check_plain(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_plain(item, f"{where}[{index}]", depth + 1)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"`{where}` must be a finite number, got {value!r}")
    elif isinstance(value, int) and not isinstance(value, bool):
        check_count(where, value, -MAX_COUNT - 1)
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
            check_count(f"gc.collections[{generation}]", count, 0)
            check_finite(f"gc.seconds[{generation}]", seconds)

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
        check_finite("wall_s", self.wall_s)
        check_finite("cpu_s", self.cpu_s)
        check_finite("overhead_s", self.overhead_s, signed=True)
        if self.server_cpu_s is not None:
            check_finite("server_cpu_s", self.server_cpu_s)
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
            check_finite(name, getattr(self, name), signed=True)
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
        check_count("pid", self.pid, 1)
        for index, warmup in enumerate(self.warmups):
            check_finite(f"warmups[{index}]", warmup)
        check_count("rss_before_bytes", self.rss_before_bytes, 0)
        check_count("rss_peak_bytes", self.rss_peak_bytes, 0)

    def median(self, metric: Metric) -> float:
        """The median of this process's measured rounds for `metric`."""
        return statistics.median(r.value(metric) for r in self.values)


def gil_words(free_threaded: bool, gil_enabled: bool) -> str:
    """How an interpreter's GIL reads in tables: nothing for a build with a GIL, else
    "free-threaded, GIL disabled" (or "enabled": PYTHON_GIL=1)."""
    if not free_threaded:
        return ""
    return f"free-threaded, GIL {'enabled' if gil_enabled else 'disabled'}"


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
    free_threaded: bool = False
    """A free-threaded build (the Py_GIL_DISABLED build flag, labelled `3.14t`); absent: not."""
    gil_enabled: bool = True
    """sys._is_gil_enabled() when the interpreter was probed (always on before 3.13, and on a
    free-threaded build run with PYTHON_GIL=1); absent: enabled."""

    @property
    def gil(self) -> str:
        """Its GIL in words (`gil_words`): empty for a build with one."""
        return gil_words(self.free_threaded, self.gil_enabled)

    def __post_init__(self) -> None:
        for name in ("label", "executable", "version", "implementation"):
            check_name(name, getattr(self, name))
