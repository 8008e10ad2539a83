"""engine/pooling.py and summaries.merged_quantile: a model's workers merged into one row's
figures."""

from __future__ import annotations

import random

import pytest

from concurrency_bench.engine.pooling import median_memory, merge_lateness
from concurrency_bench.engine.protocol import LatenessPoints
from concurrency_bench.results import Lateness
from concurrency_bench.summaries import (
    QUANTILE_INTERVALS,
    merged_quantile,
    quantile,
    quantile_points,
)


def part(values: list[float]) -> LatenessPoints:
    """What a worker sends for these lateness values."""
    ordered = sorted(values)
    return LatenessPoints(tuple(quantile_points(ordered)), len(ordered), ordered[-1])


def pooled_bounds(samples: list[list[float]], fraction: float) -> tuple[float, float]:
    """The exact pooled quantiles at fraction -/+ the documented rank error."""
    pooled = sorted(v for sample in samples for v in sample)
    slack = 1 / QUANTILE_INTERVALS + 2 / min(len(s) for s in samples)
    return (
        quantile(pooled, max(0.0, fraction - slack)),
        quantile(pooled, min(1.0, fraction + slack)),
    )


def test_quantile_points_are_the_sample_quantiles_at_each_thousandth() -> None:
    values = sorted(float(i) for i in range(11))  # 0..10
    points = quantile_points(values)
    assert len(points) == QUANTILE_INTERVALS + 1
    assert points[0] == 0.0 and points[-1] == 10.0
    assert points[500] == 5.0 and points[990] == pytest.approx(9.9)


def test_one_worker_keeps_its_own_p50_and_p99() -> None:
    rng = random.Random(7)
    values = [rng.expovariate(1000.0) for _ in range(5000)]
    ordered = sorted(values)
    merged = merge_lateness([part(values)])
    assert merged is not None
    assert merged.p50_s == pytest.approx(quantile(ordered, 0.50), rel=1e-9)
    assert merged.p99_s == pytest.approx(quantile(ordered, 0.99), rel=1e-9)
    assert merged.max_s == ordered[-1]


def test_two_workers_with_known_values_pool_as_one_sample() -> None:
    low = [float(v) for v in range(1, 101)]  # worker 1: 1..100
    high = [float(v) for v in range(101, 301)]  # worker 2: 101..300, twice as many values
    merged = merge_lateness([part(low), part(high)])
    assert merged is not None
    # Worked by hand: worker 1 holds a third of the values, all below 101, so the pooled
    # median is worker 2's quantile at (0.5 - 1/3) / (2/3) = 0.25: 101 + 199 x 0.25.
    assert merged.p50_s == pytest.approx(150.75)
    assert quantile([float(v) for v in range(1, 301)], 0.5) == 150.5  # the exact pooled p50
    for fraction, figure in ((0.5, merged.p50_s), (0.99, merged.p99_s)):
        lower, upper = pooled_bounds([low, high], fraction)
        assert lower <= figure <= upper
    assert merged.max_s == 300.0  # exact


def test_the_merge_weights_workers_by_how_many_values_they_had() -> None:
    ones = LatenessPoints((1.0,) * 1001, 900, 1.0)
    twos = LatenessPoints((2.0,) * 1001, 100, 2.0)
    assert merge_lateness([ones, twos]) == Lateness(p50_s=1.0, p99_s=2.0, max_s=2.0)
    few_ones = LatenessPoints(ones.points, 100, 1.0)
    many_twos = LatenessPoints(twos.points, 900, 2.0)
    assert merge_lateness([few_ones, many_twos]) == Lateness(p50_s=2.0, p99_s=2.0, max_s=2.0)


@pytest.mark.parametrize("seed", range(6))
def test_merged_quantiles_stay_within_the_documented_error(seed: int) -> None:
    rng = random.Random(seed)
    # Workers of different sizes and shifted shapes (an unweighted merge fails this test).
    samples = [
        [rng.lognormvariate(-8 + 3 * rng.random(), 0.2 + rng.random()) for _ in range(size)]
        for size in rng.sample([1000, 1001, 3001, 10_000, 20_000], k=rng.randint(2, 4))
    ]
    parts = [(tuple(quantile_points(sorted(s))), float(len(s))) for s in samples]
    for fraction in (0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0):
        lower, upper = pooled_bounds(samples, fraction)
        assert lower <= merged_quantile(parts, fraction) <= upper, fraction


def test_interleaved_workers_merge_to_the_pooled_quantiles() -> None:
    evens = [float(v) for v in range(0, 2000, 2)]
    odds = [float(v) for v in range(1, 2000, 2)]
    merged = merge_lateness([part(evens), part(odds)])
    assert merged is not None
    assert merged.p50_s == pytest.approx(999.5, abs=1.0)
    assert merged.p99_s == pytest.approx(quantile([float(v) for v in range(2000)], 0.99), abs=2.5)


def test_no_lateness_or_empty_workers_give_none_and_bad_fractions_raise() -> None:
    assert merge_lateness([]) is None
    assert merge_lateness([LatenessPoints((), 0, 0.0)]) is None
    single = part([0.004])
    assert merge_lateness([single, LatenessPoints((), 0, 0.0)]) == Lateness(
        p50_s=0.004, p99_s=0.004, max_s=0.004
    )
    with pytest.raises(ValueError, match="fraction"):
        merged_quantile([(single.points, 1.0)], 1.5)
    with pytest.raises(ValueError, match="no samples"):
        merged_quantile([], 0.5)


def test_memory_is_the_median_workers_own_pair() -> None:
    # Growths 300, 100, 200: the median is 200, worker 3's.
    assert median_memory([(100, 400), (100, 200), (150, 350)]) == (150, 350)
    # Growths 10, 40, 20, 30: the lower middle, 20.
    assert median_memory([(0, 10), (0, 40), (0, 20), (0, 30)]) == (0, 20)
    assert median_memory([(None, 5), (7, None), (0, 7)]) == (0, 7)
    assert median_memory([(None, None)]) == (None, None)
    assert median_memory([]) == (None, None)
