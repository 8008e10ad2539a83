"""The terminal tables: what a user sees first after a run, fitted to about 120 columns."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from tabulate import tabulate

from concurrency_bench.report import cells, columns, saturation, verdict_text
from concurrency_bench.report.rows import Table
from concurrency_bench.results import ResultsFile

WIDTH = 120
"""Notes wrap so that a table stays within this many columns (when the figures allow)."""
MIN_NOTES_WIDTH = 24
GAP = 2
"""Spaces between columns (tabulate's "plain" format)."""
_NUMBER_UNIT = re.compile(r"(\d) (?=(?:s|ms|µs|B|KiB|MiB|GiB)\b)")


def wrap(note: str, width: int) -> str:
    """Wrap a note at spaces, but never between a number and its unit ("10 s")."""
    glued = _NUMBER_UNIT.sub("\\1\u00a0", note)
    return "\n".join(textwrap.wrap(glued, width, break_on_hyphens=False)).replace("\u00a0", " ")


def _width(cell: str) -> int:
    return max((len(line) for line in cell.splitlines()), default=0)


def render_table(table: Table) -> str:
    """One scenario's table: headers, a rule, rows; notes wrapped to keep it near WIDTH.

    The headers go in as rows under tabulate's "plain" format with a rule of our own, because
    tabulate pads real headers by two more spaces, which would cost the notes a dozen columns.
    """
    if not table.rows:
        return "(no models)"
    head = columns.head_lines(table)
    body = columns.table_cells(table)
    fixed = [i for i, column in enumerate(columns.COLUMNS) if not column.wrap]
    widths = {i: max(_width(row[i]) for row in [*head, *body]) for i in fixed}
    wraps = len(columns.COLUMNS) - len(fixed)
    free = WIDTH - sum(widths.values()) - GAP * (len(columns.COLUMNS) - 1)
    notes_width = max(MIN_NOTES_WIDTH, free // max(1, wraps))
    for i, column in enumerate(columns.COLUMNS):
        if column.wrap:
            for row in body:
                row[i] = wrap(row[i], notes_width)
            widths[i] = max(_width(row[i]) for row in [*head, *body])
    rule = ["-" * widths[i] for i in range(len(columns.COLUMNS))]
    return tabulate(
        [*head, rule, *body],
        tablefmt="plain",
        colalign=columns.ALIGN,
        disable_numparse=True,
    )


def render_verdict(table: Table) -> str | None:
    """The verdict under a table, each line wrapped to WIDTH (None when no row is ranked)."""
    verdict = verdict_text.verdict_of(table)
    if verdict is None:
        return None
    wrapped = [wrap(verdict_text.heading(verdict), WIDTH)]
    for line in verdict_text.lines(verdict):
        wrapped.append(textwrap.indent(wrap(line, WIDTH - 4), "    ")[2:])
    return "\n".join(wrapped)


def render(results: ResultsFile, tables: Sequence[Table]) -> str:
    """Every scenario: heading, table, footnote, verdict; the environment and the legend once."""
    blocks = [
        cells.join_lines(
            [
                cells.heading(table, results.settings),
                render_table(table),
                *(wrap(note, WIDTH) for note in cells.footnotes(table)),
                render_verdict(table),
            ]
        )
        for table in tables
    ]
    head = cells.join_lines([cells.partial_line(results), cells.environment_line(results)])
    blocks += [render_saturation(name, rows) for name, rows in saturation.lines(results)]
    return "\n\n".join([head, *blocks, textwrap.fill(cells.LEGEND, WIDTH)]) + "\n"


def render_saturation(name: str, rows: Sequence[str]) -> str:
    """A sweep's workload: where each model stops being I/O-bound, one wrapped line a row."""
    lines = [wrap(f"{name}: {saturation.HEADING}:", WIDTH)]
    lines += [textwrap.indent(wrap(row, WIDTH - 4), "    ")[2:] for row in rows]
    return "\n".join(lines)
