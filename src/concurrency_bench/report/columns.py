"""The results table's columns, each declared once: its headers, unit, alignment, cells, numeric
sort and the CSV columns with its raw figures, as hyperfine's `markup` declares its table.

The terminal (text.py), markdown (markdown.py) and the page (html_tables.py) draw these, in
this order; a column added here is in all three. `table_cells` is the one function every human
cell is made by.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from concurrency_bench.report import cells
from concurrency_bench.report.rows import Table, TableRow

Align = Literal["left", "right", "center"]
Cells = Callable[[Table, str], list[str]]
"""Per row of a table, in its order, the column's display string (the `str`: the footnote mark)."""


def _each(cell: Callable[[TableRow], str]) -> Cells:
    """Cells made row by row."""
    return lambda table, _mark: [cell(row) for row in table.rows]


def _wall_unit(table: Table) -> str:
    return cells.wall_unit(table)[0]


@dataclass(frozen=True)
class Column:
    """One column of the results table, for every output that draws it."""

    key: str
    title: str
    """The one-line header (markdown, HTML); `{unit}` stands for `unit`."""
    head: tuple[str, str]
    """The terminal's two header lines, name then unit, so the figures stay narrow."""
    cells: Cells
    align: Align = "right"
    unit: str | Callable[[Table], str] = ""
    """The figures' unit, or how a table chooses it (the wall: ms, or s from 10 s up)."""
    sort: Callable[[TableRow], float | None] | None = None
    """The number a cell sorts by on the page (None: no figure, sorted last); None for a
    column sorted as text."""
    csv: tuple[str, ...] = ()
    """The CSV columns (csv_export.COLUMNS) that hold this column's raw figures."""
    figure: bool = True
    """True when the cell is a measured figure: blank in a row without rounds."""
    shared: bool = False
    """True when a cell depends on every row (the wall's unit and decimals): a page that
    merges tables makes it over the merged rows."""
    wrap: bool = False
    """Free text: wrapped to the width left in the terminal, in small type on the page."""

    def unit_of(self, table: Table) -> str:
        """The unit in `table`."""
        return self.unit if isinstance(self.unit, str) else self.unit(table)

    def header(self, table: Table) -> str:
        """The one-line header in `table`."""
        return self.title.format(unit=self.unit_of(table))

    def head_lines(self, table: Table) -> tuple[str, str]:
        """The terminal's two header lines in `table`."""
        unit = self.unit_of(table)
        return (self.head[0].format(unit=unit), self.head[1].format(unit=unit))


COLUMNS: tuple[Column, ...] = (
    Column(
        "model", "model", ("model", ""), _each(lambda row: row.key.label),
        align="left", csv=("model",), figure=False,
    ),
    Column(
        "wall", "wall ({unit}, median ± IQR)", ("wall {unit}", "med ± IQR"),
        lambda table, _mark: cells.wall_cells(table), unit=_wall_unit,
        sort=lambda row: row.result.wall.median,
        csv=("wall_median_s", "wall_iqr_s", "wall_min_s", "wall_max_s"), shared=True,
    ),
    Column(
        "overhead", "overhead/job ({unit})", ("overhead", "{unit}/job"),
        _each(cells.overhead_cell), unit="µs",
        sort=lambda row: row.result.overhead_per_job_us.median,
        csv=("overhead_per_job_median_s", "overhead_median_s", "overhead_iqr_s"),
    ),
    Column(
        "speedup", "speed-up vs sync", ("speed-up", "vs sync"),
        lambda table, mark: [cells.speedup_cell(row, mark) for row in table.rows],
        sort=lambda row: row.speedup, csv=("speedup_vs_sync", "speedup_baseline"),
    ),
    Column(
        "ratio", "x fastest (wall)", ("x", "fastest"), _each(cells.ratio_cell),
        sort=lambda row: row.ratio, csv=("ratio_to_fastest",),
    ),
    Column(
        "memory", "memory/job", ("memory", "/job"), _each(cells.memory_cell),
        sort=lambda row: cells.memory_shown(row.result), csv=("memory_per_job_bytes",),
    ),
    Column(
        "lateness", "lateness p99 ({unit})", ("late p99", "{unit}"), _each(cells.lateness_cell),
        unit="ms", sort=cells.lateness_p99_s, csv=("lateness_p99_s",),
    ),
    Column(
        "sums", "sums", ("sums", ""), _each(cells.sums_cell), align="center", csv=("sums_ok",)
    ),
    Column(
        "notes", "notes", ("notes", ""), _each(cells.notes_text), align="left",
        csv=("status", "reason", "unstable", "settings"), figure=False, wrap=True,
    ),
)  # fmt: skip
ALIGN: tuple[Align, ...] = tuple(column.align for column in COLUMNS)


def headers(table: Table) -> list[str]:
    """The one-line headers of `table`."""
    return [column.header(table) for column in COLUMNS]


def head_lines(table: Table) -> list[list[str]]:
    """The terminal's two header lines of `table`."""
    lines = [column.head_lines(table) for column in COLUMNS]
    return [[first for first, _ in lines], [second for _, second in lines]]


def table_cells(table: Table, mark: str = cells.MARK) -> list[list[str]]:
    """Every row's cells, in the table's order and COLUMNS' order. A row with no rounds has
    nothing to show but its name and notes: its figures are blank, so its note stands out."""
    by_column = [column.cells(table, mark) for column in COLUMNS]
    rows = []
    for index, row in enumerate(table.rows):
        measured = bool(row.result.rounds)
        rows.append(
            [
                values[index] if measured or not column.figure else ""
                for column, values in zip(COLUMNS, by_column)
            ]
        )
    return rows
