"""anyio's task group, shared by the asyncio (default loop or uvloop) and trio backend models."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, ClassVar

import anyio

from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.kinds.timer import TIMER_JOBS
from concurrency_bench.runners.base import Runner, Settings, empty_records, store_job
from concurrency_bench.workload import JobRecord


async def task_group_all(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]], io: IoJobs = TIMER_JOBS
) -> list[JobRecord]:
    """Start every job in one anyio task group; each stores its record by index."""
    records = empty_records(len(delays_s))
    jobs = io.structured_jobs(len(delays_s), "anyio", anyio.sleep)
    async with jobs as job, anyio.create_task_group() as group:
        for index, (delay, ints) in enumerate(zip(delays_s, payloads)):
            group.start_soon(store_job, records, index, job(index, delay, ints))
    return records


class AnyioRunner(Runner):
    """anyio.run over a task group on the backend named by `backend`, with its options."""

    family = "structured"
    backend = "asyncio"
    backend_options: ClassVar[dict[str, Any]] = {}
    loop_module: ClassVar[str | None] = None
    """The module the backend makes its event loop from (uvloop), imported in `setup`."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """One anyio run on this runner's backend."""
        return anyio.run(
            task_group_all,
            delays_s,
            payloads,
            self.io,
            backend=self.backend,
            backend_options=self.backend_options,
        )

    def setup(self, jobs: int) -> Settings:
        """Import the backend and its loop's module now: they are imported lazily, which
        would be on the clock. Record the backend and loop."""
        importlib.import_module(f"anyio._backends._{self.backend}")
        if self.loop_module is None:
            return {"backend": self.backend}
        importlib.import_module(self.loop_module)
        return {"backend": self.backend, "loop": self.loop_module}
