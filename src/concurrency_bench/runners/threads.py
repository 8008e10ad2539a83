"""Threads: a real OS thread per job by default, or a ThreadPoolExecutor with `pool_size`."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from concurrency_bench.runners.base import Runner, Settings, empty_records
from concurrency_bench.workload import JobRecord, sync_job


class ThreadsRunner(Runner):
    """Each job blocks in time.sleep on its own thread; the GIL is released while it sleeps."""

    def setup(self, jobs: int) -> Settings:
        """Record how many threads run at once: one per job, or the pool's size."""
        if self.pool_size:
            return {"threads": min(jobs, self.pool_size), "pool": "ThreadPoolExecutor"}
        return {"threads": jobs, "pool": "thread-per-job"}

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Start the threads (or submit to the pool) and wait for every job."""
        if self.pool_size:
            with ThreadPoolExecutor(max_workers=self.pool_size) as pool:
                return list(pool.map(sync_job, delays_s, payloads, [time.sleep] * len(delays_s)))
        records = empty_records(len(delays_s))

        def store(index: int, delay: float, ints: Sequence[int]) -> None:
            records[index] = sync_job(delay, ints, time.sleep)

        threads = [
            threading.Thread(target=store, args=(index, delay, ints))
            for index, (delay, ints) in enumerate(zip(delays_s, payloads))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return records


RUNNER = ThreadsRunner
