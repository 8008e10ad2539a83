"""Processes: a ProcessPoolExecutor started and warmed outside the timed region."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from concurrency_bench.kinds.tcp.clients import (
    open_process_connections,
    pooled_process_job,
    socket_job,
)
from concurrency_bench.lifetime import die_with_parent
from concurrency_bench.runners.base import DEFAULT_MAX_PROCESSES, Runner, Settings
from concurrency_bench.runners.io_jobs import TcpIo
from concurrency_bench.workload import JobRecord, process_job


def _start_pool_process(parent: int | None, io: TcpIo | None) -> None:
    """Pool process initializer: die with the worker; in pooled TCP mode also open this
    process's one persistent connection (before the rounds, so outside every timed region)."""
    die_with_parent(parent)
    if io is not None:
        open_process_connections(io.target)


class ProcessesRunner(Runner):
    """One pool worker per job up to a cap; each job's ints are pickled to its worker (over
    TCP, its index and delay: the worker reads the ints from the server)."""

    _pool: ProcessPoolExecutor | None = None

    def setup(self, jobs: int) -> Settings:
        """Start every pool worker now, so process start-up never lands in a timed run."""
        size = min(jobs, self.pool_size or DEFAULT_MAX_PROCESSES)
        pooled = self.io if self.io is not None and self.io.connections is not None else None
        if pooled is not None:  # one connection per pool process: N connections, N processes
            size = pooled.pool_size(size)
        method = multiprocessing.get_start_method()
        # Pool processes die with the worker (a killed worker cannot reap them); a fork
        # server, not this process, is their parent under forkserver.
        parent = None if method == "forkserver" else os.getpid()
        self._pool = ProcessPoolExecutor(
            max_workers=size, initializer=_start_pool_process, initargs=(parent, pooled)
        )
        # Jobs that overlap in time force the pool to start every worker it may use.
        list(self._pool.map(time.sleep, [0.05] * size))
        settings: Settings = {"processes": size, "start_method": method}
        if pooled is not None:
            settings["connections_opened"] = "in each pool process's initializer, untimed"
        return settings

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Submit every job to the warm pool and collect the records in job order."""
        pool = self._pool
        if pool is None:
            raise RuntimeError("ProcessesRunner.run called before setup")
        futures: list[Future[JobRecord]]
        if self.io is None:
            futures = [pool.submit(process_job, d, ints) for d, ints in zip(delays_s, payloads)]
        elif self.io.connections is None:
            target = self.io.target
            futures = [
                pool.submit(socket_job, target, index, delay, len(ints))
                for index, (delay, ints) in enumerate(zip(delays_s, payloads))
            ]
        else:
            futures = [
                pool.submit(pooled_process_job, index, delay, len(ints))
                for index, (delay, ints) in enumerate(zip(delays_s, payloads))
            ]
        return [future.result() for future in futures]

    def close(self) -> None:
        """Shut the pool down and wait for its workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


RUNNER = ProcessesRunner
