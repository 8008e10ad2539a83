"""asyncio.TaskGroup (3.11+): structured concurrency in the standard library."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.runners.io_jobs import TcpIo, asyncio_jobs
from concurrency_bench.workload import JobRecord


async def task_group(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]], io: TcpIo | None = None
) -> list[JobRecord]:
    """Start one task per job in a TaskGroup and collect the results when it closes."""
    async with asyncio_jobs(io, len(delays_s)) as job, asyncio.TaskGroup() as group:
        tasks = [
            group.create_task(job(index, delay, ints))
            for index, (delay, ints) in enumerate(zip(delays_s, payloads))
        ]
    return [task.result() for task in tasks]


class AsyncioTaskGroupRunner(Runner):
    """asyncio.run over a TaskGroup."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One event loop, one task per job inside a TaskGroup."""
        return asyncio.run(task_group(delays_s, payloads, self.io))


RUNNER = AsyncioTaskGroupRunner
