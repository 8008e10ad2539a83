"""The Mann-Whitney U test against scipy and hand-counted permutation distributions.

Golden values come from scipy.stats (exact, asymptotic, and an exact permutation test of the
rank sum for tied samples) or from counting subsets by hand; none from ranktest itself.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
from scipy import stats

from concurrency_bench.analysis.ranktest import EXACT_MAX_VALUES, mann_whitney_u


def test_default_alternative_is_greater() -> None:
    low, high = [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]
    assert mann_whitney_u(high, low).p == pytest.approx(1 / 20)  # 1 / C(6, 3)
    assert mann_whitney_u(low, high).p == 1.0


def test_ties_count_a_half_in_u_and_use_mid_ranks() -> None:
    # x = [2] against y = [1, 2, 3]: beats 1, ties 2: U = 1.5.
    assert mann_whitney_u([2.0], [1.0, 2.0, 3.0]).u == 1.5
    # x = [1, 2], y = [2, 3]: mid-ranks 1, 2.5, 2.5, 4; x's rank sum 3.5, U = 0.5. The six
    # 2-subsets have rank sums 3.5, 3.5, 5, 5, 6.5, 6.5: P(<= 3.5) = 2/6, P(>= 3.5) = 1.
    less = mann_whitney_u([1.0, 2.0], [2.0, 3.0], "less")
    assert (less.u, less.p, less.exact) == (0.5, pytest.approx(1 / 3), True)
    assert mann_whitney_u([1.0, 2.0], [2.0, 3.0], "greater").p == 1.0
    # Three tied in the middle: pooled 1 | 5 5 5 | 9, x = [5, 9]: mid-ranks 1, 3, 3, 3, 5;
    # x's rank sum 8, U = 8 - 3 = 5. Of C(5, 2) = 10 subsets, sums >= 8: {3,5} x3 -> 3/10.
    result = mann_whitney_u([5.0, 9.0], [1.0, 5.0, 5.0], "greater")
    assert (result.u, result.p) == (5.0, pytest.approx(3 / 10))


def test_one_value_on_a_side_is_allowed_and_none_is_not() -> None:
    # x = [1, 2, 3] against y = [2.5]: only 3 > 2.5, U = 1 of 3 pairs; x has ranks 1, 2, 4,
    # and P(rank sum >= 7) counts {1,2,4}, {1,3,4}, {2,3,4}: 3 of C(4, 3) = 4.
    result = mann_whitney_u([1.0, 2.0, 3.0], [2.5], "greater")
    assert (result.u, result.p) == (1.0, pytest.approx(3 / 4))
    assert mann_whitney_u([7.0], [2.5], "greater").p == 1 / 2
    for x, y in (([], [1.0]), ([1.0], []), ([], [])):
        with pytest.raises(ValueError, match=r"^Mann-Whitney U needs at least one value on"):
            mann_whitney_u(x, y)


def test_unknown_alternative_is_named() -> None:
    with pytest.raises(ValueError, match=r"^unknown alternative 'two-sided'$"):
        mann_whitney_u([1.0], [2.0], "two-sided")  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(6))
def test_exact_p_matches_scipy_exact_without_ties(seed: int) -> None:
    rng = random.Random(seed)
    n, m = rng.randint(1, 9), rng.randint(1, 9)
    x = [rng.random() + rng.choice((0.0, 0.4)) for _ in range(n)]
    y = [rng.random() for _ in range(m)]
    for alternative in ("greater", "less"):
        ours = mann_whitney_u(x, y, alternative)
        theirs = stats.mannwhitneyu(x, y, alternative=alternative, method="exact")
        assert ours.exact is True
        assert ours.u == theirs.statistic
        assert ours.p == pytest.approx(theirs.pvalue, rel=1e-12)


def _permutation_p(x: list[float], y: list[float], alternative: str) -> float:
    """scipy's exact permutation test of x's rank sum (every split of the pooled values)."""
    ranks = stats.rankdata([*x, *y])

    def rank_sum(indices_x: list[float], indices_y: list[float], axis: int = 0) -> float:
        return float(sum(ranks[int(i)] for i in indices_x))

    result = stats.permutation_test(
        ([float(i) for i in range(len(x))], [float(len(x) + i) for i in range(len(y))]),
        rank_sum,
        permutation_type="independent",
        alternative=alternative,
        n_resamples=math.inf,
        vectorized=False,
    )
    return float(result.pvalue)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ([1.0, 2.0, 2.0, 3.0, 5.0], [2.0, 3.0, 3.0, 4.0, 4.0]),
        ([0.1, 0.1, 0.2, 0.4], [0.1, 0.3, 0.3, 0.3, 0.5, 0.5]),
        ([7.0, 7.0, 7.0], [7.0, 8.0, 6.0, 7.0]),
    ],
)
def test_exact_p_with_ties_matches_scipys_exact_permutation_test(
    x: list[float], y: list[float]
) -> None:
    for alternative in ("greater", "less"):
        assert mann_whitney_u(x, y, alternative).p == pytest.approx(
            _permutation_p(x, y, alternative), rel=1e-12
        )


def test_exact_up_to_fifty_pooled_values_then_the_normal_approximation() -> None:
    assert EXACT_MAX_VALUES == 50
    rng = random.Random(2)
    x = [rng.random() for _ in range(25)]
    y = [rng.random() + 0.05 for _ in range(25)]
    at_limit = mann_whitney_u(x, y, "less")
    assert at_limit.exact is True
    theirs = stats.mannwhitneyu(x, y, alternative="less", method="exact")
    assert at_limit.p == pytest.approx(theirs.pvalue, rel=1e-9)
    over = mann_whitney_u([*x, 0.5], y, "less")
    assert over.exact is False
    assert over.u == stats.mannwhitneyu([*x, 0.5], y).statistic


@pytest.mark.parametrize(("n", "m", "decimals", "shift"), [(40, 45, 1, 0.1), (51, 3, 2, -0.3)])
def test_large_samples_match_scipy_asymptotic_with_tie_and_continuity_corrections(
    n: int, m: int, decimals: int, shift: float
) -> None:
    rng = random.Random(n * m)
    x = [round(rng.random(), decimals) for _ in range(n)]
    y = [round(rng.random() + shift, decimals) for _ in range(m)]
    for alternative in ("greater", "less"):
        ours = mann_whitney_u(x, y, alternative)
        theirs = stats.mannwhitneyu(
            x, y, alternative=alternative, method="asymptotic", use_continuity=True
        )
        assert ours.exact is False
        assert ours.u == theirs.statistic
        assert ours.p == pytest.approx(theirs.pvalue, rel=1e-9)


def test_large_sample_p_by_hand_without_ties() -> None:
    # 30 vs 30 values, x = 1..30 shifted above y = 0.5..29.5 interleaved: x_i > y_j for
    # j <= i, so U = 30 x 31 / 2 = 465. Mean 450, variance 30 x 30 x 61 / 12 = 4575;
    # z = (465 - 450 - 0.5) / sqrt(4575), p = P(Z >= z).
    x = [float(i) for i in range(1, 31)]
    y = [i - 0.5 for i in range(1, 31)]
    result = mann_whitney_u(x, y, "greater")
    assert result.u == 465
    z = 14.5 / math.sqrt(4575)
    assert result.p == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), rel=1e-12)
    assert mann_whitney_u(x, y, "less").p == pytest.approx(
        0.5 * math.erfc((-15 - 0.5) / math.sqrt(4575) / math.sqrt(2)), rel=1e-12
    )


def test_all_values_tied_gives_p_one_in_both_paths() -> None:
    for size in (3, 30):
        for alternative in ("greater", "less"):
            result = mann_whitney_u([2.0] * size, [2.0] * size, alternative)
            assert (result.u, result.p) == (size * size / 2, 1.0)


def test_exact_p_is_a_fraction_of_the_subsets() -> None:
    # 4 against 4 without ties: C(8, 4) = 70 orders. x beats every y but 4.0: U = 15 of 16.
    # Only U = 16 (one order) and U = 15 (one order) are as extreme: p = 2/70.
    x, y = [10.0, 11.0, 12.0, 3.5], [1.0, 3.0, 4.0, 0.0]
    result = mann_whitney_u(x, y, "greater")
    assert result.u == 15
    assert Fraction(result.p).limit_denominator(1000) == Fraction(2, 70)
