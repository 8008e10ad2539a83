"""A model that runs out of memory: one allocation larger than any machine's RAM."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord

TOO_MUCH = 1 << 50
"""A petabyte: malloc refuses it at once, so nothing is really allocated."""


class MemoryRunner(Runner):
    """Raises a real MemoryError."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Allocate far too much."""
        bytearray(TOO_MUCH)
        raise AssertionError("the allocation should have failed")


RUNNER = MemoryRunner
