"""A model that proves the worker freezes its own objects and not the workload's."""

from __future__ import annotations

import gc
from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord

from . import correct_records


class FrozenRunner(Runner):
    """Correct sums only when the harness is frozen and the payloads are in the collector's
    sight (gc.get_objects lists every generation but the frozen one)."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Check what the collector sees, then sum."""
        if gc.get_freeze_count() == 0:
            raise RuntimeError("nothing is frozen during a round")
        seen = {id(o) for o in gc.get_objects()}
        if id(self) in seen:
            raise RuntimeError("the model (made before the payloads) is not frozen")
        if not all(id(ints) in seen for ints in payloads):
            raise RuntimeError("a payload is frozen")
        return correct_records(payloads)


RUNNER = FrozenRunner
