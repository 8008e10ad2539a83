"""summaries.py against values worked out by hand (exact fractions) or by numpy: quantiles,
summaries, the two instability rules at their edges, and pooled quantiles of known mixtures."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest

from concurrency_bench.summaries import (
    Summary,
    instability,
    merged_quantile,
    quantile,
    server_bound,
)

VALUES = [1.0, 2.0, 4.0, 8.0]
"""Position (n - 1) x q = 3q: q = 0.25 -> 1 + 0.75 x 1, q = 0.5 -> 2 + 0.5 x 2, q = 0.75 ->
4 + 0.25 x 4, q = 0.9 -> 4 + 0.7 x 4."""


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (0.0, Fraction(1)),
        (0.25, Fraction(7, 4)),
        (0.5, Fraction(3)),
        (0.75, Fraction(5)),
        (0.9, Fraction(34, 5)),
        (1.0, Fraction(8)),
    ],
)
def test_quantile_interpolates_between_neighbours(fraction: float, expected: Fraction) -> None:
    assert quantile(VALUES, fraction) == pytest.approx(float(expected), rel=1e-15)


def test_a_quantile_of_one_value_is_that_value_and_of_none_an_error() -> None:
    assert quantile([7.5], 0.0) == quantile([7.5], 0.5) == quantile([7.5], 1.0) == 7.5
    with pytest.raises(ValueError, match=r"^quantile of no values$"):
        quantile([], 0.5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_quantile_agrees_with_numpy_linear(seed: int) -> None:
    rng = random.Random(seed)
    values = sorted(rng.uniform(-5, 5) for _ in range(rng.randint(2, 40)))
    for fraction in (0.0, 0.01, 0.1, 0.33, 0.5, 0.9, 0.99, 1.0):
        want = float(np.quantile(values, fraction, method="linear"))
        assert quantile(values, fraction) == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_a_summary_sorts_its_values_first() -> None:
    # mean 15/4; squared deviations 121/16 + 49/16 + 1/16 + 289/16 = 115/4, / (n - 1) = 115/12
    summary = Summary.of([8.0, 1.0, 4.0, 2.0])
    assert summary.median == 3.0
    assert summary.minimum == 1.0
    assert summary.maximum == 8.0
    assert summary.iqr == pytest.approx(5.0 - 1.75)
    assert summary.mean == 3.75
    assert summary.stdev == pytest.approx(math.sqrt(115 / 12))


def test_a_summary_of_one_or_two_values_is_defined() -> None:
    assert Summary.of([2.5]) == Summary(2.5, 2.5, 2.5, 0.0, 2.5, 0.0)
    two = Summary.of([3.0, 1.0])  # the sample stdev: sqrt(((1 - 2)^2 + (3 - 2)^2) / 1)
    assert two == Summary(median=2.0, minimum=1.0, maximum=3.0, iqr=1.0, mean=2.0, stdev=two.stdev)
    assert two.stdev == pytest.approx(math.sqrt(2))


def test_a_summary_scales_every_field_and_names_each_in_its_dict() -> None:
    summary = Summary(median=1.0, minimum=2.0, maximum=3.0, iqr=4.0, mean=5.0, stdev=6.0)
    assert summary.scaled(10.0) == Summary(10.0, 20.0, 30.0, 40.0, 50.0, 60.0)
    assert summary.to_dict() == {
        "median": 1.0,
        "minimum": 2.0,
        "maximum": 3.0,
        "iqr": 4.0,
        "mean": 5.0,
        "stdev": 6.0,
    }


def wall(mean: float, stdev: float) -> Summary:
    """A wall summary where only the mean and stdev matter."""
    return Summary(median=mean, minimum=mean, maximum=mean, iqr=0.0, mean=mean, stdev=stdev)


def overhead(median: float, iqr: float) -> Summary:
    """An overhead summary where only the median and IQR matter."""
    return Summary(median=median, minimum=median, maximum=median, iqr=iqr, mean=median, stdev=0.0)


STEADY = overhead(0.01, 0.0)
CALM = wall(1.0, 0.0)


@pytest.mark.parametrize(
    ("mean", "stdev", "reason"),
    [
        (2.0, 0.2, "wall stdev is 10% of the mean"),  # exactly 10%: unstable
        (2.0, 0.19, None),  # 9.5%; a rule of 10% / mean would call it unstable
        (0.5, 0.05, "wall stdev is 10% of the mean"),  # means under 1 s are judged too
        (4.0, 1.0, "wall stdev is 25% of the mean"),
        (0.0, 1.0, None),  # no mean to compare with (and no division by zero)
    ],
)
def test_wall_is_unstable_from_a_stdev_of_ten_percent(
    mean: float, stdev: float, reason: str | None
) -> None:
    assert instability(wall(mean, stdev), STEADY) == reason


# 0.2 / 128 is 20% of 1/128 exactly in binary floating point.
EIGHTH = 1 / 128


@pytest.mark.parametrize(
    ("median", "iqr", "reason"),
    [
        (EIGHTH, 0.2 / 128, "overhead IQR is 20% of its median"),  # exactly 20%: unstable
        (EIGHTH, 0.0015, None),  # 19.2%
        (-EIGHTH, 0.0016, "overhead IQR is 20% of its median"),  # the size of the median counts
        (-EIGHTH, 0.001, None),  # 12.8%, though above -20% of the median
        (0.001, 0.0005, "overhead IQR is 50% of its median"),  # at the 0.5 ms floor
        (0.001, 0.000499, None),  # under the floor, however large a share
        (0.0005, 0.0004, None),  # 80% yet under the floor: the timers' resolution
        (0.0, 0.001, "overhead IQR is inf% of its median"),
        (1.0, 0.3, "overhead IQR is 30% of its median"),
    ],
)
def test_overhead_is_unstable_from_an_iqr_of_twenty_percent_above_half_a_millisecond(
    median: float, iqr: float, reason: str | None
) -> None:
    assert instability(CALM, overhead(median, iqr)) == reason


def test_both_reasons_are_joined() -> None:
    assert instability(wall(1.0, 0.5), overhead(0.01, 0.01)) == (
        "wall stdev is 50% of the mean; overhead IQR is 100% of its median"
    )
    assert instability(CALM, STEADY) is None


def test_a_row_is_server_bound_above_half_the_round_on_the_server_cpu() -> None:
    assert not server_bound(0.5)
    assert server_bound(0.51)
    assert not server_bound(0.0)


# Two samples read as piecewise-linear distributions: A uniform on [0, 10] (cdf x / 10), B
# uniform on [2, 4] (cdf (x - 2) / 2). With equal weights the pooled cdf is their mean:
# F(2) = 0.1, F(4) = 0.7; below 2 F = x / 20, between 2 and 4 F = 0.3x - 0.5, above 4
# F = 0.5 + x / 20. With A three times B: between 2 and 4 F = (0.3x + (x - 2) / 2) / 4.
A = (0.0, 10.0)
B = (2.0, 4.0)


@pytest.mark.parametrize(
    ("weights", "fraction", "expected"),
    [
        ((1.0, 1.0), 0.0, 0.0),
        ((1.0, 1.0), 0.05, 1.0),
        ((1.0, 1.0), 0.1, 2.0),
        ((1.0, 1.0), 0.4, 3.0),
        ((1.0, 1.0), 0.7, 4.0),
        ((1.0, 1.0), 0.85, 7.0),
        ((1.0, 1.0), 1.0, 10.0),
        ((3.0, 1.0), 0.5, 3.75),  # 0.3x + 0.5x - 1 = 2
    ],
)
def test_merged_quantile_of_a_known_mixture_is_its_exact_quantile(
    weights: tuple[float, float], fraction: float, expected: float
) -> None:
    parts = [(A, weights[0]), (B, weights[1])]
    assert merged_quantile(parts, fraction) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert merged_quantile(list(reversed(parts)), fraction) == pytest.approx(expected, rel=1e-12)


def test_merged_quantile_of_one_sample_reads_its_points() -> None:
    points = (0.0, 1.0, 3.0, 6.0)  # q = 0, 1/3, 2/3, 1
    assert merged_quantile([(points, 5.0)], 0.5) == pytest.approx(2.0)
    assert merged_quantile([(points, 5.0)], 5 / 6) == pytest.approx(4.5)


def test_merged_quantile_takes_the_lowest_value_reaching_the_fraction() -> None:
    # Half the weight on [0, 1], half on [3, 4]: F stays 0.5 from 1 to 3, so the 0.5 quantile
    # is 1 (the first value reaching it), not the gap's middle.
    assert merged_quantile([((0.0, 1.0), 1.0), ((3.0, 4.0), 1.0)], 0.5) == 1.0
    assert merged_quantile([((0.0, 1.0), 1.0), ((3.0, 4.0), 1.0)], 0.75) == pytest.approx(3.5)


def test_merged_quantile_with_repeated_points_lands_on_the_jump() -> None:
    # (1, 1, 2): half the sample is 1, the rest spread over [1, 2].
    assert merged_quantile([((1.0, 1.0, 2.0), 1.0)], 0.25) == 1.0
    assert merged_quantile([((1.0, 1.0, 2.0), 1.0)], 0.75) == pytest.approx(1.5)


def test_merged_quantile_drops_empty_and_weightless_samples() -> None:
    kept = ((0.0, 10.0), 1.0)
    assert merged_quantile([((), 0.0), kept], 0.5) == pytest.approx(5.0)
    assert merged_quantile([((-5.0, -4.0), 0.0), kept], 0.0) == 0.0
    assert merged_quantile([((-5.0, -4.0), -1.0), kept], 0.0) == 0.0
    with pytest.raises(ValueError, match=r"^merged quantile of no samples$"):
        merged_quantile([((), 3.0), ((1.0, 2.0), 0.0)], 0.5)


@pytest.mark.parametrize("fraction", [-0.01, 1.01, 1.5, math.nan])
def test_merged_quantile_rejects_fractions_outside_zero_to_one(fraction: float) -> None:
    with pytest.raises(ValueError, match=r"^fraction must be from 0 to 1, got"):
        merged_quantile([((0.0, 1.0), 1.0)], fraction)
