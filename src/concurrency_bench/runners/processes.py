"""Processes: a ProcessPoolExecutor started and warmed outside the timed region."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from concurrency_bench.kinds.base import ProcessJobs
from concurrency_bench.lifetime import die_with_parent
from concurrency_bench.runners.base import DEFAULT_MAX_PROCESSES, Runner, Settings
from concurrency_bench.workload import JobRecord


def _start_pool_process(
    parent: int | None, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
) -> None:
    """Pool process initializer: die with the worker, then run the kind's own initializer
    (the tcp kind's pooled mode opens this process's connection), before the rounds."""
    die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


class ProcessesRunner(Runner):
    """One pool worker per job up to a cap; each job's arguments (its ints, or over TCP its
    index and delay: the pool process reads the ints from the server) are pickled to it."""

    family = "processes"
    _pool: ProcessPoolExecutor | None = None
    _jobs: ProcessJobs | None = None

    def setup(self, jobs: int) -> Settings:
        """Start every pool worker now, so process start-up never lands in a timed run."""
        # No more processes than the jobs' I/O lets run at once (one connection each).
        size = self.io.at_most(min(jobs, self.pool_size or DEFAULT_MAX_PROCESSES))
        self._jobs = self.io.process_jobs(size)
        method = multiprocessing.get_start_method()
        # Pool processes die with the worker (a killed worker cannot reap them); a fork
        # server, not this process, is their parent under forkserver.
        parent = None if method == "forkserver" else os.getpid()
        self._pool = ProcessPoolExecutor(
            max_workers=size,
            initializer=_start_pool_process,
            initargs=(parent, self._jobs.initializer, self._jobs.initargs),
        )
        # Jobs that overlap in time force the pool to start every worker it may use.
        list(self._pool.map(time.sleep, [0.05] * size))
        return {"processes": size, "start_method": method, **self._jobs.settings}

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Submit every job to the warm pool and collect the records in job order."""
        pool, jobs = self._pool, self._jobs
        if pool is None or jobs is None:
            raise RuntimeError("ProcessesRunner.run called before setup")
        job = jobs.job
        futures: list[Future[JobRecord]] = [
            pool.submit(job, *arguments) for arguments in jobs.arguments(delays_s, payloads)
        ]
        return [future.result() for future in futures]

    def close(self) -> None:
        """Shut the pool down and wait for its workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


RUNNER = ProcessesRunner
