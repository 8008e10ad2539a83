"""The comparison rows every exporter shows: order, rank, speed-up and notes, computed once.

Only models with status ok are ranked; everything else is kept, listed after them, and never
given a speed-up or a ratio, so a fast model that summed wrong cannot look like a winner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from concurrency_bench.report.formatting import settings_text
from concurrency_bench.results import ModelResult, ResultsFile, ScenarioResults
from concurrency_bench.summaries import gc_heavy, server_bound
from concurrency_bench.workload import Scenario

BASELINE_RUNNER = "sync"
"""Speed-ups are against plain sequential code, the thing people start from."""

UNRANKED_ORDER = ("ok", "wrong", "failed", "interrupted", "not-run", "unavailable")
"""Where unranked rows go, by status: ok rows without rounds first, then wrong ones..."""

Baseline = Literal["sync", "sum-of-delays"]


@dataclass(frozen=True)
class TableRow:
    """One model's line in a table: its result plus the figures that compare it with others."""

    result: ModelResult
    rank: int | None
    """1 for the lowest median wall among ranked rows; None for unranked rows."""
    speedup: float | None
    """Baseline wall / this model's median wall; None when unranked."""
    ratio: float | None
    """This model's median wall / the fastest ranked median wall; None when unranked."""
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One scenario's rows, ranked first, and the wall time the speed-ups divide."""

    scenario: Scenario
    rows: tuple[TableRow, ...]
    baseline: Baseline
    baseline_wall_s: float
    baseline_note: str | None
    """Why the sum of delays stands in for sync (e.g. "sync not run"); None when sync ran."""

    @property
    def marked(self) -> bool:
        """True when some speed-up is against the sum of delays and needs its footnote."""
        return self.baseline == "sum-of-delays" and any(r.speedup is not None for r in self.rows)


def build_tables(results: ResultsFile) -> list[Table]:
    """One table per scenario, in the file's order."""
    return [build_table(block) for block in results.scenarios]


def build_table(block: ScenarioResults) -> Table:
    """Sort, rank and compare one scenario's models.

    Ranked by median wall: models with the same ideal (every concurrent one) thus stand in
    overhead order, while a sequential model, whose overhead is measured against the sum of
    delays, cannot outrank a concurrent one that finishes sooner.
    """
    ranked = sorted(
        (m for m in block.models if m.ranked),
        key=lambda m: (m.wall.median, m.overhead.median, m.model),
    )
    unranked = sorted(
        (m for m in block.models if not m.ranked),
        key=lambda m: UNRANKED_ORDER.index(m.status),  # stable: run order within a status
    )
    baseline, baseline_wall, baseline_note = _baseline(block)
    fastest = min((m.wall.median for m in ranked), default=math.nan)
    rows = [
        TableRow(
            result=m,
            rank=rank,
            speedup=_divide(baseline_wall, m.wall.median),
            ratio=_divide(m.wall.median, fastest),
            notes=notes(m),
        )
        for rank, m in enumerate(ranked, start=1)
    ]
    rows += [TableRow(m, None, None, None, notes(m)) for m in unranked]
    return Table(block.scenario, tuple(rows), baseline, baseline_wall, baseline_note)


def _baseline(block: ScenarioResults) -> tuple[Baseline, float, str | None]:
    """Sync's measured median wall, or the sum of delays (sync's ideal) with the reason why."""
    sync = next((m for m in block.models if m.model == BASELINE_RUNNER), None)
    if sync is not None and sync.ranked:
        return "sync", sync.wall.median, None
    if sync is None or sync.status == "not-run":
        why = "sync not run"
    elif sync.status == "ok":
        why = "sync has no rounds"
    else:
        why = f"sync {sync.status}"
    return "sum-of-delays", block.scenario.ideal_wall_s(concurrent=False), why


def _divide(numerator: float, denominator: float) -> float | None:
    if not (math.isfinite(numerator) and math.isfinite(denominator)) or denominator <= 0:
        return None
    return numerator / denominator


def gc_note(model: ModelResult) -> str | None:
    """ "GC 54% of the wall ..." when the collector took more than a third of the rounds."""
    share = model.gc_share
    if share is None or not gc_heavy(share):
        return None
    return f"GC {share:.0%} of the wall: try --gc off or gc.freeze()"


def notes(model: ModelResult) -> tuple[str, ...]:
    """Why a row is unranked or doubtful, then how the model ran (pool size, backend)."""
    found: list[str] = []
    reason = f": {model.reason}" if model.reason else ""
    status_note = {
        "wrong": f"wrong sums{reason}",
        "failed": f"failed{reason}",
        "not-run": f"not run{reason}",
        "unavailable": f"unavailable{reason}",
        "interrupted": f"interrupted{reason}",
    }.get(model.status)
    if status_note:
        found.append(status_note)
    elif not model.rounds:
        found.append(f"no rounds{reason}")
    if model.unstable:
        found.append(f"unstable: {model.unstable}")
    busy = model.server_busy
    if busy is not None:
        bound = "server-bound: " if server_bound(busy) else ""
        found.append(f"{bound}server busy {busy:.0%} of the round")
    note = gc_note(model)
    if note is not None:
        found.append(note)
    if model.settings:
        found.append(settings_text(model.settings))
    return tuple(found)
