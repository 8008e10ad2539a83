"""trio: a nursery with one task per job."""

from __future__ import annotations

from collections.abc import Sequence

import trio

from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.kinds.timer import TIMER_JOBS
from concurrency_bench.runners.base import Runner, empty_records, store_job
from concurrency_bench.workload import JobRecord


async def nursery_all(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]], io: IoJobs = TIMER_JOBS
) -> list[JobRecord]:
    """Start every job in one nursery; each stores its record by index."""
    records = empty_records(len(delays_s))
    jobs = io.structured_jobs(len(delays_s), "trio", trio.sleep)
    async with jobs as job, trio.open_nursery() as nursery:
        for index, (delay, ints) in enumerate(zip(delays_s, payloads)):
            nursery.start_soon(store_job, records, index, job(index, delay, ints))
    return records


class TrioRunner(Runner):
    """trio.run over a nursery."""

    family = "structured"

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One trio run, every job in one nursery."""
        return trio.run(nursery_all, delays_s, payloads, self.io)


RUNNER = TrioRunner
