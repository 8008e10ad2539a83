"""Tracked metrics over stored runs, per (scenario, model), with the gate's verdict of each
run against the one before: the local twin of github-action-benchmark's chart.

Pure: given results files (already loaded), no I/O. Runs are ordered by their start time;
a point's value is the gate's (the median of the per-process values, per job for overhead),
and a point is flagged when the gate, comparing it with the previous run that has the same
(scenario, model), would fail (slower beyond the threshold, or broke).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concurrency_bench.analysis.gate import (
    DEFAULT_ALPHA,
    DEFAULT_THRESHOLD_PCT,
    METRICS,
    Verdict,
    compare_models,
)
from concurrency_bench.results import ModelResult, ResultsFile
from concurrency_bench.summaries import Summary

TRACKED = ("overhead", "wall", "gc")
"""The metrics tracked over runs: the gate's two and ci-benchmark.json's, and the time in the
garbage collector (a track only for models whose runs recorded it)."""


@dataclass(frozen=True)
class Run:
    """One stored run: where it came from, when, and at which commit."""

    source: str
    created_utc: str
    commit: str
    results: ResultsFile

    @property
    def label(self) -> str:
        """`2024-01-02 03:04 0123456` for an axis or a table."""
        return f"{self.created_utc[:16].replace('T', ' ')} {self.commit}"


@dataclass(frozen=True)
class HistoryPoint:
    """A (scenario, model)'s value in one run, in the metric's display unit, and the gate's
    verdict against the previous run that had it (None for the first)."""

    run: int
    """Index into the history's runs."""
    value: float | None
    """None when the model was not ranked in that run (failed, not run, ...)."""
    status: str
    verdict: Verdict | None
    change_pct: float | None

    @property
    def flagged(self) -> bool:
        """True when the gate would fail on this point."""
        return self.verdict in ("slower", "broke")


@dataclass(frozen=True)
class Track:
    """One metric of one (scenario, model) over the runs."""

    scenario: str
    model: str
    metric: str
    unit: str
    points: tuple[HistoryPoint, ...]


def commit_of(results: ResultsFile) -> str:
    """The run's short commit, `+` when the tree was dirty; `?` when not recorded."""
    env = results.environment
    commit = env.get("git_commit")
    short = str(commit)[:7] if commit else "?"
    return short + ("+" if env.get("git_dirty") else "")


def runs_of(sources: Sequence[tuple[str, ResultsFile]]) -> list[Run]:
    """The loaded files as runs, oldest first (ties by source name)."""
    runs = [Run(s, r.created_utc, commit_of(r), r) for s, r in sources]
    return sorted(runs, key=lambda run: (run.created_utc, run.source))


def tracks(
    runs: Sequence[Run],
    *,
    threshold_pct: float = DEFAULT_THRESHOLD_PCT,
    alpha: float = DEFAULT_ALPHA,
) -> list[Track]:
    """Every tracked metric of every (scenario, model) seen, in first-seen order."""
    keys: dict[tuple[str, str], None] = {}
    found: dict[tuple[str, str], dict[int, ModelResult]] = {}
    for index, run in enumerate(runs):
        for block, result in run.results.models():
            key = (block.name, result.row_name)
            keys.setdefault(key, None)
            found.setdefault(key, {})[index] = result
    out = []
    for key in keys:
        scenario, model = key
        by_run = found[key]
        for name in TRACKED:
            metric = METRICS[name]
            points = []
            previous: ModelResult | None = None
            for index in sorted(by_run):
                current = by_run[index]
                value = None
                if current.ranked and metric.recorded(current):
                    value = Summary.of(metric.values(current)).median * metric.scale
                verdict, change = None, None
                if previous is not None:
                    pair = compare_models(
                        scenario, previous, current, metric,
                        threshold_pct=threshold_pct, alpha=alpha,
                    )  # fmt: skip
                    verdict, change = pair.verdict, pair.change_pct
                points.append(HistoryPoint(index, value, current.status, verdict, change))
                previous = current
            if name == "gc" and all(point.value is None for point in points):
                continue  # no run of this model recorded its collections
            out.append(Track(scenario, model, name, metric.unit, tuple(points)))
    return out
