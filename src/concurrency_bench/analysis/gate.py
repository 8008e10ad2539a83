"""The regression gate's logic: pair two results files, test each pair's rounds, give verdicts.

The test is a one-sided Mann-Whitney U (Wilcoxon rank-sum) test on the per-round values.
Why: it is rank-based, so it assumes no normality (round times are skewed: a slow round
from a GC pause or a busy neighbour is common, a fast outlier is not) and one wild round
moves it by one rank only. For the engine's 5-round samples it is exact: the null
distribution is enumerated by a small subset-sum DP over the (mid-)ranks, so no
large-sample approximation is trusted where it is wrong. Its smallest one-sided p for 5 vs
5 rounds is 1/C(10, 5) = 1/252 ~ 0.004, so it can reach the default alpha 0.05 (U <= 4 of
25, 12 of the 252 rank orders, gives p = 12/252 ~ 0.048); 3 vs 3 rounds can only just
(1/20 = 0.05), and fewer rounds can never be significant (noise, or unchanged if tiny).
A bootstrap interval needs far more than 5 values to mean anything; Welch's t test needs
normality that 5 skewed rounds do not have.

What it cannot see: all rounds of a file come from one run. The engine gives each round a
fresh worker process by default (rounds_per_process = 1), so the process-to-process spread
(several percent) is in the rounds; with rounds_per_process > 1 the rounds of one process
are pseudo-replicates and the test is too confident. A shift of the whole run (a busy
machine, another CPU, frequency scaling) is still, to it, a real change; the threshold is
what absorbs such shifts, so set it above the run-to-run drift of the machine the gate runs on.

Each pair gets two one-sided tests, each at `alpha`: "new is larger" (slower) and "new is
smaller" (faster). The gate fails only on the first, so its false-alarm rate on an unchanged
model is at most alpha (a one-sided test), not 2 alpha.

Verdicts, for a (scenario, model) with status ok on both sides (rules in this order):
  1. unchanged  if |new median - base median| is under NOISE_FLOOR_S per round (0.5 ms,
                the loops' millisecond timers: no attributable change can be that small);
  2. slower     if "new is larger" is significant (p <= alpha) and change > +threshold;
  3. faster     if "new is smaller" is significant and change < -threshold;
  4. unchanged  if either test is significant (a real change, but within the threshold);
  5. unchanged  if |change| <= threshold / 10 (not significant, and too small to matter);
  6. noise      otherwise (a change beyond a tenth of the threshold the rounds cannot confirm).
change % = (new median - base median) / |base median| x 100. Overhead can be zero or
negative (wall below ideal when timers fire early), so the denominator is |base median|, which
keeps "+" meaning slower; a base median of exactly 0 makes any change from it infinite
(+-inf %): a significant move away from zero then exceeds every threshold, an insignificant one
is noise, and no change at all is 0 %.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from concurrency_bench.analysis.statistics import OVERHEAD_NOISE_FLOOR_S, Summary
from concurrency_bench.results import ModelResult, ResultsError, ResultsFile, RunSettings
from concurrency_bench.workload import Scenario

MetricName = Literal["overhead", "wall"]
Alternative = Literal["greater", "less"]
Verdict = Literal[
    "slower", "faster", "unchanged", "noise", "broke", "not compared", "only in base", "only in new"
]
VERDICTS: tuple[Verdict, ...] = (
    "slower",
    "faster",
    "unchanged",
    "noise",
    "broke",
    "not compared",
    "only in base",
    "only in new",
)
FAILING: frozenset[str] = frozenset({"slower", "broke"})
"""Verdicts that make the gate fail (exit 1)."""
BROKEN_STATUSES = frozenset({"failed", "wrong"})
"""A model ok in base and in one of these in new is a regression, whatever its figures."""

DEFAULT_THRESHOLD_PCT = 10.0
DEFAULT_ALPHA = 0.05
NOISE_FLOOR_S = OVERHEAD_NOISE_FLOOR_S
"""Per-round differences below this (0.5 ms) are timer resolution, never a verdict."""
TINY_FRACTION = 0.1
"""An insignificant change within this fraction of the threshold is called unchanged."""
EXACT_MAX_ROUNDS = 50
"""Exact null distribution up to this many pooled rounds; the normal approximation above."""
IGNORED_ENVIRONMENT_KEYS = ("git", "packages.concurrency-bench", "load_average")
"""Keys (and their sub-keys) that differ by design: the code being compared, not its setting,
and the load average, which is recorded to explain a noisy file and differs on every run."""
COMPARED_SETTINGS = ("gc", "warmup", "rounds", "rounds_per_process")


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
    ties); above EXACT_MAX_ROUNDS pooled values, the normal approximation with tie correction
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
    if n + m <= EXACT_MAX_ROUNDS:
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


# -- metrics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """What is compared: per-round values of one model in seconds, and how to show them."""

    name: MetricName
    title: str
    unit: str
    scale: float
    """Factor from the values' seconds to `unit`."""
    per_job: bool

    def values(self, model: ModelResult) -> list[float]:
        """The per-round values, in seconds (per job for overhead)."""
        if self.per_job:
            return [r.overhead_s / model.jobs for r in model.rounds]
        return [r.wall_s for r in model.rounds]

    def floor(self, jobs: int) -> float:
        """NOISE_FLOOR_S in this metric's seconds."""
        return NOISE_FLOOR_S / jobs if self.per_job else NOISE_FLOOR_S


METRICS: dict[str, Metric] = {
    "overhead": Metric("overhead", "overhead per job", "µs/job", 1e6, per_job=True),
    "wall": Metric("wall", "wall time", "ms", 1e3, per_job=False),
}


# -- verdicts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One (scenario, model): medians in the metric's seconds, change, p-values and verdict."""

    scenario: str
    model: str
    verdict: Verdict
    base: float | None = None
    new: float | None = None
    change_pct: float | None = None
    p_slower: float | None = None
    p_faster: float | None = None
    detail: str | None = None
    """Why a row was not compared, e.g. "new: failed (timed out after 30 s)"."""

    @property
    def failing(self) -> bool:
        """True when this row alone makes the gate fail."""
        return self.verdict in FAILING


def change_pct(base: float, new: float) -> float:
    """(new - base) / |base| in percent; from a base of exactly 0, +-inf (or 0 if new is 0)."""
    if base == 0:
        return 0.0 if new == 0 else math.copysign(math.inf, new)
    return (new - base) / abs(base) * 100


def judge(
    base: Sequence[float],
    new: Sequence[float],
    *,
    threshold_pct: float = DEFAULT_THRESHOLD_PCT,
    alpha: float = DEFAULT_ALPHA,
    floor: float = 0.0,
) -> tuple[Verdict, float, float, float]:
    """The verdict for two samples of per-round values: (verdict, change %, p_slower, p_faster).

    Follows the rules in the module docstring; `floor` is rule 1's difference in these units.
    """
    base_median, new_median = Summary.of(base).median, Summary.of(new).median
    change = change_pct(base_median, new_median)
    p_slower = mann_whitney_u(new, base, "greater").p
    p_faster = mann_whitney_u(new, base, "less").p
    verdict: Verdict
    if abs(new_median - base_median) < floor:
        verdict = "unchanged"
    elif p_slower <= alpha and change > threshold_pct:
        verdict = "slower"
    elif p_faster <= alpha and change < -threshold_pct:
        verdict = "faster"
    elif min(p_slower, p_faster) <= alpha or abs(change) <= threshold_pct * TINY_FRACTION:
        verdict = "unchanged"
    else:
        verdict = "noise"
    return verdict, change, p_slower, p_faster


def _status_text(side: str, model: ModelResult) -> str:
    reason = (model.reason or "").strip().splitlines()
    return f"{side}: {model.status}" + (f" ({reason[0]})" if reason else "")


def compare_models(
    scenario: str,
    base: ModelResult,
    new: ModelResult,
    metric: Metric,
    *,
    threshold_pct: float = DEFAULT_THRESHOLD_PCT,
    alpha: float = DEFAULT_ALPHA,
) -> Row:
    """One row for a model present in both files."""
    base_ok, new_ok = base.ranked, new.ranked
    base_median = Summary.of(metric.values(base)).median if base_ok else None
    new_median = Summary.of(metric.values(new)).median if new_ok else None
    if not (base_ok and new_ok):
        notes = [
            _status_text(side, m) for side, m in (("base", base), ("new", new)) if not m.ranked
        ]
        broke = base_ok and new.status in BROKEN_STATUSES
        return Row(
            scenario,
            base.model,
            "broke" if broke else "not compared",
            base=base_median,
            new=new_median,
            detail="; ".join(notes),
        )
    verdict, change, p_slower, p_faster = judge(
        metric.values(base),
        metric.values(new),
        threshold_pct=threshold_pct,
        alpha=alpha,
        floor=metric.floor(base.jobs),
    )
    return Row(scenario, base.model, verdict, base_median, new_median, change, p_slower, p_faster)


# -- pairing and environments -------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The gate's whole answer: one row per (scenario, model) and the warnings to show."""

    metric: Metric
    threshold_pct: float
    alpha: float
    rows: tuple[Row, ...]
    warnings: tuple[str, ...]

    @property
    def regressions(self) -> tuple[Row, ...]:
        """Rows significantly slower beyond the threshold, or ok in base and failed/wrong now."""
        return tuple(row for row in self.rows if row.failing)

    def counts(self) -> dict[Verdict, int]:
        """How many rows got each verdict, every verdict present (zeros included)."""
        tally = Counter(row.verdict for row in self.rows)
        return {verdict: tally[verdict] for verdict in VERDICTS}


Key = tuple[str, str]


def _index(results: ResultsFile, source: str) -> dict[Key, tuple[Scenario, ModelResult]]:
    """(scenario name, runner) -> its result, in file order; a pair given twice is ambiguous."""
    index: dict[Key, tuple[Scenario, ModelResult]] = {}
    for scenario, model in results.models():
        key = (scenario.name, model.model)
        if key in index:
            raise ResultsError(
                f"{source}: model {model.model!r} appears twice in scenario {scenario.name!r}, "
                "so it cannot be paired"
            )
        index[key] = (scenario, model)
    return index


def compare(
    base: ResultsFile,
    new: ResultsFile,
    *,
    metric: MetricName = "overhead",
    threshold_pct: float = DEFAULT_THRESHOLD_PCT,
    alpha: float = DEFAULT_ALPHA,
    base_source: str = "base",
    new_source: str = "new",
) -> Comparison:
    """Pair the files by (scenario name, model) and judge each pair.

    Raises ResultsError (one line) when the files share no (scenario, model) pair.
    """
    chosen = METRICS[metric]
    base_index, new_index = _index(base, base_source), _index(new, new_source)
    common = [key for key in base_index if key in new_index]
    if not common:
        raise ResultsError(
            f"{base_source} and {new_source} have no (scenario, model) pair in common, "
            "so there is nothing to compare"
        )
    rows: list[Row] = []
    warnings: list[str] = []
    for key in _ordered_keys(base_index, new_index):
        name, runner = key
        if key not in new_index:
            rows.append(Row(name, runner, "only in base"))
        elif key not in base_index:
            rows.append(Row(name, runner, "only in new"))
        else:
            rows.append(
                compare_models(
                    name,
                    base_index[key][1],
                    new_index[key][1],
                    chosen,
                    threshold_pct=threshold_pct,
                    alpha=alpha,
                )
            )
    warnings += scenario_differences([(base_index[k][0], new_index[k][0]) for k in common])
    warnings += [
        f"environment differs: {d}"
        for d in environment_differences(base.environment, new.environment)
    ]
    # The environment records the GC setting too (environment.collect); say it only once.
    gc_recorded = "gc" in base.environment and "gc" in new.environment
    warnings += [
        f"run settings differ: {d}"
        for d in settings_differences(
            base.settings, new.settings, skip=("gc",) if gc_recorded else ()
        )
    ]
    for source, results in ((base_source, base), (new_source, new)):
        if results.partial:
            warnings.append(f"{source} is from an interrupted run: not every model was measured")
    return Comparison(chosen, threshold_pct, alpha, tuple(rows), tuple(warnings))


def _ordered_keys(base: Mapping[Key, object], new: Mapping[Key, object]) -> list[Key]:
    """Every key, scenarios in base order (new-only ones last), models base-first within each."""
    scenarios = list(dict.fromkeys([name for name, _ in base] + [name for name, _ in new]))
    keys = list(dict.fromkeys([*base, *new]))
    return sorted(keys, key=lambda key: scenarios.index(key[0]))  # stable within a scenario


def scenario_differences(pairs: Iterable[tuple[Scenario, Scenario]]) -> list[str]:
    """One warning per scenario name whose definition differs between the files."""
    warnings: dict[str, str] = {}
    for base, new in pairs:
        if base.name in warnings or base == new:
            continue
        fields = [
            key
            for key, value in base.to_dict().items()
            if new.to_dict().get(key) != value and key != "name"
        ]
        warnings[base.name] = f"scenario {base.name!r} is defined differently ({', '.join(fields)})"
    return list(warnings.values())


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def environment_differences(base: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Lines "key: base value -> new value" for each top-level key both environments record.

    Nested mappings (package versions) are compared key by key, a key missing on one side
    shown as "absent"; keys one file lacks altogether, and IGNORED_ENVIRONMENT_KEYS, are not.
    """
    differences = []
    for key in base:
        if key not in new or _ignored(key):
            continue
        old_value, new_value = base[key], new[key]
        if isinstance(old_value, Mapping) and isinstance(new_value, Mapping):
            old_flat, new_flat = _flatten(old_value, f"{key}."), _flatten(new_value, f"{key}.")
            for sub in dict.fromkeys([*old_flat, *new_flat]):
                before, after = old_flat.get(sub, _ABSENT), new_flat.get(sub, _ABSENT)
                if before != after and not _ignored(sub):
                    differences.append(f"{sub}: {_show(before)} -> {_show(after)}")
        elif old_value != new_value:
            differences.append(f"{key}: {_show(old_value)} -> {_show(new_value)}")
    return differences


def _ignored(key: str) -> bool:
    return any(key == k or key.startswith((f"{k}_", f"{k}.")) for k in IGNORED_ENVIRONMENT_KEYS)


def settings_differences(
    base: RunSettings, new: RunSettings, *, skip: Iterable[str] = ()
) -> list[str]:
    """The engine settings that change the figures (GC, warm-ups) or what the test can trust
    (rounds, and how many of them share a process)."""
    return [
        f"{name}: {_show(getattr(base, name))} -> {_show(getattr(new, name))}"
        for name in COMPARED_SETTINGS
        if name not in skip and getattr(base, name) != getattr(new, name)
    ]


_ABSENT = object()


def _show(value: object) -> str:
    return "absent" if value is _ABSENT else str(value)
