"""The comparison rows every exporter shows: order, rank, speed-up and notes, computed once.

Only models with status ok are ranked; everything else is kept, listed after them, and never
given a speed-up or a ratio, so a fast model that summed wrong cannot look like a winner.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from concurrency_bench.analysis.verdict import ranked
from concurrency_bench.kinds.registry import POOL_BOUND
from concurrency_bench.quantities import duration
from concurrency_bench.report.formatting import settings_text
from concurrency_bench.results import ModelResult, ResultsFile, RowKey, ScenarioResults, block_rows
from concurrency_bench.runners import REGISTRY
from concurrency_bench.summaries import cpu_bound, gc_heavy, server_bound
from concurrency_bench.workload import Scenario

BASELINE_MODEL = "sync"
"""Speed-ups are against plain sequential code, the thing people start from."""

UNRANKED_ORDER = ("ok", "wrong", "failed", "interrupted", "not-run", "unavailable")
"""Where unranked rows go, by status: ok rows without rounds first, then wrong ones..."""

Baseline = Literal["sync", "sum-of-delays"]


@dataclass(frozen=True)
class TableRow:
    """One row of a table: its key, its result, and the figures that compare it with others."""

    key: RowKey
    result: ModelResult
    rank: int | None
    """1 for the lowest median wall among ranked rows; None for unranked rows."""
    speedup: float | None
    """Baseline wall / this model's median wall; None when unranked."""
    ratio: float | None
    """This model's median wall / the fastest ranked median wall; None when unranked."""
    notes: tuple[str, ...]
    baseline: Baseline | None = None
    """What `speedup` divides: its own interpreter's sync, or the sum of delays."""


@dataclass(frozen=True)
class Table:
    """One scenario's rows, ranked first, and the wall time the speed-ups divide."""

    scenario: Scenario
    rows: tuple[TableRow, ...]
    baseline: Baseline
    """sum-of-delays when some row's speed-up is against it, else sync."""
    baseline_wall_s: float
    baseline_note: str | None
    """Why the sum of delays stands in for sync (e.g. "sync not run"); None when sync ran."""

    @property
    def marked(self) -> bool:
        """True when some speed-up is against the sum of delays and needs its footnote."""
        return any(r.baseline == "sum-of-delays" and r.speedup is not None for r in self.rows)

    @property
    def no_speedup(self) -> bool:
        """True when some ranked row has no speed-up: no sync to divide, and the delays (its
        stand-in) sum to zero."""
        return any(
            r.rank is not None and r.baseline == "sum-of-delays" and r.speedup is None
            for r in self.rows
        )


def build_tables(results: ResultsFile) -> list[Table]:
    """One table per scenario, in the file's order."""
    return [build_table(block) for block in results.scenarios]


def build_table(block: ScenarioResults) -> Table:
    """Rank (in analysis.verdict's one ranked order) and compare one scenario's rows; each
    row's speed-up is against the sync row of its own interpreter (and client)."""
    keys = {id(result): key for key, result in block_rows(block)}
    groups: dict[Group, list[ModelResult]] = {}
    for model in block.models:
        groups.setdefault(_group(keys[id(model)]), []).append(model)
    baselines = {group: _baseline(models, block.scenario) for group, models in groups.items()}
    order = ranked(block.models)
    unranked = sorted(
        (m for m in block.models if not m.ranked),
        key=lambda m: UNRANKED_ORDER.index(m.status),  # stable: run order within a status
    )
    fastest = min((m.wall.median for m in order), default=math.nan)
    rows = []
    for rank, m in enumerate(order, start=1):
        key = keys[id(m)]
        kind, wall, _ = baselines[_group(key)]
        speedup = _divide(wall, m.wall.median) if wall > 0 else None  # 0 s: nothing to divide
        ratio = _divide(m.wall.median, fastest)
        rows.append(TableRow(key, m, rank, speedup, ratio, notes(m), kind))
    rows += [TableRow(keys[id(m)], m, None, None, None, notes(m)) for m in unranked]
    return Table(block.scenario, tuple(rows), *_table_baseline(baselines, block.scenario))


Group = tuple[str | None, str | None]
"""The axes a row shares with its baseline: interpreter and client (everything but the model)."""


def _group(key: RowKey) -> Group:
    return (key.interpreter, key.client)


def _table_baseline(
    baselines: dict[Group, tuple[Baseline, float, str | None]], scenario: Scenario
) -> tuple[Baseline, float, str | None]:
    """The table's baseline: its one group's, or with several the sum of delays and why when
    some group has no ranked sync (each reason named by its interpreter), else sync."""
    if len(baselines) <= 1:
        return next(iter(baselines.values()), _baseline([], scenario))
    reasons = [
        f"{why}" + ("" if group[0] is None else f" ({group[0]})")
        for group, (kind, _, why) in baselines.items()
        if kind == "sum-of-delays"
    ]
    if reasons:
        reasons = list(dict.fromkeys(reasons))  # the clients of one interpreter say it once
        return "sum-of-delays", scenario.ideal_wall_s(concurrent=False), "; ".join(reasons)
    return next(iter(baselines.values()))


def _baseline(
    models: Sequence[ModelResult], scenario: Scenario
) -> tuple[Baseline, float, str | None]:
    """Sync's measured median wall, or the sum of delays (sync's ideal) with the reason why."""
    sync = next((m for m in models if m.model == BASELINE_MODEL), None)
    if sync is not None and sync.ranked:
        return "sync", sync.wall.median, None
    if sync is None or sync.status == "not-run":
        why = "sync not run"
    elif sync.status == "ok":
        why = "sync has no rounds"
    else:
        why = f"sync {sync.status}"
    return "sum-of-delays", scenario.ideal_wall_s(concurrent=False), why


def _divide(numerator: float, denominator: float) -> float | None:
    if not (math.isfinite(numerator) and math.isfinite(denominator)) or denominator <= 0:
        return None
    return numerator / denominator


def pool_of(result: ModelResult) -> int | None:
    """The pool size a pooled model ran with when it was below the job count, else None."""
    spec = REGISTRY.get(result.model)
    if spec is None or not spec.pooled:
        return None
    sizes = [v for v in result.settings.values() if isinstance(v, int) and not isinstance(v, bool)]
    return sizes[0] if sizes and sizes[0] < result.jobs else None


def gc_note(model: ModelResult) -> str | None:
    """ "GC 54% of the wall ..." when the collector took more than a third of the rounds."""
    share = model.gc_share
    if share is None or not gc_heavy(share):
        return None
    return f"GC {share:.0%} of the wall: try --gc off or gc.freeze()"


def cpu_note(model: ModelResult) -> str | None:
    """ "CPU-bound: 96 ms CPU/round (9.6 µs/job) vs 50 ms ideal" when the rounds' CPU, not their
    waiting, set the wall (summaries.cpu_bound, on the median CPU); never when a pool made the
    jobs queue (threads or processes below the job count, or a client's pool: the kind's
    `pool-bound` note), where the queue may be what set it."""
    queued = str(model.settings.get("note", "")).startswith(POOL_BOUND)
    if not model.measured or queued or pool_of(model) is not None:
        return None
    cpu_s = model.cpu.median
    if not cpu_bound(cpu_s, model.ideal_s):
        return None
    per_job, ideal = duration(cpu_s / model.jobs), duration(model.ideal_s)
    return f"CPU-bound: {duration(cpu_s)} CPU/round ({per_job}/job) vs {ideal} ideal"


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
    found += [n for n in (cpu_note(model), gc_note(model)) if n is not None]
    if model.settings:
        found.append(settings_text(model.settings))
    return tuple(found)
