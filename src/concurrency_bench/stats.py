"""Summary statistics over rounds, and the rule that calls a result unstable."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

UNSTABLE_WALL_CV = 0.10
"""pyperf's rule: a standard deviation of 10% of the mean or more is unstable."""
UNSTABLE_OVERHEAD_IQR = 0.20
"""Overhead is a small difference of large times, so its bar is its IQR against its median..."""
OVERHEAD_NOISE_FLOOR_S = 0.0005
"""...but only above half a millisecond: below that, the loops' millisecond timers dominate."""


def quantile(sorted_values: Sequence[float], fraction: float) -> float:
    """Linear-interpolated quantile (numpy's default) of already sorted values."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    position = (len(sorted_values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


@dataclass(frozen=True)
class Summary:
    """Median, spread and extremes of one figure over the rounds."""

    median: float
    minimum: float
    maximum: float
    iqr: float
    mean: float
    stdev: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """Summarise at least one value (stdev is 0 for a single value)."""
        ordered = sorted(values)
        return cls(
            median=quantile(ordered, 0.5),
            minimum=ordered[0],
            maximum=ordered[-1],
            iqr=quantile(ordered, 0.75) - quantile(ordered, 0.25),
            mean=statistics.fmean(ordered),
            stdev=statistics.stdev(ordered) if len(ordered) > 1 else 0.0,
        )

    def scaled(self, factor: float) -> Summary:
        """The same summary in other units (seconds to microseconds per job, say)."""
        return Summary(*(value * factor for value in asdict(self).values()))

    def to_dict(self) -> dict[str, float]:
        """JSON-ready fields."""
        return asdict(self)


def instability(wall: Summary, overhead: Summary) -> str | None:
    """Why a result should not be trusted as it stands, or None when it is stable."""
    reasons = []
    if wall.mean > 0 and wall.stdev >= UNSTABLE_WALL_CV * wall.mean:
        reasons.append(f"wall stdev is {wall.stdev / wall.mean:.0%} of the mean")
    if overhead.iqr >= OVERHEAD_NOISE_FLOOR_S and overhead.iqr >= UNSTABLE_OVERHEAD_IQR * abs(
        overhead.median
    ):
        share = overhead.iqr / abs(overhead.median) if overhead.median else math.inf
        reasons.append(f"overhead IQR is {share:.0%} of its median")
    return "; ".join(reasons) or None
