"""A test-only I/O kind whose every job raises: each model reports it its own way (a trio
nursery, an anyio or asyncio task group wraps it in an exception group, a pool passes it on),
so a test can read what the row says of the cause."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

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
from concurrency_bench.kinds.servers import ServerAddress
from concurrency_bench.workload import JobRecord, Scenario


def broken(index: int, *_: object) -> JobRecord:
    """Every job's end: a RuntimeError naming the job (a top-level function, for a pool)."""
    raise RuntimeError(f"job {index} broke")


def _indexed(delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> Iterable[Any]:
    return ((index,) for index in range(len(delays_s)))


class RaisingJobs(IoJobs):
    """Every family's job raises at once."""

    @contextmanager
    def blocking_jobs(
        self, at_once: int, runtime: BlockingRuntime = STDLIB
    ) -> Iterator[BlockingJob]:
        yield broken

    @asynccontextmanager
    async def asyncio_jobs(self, at_once: int) -> AsyncIterator[AsyncJob]:
        async def job(index: int, delay: float, ints: Sequence[int]) -> JobRecord:
            return broken(index)

        yield job

    @asynccontextmanager
    async def structured_jobs(
        self, at_once: int, library: Structured, sleep: Callable[[float], Awaitable[None]]
    ) -> AsyncIterator[AsyncJob]:
        async with self.asyncio_jobs(at_once) as job:
            yield job

    def process_jobs(self, at_once: int) -> ProcessJobs:
        return ProcessJobs(job=broken, arguments=_indexed)


class RaisingKind(Kind):
    """No server; the jobs are RaisingJobs."""

    def open(
        self, server: ServerAddress | None, scenario: Scenario, at_once: int
    ) -> tuple[IoJobs, Settings]:
        return RaisingJobs(), {}


KIND = RaisingKind()
