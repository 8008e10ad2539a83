"""asyncio.create_task per job, then each task awaited in job order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord, async_job


async def create_then_await(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]]
) -> list[JobRecord]:
    """Schedule every job as a task first, then await them one by one."""
    tasks = [
        asyncio.create_task(async_job(delay, ints, asyncio.sleep))
        for delay, ints in zip(delays_s, payloads)
    ]
    return [await task for task in tasks]


class AsyncioCreateTaskRunner(Runner):
    """asyncio.run over explicit create_task calls."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One event loop, one task per job."""
        return asyncio.run(create_then_await(delays_s, payloads))


RUNNER = AsyncioCreateTaskRunner
