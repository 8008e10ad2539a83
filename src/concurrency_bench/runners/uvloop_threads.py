"""uvloop-threads: asyncio-threads with a uvloop event loop in each thread (a loop factory)."""

from __future__ import annotations

import uvloop

from concurrency_bench.runners.asyncio_threads import AsyncioThreadsRunner, LoopFactory


class UvloopThreadsRunner(AsyncioThreadsRunner):
    """Each thread's loop made by uvloop.new_event_loop: never a global event loop policy."""

    loop_name = "uvloop"

    def loop_factory(self) -> LoopFactory:
        """uvloop's loop."""
        return uvloop.new_event_loop


RUNNER = UvloopThreadsRunner
