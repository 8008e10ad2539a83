"""asyncio-threads: N threads, each running its own asyncio event loop over a share of the jobs.

Job `i` runs on loop `i % N`, gathered there as asyncio-gather gathers them all; each loop
enters the kind's jobs itself (`IoJobs.per_loop`), so it opens its own clients and
connections, as a loop-per-thread program must. The threads and their loops are started in
the timed region, as asyncio-gather's one loop is. On a GIL build the loops take turns on the
GIL; on a free-threaded build they can run at once.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Sequence
from typing import ClassVar

from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.runners.base import Runner, Settings, empty_records
from concurrency_bench.workload import JobRecord

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def default_loops() -> int:
    """The number of loops without `--pool-size`: one per CPU this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


async def gather_share(
    io: IoJobs, indices: range, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]
) -> list[JobRecord]:
    """Gather the jobs `indices` on the running loop, with jobs of this loop's own."""
    async with io.asyncio_jobs(len(indices)) as job:
        return await asyncio.gather(*(job(i, delays_s[i], payloads[i]) for i in indices))


class AsyncioThreadsRunner(Runner):
    """`pool_size` threads (default: one per usable CPU), one event loop each."""

    family = "asyncio"
    loop_name: ClassVar[str] = "asyncio"
    """The event loop each thread runs, as recorded."""

    def loop_factory(self) -> LoopFactory | None:
        """What makes each thread's loop (None: asyncio's default)."""
        return None

    def loops(self, jobs: int) -> int:
        """How many threads and loops run `jobs`: never more than the jobs, nor than the
        connections they share (each loop needs one of its own)."""
        return max(1, min(self.io.at_most(jobs), self.pool_size or default_loops()))

    def setup(self, jobs: int) -> Settings:
        """Record the threads, their loop, and how the jobs are shared between them."""
        return {
            "threads": self.loops(jobs),
            "loop": f"{self.loop_name}, one per thread",
            "jobs_per_loop": "job i on loop i mod threads, each loop with its own clients",
        }

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Start a thread per loop, each gathering its share; join them; the first error wins."""
        jobs = len(delays_s)
        loops = self.loops(jobs)
        records = empty_records(jobs)
        errors: list[BaseException] = []
        factory = self.loop_factory()

        def one_loop(loop: int) -> None:
            indices = range(loop, jobs, loops)
            io = self.io.per_loop(loop, loops)
            try:
                with asyncio.Runner(loop_factory=factory) as runner:
                    done = runner.run(gather_share(io, indices, delays_s, payloads))
                records[loop::loops] = done
            except BaseException as exc:  # a connect error fails the run with its cause
                errors.append(exc)

        threads = [threading.Thread(target=one_loop, args=(loop,)) for loop in range(loops)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return records


RUNNER = AsyncioThreadsRunner
