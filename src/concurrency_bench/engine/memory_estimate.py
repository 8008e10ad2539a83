"""How much memory a run will need, so a run that cannot fit is refused before it starts.

The engine runs one worker at a time, so the need is the parent's share plus the largest
worker: interpreter and imports, then per job the delays (request text, floats, tuples), a
payload array and its slot, the expected sum, the job record and the model's own per-job
cost (task, coroutine, timer, thread), and per int 4 bytes (the payload stream and the
per-job slices cut from it are both alive while the payloads are built). The per-job
figures are peak RSS growth measured at 100,000 jobs; see `MODEL_BYTES_PER_JOB`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from concurrency_bench.engine.environment import meminfo
from concurrency_bench.errors import InputError
from concurrency_bench.quantities import size
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario
from concurrency_bench.workload.payloads import CHUNK_BYTES, INT_BYTES

MIB = 1 << 20
WORKER_BASE_BYTES = 21 * MIB
"""A worker's RSS after its interpreter started and imported the engine."""
PARENT_BASE_BYTES = 22 * MIB
"""The CLI process's RSS with every command's modules imported."""
PARENT_BYTES_PER_JOB = 100
"""The parent's scenario: the delays tuple, their floats and the request's JSON text."""
COLUMNS_BYTES_PER_JOB = 1_900
"""`timeline`: the last round's per-job columns, as JSON text and as parsed values."""
BYTES_PER_INT = 2 * INT_BYTES
"""The payload stream and its per-job slices, both alive while the payloads are built."""
BUILD_BYTES = 2 * CHUNK_BYTES
"""One chunk of random bytes and the int `getrandbits` makes it from."""
POOL_CHILD_BYTES = 16 * MIB
"""A process-pool child's RSS (the `processes` model; its children are not in the worker's
RSS, and counting their pages shared with the worker again keeps the estimate on the safe side)."""

MODEL_BYTES_PER_JOB: dict[str, int] = {
    "sync": 200,
    "asyncio-await": 250,
    "asyncio-gather": 1_720,
    "asyncio-create-task": 1_650,
    "asyncio-taskgroup": 1_780,
    "asyncio-eager": 1_720,  # as asyncio-gather (Python 3.12+ only, not measured here)
    "uvloop": 1_910,
    "trio": 5_550,
    "anyio-asyncio": 4_930,
    "anyio-trio": 7_450,
    "anyio-uvloop": 5_250,  # from `run`'s memory per job at 100,000 jobs, not the method above
    "gevent": 1_900,  # likewise
    "threads": 2_180,
    "processes": 1_740,
}
"""A worker's peak RSS per job beyond its base, the build chunk and 4 bytes per int, measured
at 100,000 jobs of 100 ints (rounded up to 10 bytes): what every model keeps per job (delays,
payload array, expected sum, record) plus the model's own cost."""
UNKNOWN_MODEL_BYTES_PER_JOB = max(MODEL_BYTES_PER_JOB.values())


@dataclass(frozen=True)
class Estimate:
    """The memory a run needs: the parent plus its largest worker (and that worker's model)."""

    total_bytes: int
    model: str


def worker_bytes(scenario: Scenario, spec: ModelSpec, pool_size: int | None = None) -> int:
    """The peak memory of one worker measuring `spec` on `scenario` (pool children included)."""
    per_job = MODEL_BYTES_PER_JOB.get(spec.name, UNKNOWN_MODEL_BYTES_PER_JOB)
    ints = scenario.jobs * scenario.ints_per_job
    total = WORKER_BASE_BYTES + BUILD_BYTES + scenario.jobs * per_job + ints * BYTES_PER_INT
    if spec.pooled and spec.pool_cap is not None:  # a process pool: children of their own
        total += spec.concurrency(scenario.jobs, pool_size, scenario.connections) * POOL_CHILD_BYTES
    return total


def estimate_memory(
    scenario: Scenario,
    specs: Sequence[ModelSpec],
    *,
    pool_size: int | None = None,
    per_job_columns: bool = False,
) -> Estimate | None:
    """What the run needs; None when no model would start a worker (all unavailable)."""
    workers = [(worker_bytes(scenario, s, pool_size), s.name) for s in specs if s.available]
    if not workers:
        return None
    largest, model = max(workers)
    parent = PARENT_BASE_BYTES + scenario.jobs * PARENT_BYTES_PER_JOB
    if per_job_columns:
        parent += scenario.jobs * COLUMNS_BYTES_PER_JOB
    return Estimate(parent + largest, model)


def available_bytes(path: Path | None = None) -> int | None:
    """MemAvailable (else MemTotal) from /proc/meminfo; None where that cannot be read."""
    found = meminfo(path)
    return found.get("MemAvailable", found.get("MemTotal"))


def check_memory(
    scenario: Scenario,
    specs: Sequence[ModelSpec],
    *,
    pool_size: int | None = None,
    per_job_columns: bool = False,
    available: int | None = None,
) -> None:
    """Bad input when the run's estimated memory is more than the machine has available."""
    need = estimate_memory(scenario, specs, pool_size=pool_size, per_job_columns=per_job_columns)
    have = available if available is not None else available_bytes()
    if need is None or have is None or need.total_bytes <= have:
        return
    raise InputError(
        f"`jobs` x `ints` ({scenario.jobs:,} x {scenario.ints_per_job:,}) would need about "
        f"{size(need.total_bytes)} of memory (model {need.model}), more than the "
        f"{size(have)} available; run fewer jobs or ints, or fewer models"
    )
