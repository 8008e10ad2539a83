"""asyncio.gather: every job's coroutine wrapped in a task and awaited together."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.kinds.timer import TIMER_JOBS
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord


async def gather_all(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]], io: IoJobs = TIMER_JOBS
) -> list[JobRecord]:
    """Gather every job; shared by the uvloop and eager-task models, which change only the loop."""
    async with io.asyncio_jobs(len(delays_s)) as job:
        return await asyncio.gather(
            *(
                job(index, delay, ints)
                for index, (delay, ints) in enumerate(zip(delays_s, payloads))
            )
        )


class AsyncioGatherRunner(Runner):
    """asyncio.run over asyncio.gather."""

    family = "asyncio"

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One event loop, every job gathered."""
        return asyncio.run(gather_all(delays_s, payloads, self.io))


RUNNER = AsyncioGatherRunner
