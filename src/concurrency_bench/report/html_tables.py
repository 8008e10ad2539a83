"""The HTML page's tables: results (sortable, one or several environments), verdict,
environment. The cells are the text and markdown tables' own (report.cells)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from concurrency_bench.report import cells, formatting, markdown, verdict_text
from concurrency_bench.report.palette import model_style
from concurrency_bench.report.rows import Table, TableRow
from concurrency_bench.textsafe import html_text as escape

NUMERIC = frozenset(range(1, 7))
"""Columns (after the model's name) that hold figures: right-aligned, sorted as numbers."""
ENVIRONMENT_KEYS = (
    ("cpu_model", "CPU"),
    ("logical_cores", "logical cores"),
    ("usable_cores", "usable cores"),
    ("memory_total_bytes", "memory"),
    ("os", "OS"),
    ("kernel", "kernel"),
    ("python_implementation", "Python"),
    ("python_version", "Python version"),
    ("python_build", "Python build"),
    ("packages", "packages"),
    ("git_commit", "git commit"),
    ("git_dirty", "uncommitted changes"),
    ("gc", "garbage collector"),
    ("timer", "timer"),
    ("load_average", "load average at start"),
)
"""The environment fields the page shows first, with their labels; the rest follow as is."""


def sort_keys(row: TableRow) -> list[float | None]:
    """Per figure column, the number its cell sorts by (None: no figure, sorted last)."""
    result = row.result
    if not result.measured:
        return [None] * len(NUMERIC)
    late = result.lateness
    return [
        result.wall.median,
        result.overhead_per_job_us.median,
        row.speedup,
        row.ratio,
        result.memory_per_job_bytes,
        None if late is None else late.p99_s,
    ]


def _td(text: str, css: str = "", sort: float | str | None = "text") -> str:
    attributes = f' class="{css}"' if css else ""
    if sort != "text":
        attributes += f' data-v="{"" if sort is None else repr(sort)}"'
    return f"<td{attributes}>{escape(text)}</td>"


def model_cell(model: str, text: str | None = None) -> str:
    """The model's name (or `text`, e.g. with its interpreter) after its marker in its colour,
    as the figures draw it."""
    style = model_style(model)
    swatch = f'<span class="swatch" style="color:{style.colour}">{style.glyph}</span>'
    return f'<td class="model">{swatch}{escape(model if text is None else text)}</td>'


def results_table(
    tables: Sequence[Table], labels: Sequence[str] | None = None, *, mark: str = cells.MARK
) -> str:
    """One sortable table of the rows of `tables` (one per environment, `labels` naming them,
    as the first column); the wall unit is the same for every row."""
    merged = Table(
        tables[0].scenario,
        tuple(row for table in tables for row in table.rows),
        tables[0].baseline,
        tables[0].baseline_wall_s,
        tables[0].baseline_note,
    )
    headers = markdown.headers(merged)
    row_labels = [label for table, label in zip(tables, labels or []) for _ in table.rows]
    head = ["environment", *headers] if labels else headers
    lines = ['<table class="results sortable">', "<thead><tr>"]
    lines += [f'<th scope="col">{escape(h)}</th>' for h in head]
    lines.append("</tr></thead><tbody>")
    per_table_marks = [figures for table in tables for figures in cells.table_cells(table, mark)]
    walls = cells.wall_cells(merged)
    for index, row in enumerate(merged.rows):
        figures = per_table_marks[index]
        figures[1] = walls[index] if row.result.rounds else ""
        keys = sort_keys(row)
        css = "" if row.rank is not None else ' class="unranked"'
        tds = [_td(row_labels[index])] if labels else []
        tds.append(model_cell(row.result.model, row.result.row_name))
        tds += [_td(figures[i], "num", keys[i - 1]) for i in NUMERIC]
        tds.append(_td(figures[7]))
        tds.append(_td(cells.notes_text(row), "notes"))
        lines.append(f"<tr{css}>{''.join(tds)}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def verdict_block(table: Table, label: str = "") -> str:
    """The verdict under a table as a short list; empty when no row is ranked."""
    verdict = verdict_text.verdict_of(table)
    if verdict is None:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in verdict_text.lines(verdict))
    who = f" ({escape(label)})" if label else ""
    method = escape(verdict_text.method(verdict))
    return (
        f'<div class="verdict"><strong>Verdict{who}</strong> '
        f'<span class="muted">({method})</span><ul>{items}</ul></div>'
    )


def _value(key: str, value: Any) -> str:
    if key == "memory_total_bytes" and isinstance(value, int | float):
        return formatting.size(value)
    if isinstance(value, dict):
        return formatting.settings_text({k: _value(k, v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, v) for v in value)
    return str(value)


def environment_table(env: dict[str, Any], created_utc: str) -> str:
    """Every field of an environment block, the usual ones first, as a two-column table."""
    labels = dict(ENVIRONMENT_KEYS)
    keys = [k for k, _ in ENVIRONMENT_KEYS if k in env] + sorted(k for k in env if k not in labels)
    rows = [f"<tr><td>measured</td><td>{escape(created_utc)}</td></tr>"]
    rows += [
        f"<tr><td>{escape(labels.get(k, k))}</td><td>{escape(_value(k, env[k]))}</td></tr>"
        for k in keys
    ]
    return '<table class="env">' + "".join(rows) + "</table>"
