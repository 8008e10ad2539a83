"""Summaries over rounds, the rules that call a result doubtful, and pooled quantiles.

Below every layer that needs them: results/ (a row's summaries and flags), the engine (a
worker's quantile points, merged per model), analysis/ (the gate) and report/ (figures).
"""

from __future__ import annotations

import bisect
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
SERVER_BOUND_FRACTION = 0.5
"""A TCP round whose server was on the CPU for more than this share of its wall is
server-bound: the server, not the model, may be what was measured."""
GC_HEAVY_FRACTION = 1 / 3
"""A row whose rounds spend more than this share of their wall in the garbage collector gets
a note saying so, with what a user could try."""
QUANTILE_INTERVALS = 1000
"""A sample is summarised by its quantiles at q = i / 1000 (1001 points) for pooling."""


def quantile(sorted_values: Sequence[float], fraction: float) -> float:
    """Linear-interpolated quantile (numpy's default) of already sorted values."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    position = (len(sorted_values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def quartiles(sorted_values: Sequence[float]) -> tuple[float, float, float]:
    """Q1, median and Q3 of already sorted values (linear interpolation)."""
    low, middle, high = (quantile(sorted_values, q) for q in (0.25, 0.5, 0.75))
    return low, middle, high


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
        q1, median, q3 = quartiles(ordered)
        return cls(
            median=median,
            minimum=ordered[0],
            maximum=ordered[-1],
            iqr=q3 - q1,
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


def server_bound(busy_fraction: float) -> bool:
    """Whether a row's median server busy fraction says the server was the bottleneck."""
    return busy_fraction > SERVER_BOUND_FRACTION


def gc_heavy(gc_share: float) -> bool:
    """Whether a row's median GC share of the wall is large enough to say so in its notes."""
    return gc_share > GC_HEAVY_FRACTION


def cpu_bound(cpu_s: float, ideal_s: float) -> bool:
    """Whether a round's CPU time, not its waiting, set its wall: its CPU alone took at least
    the ideal round, so a single loop could not finish within the wait (its wall is at least
    its CPU) and lateness grows with the job count. Not "wall close to CPU": on a loaded
    machine the worker waits for a core too, and its wall grows past its CPU. Never for an
    ideal of 0."""
    return ideal_s > 0 and cpu_s >= ideal_s


def quantile_points(
    sorted_values: Sequence[float], intervals: int = QUANTILE_INTERVALS
) -> list[float]:
    """The quantiles at q = i / intervals, i = 0..intervals: a sample's shape in fixed size."""
    return [quantile(sorted_values, i / intervals) for i in range(intervals + 1)]


def _points_cdf(points: Sequence[float], x: float) -> float:
    """The fraction of a sample at or below x, reading its quantile points as a piecewise-linear
    quantile function (right-continuous where points repeat)."""
    if x < points[0]:
        return 0.0
    j = bisect.bisect_right(points, x) - 1
    last = len(points) - 1
    if j >= last:
        return 1.0
    low, high = points[j], points[j + 1]  # low <= x < high
    return (j + (x - low) / (high - low)) / last


def merged_quantile(parts: Sequence[tuple[Sequence[float], float]], fraction: float) -> float:
    """The `fraction` quantile of several samples pooled, from each one's quantile points.

    `parts` holds (points at q = i / (len - 1), weight) per sample, the weight being how many
    values the sample had. The pooled distribution is the weighted mixture of the samples'
    piecewise-linear distributions (exact at their points), so the answer lies between the
    exact pooled quantiles at fraction -/+ (1 / intervals + 1 / smallest sample): with 1001
    points, within 0.1 percentile ranks plus one value; a single sample gives its own
    quantile exactly wherever `fraction` is one of its points (0.5, 0.99).
    """
    parts = [(points, weight) for points, weight in parts if weight > 0 and points]
    if not parts:
        raise ValueError("merged quantile of no samples")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be from 0 to 1, got {fraction}")
    total = math.fsum(weight for _, weight in parts)

    def cdf(x: float) -> float:
        return math.fsum(weight * _points_cdf(points, x) for points, weight in parts) / total

    edges = sorted({x for points, _ in parts for x in points})
    # The first edge whose pooled fraction reaches `fraction` (cdf is non-decreasing).
    k = bisect.bisect_left(range(len(edges)), True, key=lambda i: cdf(edges[i]) >= fraction)
    if k == 0:
        return edges[0]
    if k == len(edges):  # rounding left the last edge a hair below: it is the answer
        return edges[-1]
    left, right = edges[k - 1], edges[k]
    # Between two edges every sample's cdf is linear: extrapolate the left limit at `right`.
    at_left = cdf(left)
    before_right = at_left + 2 * (cdf((left + right) / 2) - at_left)
    if before_right <= fraction or before_right <= at_left:
        return right  # the fraction falls in a jump at `right` (repeated values)
    return left + (right - left) * (fraction - at_left) / (before_right - at_left)
