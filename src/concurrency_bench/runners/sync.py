"""Plain sync: each job blocks (in time.sleep, or on its socket), so the wall time is the sum of
the delays."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.runners.io_jobs import blocking_jobs
from concurrency_bench.workload import JobRecord


class SyncRunner(Runner):
    """Runs the jobs one after another in the calling thread."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Call every job in order."""
        with blocking_jobs(self.io, 1) as job:
            return [
                job(index, delay, ints)
                for index, (delay, ints) in enumerate(zip(delays_s, payloads))
            ]


RUNNER = SyncRunner
