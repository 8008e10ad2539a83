"""How the engine measures: options and their limits, the default timeout, the time budget.

Pure rules, no processes: the session and the model run ask these what to do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from concurrency_bench.engine.interpreters import Interpreter
from concurrency_bench.engine.thread_room import thread_room
from concurrency_bench.errors import InputError
from concurrency_bench.kinds.registry import get_kind
from concurrency_bench.quantities import duration
from concurrency_bench.results import ModelResult, RunSettings, Status
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario

MAX_ROUNDS = 1000
MAX_WARMUP = 100
MAX_ROUNDS_PER_PROCESS = 1000

# The default per-worker timeout (seconds), from spawn to the worker's last message:
#   TIMEOUT_BASE_S + (warmup + rounds) * (TIMEOUT_IDEAL_FACTOR * ideal
#                                         + jobs * TIMEOUT_PER_JOB_S
#                                         + jobs * ints * TIMEOUT_PER_INT_S
#                                         + TIMEOUT_IDEAL_FACTOR * jobs * cpu)
# (cpu: each job's CPU work, --cpu-ms, as if all of it ran on one core), where rounds
# is the worker's own share of the measured rounds and ideal is one round's
# ideal wall time with the model's pool size (ModelSpec.concurrency): the longest delay
# when every job runs at once, the sum of delays one at a time, sum / P + max for a pool
# of P. The base pays for interpreter start, imports, payloads and pool start-up; the
# per-job term is ~10x what the slowest in-process model costs per job on a 2-core machine.
TIMEOUT_BASE_S = 60.0
TIMEOUT_IDEAL_FACTOR = 3.0
TIMEOUT_PER_JOB_S = 250e-6
TIMEOUT_PER_INT_S = 50e-9

NOT_STARTED = "not started: the run was interrupted first"


@dataclass(frozen=True)
class Progress:
    """Where a run is: which model (pair n of the run's N), which round, in which worker.

    Measured rounds count across the model's workers (round 3 of 5 may be worker 3's only
    one); warm-up rounds count within the worker; `worker` k of `workers` is also the run's
    pass (worker k of every pair runs before worker k + 1 of any); elapsed time is since
    this worker started (for `done`, since the model's last worker started).
    """

    model: str
    scenario: str
    phase: Literal["start", "warmup", "round", "done"]
    index: int
    of: int
    elapsed_s: float
    status: str | None = None
    worker: int = 1
    workers: int = 1
    pair: int = 1
    pairs: int = 1


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class EngineOptions:
    """How to measure: the same rounds, warm-up, GC setting and budgets for every model."""

    rounds: int = 5
    warmup: int = 1
    gc: Literal["on", "off"] = "on"
    timeout_s: float | None = None
    """Per-worker timeout; None derives it from the scenario (see `default_timeout_s`)."""
    sequential_budget_s: float = 10.0
    """Models whose ideal round (with their pool size) exceeds this are not run."""
    pool_size: int | None = None
    """How many jobs pooled models (threads, processes) run at once; None: their default."""
    rounds_per_process: int = 1
    """Measured rounds each fresh worker runs (after its own setup and warm-up); 1 gives
    every round a process of its own, so rounds are independent samples."""
    progress: ProgressCallback | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.rounds <= MAX_ROUNDS:
            raise InputError(f"`rounds` must be from 1 to {MAX_ROUNDS}, got {self.rounds}")
        if not 1 <= self.rounds_per_process <= MAX_ROUNDS_PER_PROCESS:
            raise InputError(
                f"`rounds-per-process` must be from 1 to {MAX_ROUNDS_PER_PROCESS}, "
                f"got {self.rounds_per_process}"
            )
        if not 0 <= self.warmup <= MAX_WARMUP:
            raise InputError(f"`warmup` must be from 0 to {MAX_WARMUP}, got {self.warmup}")
        if self.gc not in ("on", "off"):
            raise InputError(f"`gc` must be on or off, got {self.gc!r}")
        if self.timeout_s is not None and not (
            math.isfinite(self.timeout_s) and self.timeout_s > 0
        ):
            raise InputError(f"`timeout-s` must be a number above 0, got {self.timeout_s!r}")
        if math.isnan(self.sequential_budget_s) or self.sequential_budget_s < 0:
            raise InputError(
                f"`sequential-budget-s` must be 0 or more, got {self.sequential_budget_s!r}"
            )
        if self.pool_size is not None and self.pool_size < 1:
            raise InputError(f"`pool-size` must be 1 or more, got {self.pool_size}")

    def run_settings(self) -> RunSettings:
        """The part of the options a results file records."""
        return RunSettings(**{name: getattr(self, name) for name in RunSettings.__struct_fields__})

    def worker_shares(self) -> list[int]:
        """Measured rounds per worker, in order: rounds_per_process each, the last one the rest."""
        step = self.rounds_per_process
        return [min(step, self.rounds - start) for start in range(0, self.rounds, step)]

    def timeout_for(self, spec: ModelSpec, scenario: Scenario, share: int) -> float:
        """The timeout of a worker running `share` measured rounds: given, or the default."""
        if self.timeout_s is not None:
            return self.timeout_s
        return default_timeout_s(
            spec, scenario, rounds=share, warmup=self.warmup, pool_size=self.pool_size
        )


def default_timeout_s(
    spec: ModelSpec,
    scenario: Scenario,
    *,
    rounds: int,
    warmup: int,
    pool_size: int | None = None,
) -> float:
    """The generous per-worker timeout described at the top of this module (`rounds`: the
    worker's own share)."""
    bound = spec.connection_bound(scenario.connections)
    ideal = scenario.queued_wall_s(spec.concurrency(scenario.jobs, pool_size, bound))
    jobs = scenario.jobs
    per_round = (
        TIMEOUT_IDEAL_FACTOR * ideal
        + jobs * TIMEOUT_PER_JOB_S
        + jobs * scenario.ints_per_job * TIMEOUT_PER_INT_S
        + TIMEOUT_IDEAL_FACTOR * jobs * scenario.cpu_ms / 1000  # CPU work, on one core
    )
    return TIMEOUT_BASE_S + (warmup + rounds) * per_round


def model_row(
    spec: ModelSpec,
    scenario: Scenario,
    status: Status,
    reason: str | None = None,
    **figures: Any,
) -> ModelResult:
    """A model's row on a scenario with its identity filled in (figures given by name)."""
    return ModelResult(
        model=spec.name,
        client=spec.client_name,
        status=status,
        concurrent=spec.concurrent,
        ideal_s=scenario.ideal_wall_s(concurrent=spec.concurrent),
        jobs=scenario.jobs,
        reason=reason,
        **figures,
    )


def not_measured(
    spec: ModelSpec,
    scenario: Scenario,
    options: EngineOptions,
    python: Interpreter | None = None,
) -> ModelResult | None:
    """The row of a model that spawns no worker here (unavailable, or over the budget);
    under another interpreter, availability is what its probe found there."""
    reason = spec.unavailable_reason() if python is None else python.reason(spec)
    kind = get_kind(scenario.io)
    reason = reason or kind.unavailable_reason()  # the host's (a server)
    if reason is None and spec.client is None:
        reason = kind.clientless_reason(spec.name)
    info = python.info if python is not None else None
    if reason is not None:
        return model_row(spec, scenario, "unavailable", reason, python=info)
    bound = spec.connection_bound(scenario.connections)
    at_once = spec.concurrency(scenario.jobs, options.pool_size, bound)
    estimate = scenario.queued_wall_s(at_once)
    if at_once < scenario.jobs and estimate > options.sequential_budget_s:
        how = "one job at a time" if at_once == 1 else f"{at_once} jobs at a time"
        if spec.client is not None and scenario.connections is None and bound == at_once:
            how += f" ({spec.client.name}'s default pool; --connections N sets it)"
        why = (
            f"would take {duration(estimate)} per round, {how} "
            f"(budget {options.sequential_budget_s:g} s)"
        )
        return model_row(spec, scenario, "not-run", why, python=info)
    threads = spec.threads(scenario.jobs, options.pool_size)
    room = thread_room() if threads else None
    if room is not None and threads > room.threads:
        why = (
            f"would start {threads:,} threads, more than the {room.threads:,} this machine has "
            f"room for ({room.limit}); give --pool-size"
        )
        return model_row(spec, scenario, "not-run", why, python=info)
    return None


def not_started(
    scenario: Scenario, spec: ModelSpec, python: Interpreter | None = None
) -> ModelResult:
    """The row of a model that a Ctrl-C kept from starting: asked for, so never dropped."""
    info = python.info if python is not None else None
    return model_row(spec, scenario, "interrupted", NOT_STARTED, python=info)
