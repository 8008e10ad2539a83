"""A model whose worker is killed by a signal mid-round (as the OOM killer would)."""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence

from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord


class KillRunner(Runner):
    """SIGKILLs its own process."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Never returns."""
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")


RUNNER = KillRunner
