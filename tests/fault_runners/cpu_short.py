"""A model that does its jobs' CPU work one step short: the check must call that wrong sums."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.kinds.cpu import CpuJobs
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord, spin


class CpuShortRunner(Runner):
    """Runs the kind's own jobs one after another, then one step too few of the CPU work."""

    family = "blocking"

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Each job as the kind gives it, its CPU work redone one step short."""
        io = self.io
        if not isinstance(io, CpuJobs):
            raise RuntimeError("fault-cpu_short needs --cpu-ms above 0")
        with io.inner.blocking_jobs(1) as job:
            records = [job(i, d, ints) for i, (d, ints) in enumerate(zip(delays_s, payloads))]
        return [(s, f, spin(value, io.iterations - 1)) for s, f, value in records]


RUNNER = CpuShortRunner
