"""Tracked metrics over stored runs, per row and machine, with the gate's verdict of each
run against the one before: the local twin of github-action-benchmark's chart.

Pure: given results files (already loaded), no I/O. Runs are ordered by their start time;
a point's value is the gate's (the median of the per-process values, per job for overhead),
and a point is flagged when the gate, comparing it with the previous run that has the same
row (`RowKey`: the scenario's full definition, model, interpreter) on the same machine, would
fail (slower beyond the threshold, or broke). A scenario defined differently, or measured on
another machine, starts a new series (`breaks` says where), as `compare` warns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concurrency_bench.analysis.differences import scenario_differences
from concurrency_bench.analysis.gate import (
    DEFAULT_ALPHA,
    DEFAULT_THRESHOLD_PCT,
    METRICS,
    Verdict,
    compare_models,
)
from concurrency_bench.results import (
    ModelResult,
    ResultsFile,
    RowKey,
    ScenarioKey,
    keyed_models,
    machine_of,
)
from concurrency_bench.summaries import Summary
from concurrency_bench.workload import Scenario

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
    """A row's value in one run, in the metric's display unit, and the gate's
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


Series = tuple[ScenarioKey, str]
"""A scenario's full definition and the machine: the tracks that are drawn and judged together."""


@dataclass(frozen=True)
class Track:
    """One metric of one row (scenario definition, model, interpreter, ...) on one machine."""

    row: RowKey
    machine: str
    metric: str
    unit: str
    points: tuple[HistoryPoint, ...]

    @property
    def scenario(self) -> str:
        """The scenario's name."""
        return self.row.scenario.name

    @property
    def model(self) -> str:
        """The row's label (model, and interpreter when it has one)."""
        return self.row.label

    @property
    def series(self) -> Series:
        """The scenario definition and machine this track belongs to."""
        return (self.row.scenario, self.machine)


@dataclass(frozen=True)
class Panel:
    """One series of a history: a title that tells it from others of the same scenario name."""

    series: Series
    title: str


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
    """Every tracked metric of every row seen, keyed by the row's full definition and the
    machine (a changed definition is a new track, never a point of the old one), in first-seen
    order; each point judged by the gate against the track's point before."""
    found: dict[tuple[RowKey, str], dict[int, ModelResult]] = {}
    for index, run in enumerate(runs):
        machine = machine_of(run.results.environment)
        for _, key, result in keyed_models(run.results):
            found.setdefault((key, machine), {})[index] = result
    out = []
    for (key, machine), by_run in found.items():
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
                        key.scenario.name, previous, current, metric,
                        threshold_pct=threshold_pct, alpha=alpha,
                    )  # fmt: skip
                    verdict, change = pair.verdict, pair.change_pct
                points.append(HistoryPoint(index, value, current.status, verdict, change))
                previous = current
            if name == "gc" and all(point.value is None for point in points):
                continue  # no run of this row recorded its collections
            out.append(Track(key, machine, name, metric.unit, tuple(points)))
    return out


def panels(found: Sequence[Track]) -> list[Panel]:
    """The tracks' series in first-seen order, each titled by its scenario's name, with what
    differs from the other series of that name when there are several."""
    series = list(dict.fromkeys(track.series for track in found))
    by_name: dict[str, list[Series]] = {}
    for one in series:
        by_name.setdefault(one[0].name, []).append(one)
    return [Panel(one, _title(one, by_name[one[0].name])) for one in series]


def _title(one: Series, namesakes: Sequence[Series]) -> str:
    """`seed`, or `seed (unit_s=0.01)`, `seed (definition 2)`, `seed (on AMD EPYC, 2 cores)`."""
    if len(namesakes) == 1:
        return one[0].name
    scenario, machine = one
    parts = []
    if len({s.definition for s, _ in namesakes}) > 1:
        fields = dict(scenario.fields)
        differ = [
            name for name in fields
            if len({dict(s.fields).get(name) for s, _ in namesakes}) > 1
        ]  # fmt: skip
        if len({s.jobs for s, _ in namesakes}) > 1:
            parts.append(f"{scenario.jobs:,} jobs")
        parts += [f"{name}={fields[name]}" for name in differ]
        if not parts:
            definitions = list(dict.fromkeys(s.definition for s, _ in namesakes))
            parts.append(f"definition {definitions.index(scenario.definition) + 1}")
    if len({m for _, m in namesakes}) > 1:
        parts.append(f"on {machine}")
    return f"{scenario.name} ({', '.join(parts)})"


def breaks(runs: Sequence[Run]) -> list[str]:
    """Where series stop and new ones start: one line when a run was measured on another
    machine than the run before, and one when it defines a scenario name differently from
    the last run that had it."""
    out = []
    last: dict[str, Scenario] = {}
    machine_before: str | None = None
    for run in runs:
        machine = machine_of(run.results.environment)
        if machine_before is not None and machine != machine_before:
            out.append(f"{run.label}: measured on another machine ({machine_before} -> "
                       f"{machine}): its series start anew")  # fmt: skip
        machine_before = machine
        for block in run.results.scenarios:
            before = last.get(block.scenario.name)
            last[block.scenario.name] = block.scenario
            for why in scenario_differences([(before, block.scenario)] if before else []):
                out.append(f"{run.label}: {why}: a new series starts")
    return out
