"""asyncio with sequential awaits: valid async code that still runs one job at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.kinds.timer import TIMER_JOBS
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord


async def await_each(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]], io: IoJobs = TIMER_JOBS
) -> list[JobRecord]:
    """Await every job before starting the next, as in the seed's first async attempt."""
    async with io.asyncio_jobs(1) as job:
        return [
            await job(index, delay, ints)
            for index, (delay, ints) in enumerate(zip(delays_s, payloads))
        ]


class AsyncioAwaitRunner(Runner):
    """asyncio.run over a coroutine that awaits the jobs in turn."""

    family = "asyncio"

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One event loop, jobs awaited sequentially."""
        return asyncio.run(await_each(delays_s, payloads, self.io))


RUNNER = AsyncioAwaitRunner
