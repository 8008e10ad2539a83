"""Processes: a ProcessPoolExecutor started and warmed outside the timed region."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from concurrency_bench.lifetime import die_with_parent
from concurrency_bench.runners.base import DEFAULT_MAX_PROCESSES, Runner, Settings
from concurrency_bench.workload import JobRecord, process_job


class ProcessesRunner(Runner):
    """One pool worker per job up to a cap; each job's ints are pickled to its worker."""

    _pool: ProcessPoolExecutor | None = None

    def setup(self, jobs: int) -> Settings:
        """Start every pool worker now, so process start-up never lands in a timed run."""
        size = min(jobs, self.pool_size or DEFAULT_MAX_PROCESSES)
        method = multiprocessing.get_start_method()
        # Pool processes die with the worker (a killed worker cannot reap them); a fork
        # server, not this process, is their parent under forkserver.
        parent = None if method == "forkserver" else os.getpid()
        self._pool = ProcessPoolExecutor(
            max_workers=size, initializer=die_with_parent, initargs=(parent,)
        )
        # Jobs that overlap in time force the pool to start every worker it may use.
        list(self._pool.map(time.sleep, [0.05] * size))
        return {"processes": size, "start_method": method}

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Submit every job to the warm pool and collect the records in job order."""
        if self._pool is None:
            raise RuntimeError("ProcessesRunner.run called before setup")
        futures = [self._pool.submit(process_job, d, ints) for d, ints in zip(delays_s, payloads)]
        return [future.result() for future in futures]

    def close(self) -> None:
        """Shut the pool down and wait for its workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


RUNNER = ProcessesRunner
