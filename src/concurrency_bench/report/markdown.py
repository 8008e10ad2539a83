"""GitHub markdown: the tables people paste into issues and READMEs (`results/latest.md`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tabulate import tabulate

from concurrency_bench.report import cells, columns, saturation, verdict_text
from concurrency_bench.report.rows import Table
from concurrency_bench.results import ResultsFile
from concurrency_bench.textsafe import visible

TABLE_FORMAT = "pipe"
"""GitHub's table syntax with alignment colons, so figures are right-aligned when rendered."""
MARKUP = re.compile(r"([\\`*_\[\]<&|~$])")
"""What could start markup inside a line: emphasis, code, links and images, raw HTML, entities,
table cells, strikethrough, GitHub's math; each is written with a backslash, as text."""


def escape(text: str) -> str:
    """Text as text: one line (controls and separators shown escaped), markup characters
    backslashed, so a name or reason cannot open HTML, break a table or add a heading."""
    return MARKUP.sub(r"\\\1", " ".join(visible(text).split()))


def render_table(table: Table) -> str:
    """One scenario's table in GitHub markdown."""
    if not table.rows:
        return "(no models)"
    rows = [[escape(cell) for cell in row] for row in columns.table_cells(table)]
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
    measured = escape(cells.environment_line(results))
    lines = ["# concurrency-bench results", "", f"Measured on {measured}."]
    partial = cells.partial_line(results)
    if partial:
        lines += ["", f"**{partial}**"]
    for table in tables:
        facts = escape(cells.facts(table, results.settings))
        lines += ["", f"## {escape(table.scenario.name)}", "", f"{facts}.", "", render_table(table)]
        for note in cells.footnotes(table):
            lines += ["", escape(note)]
        lines += verdict_lines(table)
    for name, rows in saturation.lines(results):
        lines += ["", f"**{escape(name)}: where each model stops being I/O-bound**", ""]
        lines += [f"{escape(saturation.HEADING)}:", "", *(f"- {escape(row)}" for row in rows)]
    lines += ["", escape(cells.LEGEND)]
    return "\n".join(lines) + "\n"
