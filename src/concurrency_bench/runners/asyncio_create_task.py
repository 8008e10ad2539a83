"""asyncio.create_task per job, then each task awaited in job order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.kinds.timer import TIMER_JOBS
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord


async def create_then_await(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]], io: IoJobs = TIMER_JOBS
) -> list[JobRecord]:
    """Schedule every job as a task first, then await them one by one."""
    async with io.asyncio_jobs(len(delays_s)) as job:
        tasks = [
            asyncio.create_task(job(index, delay, ints))
            for index, (delay, ints) in enumerate(zip(delays_s, payloads))
        ]
        return [await task for task in tasks]


class AsyncioCreateTaskRunner(Runner):
    """asyncio.run over explicit create_task calls."""

    family = "asyncio"

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One event loop, one task per job."""
        return asyncio.run(create_then_await(delays_s, payloads, self.io))


RUNNER = AsyncioCreateTaskRunner
