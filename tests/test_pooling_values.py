"""engine/pooling.py with values worked by hand: which workers' lateness takes part, p50 and
p99 of the pool, the exact max, and the median worker's own memory pair."""

from __future__ import annotations

from concurrency_bench.engine.pooling import median_memory, merge_lateness
from concurrency_bench.engine.protocol import LatenessPoints
from concurrency_bench.results import Lateness


def figures(merged: Lateness | None) -> tuple[float, float, float]:
    """p50, p99 and max, p50 and p99 rounded off the merge's last-bit float error."""
    assert merged is not None
    return round(merged.p50_s, 12), round(merged.p99_s, 12), merged.max_s


def uniform(low: float, high: float, count: int, max_s: float) -> LatenessPoints:
    """A worker whose 1001 quantile points run evenly from low to high (i / 1000 steps)."""
    points = tuple(low + (high - low) * i / 1000 for i in range(1001))
    return LatenessPoints(points, count, max_s)


def test_one_worker_gives_its_own_p50_p99_and_max() -> None:
    # Points 0, 0.001, ..., 1: p50 is point 500 (0.5), p99 point 990 (0.99).
    assert figures(merge_lateness([uniform(0.0, 1.0, 10, 1.0)])) == (0.5, 0.99, 1.0)


def test_the_max_is_the_largest_workers_max_not_its_last_point() -> None:
    # Points stop at 1.0 but the exact max values seen were 3.0 and 2.0.
    merged = merge_lateness([uniform(0.0, 1.0, 5, 3.0), uniform(0.0, 1.0, 5, 2.0)])
    assert figures(merged) == (0.5, 0.99, 3.0)


def test_a_worker_that_counted_nothing_is_left_out_even_with_points_and_a_max() -> None:
    empty_with_points = uniform(0.0, 100.0, 0, 100.0)
    assert merge_lateness([empty_with_points]) is None
    kept = uniform(0.0, 1.0, 4, 1.0)
    assert figures(merge_lateness([empty_with_points, kept])) == (0.5, 0.99, 1.0)


def test_a_worker_with_a_count_but_no_points_is_left_out() -> None:
    pointless = LatenessPoints((), 7, 50.0)
    assert merge_lateness([pointless]) is None
    kept = uniform(0.0, 1.0, 4, 1.0)
    assert figures(merge_lateness([kept, pointless])) == (0.5, 0.99, 1.0)


def test_workers_of_equal_weight_side_by_side_pool_evenly() -> None:
    # Worked by hand: two equal workers on [0, 1] and [1, 2]; the pool's median is the edge
    # 1.0 and its p99 is the second worker's quantile at (0.99 - 0.5) / 0.5 = 0.98: 1.98.
    merged = merge_lateness([uniform(0.0, 1.0, 100, 1.0), uniform(1.0, 2.0, 100, 2.0)])
    assert merged is not None
    assert merged.p50_s == 1.0
    assert abs(merged.p99_s - 1.98) < 1e-12
    assert merged.max_s == 2.0


def test_the_median_worker_by_growth_not_by_either_figure() -> None:
    # Growths 50, 10, 30: the median growth is 30, the third worker's pair, though its
    # before and peak are the largest of all (the median peak would be 310).
    assert median_memory([(200, 250), (300, 310), (400, 430)]) == (400, 430)


def test_an_even_count_takes_the_lower_middle_growth() -> None:
    # Growths 40, 10, 30, 20: the middle two are 20 and 30, the lower is 20 (the fourth worker).
    assert median_memory([(0, 40), (5, 15), (1, 31), (100, 120)]) == (100, 120)
    # Two workers: the smaller growth.
    assert median_memory([(10, 30), (10, 20)]) == (10, 20)


def test_equal_growths_give_the_first_such_worker() -> None:
    assert median_memory([(1, 11), (2, 12), (3, 13)]) == (1, 11)


def test_workers_missing_either_figure_are_left_out() -> None:
    # Without the left-out ones, growths 5 and 7: the lower, 5.
    workers = [(None, 900), (0, 5), (800, None), (10, 17)]
    assert median_memory(workers) == (0, 5)
    assert median_memory([(None, None), (None, 3), (4, None)]) == (None, None)
    assert median_memory([(0, 0)]) == (0, 0)
