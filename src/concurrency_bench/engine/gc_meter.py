"""The garbage collector around a timed region: the same start for every round, and the
collections inside it per generation with their time.

Before the clock is read, `ready` collects what ran before (the harness's work between rounds
included) and zeroes the counters, so every round starts the collector from the same state.
One `gc.callbacks` entry, installed for the worker's life, notes the clock when a collection
starts and adds the elapsed time and a count to its generation's slot when it stops; the
slots are one preallocated list, read after the clock is. Only this process's
collections are seen (a process pool's workers collect on their own).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from concurrency_bench.results import GcRound

GENERATIONS = 3
"""Generations in the figures (0, 1, 2): those CPython reports from 3.11 on."""
_ROOM = 8
"""Slots per figure: room for any generation number, so the callback checks no bounds
(`figures` adds any above the last to the last)."""
_START, _COUNTS, _NANOS = 0, 1, 1 + _ROOM

GcCallback = Callable[[str, dict[str, Any]], None]


def _callback(slots: list[int]) -> GcCallback:
    """The gc.callbacks entry writing into `slots` ([start ns, counts by generation, ns by
    generation]): two clock reads and three stores a collection, nothing else (its cost is
    measured by benchmarks/recording_cost.py)."""

    def on_gc(
        phase: str,
        info: dict[str, Any],
        slots: list[int] = slots,
        clock: Callable[[], int] = time.perf_counter_ns,
    ) -> None:
        if phase == "start":
            slots[_START] = clock()
        else:
            generation = info["generation"]
            slots[_NANOS + generation] += clock() - slots[_START]
            slots[_COUNTS + generation] += 1

    return on_gc


class GcMeter:
    """Counts this process's collections and their time between `ready` and `figures`."""

    def __init__(self) -> None:
        self.slots = [0] * (1 + 2 * _ROOM)
        self._zeros = [0] * (1 + 2 * _ROOM)
        self._on_gc = _callback(self.slots)

    def install(self) -> None:
        """Start counting: append the callback (before any round, never inside one)."""
        if self._on_gc not in gc.callbacks:
            gc.callbacks.append(self._on_gc)

    def remove(self) -> None:
        """Stop counting; other callbacks stay."""
        while self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def ready(self) -> None:
        """Collect everything collectable and clear the counters: the last step before the
        clock is read (a collection works with the collector disabled too, `--gc off`)."""
        gc.collect()
        self.slots[:] = self._zeros

    def figures(self) -> GcRound:
        """Collections and seconds since `ready`, by generation (0, 1, 2)."""
        counts = self.slots[_COUNTS : _COUNTS + _ROOM]
        nanos = self.slots[_NANOS : _NANOS + _ROOM]
        last = GENERATIONS - 1
        return GcRound(
            collections=(counts[0], counts[1], sum(counts[last:])),
            seconds=(nanos[0] / 1e9, nanos[1] / 1e9, sum(nanos[last:]) / 1e9),
        )
