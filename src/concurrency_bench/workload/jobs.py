"""The job code every model runs: note the clock, wait the delay, sum the ints, note the clock.

Models differ only in how they wait and schedule, never in the work itself.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

JobRecord = tuple[int, int, int]
"""What one job returns: (start_ns, finish_ns, value), on the time.perf_counter_ns clock."""


def sync_job(delay_s: float, ints: Sequence[int], sleep: Callable[[float], None]) -> JobRecord:
    """Wait `delay_s` with a blocking sleep, then sum `ints`; returns (start, finish, sum)."""
    start = time.perf_counter_ns()
    sleep(delay_s)
    value = sum(ints)
    return start, time.perf_counter_ns(), value


async def async_job(
    delay_s: float, ints: Sequence[int], sleep: Callable[[float], Awaitable[None]]
) -> JobRecord:
    """Wait `delay_s` with the event loop's sleep, then sum `ints`; returns (start, finish, sum)."""
    start = time.perf_counter_ns()
    await sleep(delay_s)
    value = sum(ints)
    return start, time.perf_counter_ns(), value


def process_job(delay_s: float, ints: Sequence[int]) -> JobRecord:
    """`sync_job` with time.sleep, as a top-level function a process pool can pickle."""
    return sync_job(delay_s, ints, time.sleep)
