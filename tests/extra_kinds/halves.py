"""A test-only I/O kind: each job waits its delay in two halves on its model's own sleep.

Written as a new kind would be, against kinds/base.py only: a job factory per model family
and no server. Each factory notes its family in the file HALVES_LOG_ENV names, so a test can
see which factory every model asked for.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager

from concurrency_bench.kinds.base import (
    STDLIB,
    AsyncJob,
    BlockingJob,
    BlockingRuntime,
    Family,
    IoJobs,
    Kind,
    ProcessJobs,
    Settings,
    Structured,
)
from concurrency_bench.kinds.servers import ServerAddress
from concurrency_bench.workload import JobRecord, Scenario

HALVES_LOG_ENV = "CONCURRENCY_BENCH_TEST_HALVES_LOG"


def _note(family: str) -> None:
    log = os.environ.get(HALVES_LOG_ENV)
    if log:
        with open(log, "a", encoding="ascii") as handle:
            handle.write(f"{family}\n")


def halves_process_job(delay_s: float, ints: Sequence[int]) -> JobRecord:
    """The processes model's job: a top-level function, so a pool can pickle it."""
    start = time.perf_counter_ns()
    time.sleep(delay_s / 2)
    time.sleep(delay_s / 2)
    return start, time.perf_counter_ns(), sum(ints)


class HalvesJobs(IoJobs):
    """Every family's job sleeps twice, half the delay each time, then sums."""

    def preload(self, family: Family) -> None:
        """Nothing to import; noted to show that the worker asks."""
        _note(f"preload {family}")

    @contextmanager
    def blocking_jobs(
        self, at_once: int, runtime: BlockingRuntime = STDLIB
    ) -> Iterator[BlockingJob]:
        _note("blocking")
        sleep = runtime.sleep

        def job(index: int, delay: float, ints: Sequence[int]) -> JobRecord:
            start = time.perf_counter_ns()
            sleep(delay / 2)
            sleep(delay / 2)
            return start, time.perf_counter_ns(), sum(ints)

        yield job

    @asynccontextmanager
    async def asyncio_jobs(self, at_once: int) -> AsyncIterator[AsyncJob]:
        _note("asyncio")
        async with self.structured_like(asyncio.sleep) as job:
            yield job

    @asynccontextmanager
    async def structured_jobs(
        self, at_once: int, library: Structured, sleep: Callable[[float], Awaitable[None]]
    ) -> AsyncIterator[AsyncJob]:
        _note(f"structured {library}")
        async with self.structured_like(sleep) as job:
            yield job

    @asynccontextmanager
    async def structured_like(
        self, sleep: Callable[[float], Awaitable[None]]
    ) -> AsyncIterator[AsyncJob]:
        async def job(index: int, delay: float, ints: Sequence[int]) -> JobRecord:
            start = time.perf_counter_ns()
            await sleep(delay / 2)
            await sleep(delay / 2)
            return start, time.perf_counter_ns(), sum(ints)

        yield job

    def process_jobs(self, at_once: int) -> ProcessJobs:
        _note("processes")
        return ProcessJobs(job=halves_process_job, arguments=zip)


class HalvesKind(Kind):
    """No server; the jobs are HalvesJobs, and every row records so."""

    def open(
        self, server: ServerAddress | None, scenario: Scenario, at_once: int
    ) -> tuple[IoJobs, Settings]:
        return HalvesJobs(), {"waits": "two halves"}


KIND = HalvesKind()
