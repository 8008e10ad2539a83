"""A model that prints to stdout and stderr: the worker's answer must not be corrupted."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from concurrency_bench.runners.base import Runner, Settings
from concurrency_bench.workload import JobRecord

from . import correct_records


class NoisyRunner(Runner):
    """Prints things that look like protocol lines, then sums correctly."""

    def setup(self, jobs: int) -> Settings:
        """Print during setup too."""
        print('{"type": "result", "status": "ok"}')
        return {}

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Print, then return correct records."""
        print("not json at all", flush=True)
        sys.stdout.buffer.write(b"\x00\xff raw bytes\n")
        print("to stderr", file=sys.stderr)
        return correct_records(payloads)


RUNNER = NoisyRunner
