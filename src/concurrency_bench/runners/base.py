"""The small protocol every concurrency model implements, and the job-storing helper they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Sequence
from typing import ClassVar

from concurrency_bench.kinds.base import Family, IoJobs, Settings
from concurrency_bench.kinds.timer import TIMER_JOBS
from concurrency_bench.workload import JobRecord

__all__ = ["DEFAULT_MAX_PROCESSES", "Runner", "Settings", "empty_records", "store_job"]

DEFAULT_MAX_PROCESSES = 61
"""The processes model's default pool cap: ProcessPoolExecutor's limit on Windows, the same
everywhere so results stay comparable (the registry needs it before the model is imported)."""


class Runner(ABC):
    """One concurrency model: `run` is the timed region, `setup` and `close` are not."""

    family: ClassVar[Family | None] = None
    """Which job factory of `io` the model uses; the worker has the kind import what that
    family's jobs need before `setup` (None: the model makes its own jobs)."""

    def __init__(self, pool_size: int | None = None, io: IoJobs | None = None) -> None:
        self.pool_size = pool_size
        """How many jobs a pooled model runs at once (None: its default); others ignore it."""
        self.io = io if io is not None else TIMER_JOBS
        """What the jobs wait on, for this run: the model asks it for its job function and
        never asks which kind it is (None: the timer)."""

    def setup(self, jobs: int) -> Settings:
        """Prepare outside the timed region (start a pool); return the settings to record."""
        return {}

    @abstractmethod
    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Run every job once under this model; return their records in job order."""

    def close(self) -> None:
        """Release what `setup` made (pools); always called, also after a failure."""


async def store_job(records: list[JobRecord], index: int, job: Awaitable[JobRecord]) -> None:
    """Await job `index` and store its record, for task APIs that discard return values."""
    records[index] = await job


def empty_records(jobs: int) -> list[JobRecord]:
    """A preallocated list the jobs write into, so recording allocates nothing per job."""
    return [(0, 0, 0)] * jobs
