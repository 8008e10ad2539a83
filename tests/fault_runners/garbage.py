"""A model that makes the collector work inside the timed region: cycles it leaves behind."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord

from . import correct_records

CYCLES = 20_000
"""Far above the young generation's threshold (700; 2,000 from 3.13): collections must run."""


class GarbageRunner(Runner):
    """Builds and drops CYCLES two-list cycles, then sums."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Garbage only the collector can free, then the right sums."""
        for _ in range(CYCLES):
            first: list[object] = []
            second: list[object] = [first]
            first.append(second)
        return correct_records(payloads)


RUNNER = GarbageRunner
