"""Plain sync: each job blocks (in time.sleep, or on its socket), so the wall time is the sum of
the delays."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord


class SyncRunner(Runner):
    """Runs the jobs one after another in the calling thread."""

    family = "blocking"

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Call every job in order."""
        with self.io.blocking_jobs(1) as job:
            return [
                job(index, delay, ints)
                for index, (delay, ints) in enumerate(zip(delays_s, payloads))
            ]


RUNNER = SyncRunner
