"""uvloop: the same asyncio.gather on libuv's event loop, made by a loop factory."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import uvloop

from concurrency_bench.runners.asyncio_gather import gather_all
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord


class UvloopRunner(Runner):
    """asyncio.Runner(loop_factory=uvloop.new_event_loop): never a global event loop policy."""

    family = "asyncio"

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One uvloop event loop, every job gathered."""
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(gather_all(delays_s, payloads, self.io))


RUNNER = UvloopRunner
