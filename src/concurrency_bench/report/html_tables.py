"""The HTML page's tables: results (sortable, one or several environments), verdict,
environment. The columns and cells are the text and markdown tables' own (report.columns)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from concurrency_bench.report import cells, columns, formatting, verdict_text
from concurrency_bench.report.columns import Column
from concurrency_bench.report.palette import model_style
from concurrency_bench.report.rows import Table, TableRow
from concurrency_bench.textsafe import html_text as escape

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
    row_labels = [label for table, label in zip(tables, labels or []) for _ in table.rows]
    head = ["environment", *columns.headers(merged)] if labels else columns.headers(merged)
    lines = ['<table class="results sortable">', "<thead><tr>"]
    lines += [f'<th scope="col">{escape(h)}</th>' for h in head]
    lines.append("</tr></thead><tbody>")
    body = [values for table in tables for values in columns.table_cells(table, mark)]
    for index, shared in enumerate(columns.table_cells(merged, mark)):
        for place, column in enumerate(columns.COLUMNS):
            if column.shared:  # one unit for every environment's rows
                body[index][place] = shared[place]
    for index, row in enumerate(merged.rows):
        css = "" if row.rank is not None else ' class="unranked"'
        tds = [_td(row_labels[index])] if labels else []
        tds += [_cell(column, row, text) for column, text in zip(columns.COLUMNS, body[index])]
        lines.append(f"<tr{css}>{''.join(tds)}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _cell(column: Column, row: TableRow, text: str) -> str:
    """One cell: the model with its swatch, a figure with the number it sorts by, or text."""
    if column.key == "model":
        return model_cell(row.key.model, text)
    if column.sort is not None:
        return _td(text, "num", column.sort(row) if row.result.measured else None)
    return _td(text, "notes" if column.wrap else "")


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
