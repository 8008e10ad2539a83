"""A model that proves `--gc off` reaches the rounds: it fails while the collector is on."""

from __future__ import annotations

import gc
from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord

from . import correct_records


class NeedsGcOffRunner(Runner):
    """Correct sums only when gc is disabled."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Check the collector, then sum."""
        if gc.isenabled():
            raise RuntimeError("gc is enabled during a round")
        return correct_records(payloads)


RUNNER = NeedsGcOffRunner
