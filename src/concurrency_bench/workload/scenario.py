"""The one scenario, delayed random sums: its limits, its shapes (seed, uniform, spread), its ideal.

N jobs each wait a delay, then sum a list of seeded ints (payloads.py); the job code is jobs.py.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from concurrency_bench.errors import InputError
from concurrency_bench.kinds.registry import CONNECTIONS, DEFAULT_KIND, get_kind, taking

MAX_JOBS = 10_000_000
MAX_DELAY_S = 3600.0
MAX_INTS_PER_JOB = 1_000_000
MAX_TOTAL_INTS = 200_000_000
MAX_SEED = 2**63 - 1
DEFAULT_INTS_PER_JOB = 100
DEFAULT_SEED = 0
DEFAULT_UNIT_MS = 100.0
MAX_UNIT_MS = 60_000.0
SEED_STORY_UNITS = (5, 8, 2)
"""The seed text's three calls: random_add(5), random_add(8), random_add(2)."""
MAX_CONNECTIONS = CONNECTIONS.high
MAX_CPU_MS = 10_000.0
"""The most CPU work a job may do after its wait (`--cpu-ms`), in milliseconds."""


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"`{name}` must be an integer from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise InputError(f"`{name}` must be an integer from {low} to {high}, got {value}")
    return value


def _check_delay(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"`{name}` must be a number of seconds from 0 to {MAX_DELAY_S:g}")
    delay = float(value)
    if not math.isfinite(delay) or not 0.0 <= delay <= MAX_DELAY_S:
        raise InputError(f"`{name}` must be from 0 to {MAX_DELAY_S:g} seconds, got {value!r}")
    return delay


def _check_delays(delays: Sequence[object]) -> tuple[float, ...]:
    """Every delay as a float in range; whole-tuple checks first (a million delays load from a
    results file), the per-delay check only to name the value that is off."""
    if all(type(d) is float for d in delays):
        floats: tuple[float, ...] = tuple(delays)  # type: ignore[arg-type]
        # A NaN hides from min and max but not from the sum, which in range stays finite.
        in_range = floats and min(floats) >= 0.0 and max(floats) <= MAX_DELAY_S
        if in_range and math.isfinite(sum(floats)):
            return floats
    return tuple(_check_delay("delay", d) for d in delays)


def check_unit_ms(unit_ms: object) -> float:
    """Validate the seed story's time unit in milliseconds (above 0, at most MAX_UNIT_MS)."""
    if isinstance(unit_ms, bool) or not isinstance(unit_ms, int | float):
        raise InputError(f"`unit-ms` must be a number above 0 and at most {MAX_UNIT_MS:g}")
    unit = float(unit_ms)
    if not math.isfinite(unit) or not 0.0 < unit <= MAX_UNIT_MS:
        raise InputError(f"`unit-ms` must be above 0 and at most {MAX_UNIT_MS:g}, got {unit_ms!r}")
    return unit


def check_cpu_ms(cpu_ms: object) -> float:
    """Validate a job's CPU work in milliseconds (0 to MAX_CPU_MS, finite)."""
    if isinstance(cpu_ms, bool) or not isinstance(cpu_ms, int | float):
        raise InputError(f"`cpu-ms` must be a number from 0 to {MAX_CPU_MS:g}, got {cpu_ms!r}")
    value = float(cpu_ms)
    if not math.isfinite(value) or not 0.0 <= value <= MAX_CPU_MS:
        raise InputError(f"`cpu-ms` must be a number from 0 to {MAX_CPU_MS:g}, got {cpu_ms!r}")
    return value


def _ms_label(seconds: float) -> str:
    return f"{seconds * 1000:g}ms"


def uniform_name(jobs: int | str, delay_s: float, ints_per_job: int) -> str:
    """A uniform scenario's name, `uniform-1000x50ms-100ints` (`jobs` "N": any size)."""
    return f"uniform-{jobs}x{_ms_label(delay_s)}-{ints_per_job}ints"


@dataclass(frozen=True)
class Scenario:
    """A validated, immutable definition of one delayed-random-sums workload."""

    name: str
    delays_s: tuple[float, ...]
    ints_per_job: int = DEFAULT_INTS_PER_JOB
    seed: int = DEFAULT_SEED
    unit_s: float | None = None
    """The time unit the delays are written in (the seed story), for display only."""
    io: str = DEFAULT_KIND
    """What a job waits on: the name of an I/O kind (kinds/registry.py). timer: each job
    sleeps its delay; tcp: each job asks the ints server for its ints, which answers after
    the delay (kinds/tcp/), so the same sums come over real sockets."""
    connections: int | None = None
    """For kinds that open connections (tcp): N persistent connections the jobs share
    (keep-alive); None: one per job."""
    tls: bool = False
    """For kinds that take it (http): the jobs' connections over TLS (`--tls`)."""
    cpu_ms: float = 0.0
    """CPU work each job does after its wait, in milliseconds (workload/cpu.py): a fixed
    number of steps of an integer recurrence, calibrated once per run; 0: none."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError("`name` must be a non-empty string")
        jobs = len(self.delays_s)
        _check_int("jobs", jobs, 1, MAX_JOBS)
        object.__setattr__(self, "delays_s", _check_delays(self.delays_s))
        _check_int("ints", self.ints_per_job, 0, MAX_INTS_PER_JOB)
        if jobs * self.ints_per_job > MAX_TOTAL_INTS:
            raise InputError(
                f"`jobs` x `ints` must be at most {MAX_TOTAL_INTS:,}, "
                f"got {jobs:,} x {self.ints_per_job:,}"
            )
        _check_int("seed", self.seed, 0, MAX_SEED)
        if self.unit_s is not None:
            check_unit_ms(self.unit_s * 1000)
        kind = get_kind(self.io)  # InputError naming the known kinds
        if self.connections is not None:
            option = kind.option("connections")
            if option is None:
                takers = " or ".join(taking("connections"))
                raise InputError(
                    f"`connections` needs --io {takers} ({self.io} jobs open no connections)"
                )
            _check_int("connections", self.connections, option.low, option.high)
        if self.tls is not False and (self.tls is not True or kind.option("tls") is None):
            takers = " or ".join(taking("tls"))
            raise InputError(f"`tls` needs --io {takers}, got --io {self.io}")
        object.__setattr__(self, "cpu_ms", check_cpu_ms(self.cpu_ms))

    # -- constructors for the shapes people use ------------------------------------

    @classmethod
    def explicit(
        cls,
        delays_s: Sequence[float],
        *,
        ints_per_job: int = DEFAULT_INTS_PER_JOB,
        seed: int = DEFAULT_SEED,
        name: str = "explicit",
    ) -> Scenario:
        """One job per given delay, in the given order."""
        return cls(name, tuple(delays_s), ints_per_job, seed)

    @classmethod
    def uniform(
        cls,
        jobs: int,
        delay_s: float,
        *,
        ints_per_job: int = DEFAULT_INTS_PER_JOB,
        seed: int = DEFAULT_SEED,
        name: str | None = None,
    ) -> Scenario:
        """N jobs that all wait the same delay."""
        _check_int("jobs", jobs, 1, MAX_JOBS)
        delay = _check_delay("delay", delay_s)
        label = name or uniform_name(jobs, delay, ints_per_job)
        return cls(label, (delay,) * jobs, ints_per_job, seed)

    @classmethod
    def spread(
        cls,
        jobs: int,
        low_s: float,
        high_s: float,
        *,
        randomly: bool = False,
        ints_per_job: int = DEFAULT_INTS_PER_JOB,
        seed: int = DEFAULT_SEED,
        name: str | None = None,
    ) -> Scenario:
        """N jobs with delays spread evenly (or uniformly at random, seeded) over [low, high]."""
        _check_int("jobs", jobs, 1, MAX_JOBS)
        low, high = _check_delay("delay low", low_s), _check_delay("delay high", high_s)
        if low > high:
            raise InputError(f"`delay` range must have low <= high, got {low:g}:{high:g}")
        if randomly:
            rng = random.Random(seed)
            delays = tuple(rng.uniform(low, high) for _ in range(jobs))
        elif jobs == 1:
            delays = (low,)
        else:
            step = (high - low) / (jobs - 1)
            delays = tuple(low + step * i for i in range(jobs))
        how = "random" if randomly else "even"
        label = name or (
            f"spread-{how}-{jobs}x{_ms_label(low)}:{_ms_label(high)}-{ints_per_job}ints"
        )
        return cls(label, delays, ints_per_job, seed)

    @classmethod
    def seed_story(
        cls,
        unit_ms: float = DEFAULT_UNIT_MS,
        *,
        ints_per_job: int = DEFAULT_INTS_PER_JOB,
        seed: int = DEFAULT_SEED,
    ) -> Scenario:
        """The seed text's three calls, delays 5, 8 and 2 units (one unit = `unit_ms`)."""
        unit_s = check_unit_ms(unit_ms) / 1000
        delays = tuple(units * unit_s for units in SEED_STORY_UNITS)
        return cls("seed", delays, ints_per_job, seed, unit_s=unit_s)

    def with_io(self, io: str, connections: int | None = None, tls: bool = False) -> Scenario:
        """This workload over the kind `io`, named for it: the kind's suffix and options are
        added to the name (`-tcp`, or `-tcp-cN` with N shared connections, `-http-tls` over
        TLS; timer adds none).
        The connections a model really opened (never more than it runs jobs at once) are
        recorded in its row's settings."""
        suffix = get_kind(io).name_suffix(connections=connections, tls=tls)
        return dataclasses.replace(
            self, name=self.name + suffix, io=io, connections=connections, tls=tls
        )

    def with_cpu(self, cpu_ms: float) -> Scenario:
        """This workload with `cpu_ms` of CPU work per job after its wait, named for it
        (`-cpu0.5ms`; 0 adds nothing)."""
        cpu = check_cpu_ms(cpu_ms)
        suffix = f"-cpu{cpu:g}ms" if cpu else ""
        return dataclasses.replace(self, name=self.name + suffix, cpu_ms=cpu)

    # -- derived facts -------------------------------------------------------------

    @property
    def jobs(self) -> int:
        """How many jobs the scenario runs."""
        return len(self.delays_s)

    def ideal_wall_s(self, *, concurrent: bool) -> float:
        """The wall time with zero overhead: the longest delay if concurrent, else their sum;
        each job's CPU work added to its delay (as if every job had a core of its own)."""
        cpu_s = self.cpu_ms / 1000
        if concurrent:
            return max(self.delays_s) + cpu_s
        return math.fsum(self.delays_s) + self.jobs * cpu_s

    def queued_wall_s(self, concurrency: int) -> float:
        """The ideal round when at most `concurrency` jobs run at once (1: the sum of delays).

        For a pool smaller than the job count the delays queue: about sum / pool + the longest
        (each job's CPU work counted with its delay).
        """
        if concurrency >= self.jobs:
            return self.ideal_wall_s(concurrent=True)
        if concurrency <= 1:
            return self.ideal_wall_s(concurrent=False)
        cpu_s = self.cpu_ms / 1000
        busy = math.fsum(self.delays_s) + self.jobs * cpu_s
        return busy / concurrency + max(self.delays_s) + cpu_s
