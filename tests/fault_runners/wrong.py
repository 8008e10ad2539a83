"""A model that sums job 0 wrong."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord

from . import correct_records


class WrongRunner(Runner):
    """Off by one on job 0."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Right sums except the first."""
        records = correct_records(payloads)
        start, finish, value = records[0]
        records[0] = (start, finish, value + 1)
        return records


RUNNER = WrongRunner
