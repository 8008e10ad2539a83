"""The one timing loop of the bare reference scripts: only `time.perf_counter` around the run.

The scripts stay bare on purpose (no engine, no worker, no records kept), so each shows only
the client code a user would write; what they share is how rounds are timed and checked.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

from concurrency_bench.net import ServerHandle
from concurrency_bench.net.handle import busy_fraction

Result = TypeVar("Result")


def timed_rounds(
    run: Callable[[], Result],
    rounds: int,
    sums_ok: Callable[[Result], bool],
    *,
    warmup: int = 0,
    server: ServerHandle | None = None,
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
