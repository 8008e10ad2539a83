"""The timer that hands the engine's rounds to pytest-benchmark without timing anything."""

from __future__ import annotations

from collections.abc import Sequence


class ReplayTimer:
    """A pytest-benchmark timer that plays back durations measured elsewhere, never a clock.

    Each round of `benchmark.pedantic` reads the timer twice (start, end); the readings are 0
    and the round's duration, so pytest-benchmark's `end - start` is the engine's figure.
    """

    def __init__(self) -> None:
        self.__name__ = "concurrency_bench_engine_rounds"  # how pytest-benchmark names a timer
        self._readings: list[float] = []

    def load(self, durations: Sequence[float]) -> None:
        """Queue one (start, end) pair of readings per duration."""
        self._readings = [value for d in reversed(durations) for value in (d, 0.0)]

    def __call__(self) -> float:
        if not self._readings:
            raise RuntimeError("pytest-benchmark read a time the engine did not measure")
        return self._readings.pop()

    def drain(self) -> int:
        """Forget what is left; returns how many readings were never read."""
        left, self._readings = len(self._readings), []
        return left
