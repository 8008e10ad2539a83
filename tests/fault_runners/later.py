"""A model that goes wrong only from its second worker process on, to test the merging of workers.

Each worker appends its pid to the file named by LATER_LOG_ENV when it sets up; a worker
that finds an earlier line there raises (LATER_MODE_ENV=raise), sums job 0 wrong (=wrong) or
reports other settings (=settings). Without the variables it is a correct model.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.runners.base import Runner, Settings
from concurrency_bench.workload import JobRecord

from . import LATER_LOG_ENV, LATER_MODE_ENV, correct_records


class LaterRunner(Runner):
    """Right in the first worker, wrong or failing in every later one."""

    def __init__(self, pool_size: int | None = None, io: IoJobs | None = None) -> None:
        super().__init__(pool_size, io)
        self.later = False

    def setup(self, jobs: int) -> Settings:
        """Log this worker; it is a later one when another logged before it."""
        log = os.environ.get(LATER_LOG_ENV)
        if log:
            path = Path(log)
            self.later = path.exists() and bool(path.read_text(encoding="ascii").strip())
            with path.open("a", encoding="ascii") as handle:
                handle.write(f"{os.getpid()}\n")
        if os.environ.get(LATER_MODE_ENV) == "settings":
            return {"pool": "later" if self.later else "first"}
        return {}

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Correct sums in the first worker; later ones raise or sum job 0 wrong."""
        records = correct_records(payloads)
        mode = os.environ.get(LATER_MODE_ENV, "raise")
        if self.later and mode == "raise":
            raise RuntimeError("boom from a later worker")
        if self.later and mode == "wrong":
            start, finish, value = records[0]
            records[0] = (start, finish, value + 1)
        return records


RUNNER = LaterRunner
