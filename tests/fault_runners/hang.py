"""A model that hangs: its run() sleeps a minute (bounded, so a stray worker ends by itself)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from concurrency_bench.runners.base import Runner, Settings
from concurrency_bench.workload import JobRecord

from . import HANG_MARKER_ENV

HANG_S = 60.0


class HangRunner(Runner):
    """Reports its pid in the settings, then hangs in run()."""

    def setup(self, jobs: int) -> Settings:
        """The worker's pid, so a test can check it was killed."""
        return {"pid": os.getpid()}

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Tell the test we are hanging (if it asked), then hang."""
        marker = os.environ.get(HANG_MARKER_ENV)
        if marker:
            Path(marker).write_text(str(os.getpid()), encoding="ascii")
        time.sleep(HANG_S)
        raise AssertionError("a test should have killed this worker")


RUNNER = HangRunner
