"""Renderers that only READ results files: terminal, GitHub markdown and CSV tables.

Layout: `rows` turns a ResultsFile into ranked comparison rows (the one place that orders,
ranks and computes speed-ups); `cells` makes the display strings the human formats share;
`text`, `markdown` and `csv_export` are one exporter each, all with the same signature
`render(results, tables) -> str`, looked up by name in EXPORTERS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from concurrency_bench.errors import InputError
from concurrency_bench.report import csv_export, markdown, text
from concurrency_bench.report.rows import Table, build_tables
from concurrency_bench.results import ResultsFile, write_atomic

Exporter = Callable[[ResultsFile, Sequence[Table]], str]

EXPORTERS: dict[str, Exporter] = {
    "text": text.render,
    "md": markdown.render,
    "csv": csv_export.render,
}
FORMATS: tuple[str, ...] = tuple(EXPORTERS)
LATEST = {"md": "latest.md", "csv": "latest.csv"}
"""The files `write_latest` keeps up to date, by format."""

__all__ = ["EXPORTERS", "FORMATS", "render", "write_latest"]


def render(results: ResultsFile, fmt: str) -> str:
    """The comparison tables of `results` in format `fmt` (one of FORMATS)."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise InputError(f"`format` must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return exporter(results, build_tables(results))


def write_latest(results: ResultsFile, directory: Path) -> list[Path]:
    """Write latest.md and latest.csv into `directory` atomically, replacing older ones."""
    tables = build_tables(results)
    written = []
    for fmt, name in LATEST.items():
        path = Path(directory) / name
        write_atomic(path, EXPORTERS[fmt](results, tables), overwrite=True)
        written.append(path)
    return written
