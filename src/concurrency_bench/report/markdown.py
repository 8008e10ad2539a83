"""GitHub markdown: the tables people paste into issues and READMEs (`results/latest.md`)."""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate

from concurrency_bench.report import cells, columns, verdict_text
from concurrency_bench.report.rows import Table
from concurrency_bench.results import ResultsFile

TABLE_FORMAT = "pipe"
"""GitHub's table syntax with alignment colons, so figures are right-aligned when rendered."""
MARK = "\\*"
"""The footnote mark, escaped so markdown shows an asterisk instead of starting emphasis."""


def escape(text: str) -> str:
    """Keep a cell one cell: pipes escaped, newlines folded (failure reasons can hold both)."""
    return " ".join(text.replace("|", "\\|").split())


def render_table(table: Table) -> str:
    """One scenario's table in GitHub markdown."""
    if not table.rows:
        return "(no models)"
    rows = [[escape(cell) for cell in row] for row in columns.table_cells(table, MARK)]
    return tabulate(
        rows,
        headers=columns.headers(table),
        tablefmt=TABLE_FORMAT,
        colalign=columns.ALIGN,
        disable_numparse=True,
    )


def verdict_lines(table: Table) -> list[str]:
    """The verdict under a table as a bold lead and a list (nothing when no row is ranked)."""
    verdict = verdict_text.verdict_of(table)
    if verdict is None:
        return []
    lead = f"**Verdict** ({escape(verdict_text.method(verdict))}):"
    return ["", lead, "", *(f"- {escape(line)}" for line in verdict_text.lines(verdict))]


def render(results: ResultsFile, tables: Sequence[Table]) -> str:
    """A document: title, environment, partial marker, then per scenario a heading and table."""
    lines = ["# concurrency-bench results", "", f"Measured on {cells.environment_line(results)}."]
    partial = cells.partial_line(results)
    if partial:
        lines += ["", f"**{partial}**"]
    for table in tables:
        facts = escape(cells.facts(table, results.settings))
        lines += ["", f"## {escape(table.scenario.name)}", "", f"{facts}.", "", render_table(table)]
        for note in cells.footnotes(table):
            lines += ["", escape(note).replace(cells.MARK, MARK, 1)]
        lines += verdict_lines(table)
    lines += ["", escape(cells.LEGEND)]
    return "\n".join(lines) + "\n"
