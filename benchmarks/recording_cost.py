"""What recording costs: per job, the job code with its two clock reads vs the same job
without; per collection, a young-generation collection with the worker's GC meter installed
vs without.

Run: python benchmarks/recording_cost.py. Both job variants sleep 0 s with a no-op and sum an
empty list, so the difference per call is the recording alone (two perf_counter_ns calls,
one tuple, one list store); the target is well under a microsecond per job. The collections
run with the collector disabled and nothing to collect, so the difference per collection is
the meter alone (CPython building the callbacks' arguments, the start and stop calls); the
target is under a microsecond per collection.
"""

from __future__ import annotations

import gc
import statistics
import timeit
from collections.abc import Sequence

from concurrency_bench.engine.gc_meter import GcMeter
from concurrency_bench.runners.base import empty_records
from concurrency_bench.workload import sync_job

JOBS = 100_000
COLLECTIONS = 20_000
REPEATS = 7


def no_sleep(_: float) -> None:
    """A sleep that returns at once, so only the job's own code is timed."""


def bare_job(delay_s: float, ints: Sequence[int], sleep: object) -> int:
    """The job without any recording: wait (no-op) and sum."""
    no_sleep(delay_s)
    return sum(ints)


def recorded(records: list[tuple[int, int, int]]) -> None:
    """The job as runners call it: clock reads, a tuple, a store into the preallocated list."""
    empty: tuple[int, ...] = ()
    for index in range(JOBS):
        records[index] = sync_job(0.0, empty, no_sleep)


def unrecorded(values: list[int]) -> None:
    """The same loop without recording."""
    empty: tuple[int, ...] = ()
    for index in range(JOBS):
        values[index] = bare_job(0.0, empty, no_sleep)


def collections(count: int = COLLECTIONS) -> None:
    """`count` young-generation collections (gc.collect(0)), each finding nothing to do."""
    collect = gc.collect
    for _ in range(count):
        collect(0)


def collection_ns(meter: GcMeter | None) -> float:
    """Median ns per young collection, with `meter` installed (None: no callback)."""
    if meter is not None:
        meter.install()
    gc.disable()
    try:
        times = timeit.repeat(collections, number=1, repeat=REPEATS)
    finally:
        gc.enable()
        if meter is not None:
            meter.remove()
    return statistics.median(times) / COLLECTIONS * 1e9


def main() -> None:
    """Print the median per-job and per-collection cost of each variant and their difference,
    in ns."""
    records = empty_records(JOBS)
    values = [0] * JOBS
    with_ns = (
        statistics.median(timeit.repeat(lambda: recorded(records), number=1, repeat=REPEATS))
        / JOBS
        * 1e9
    )
    without_ns = (
        statistics.median(timeit.repeat(lambda: unrecorded(values), number=1, repeat=REPEATS))
        / JOBS
        * 1e9
    )
    print(f"job with recording:    {with_ns:7.1f} ns/job")
    print(f"job without recording: {without_ns:7.1f} ns/job")
    print(f"recording costs:       {with_ns - without_ns:7.1f} ns/job")
    meter = GcMeter()
    bare_ns, metered_ns = collection_ns(None), collection_ns(meter)
    counted = sum(meter.figures().collections)
    print(f"collection, GC meter:    {metered_ns:7.1f} ns ({counted:,} counted by it)")
    print(f"collection, no meter:    {bare_ns:7.1f} ns")
    print(f"GC meter costs:          {metered_ns - bare_ns:7.1f} ns/collection")


if __name__ == "__main__":
    main()
