"""The one timing loop of the bare reference scripts: only `time.perf_counter` around the run.

The scripts stay bare on purpose (no engine, no worker, no records kept), so each shows only
the client code a user would write; what they share is how rounds are timed and checked.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from concurrency_bench.kinds.servers import busy_fraction
from concurrency_bench.workload import Scenario

Result = TypeVar("Result")


class Counted(Protocol):
    """A server whose counters (`stats()`: CPU seconds, with `minus`) are read between rounds."""

    def stats(self) -> Any: ...


def job_counts(text: str) -> list[int]:
    """`--jobs 1000,10000`: one or more job counts."""
    return [int(part) for part in text.split(",")]


def workload_parser(description: str | None, many_jobs: bool = False) -> argparse.ArgumentParser:
    """The options every bare script takes: the uniform workload, rounds and warm-ups
    (`many_jobs`: --jobs takes a comma-separated list)."""
    parser = argparse.ArgumentParser(description=(description or "").split("\n", 1)[0])
    if many_jobs:
        parser.add_argument("--jobs", type=job_counts, default=[1000])
    else:
        parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--ints", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (1, as run)")
    return parser


def workload(args: argparse.Namespace) -> Scenario:
    """The uniform scenario the options describe."""
    return Scenario.uniform(args.jobs, args.delay_ms / 1000, ints_per_job=args.ints)


def timed_rounds(
    run: Callable[[], Result],
    rounds: int,
    sums_ok: Callable[[Result], bool],
    *,
    warmup: int = 0,
    server: Counted | None = None,
    collect: bool = False,
    name: str = "",
) -> tuple[list[float], list[float]]:
    """`warmup` untimed runs, then `rounds` timed ones: their wall times (s) and, with `server`,
    its busy fraction in each. Exits on wrong sums, checked after the clock as the engine does;
    `collect` runs the garbage collector before each round, as the engine does."""
    for _ in range(warmup):
        run()
    walls: list[float] = []
    busy: list[float] = []
    for _ in range(rounds):
        if collect:
            gc.collect()  # no earlier round's garbage collected inside this one
        before = server.stats() if server is not None else None
        start = time.perf_counter()
        result = run()
        wall = time.perf_counter() - start
        walls.append(wall)
        if server is not None and before is not None:
            busy.append(busy_fraction(server.stats().minus(before), wall))
        if not sums_ok(result):
            raise SystemExit(f"{name}: wrong sums" if name else "wrong sums")
    return walls, busy
