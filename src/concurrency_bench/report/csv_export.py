"""Machine-readable rows: one per row of every table, raw numbers in seconds and bytes.

Column names are stable (scripts and spreadsheets key on them); empty means not measured
or not applicable, never zero. A text cell a spreadsheet would take for a formula starts with
a `'` (OWASP's advice on CSV injection); figures never do, so "-1.5" stays a number.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from concurrency_bench.report.formatting import settings_text
from concurrency_bench.report.rows import Table, TableRow, cpu_note
from concurrency_bench.results import ModelResult, ResultsFile
from concurrency_bench.summaries import Summary
from concurrency_bench.textsafe import visible
from concurrency_bench.workload import Scenario

Cell = str | int | float | bool | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""


@dataclass(frozen=True)
class CsvRow:
    """What a CSV cell is taken from: a table's row, its table, and whether the run was cut."""

    row: TableRow
    table: Table
    partial: bool

    @property
    def result(self) -> ModelResult:
        """The row's result."""
        return self.row.result

    @property
    def scenario(self) -> Scenario:
        """The table's scenario."""
        return self.table.scenario

    @property
    def measured(self) -> bool:
        """True when the row has rounds (its figures apply)."""
        return bool(self.row.result.rounds)


def _measured(value: Callable[[CsvRow], Cell]) -> Callable[[CsvRow], Cell]:
    """A figure of the rounds: empty for a row without rounds."""
    return lambda r: value(r) if r.measured else None


def _late(field: str) -> Callable[[CsvRow], Cell]:
    return _measured(
        lambda r: None if r.result.lateness is None else getattr(r.result.lateness, field)
    )


def _gc_median(model: ModelResult) -> float | None:
    """The median seconds in the collector per round; None where rounds did not record it."""
    return Summary.of(model.values("gc")).median if model.has_gc else None


CSV_COLUMNS: tuple[tuple[str, Callable[[CsvRow], Cell]], ...] = (
    ("scenario", lambda r: r.scenario.name),
    ("jobs", lambda r: r.scenario.jobs),
    ("ints_per_job", lambda r: r.scenario.ints_per_job),
    ("delay_min_s", lambda r: min(r.scenario.delays_s)),
    ("delay_max_s", lambda r: max(r.scenario.delays_s)),
    ("delay_sum_s", lambda r: math.fsum(r.scenario.delays_s)),
    ("model", lambda r: r.row.key.label),
    ("status", lambda r: r.result.status),
    ("rank", lambda r: r.row.rank),
    ("concurrent", lambda r: r.result.concurrent),
    ("rounds", lambda r: len(r.result.rounds)),
    ("wall_median_s", _measured(lambda r: r.result.wall.median)),
    ("wall_iqr_s", _measured(lambda r: r.result.wall.iqr)),
    ("wall_min_s", _measured(lambda r: r.result.wall.minimum)),
    ("wall_max_s", _measured(lambda r: r.result.wall.maximum)),
    ("overhead_median_s", _measured(lambda r: r.result.overhead.median)),
    ("overhead_iqr_s", _measured(lambda r: r.result.overhead.iqr)),
    ("overhead_per_job_median_s", _measured(lambda r: r.result.overhead.median / r.result.jobs)),
    ("cpu_median_s", _measured(lambda r: r.result.cpu.median)),
    ("cpu_per_job_median_s", _measured(lambda r: r.result.cpu.median / r.result.jobs)),
    ("cpu_bound", _measured(lambda r: cpu_note(r.result) is not None)),
    ("gc_median_s", _measured(lambda r: _gc_median(r.result))),
    ("gc_share", _measured(lambda r: r.result.gc_share)),
    ("ideal_s", lambda r: r.result.ideal_s),
    ("speedup_vs_sync", lambda r: r.row.speedup),
    ("speedup_baseline", lambda r: r.row.baseline if r.row.speedup is not None else None),
    ("ratio_to_fastest", lambda r: r.row.ratio),
    ("memory_per_job_bytes", lambda r: r.result.memory_per_job_bytes),
    ("rss_before_bytes", lambda r: r.result.rss_before_bytes),
    ("rss_peak_bytes", lambda r: r.result.rss_peak_bytes),
    ("lateness_p50_s", _late("p50_s")),
    ("lateness_p99_s", _late("p99_s")),
    ("lateness_max_s", _late("max_s")),
    ("sums_ok", lambda r: r.result.sums_ok),
    ("unstable", lambda r: r.result.unstable),
    ("reason", lambda r: r.result.reason),
    ("settings", lambda r: settings_text(r.result.settings, ";") or None),
    ("partial", lambda r: r.partial),
)
"""Every CSV column, declared once: its stable name and the raw figure it holds."""
COLUMNS: tuple[str, ...] = tuple(name for name, _ in CSV_COLUMNS)


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
    source = CsvRow(row, table, partial)
    return {name: value(source) for name, value in CSV_COLUMNS}


def render(results: ResultsFile, tables: Sequence[Table]) -> str:
    """A header row, then every row in table order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for table in tables:
        for row in table.rows:
            data = record(row, table, results.partial)
            writer.writerow([_value(data[name]) for name in COLUMNS])
    return out.getvalue()
