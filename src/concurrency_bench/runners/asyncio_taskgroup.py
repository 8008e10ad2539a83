"""asyncio.TaskGroup (3.11+): structured concurrency in the standard library."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.kinds.timer import TIMER_JOBS
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord


async def task_group(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]], io: IoJobs = TIMER_JOBS
) -> list[JobRecord]:
    """Start one task per job in a TaskGroup and collect the results when it closes."""
    async with io.asyncio_jobs(len(delays_s)) as job, asyncio.TaskGroup() as group:
        tasks = [
            group.create_task(job(index, delay, ints))
            for index, (delay, ints) in enumerate(zip(delays_s, payloads))
        ]
    return [task.result() for task in tasks]


class AsyncioTaskGroupRunner(Runner):
    """asyncio.run over a TaskGroup."""

    family = "asyncio"

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One event loop, one task per job inside a TaskGroup."""
        return asyncio.run(task_group(delays_s, payloads, self.io))


RUNNER = AsyncioTaskGroupRunner
