"""interpreters: the jobs on a concurrent.futures.InterpreterPoolExecutor (Python 3.14+).

Each pool thread runs its own subinterpreter, with a GIL of its own: the processes model's
jobs (a top-level function, pickled by reference, and its arguments) without a process per
worker. A subinterpreter starts with the interpreter's configured sys.path, not the one the
worker built, so each is first given the worker's path (the `exec` of BOOT, a builtin, which
is what a pool can send before the package can be imported), then the kind's initializer.
The pool is started and warmed in setup, outside the timed region.
"""

from __future__ import annotations

import pickle
import sys
import time
from collections.abc import Sequence
from concurrent import futures
from typing import Any

from concurrency_bench.kinds.base import ProcessJobs
from concurrency_bench.runners.base import DEFAULT_MAX_PROCESSES, Runner, Settings
from concurrency_bench.workload import JobRecord

BOOT = """
import pickle, sys
sys.path[:] = path
initializer, initargs = pickle.loads(kind)
if initializer is not None:
    initializer(*initargs)
"""
"""What each subinterpreter runs first: the worker's sys.path, then the kind's initializer."""


class InterpretersRunner(Runner):
    """A pool of `pool_size` subinterpreters (default one per job up to the processes' cap)."""

    family = "processes"
    _pool: Any = None
    _jobs: ProcessJobs | None = None

    def setup(self, jobs: int) -> Settings:
        """Start every subinterpreter now, so their start-up never lands in a timed run."""
        size = self.io.at_most(min(jobs, self.pool_size or DEFAULT_MAX_PROCESSES))
        self._jobs = self.io.process_jobs(size)
        kind = pickle.dumps((self._jobs.initializer, self._jobs.initargs))
        pool_class = futures.InterpreterPoolExecutor  # type: ignore[attr-defined,unused-ignore]
        self._pool = pool_class(
            max_workers=size, initializer=exec, initargs=(BOOT, {"path": sys.path, "kind": kind})
        )
        list(self._pool.map(time.sleep, [0.05] * size))  # overlapping jobs start every worker
        return {"interpreters": size, "pool": "InterpreterPoolExecutor", **self._jobs.settings}

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Submit every job to the warm pool and collect the records in job order."""
        pool, jobs = self._pool, self._jobs
        if pool is None or jobs is None:
            raise RuntimeError("InterpretersRunner.run called before setup")
        submitted = [
            pool.submit(jobs.job, *arguments) for arguments in jobs.arguments(delays_s, payloads)
        ]
        return [future.result() for future in submitted]

    def close(self) -> None:
        """Shut the pool down and wait for its interpreters."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


RUNNER = InterpretersRunner
