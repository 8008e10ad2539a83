"""The one-sided Mann-Whitney U (Wilcoxon rank-sum) test, exact for small samples.

Why this test: it is rank-based, so it assumes no normality (timings are skewed: a slow value
from a GC pause or a busy neighbour is common, a fast outlier is not) and one wild value moves
it by one rank only. For the engine's 5-value samples it is exact: the null distribution is
enumerated by a small subset-sum DP over the (mid-)ranks, so no large-sample approximation is
trusted where it is wrong. Its smallest one-sided p for 5 vs 5 values is 1/C(10, 5) = 1/252
~ 0.004, so it can reach alpha 0.05 (U <= 4 of 25, 12 of the 252 rank orders, gives p =
12/252 ~ 0.048); 3 vs 3 values can only just (1/20 = 0.05), and fewer can never be
significant. A bootstrap interval needs far more than 5 values to mean anything; Welch's t
test needs normality that 5 skewed values do not have.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Alternative = Literal["greater", "less"]
EXACT_MAX_VALUES = 50
"""Exact null distribution up to this many pooled values; the normal approximation above."""


# -- the test ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RankTest:
    """One one-sided Mann-Whitney U result: U of the first sample, its p, and how p was got."""

    u: float
    p: float
    exact: bool


def mann_whitney_u(
    x: Sequence[float], y: Sequence[float], alternative: Alternative = "greater"
) -> RankTest:
    """One-sided Mann-Whitney U test of x against y ("greater": x tends to be larger).

    U counts the pairs with x > y (ties count a half), as scipy's U1. Ties get mid-ranks and
    the exact distribution is the permutation distribution of those ranks (conditional on the
    ties); above EXACT_MAX_VALUES pooled values, the normal approximation with tie correction
    and continuity correction is used.
    """
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        raise ValueError("Mann-Whitney U needs at least one value on each side")
    if alternative not in ("greater", "less"):
        raise ValueError(f"unknown alternative {alternative!r}")
    doubled = _doubled_mid_ranks([*x, *y])
    rank_sum_x2 = sum(doubled[:n])
    u = rank_sum_x2 / 2 - n * (n + 1) / 2
    if n + m <= EXACT_MAX_VALUES:
        p = _exact_p(doubled, n, rank_sum_x2, alternative)
        return RankTest(u, p, exact=True)
    return RankTest(u, _normal_p(u, n, m, doubled, alternative), exact=False)


def _doubled_mid_ranks(values: Sequence[float]) -> list[int]:
    """Twice each value's (1-based, mid-rank for ties) rank, so that ranks are integers."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = start + end + 2  # 2 x mean of ranks start+1 .. end+1
        start = end + 1
    return ranks


def _exact_p(doubled: Sequence[int], n: int, observed: int, alternative: Alternative) -> float:
    """P(rank sum of a random n-subset >= observed) ("greater") or <= ("less"), by a DP.

    ways[k][s] counts the k-subsets of the ranks seen so far whose doubled rank sum is s.
    """
    ways: list[Counter[int]] = [Counter({0: 1})] + [Counter() for _ in range(n)]
    for rank in doubled:
        for k in range(n, 0, -1):
            for total, count in ways[k - 1].items():
                ways[k][total + rank] += count
    subsets = math.comb(len(doubled), n)
    if alternative == "greater":
        tail = sum(c for s, c in ways[n].items() if s >= observed)
    else:
        tail = sum(c for s, c in ways[n].items() if s <= observed)
    return tail / subsets


def _normal_p(u: float, n: int, m: int, doubled: Sequence[int], alternative: Alternative) -> float:
    """The large-sample p: normal approximation with tie and continuity corrections."""
    total = n + m
    ties = sum(t**3 - t for t in Counter(doubled).values())
    variance = n * m / 12 * ((total + 1) - ties / (total * (total - 1)))
    if variance <= 0:
        return 1.0  # every value tied: no evidence either way
    shift = u - n * m / 2 if alternative == "greater" else n * m / 2 - u
    z = (shift - 0.5) / math.sqrt(variance)
    return min(1.0, 0.5 * math.erfc(z / math.sqrt(2)))
