"""A model whose run() raises."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord


class RaisesRunner(Runner):
    """Always fails."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Raise."""
        raise RuntimeError("boom from a test model")


RUNNER = RaisesRunner
