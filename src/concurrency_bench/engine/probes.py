"""What the worker reads besides the clock: its RSS (current and peak) and per-job lateness."""

from __future__ import annotations

import math
import os
import sys
from array import array

from concurrency_bench.engine.protocol import LatenessPoints
from concurrency_bench.engine.timing import Measurement
from concurrency_bench.summaries import quantile_points

LATENESS_SAMPLE_CAP = 4_000_000
"""Most lateness values pooled for the quantiles (32 MB); above it every k-th job is kept."""

_STATUS = "/proc/self/status"
_CLEAR_REFS = "/proc/self/clear_refs"
_RESET_PEAK = "5"
"""Writing 5 to /proc/self/clear_refs resets VmHWM (the peak RSS) to the current RSS."""
PROC_SOURCE = "VmRSS/VmHWM from /proc/self/status, peak reset before each round"
MAXRSS_SOURCE = "ru_maxrss (peak since the worker started; cannot be reset here)"
NO_SOURCE = "unavailable on this system"


def memory_source() -> str:
    """How workers on this system read memory, found without touching any process's peak."""
    if os.access(_CLEAR_REFS, os.W_OK) and os.access(_STATUS, os.R_OK):
        return PROC_SOURCE
    return MAXRSS_SOURCE if MemoryProbe._maxrss() is not None else NO_SOURCE


class MemoryProbe:
    """Current and peak RSS of this process; on Linux the peak can be reset before a round."""

    def __init__(self) -> None:
        self.resettable = self.reset()

    @staticmethod
    def _status() -> dict[str, int]:
        figures = {}
        with open(_STATUS, encoding="ascii") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    figures[key] = int(value.split()[0]) * 1024
        return figures

    def reset(self) -> bool:
        """Reset the peak to the current RSS; False when this system cannot."""
        try:
            with open(_CLEAR_REFS, "w", encoding="ascii") as handle:
                handle.write(_RESET_PEAK)
            return "VmHWM" in self._status()
        except (OSError, ValueError):
            return False

    @staticmethod
    def _maxrss() -> int | None:
        try:
            import resource  # noqa: PLC0415 (POSIX only)
        except ImportError:
            return None
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak) if sys.platform == "darwin" else int(peak) * 1024

    def current(self) -> int | None:
        """RSS now (the peak so far when only ru_maxrss is available)."""
        return self._status()["VmRSS"] if self.resettable else self._maxrss()

    def peak(self) -> int | None:
        """Peak RSS since the last reset (since start without /proc)."""
        return self._status()["VmHWM"] if self.resettable else self._maxrss()


class LatenessPool:
    """Per-job lateness pooled over the measured rounds, in a buffer allocated up front.

    The buffer exists before the RSS baseline is read, so filling it never counts as the
    model's memory; max is exact, the quantiles come from at most LATENESS_SAMPLE_CAP values.
    """

    def __init__(self, jobs: int, rounds: int) -> None:
        self.jobs = jobs
        self.stride = max(1, math.ceil(jobs * rounds / LATENESS_SAMPLE_CAP))
        per_round = len(range(0, jobs, self.stride))
        self.values = array("d", bytes(8 * per_round * rounds))
        self.filled = 0
        self.rounds = 0
        self.maximum = -math.inf

    def add(self, measurement: Measurement) -> None:
        """Pool one round's lateness (finish - start - delay per job)."""
        lateness = measurement.lateness_s()
        self.maximum = max(self.maximum, max(lateness))  # noqa: PLW3301 (a million values)
        sample = lateness[:: self.stride]
        self.values[self.filled : self.filled + len(sample)] = array("d", sample)
        self.filled += len(sample)
        self.rounds += 1

    def summary(self) -> LatenessPoints | None:
        """The pooled values' quantile points, weight and max (seconds), or None before a round."""
        if not self.filled:
            return None
        ordered = sorted(self.values[: self.filled])
        return LatenessPoints(
            tuple(quantile_points(ordered)), self.jobs * self.rounds, self.maximum
        )
