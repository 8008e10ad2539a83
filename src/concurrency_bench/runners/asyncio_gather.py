"""asyncio.gather: every job's coroutine wrapped in a task and awaited together."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord, async_job


async def gather_all(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]]
) -> list[JobRecord]:
    """Gather every job; shared by the uvloop and eager-task models, which change only the loop."""
    return await asyncio.gather(
        *(async_job(delay, ints, asyncio.sleep) for delay, ints in zip(delays_s, payloads))
    )


class AsyncioGatherRunner(Runner):
    """asyncio.run over asyncio.gather."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One event loop, every job gathered."""
        return asyncio.run(gather_all(delays_s, payloads))


RUNNER = AsyncioGatherRunner
