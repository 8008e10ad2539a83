"""The processes model, telling a test (by a marker file) when its measured round has begun."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from concurrency_bench.runners.processes import ProcessesRunner
from concurrency_bench.workload import JobRecord

from . import HANG_MARKER_ENV


class PoolHangRunner(ProcessesRunner):
    """Writes the worker's pid to HANG_MARKER_ENV's path, then runs the jobs in its pool."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Mark the round as started (its Ready message is sent), then run it as processes does."""
        marker = os.environ.get(HANG_MARKER_ENV)
        if marker:
            Path(marker).write_text(str(os.getpid()), encoding="ascii")
        return super().run(delays_s, payloads)


RUNNER = PoolHangRunner
