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
import math
import statistics
import timeit
from collections.abc import Callable, Sequence

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


def no_op(phase: str, info: dict[str, int]) -> None:
    """A callback that does nothing: what CPython's calling of any callback costs."""


def collection_ns() -> dict[str, float]:
    """Least ns per young collection over REPEATS interleaved repeats, with no callback, a
    no-op one, and the worker's GC meter; the collector is disabled meanwhile."""
    meter = GcMeter()
    variants: dict[str, Callable[[], None]] = {
        "none": lambda: None,
        "no-op": lambda: gc.callbacks.append(no_op),
        "meter": meter.install,
    }
    best = dict.fromkeys(variants, math.inf)
    gc.disable()
    try:
        for _ in range(REPEATS):
            for name, install in variants.items():
                install()
                seconds = timeit.timeit(collections, number=1)
                meter.remove()
                while no_op in gc.callbacks:
                    gc.callbacks.remove(no_op)
                best[name] = min(best[name], seconds / COLLECTIONS * 1e9)
    finally:
        gc.enable()
    return best


def main() -> None:
    """Print the per-job cost (median) and the per-collection cost (least) of each variant and
    their differences, in ns."""
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
    ns = collection_ns()
    shown = [
        ("job with recording", with_ns, "ns/job"),
        ("job without recording", without_ns, "ns/job"),
        ("recording costs", with_ns - without_ns, "ns/job"),
        ("collection, GC meter", ns["meter"], "ns"),
        ("collection, no-op callback", ns["no-op"], "ns"),
        ("collection, no callback", ns["none"], "ns"),
        ("GC meter costs", ns["meter"] - ns["none"], "ns/collection"),
        ("  of which any callback", ns["no-op"] - ns["none"], "ns/collection"),
    ]
    for label, value, unit in shown:
        print(f"{label + ':':28} {value:7.1f} {unit}")


if __name__ == "__main__":
    main()
