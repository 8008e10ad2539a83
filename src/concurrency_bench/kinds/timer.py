"""The timer kind: each job waits its delay on its model's own sleep, then sums its ints.

The default kind: no server, no options, nothing added to the scenario's name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

from concurrency_bench.kinds.base import (
    STDLIB,
    AsyncJob,
    BlockingJob,
    BlockingRuntime,
    IoJobs,
    Kind,
    ProcessJobs,
    Settings,
    Structured,
)
from concurrency_bench.workload import Scenario, async_job, process_job, sync_job

if TYPE_CHECKING:
    from concurrency_bench.kinds.servers import ServerAddress


class TimerJobs(IoJobs):
    """Every family's job sleeps with its model's sleep: workload/jobs.py's job code."""

    @contextmanager
    def blocking_jobs(
        self, at_once: int, runtime: BlockingRuntime = STDLIB
    ) -> Iterator[BlockingJob]:
        """`sync_job` with the runtime's sleep (time.sleep, or gevent.sleep)."""
        sleep = runtime.sleep
        yield lambda index, delay, ints: sync_job(delay, ints, sleep)

    @asynccontextmanager
    async def asyncio_jobs(self, at_once: int) -> AsyncIterator[AsyncJob]:
        """`async_job` with asyncio.sleep."""
        yield lambda index, delay, ints: async_job(delay, ints, asyncio.sleep)

    @asynccontextmanager
    async def structured_jobs(
        self, at_once: int, library: Structured, sleep: Callable[[float], Awaitable[None]]
    ) -> AsyncIterator[AsyncJob]:
        """`async_job` with the library's sleep."""
        yield lambda index, delay, ints: async_job(delay, ints, sleep)

    def process_jobs(self, at_once: int) -> ProcessJobs:
        """`process_job(delay, ints)`: each job's ints are pickled to its pool process."""
        return ProcessJobs(job=process_job, arguments=zip)


TIMER_JOBS = TimerJobs()
"""The timer's jobs hold no state, so every run shares one."""


class TimerKind(Kind):
    """No server; the jobs are TIMER_JOBS."""

    def open(
        self, server: ServerAddress | None, scenario: Scenario, at_once: int
    ) -> tuple[TimerJobs, Settings]:
        """TIMER_JOBS and nothing to record."""
        return TIMER_JOBS, {}


KIND = TimerKind()
