"""Plain sync: each job blocks in time.sleep, so the wall time is the sum of the delays."""

from __future__ import annotations

import time
from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord, sync_job


class SyncRunner(Runner):
    """Runs the jobs one after another in the calling thread."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Call every job in order."""
        return [sync_job(delay, ints, time.sleep) for delay, ints in zip(delays_s, payloads)]


RUNNER = SyncRunner
