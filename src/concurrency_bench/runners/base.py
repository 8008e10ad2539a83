"""The small protocol every concurrency model implements, and the job-storing helper they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING

from concurrency_bench.workload import JobRecord

if TYPE_CHECKING:  # the tcp kind is imported only by models that use it
    from concurrency_bench.runners.io_jobs import TcpIo

DEFAULT_MAX_PROCESSES = 61
"""The processes model's default pool cap: ProcessPoolExecutor's limit on Windows, the same
everywhere so results stay comparable (the registry needs it before the model is imported)."""

Settings = dict[str, int | str]
"""What a runner reports about how it ran (pool sizes, start method): part of its record."""


class Runner(ABC):
    """One concurrency model: `run` is the timed region, `setup` and `close` are not."""

    def __init__(self, pool_size: int | None = None, io: TcpIo | None = None) -> None:
        self.pool_size = pool_size
        """How many jobs a pooled model runs at once (None: its default); others ignore it."""
        self.io = io
        """None: every job waits on its own timer; else its ints come from the ints server."""

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
