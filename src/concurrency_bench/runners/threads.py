"""Threads: a real OS thread per job by default, or a ThreadPoolExecutor with `pool_size`."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from concurrency_bench.runners.base import Runner, Settings, empty_records
from concurrency_bench.workload import JobRecord


class ThreadsRunner(Runner):
    """Each job blocks (time.sleep, or its socket) on its own thread; the GIL is released then."""

    family = "blocking"

    def setup(self, jobs: int) -> Settings:
        """Record how many threads run at once: one per job, or the pool's size."""
        if self.pool_size:
            return {"threads": min(jobs, self.pool_size), "pool": "ThreadPoolExecutor"}
        return {"threads": jobs, "pool": "thread-per-job"}

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Start the threads (or submit to the pool) and wait for every job."""
        jobs = len(delays_s)
        with self.io.blocking_jobs(min(jobs, self.pool_size or jobs)) as job:
            if self.pool_size:
                with ThreadPoolExecutor(max_workers=self.pool_size) as pool:
                    return list(pool.map(job, range(jobs), delays_s, payloads))
            records = empty_records(jobs)
            errors: list[BaseException] = []

            def store(index: int, delay: float, ints: Sequence[int]) -> None:
                try:
                    records[index] = job(index, delay, ints)
                except BaseException as exc:  # a connect error fails the run with its cause
                    errors.append(exc)

            threads = [
                threading.Thread(target=store, args=(index, delay, ints))
                for index, (delay, ints) in enumerate(zip(delays_s, payloads))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if errors:
                raise errors[0]
            return records


RUNNER = ThreadsRunner
