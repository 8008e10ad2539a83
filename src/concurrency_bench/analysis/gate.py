"""The regression gate's judgement: pair two results files, test each pair, give verdicts.

What is tested: one value per worker process, the median of its measured rounds
(`ModelResult.process_medians`). The process is the unit of repetition: rounds that share a
process share its memory layout, hash seeds and caches, so counting them as independent
samples would make the test over-confident; with one round per process (the engine's
default) the values are exactly the rounds. The test is a one-sided Mann-Whitney U on those
values (analysis.ranktest says why that test, and what 5 against 5 values can reach).

What it cannot see: a shift of the whole run (a busy machine, another CPU, frequency
scaling) is, to it, a real change; the threshold is what absorbs such shifts, so set it above
the run-to-run drift of the machine the gate runs on.

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
  6. noise      otherwise (a change beyond a tenth of the threshold the values cannot confirm).
The medians are those of the per-process values. change % = (new median - base median) /
|base median| x 100. Overhead can be zero or negative (wall below ideal when timers fire
early), so the denominator is |base median|, which keeps "+" meaning slower; a base median of
exactly 0 makes any change from it infinite (+-inf %): a significant move away from zero then
exceeds every threshold, an insignificant one is noise, and no change at all is 0 %.

Every value used here comes from a loaded, validated ResultsFile (finite, non-negative where
it must be, consistent with its scenario; an ok model always has rounds).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from concurrency_bench.analysis.differences import (
    environment_differences,
    scenario_differences,
    settings_differences,
)
from concurrency_bench.analysis.ranktest import mann_whitney_u
from concurrency_bench.results import (
    ModelResult,
    ResultsError,
    ResultsFile,
    keyed_models,
    row_label,
)
from concurrency_bench.summaries import OVERHEAD_NOISE_FLOOR_S, Summary
from concurrency_bench.workload import Scenario

MetricName = Literal["overhead", "wall", "gc"]
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
FAILING_VERDICTS: frozenset[str] = frozenset({"slower", "broke"})
"""Verdicts that make the gate fail (exit 1)."""
BROKEN_STATUSES = frozenset({"failed", "wrong"})
"""A model ok in base and in one of these in new is a regression, whatever its figures."""

DEFAULT_THRESHOLD_PCT = 10.0
DEFAULT_ALPHA = 0.05
NOISE_FLOOR_S = OVERHEAD_NOISE_FLOOR_S
"""Per-round differences below this (0.5 ms) are timer resolution, never a verdict."""
TINY_FRACTION = 0.1
"""An insignificant change within this fraction of the threshold is called unchanged."""


# -- metrics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """What is compared: one value per worker process of a model, in seconds, and its display."""

    name: MetricName
    title: str
    unit: str
    scale: float
    """Factor from the values' seconds to `unit`."""
    per_job: bool

    def values(self, model: ModelResult) -> list[float]:
        """Each worker process's median, in seconds (per job for overhead): the samples tested."""
        medians = model.process_medians(self.name)
        return [m / model.jobs for m in medians] if self.per_job else medians

    def floor(self, jobs: int) -> float:
        """NOISE_FLOOR_S in this metric's seconds."""
        return NOISE_FLOOR_S / jobs if self.per_job else NOISE_FLOOR_S

    def recorded(self, model: ModelResult) -> bool:
        """Whether the model's rounds hold this metric (GC time only in newer files)."""
        return model.has_gc if self.name == "gc" else True


METRICS: dict[str, Metric] = {
    "overhead": Metric("overhead", "overhead per job", "µs/job", 1e6, per_job=True),
    "wall": Metric("wall", "wall time", "ms", 1e3, per_job=False),
    "gc": Metric("gc", "time in the garbage collector", "ms", 1e3, per_job=False),
}


# -- verdicts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedPair:
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
        return self.verdict in FAILING_VERDICTS


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
    """The verdict for two samples (one value per process): (verdict, change %, p_slower, p_faster).

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
) -> ComparedPair:
    """One row for a model present in both files."""
    base_ok = base.ranked and metric.recorded(base)
    new_ok = new.ranked and metric.recorded(new)
    base_median = Summary.of(metric.values(base)).median if base_ok else None
    new_median = Summary.of(metric.values(new)).median if new_ok else None
    if not (base_ok and new_ok):
        notes = [
            _status_text(side, m) if not m.ranked else f"{side}: no {metric.title} recorded"
            for side, m, ok in (("base", base, base_ok), ("new", new, new_ok))
            if not ok
        ]
        broke = base.ranked and new.status in BROKEN_STATUSES
        return ComparedPair(
            scenario,
            base.row_name,
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
    return ComparedPair(
        scenario, base.row_name, verdict, base_median, new_median, change, p_slower, p_faster
    )


# -- pairing and environments -------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The gate's whole answer: one row per (scenario, model) and the warnings to show."""

    metric: Metric
    threshold_pct: float
    alpha: float
    rows: tuple[ComparedPair, ...]
    warnings: tuple[str, ...]

    @property
    def regressions(self) -> tuple[ComparedPair, ...]:
        """Rows significantly slower beyond the threshold, or ok in base and failed/wrong now."""
        return tuple(row for row in self.rows if row.failing)

    def counts(self) -> dict[Verdict, int]:
        """How many rows got each verdict, every verdict present (zeros included)."""
        tally = Counter(row.verdict for row in self.rows)
        return {verdict: tally[verdict] for verdict in VERDICTS}


Key = tuple[str, str, str | None, str | None]
"""A row as `compare` pairs it: `RowKey.by_name` (scenario name, model, interpreter, client)."""


def _index(results: ResultsFile, source: str) -> dict[Key, tuple[Scenario, ModelResult]]:
    """Each row by its key's `by_name`, in file order; a row given twice is ambiguous. Rows
    of different interpreters (or clients) are thus never paired with each other."""
    index: dict[Key, tuple[Scenario, ModelResult]] = {}
    for scenario, key, model in keyed_models(results):
        if key.by_name in index:
            raise ResultsError(
                f"{source}: model {key.label!r} appears twice in scenario {scenario.name!r}, "
                "so it cannot be paired"
            )
        index[key.by_name] = (scenario, model)
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
    """Pair the files' rows (by `RowKey.by_name`: scenario name, model, interpreter, client;
    a scenario defined differently is paired and warned about) and judge each pair.

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
    rows: list[ComparedPair] = []
    warnings: list[str] = []
    for key in _ordered_keys(base_index, new_index):
        name, model = key[0], row_label(*key[1:])
        if key not in new_index:
            rows.append(ComparedPair(name, model, "only in base"))
        elif key not in base_index:
            rows.append(ComparedPair(name, model, "only in new"))
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
    scenarios = list(dict.fromkeys([key[0] for key in base] + [key[0] for key in new]))
    keys = list(dict.fromkeys([*base, *new]))
    return sorted(keys, key=lambda key: scenarios.index(key[0]))  # stable within a scenario
