"""The garbage collector around a timed region: the same start for every round, and the
collections inside it per generation with their time.

Before the clock is read, `ready` collects what ran before (the harness's work between rounds
included) and zeroes the counters, so every round starts the collector from the same state.
One `gc.callbacks` entry, installed for the worker's life, notes the clock when a collection
starts and adds the elapsed time and a count to its generation's slot when it stops; the
slots are one preallocated array, copied after the clock is read. Only this process's
collections are seen (a process pool's workers collect on their own).
"""

from __future__ import annotations

import gc
import time
from array import array
from collections.abc import Callable
from typing import Any

from concurrency_bench.results import GcRound

GENERATIONS = 3
"""Generations reported by every CPython from 3.11 on (3.14's increments report 1 or 2)."""
_START, _COUNTS, _NANOS = 0, 1, 1 + GENERATIONS
_SLOTS = 1 + 2 * GENERATIONS

GcCallback = Callable[[str, dict[str, Any]], None]


def _callback(slots: array[int], clock: Callable[[], int] = time.perf_counter_ns) -> GcCallback:
    """The gc.callbacks entry writing into `slots`: [start ns, counts by generation, ns by
    generation]; a generation above the last counts as the last."""

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            slots[_START] = clock()
            return
        generation = info["generation"]
        if generation >= GENERATIONS:
            generation = GENERATIONS - 1
        slots[_NANOS + generation] += clock() - slots[_START]
        slots[_COUNTS + generation] += 1

    return on_gc


class GcMeter:
    """Counts this process's collections and their time between `ready` and `figures`."""

    def __init__(self) -> None:
        self.slots = array("q", bytes(8 * _SLOTS))
        self._zeros = array("q", bytes(8 * _SLOTS))
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
        s = self.slots
        return GcRound(
            collections=(s[_COUNTS], s[_COUNTS + 1], s[_COUNTS + 2]),
            seconds=(s[_NANOS] / 1e9, s[_NANOS + 1] / 1e9, s[_NANOS + 2] / 1e9),
        )
