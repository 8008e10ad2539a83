"""Machine-readable rows: one per (scenario, model), raw numbers in seconds and bytes.

Column names are stable (scripts and spreadsheets key on them); empty means not measured
or not applicable, never zero. A text cell a spreadsheet would take for a formula starts with
a `'` (OWASP's advice on CSV injection); figures never do, so "-1.5" stays a number.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

from concurrency_bench.report.formatting import settings_text
from concurrency_bench.report.rows import Table, TableRow
from concurrency_bench.results import ResultsFile
from concurrency_bench.textsafe import visible

COLUMNS = (
    "scenario",
    "jobs",
    "ints_per_job",
    "delay_min_s",
    "delay_max_s",
    "delay_sum_s",
    "model",
    "status",
    "rank",
    "concurrent",
    "rounds",
    "wall_median_s",
    "wall_iqr_s",
    "wall_min_s",
    "wall_max_s",
    "overhead_median_s",
    "overhead_iqr_s",
    "overhead_per_job_median_s",
    "cpu_median_s",
    "ideal_s",
    "speedup_vs_sync",
    "speedup_baseline",
    "ratio_to_fastest",
    "memory_per_job_bytes",
    "rss_before_bytes",
    "rss_peak_bytes",
    "lateness_p50_s",
    "lateness_p99_s",
    "lateness_max_s",
    "sums_ok",
    "unstable",
    "reason",
    "settings",
    "partial",
)

Cell = str | int | float | bool | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""


def _value(value: Cell) -> str:
    """Full-precision text: repr for floats (round-trips), true/false, empty for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return text_cell(value) if isinstance(value, str) else str(value)


def text_cell(text: str) -> str:
    """A text cell (never a figure, so "-1.5" figures stay numbers) read as text: controls shown
    escaped, and a `'` before a start a spreadsheet would take for a formula (OWASP)."""
    shown = visible(text)
    return "'" + shown if shown.startswith(FORMULA_STARTS) else shown


def record(row: TableRow, table: Table, partial: bool) -> dict[str, Cell]:
    """One row's raw figures keyed by COLUMNS."""
    m, s = row.result, table.scenario
    measured = bool(m.rounds)
    wall = m.wall if measured else None
    overhead = m.overhead if measured else None
    late = m.lateness if measured else None
    return {
        "scenario": s.name,
        "jobs": s.jobs,
        "ints_per_job": s.ints_per_job,
        "delay_min_s": min(s.delays_s),
        "delay_max_s": max(s.delays_s),
        "delay_sum_s": s.ideal_wall_s(concurrent=False),
        "model": m.row_name,
        "status": m.status,
        "rank": row.rank,
        "concurrent": m.concurrent,
        "rounds": len(m.rounds),
        "wall_median_s": wall.median if wall else None,
        "wall_iqr_s": wall.iqr if wall else None,
        "wall_min_s": wall.minimum if wall else None,
        "wall_max_s": wall.maximum if wall else None,
        "overhead_median_s": overhead.median if overhead else None,
        "overhead_iqr_s": overhead.iqr if overhead else None,
        "overhead_per_job_median_s": overhead.median / m.jobs if overhead else None,
        "cpu_median_s": m.cpu.median if measured else None,
        "ideal_s": m.ideal_s,
        "speedup_vs_sync": row.speedup,
        "speedup_baseline": table.baseline if row.speedup is not None else None,
        "ratio_to_fastest": row.ratio,
        "memory_per_job_bytes": m.memory_per_job_bytes,
        "rss_before_bytes": m.rss_before_bytes,
        "rss_peak_bytes": m.rss_peak_bytes,
        "lateness_p50_s": late.p50_s if late else None,
        "lateness_p99_s": late.p99_s if late else None,
        "lateness_max_s": late.max_s if late else None,
        "sums_ok": m.sums_ok,
        "unstable": m.unstable,
        "reason": m.reason,
        "settings": settings_text(m.settings, ";") or None,
        "partial": partial,
    }


def render(results: ResultsFile, tables: Sequence[Table]) -> str:
    """A header row, then every (scenario, model) in table order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for table in tables:
        for row in table.rows:
            data = record(row, table, results.partial)
            writer.writerow([_value(data[name]) for name in COLUMNS])
    return out.getvalue()
