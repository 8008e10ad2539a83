"""asyncio.gather whose jobs wait longer than asked when SLOW_FRACTION_ENV is set: a model made
slower on purpose, on one side of an `ab` run only (the variable is set for that side alone)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence

from concurrency_bench.runners.asyncio_gather import gather_all
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord

from . import SLOW_FRACTION_ENV


class SlowRunner(Runner):
    """Every delay stretched by the fraction in SLOW_FRACTION_ENV (0 without it)."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One event loop, every job gathered, each waiting (1 + fraction) times its delay."""
        stretch = 1.0 + float(os.environ.get(SLOW_FRACTION_ENV, "0"))
        return asyncio.run(gather_all([d * stretch for d in delays_s], payloads, self.io))


RUNNER = SlowRunner
