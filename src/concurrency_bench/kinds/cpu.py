"""A job's CPU share (`--cpu-ms`) for every kind and every family, in one place.

`CpuJobs` wraps the jobs any kind gives (timer, tcp, http, ...): each job runs as before,
then does its CPU work (workload/cpu.py's `spin`, seeded by the job's sum) and returns the
result as its value. The record's finish stays where the job's own code noted it, when the
wait ended: lateness still says how late the job woke (other jobs' CPU work delays that in
an in-process model), and the round's wall includes every job's CPU work. The worker wraps
only when there is CPU work, so a run without it runs exactly the kind's jobs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any

from concurrency_bench.kinds.base import (
    STDLIB,
    AsyncJob,
    BlockingJob,
    BlockingRuntime,
    Family,
    IoJobs,
    ProcessJobs,
    Structured,
)
from concurrency_bench.workload import JobRecord, spin

if TYPE_CHECKING:
    from concurrency_bench.kinds.servers import ServerCounters


def with_cpu(record: JobRecord, iterations: int) -> JobRecord:
    """The record with its value replaced by the CPU work's result from that value."""
    start, finish, value = record
    return start, finish, spin(value, iterations)


def cpu_process_job(job: Callable[..., JobRecord], iterations: int, *args: Any) -> JobRecord:
    """A process pool's job: the kind's top-level `job(*args)`, then the CPU work."""
    return with_cpu(job(*args), iterations)


class CpuJobs(IoJobs):
    """The kind's jobs (`inner`), each followed by `iterations` steps of CPU work."""

    def __init__(self, inner: IoJobs, iterations: int) -> None:
        self.inner = inner
        self.iterations = iterations

    def preload(self, family: Family) -> None:
        """The kind's preload."""
        self.inner.preload(family)

    def at_most(self, at_once: int) -> int:
        """The kind's cap."""
        return self.inner.at_most(at_once)

    def per_loop(self, loop: int, loops: int) -> IoJobs:
        """Loop `loop`'s part of the kind's jobs, each still followed by the CPU work."""
        return CpuJobs(self.inner.per_loop(loop, loops), self.iterations)

    def counters(self) -> ServerCounters:
        """The kind's server's counters."""
        return self.inner.counters()

    @contextmanager
    def blocking_jobs(
        self, at_once: int, runtime: BlockingRuntime = STDLIB
    ) -> Iterator[BlockingJob]:
        """The kind's blocking job, then the CPU work."""
        iterations = self.iterations
        with self.inner.blocking_jobs(at_once, runtime) as job:

            def cpu_job(index: int, delay: float, ints: Sequence[int]) -> JobRecord:
                return with_cpu(job(index, delay, ints), iterations)

            yield cpu_job

    @asynccontextmanager
    async def asyncio_jobs(self, at_once: int) -> AsyncIterator[AsyncJob]:
        """The kind's asyncio job, then the CPU work (on the loop's thread)."""
        async with self.inner.asyncio_jobs(at_once) as job:
            yield self._async(job)

    @asynccontextmanager
    async def structured_jobs(
        self, at_once: int, library: Structured, sleep: Callable[[float], Awaitable[None]]
    ) -> AsyncIterator[AsyncJob]:
        """The kind's trio or anyio job, then the CPU work."""
        async with self.inner.structured_jobs(at_once, library, sleep) as job:
            yield self._async(job)

    def _async(self, job: AsyncJob) -> AsyncJob:
        iterations = self.iterations

        async def cpu_job(index: int, delay: float, ints: Sequence[int]) -> JobRecord:
            return with_cpu(await job(index, delay, ints), iterations)

        return cpu_job

    def process_jobs(self, at_once: int) -> ProcessJobs:
        """The kind's process job behind `cpu_process_job`, with its initializer as is."""
        inner = self.inner.process_jobs(at_once)
        iterations = self.iterations

        def arguments(
            delays_s: Sequence[float], payloads: Sequence[Sequence[int]]
        ) -> Iterable[tuple[Any, ...]]:
            return ((inner.job, iterations, *args) for args in inner.arguments(delays_s, payloads))

        return ProcessJobs(
            job=cpu_process_job,
            arguments=arguments,
            initializer=inner.initializer,
            initargs=inner.initargs,
            settings=inner.settings,
        )
