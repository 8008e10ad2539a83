"""Every renderer and exporter; they only READ results files and never measure.

Layout: `rows` turns a ResultsFile into ranked comparison rows (the one place that orders,
ranks and computes speed-ups); `formatting` writes every figure (numbers, sizes, settings, the
spread convention); `cells` makes the display strings the human tables share; `text`,
`markdown` and `csv_export` are one exporter each, all `render(results, tables) -> str`,
looked up by name in EXPORTERS; `ci_benchmark` is github-action-benchmark's JSON;
`compare_table` and `timeline_table` draw the `compare` and `timeline` tables; `outputs`
writes every file of a run; `console` prints to streams that may not take the text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from concurrency_bench.errors import InputError
from concurrency_bench.report import csv_export, markdown, text
from concurrency_bench.report.outputs import Outputs, write_outputs
from concurrency_bench.report.rows import Table, build_tables
from concurrency_bench.results import ResultsFile

Exporter = Callable[[ResultsFile, Sequence[Table]], str]

EXPORTERS: dict[str, Exporter] = {
    "text": text.render,
    "md": markdown.render,
    "csv": csv_export.render,
}
FORMATS: tuple[str, ...] = tuple(EXPORTERS)

__all__ = ["EXPORTERS", "FORMATS", "Outputs", "render", "write_outputs"]


def render(results: ResultsFile, fmt: str) -> str:
    """The comparison tables of `results` in format `fmt` (one of FORMATS)."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise InputError(f"`format` must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return exporter(results, build_tables(results))
