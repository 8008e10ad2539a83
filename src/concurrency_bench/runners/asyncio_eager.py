"""asyncio.gather with the eager task factory (Python 3.12+): jobs start before the first await."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from concurrency_bench.runners.asyncio_gather import gather_all
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord


def _eager_loop() -> asyncio.AbstractEventLoop:
    loop = asyncio.new_event_loop()
    loop.set_task_factory(asyncio.eager_task_factory)  # type: ignore[attr-defined,unused-ignore]
    return loop


class AsyncioEagerRunner(Runner):
    """asyncio.gather on a loop whose task factory runs each task eagerly."""

    family = "asyncio"

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One eager-task event loop, every job gathered."""
        with asyncio.Runner(loop_factory=_eager_loop) as runner:
            return runner.run(gather_all(delays_s, payloads, self.io))


RUNNER = AsyncioEagerRunner
