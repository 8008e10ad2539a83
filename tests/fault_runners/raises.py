"""A model whose run() raises."""

from __future__ import annotations

import os
from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord

from . import RAISE_MESSAGE_ENV


class RaisesRunner(Runner):
    """Always fails."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Raise."""
        raise RuntimeError(os.environ.get(RAISE_MESSAGE_ENV, "boom from a test model"))


RUNNER = RaisesRunner
