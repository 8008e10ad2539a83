"""Every output format in one registry, found here by `report`, `run`, `sweep` and the bench
suite alike.

A format either renders results files to one text (`report --format NAME`), or writes a folder
of files (the figures). `latest` names the file (or folder) a run writes it to beside its
results file, replaced by every run; `pages` ones (the HTML page, the figures) only when a
command asks for pages (`sweep`, the suite). A new format is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from concurrency_bench.errors import InputError
from concurrency_bench.report import (
    ci_benchmark,
    csv_export,
    figures,
    html,
    markdown,
    pyperf_export,
    text,
)
from concurrency_bench.report.rows import Table, build_tables
from concurrency_bench.results import ResultsFile
from concurrency_bench.textsafe import visible

Source = tuple[str, ResultsFile]
"""A results file and the name it goes by (its path)."""
Render = Callable[[Sequence[Source]], str]
Write = Callable[[ResultsFile, Path], list[Path]]


@dataclass(frozen=True)
class Format:
    """One output format: how it is made, from how many files, and where a run writes it."""

    name: str
    summary: str
    render: Render | None = None
    """Results files to the format's text; None for a format that writes files (`write`)."""
    write: Write | None = None
    """Write the format's files into a folder (created if needed); the paths written."""
    stale: tuple[str, ...] = ()
    """Patterns of a written folder's files that a run replaces: removed from its `latest`
    folder first, so none is left from an earlier run."""
    many: bool = False
    """True when it takes several files (one after another, or one page of them all)."""
    latest: str | None = None
    """The file (or folder) `run`, `sweep` and the suite write it to; None: only `report`."""
    pages: bool = False
    """True when a run writes it only with pages (sweep, the suite)."""
    missing: Callable[[], str | None] = lambda: None
    """Why the format cannot be made here (an optional dependency absent), else None."""


def _tables(
    exporter: Callable[[ResultsFile, Sequence[Table]], str],
    heading: str,
    shown: Callable[[str], str] = visible,
) -> Render:
    """A table exporter over one file, or over several, each under `heading` (its path, as
    `shown` writes it: escaped, so a file name cannot command the reader either)."""

    def render(sources: Sequence[Source]) -> str:
        if len(sources) == 1:
            return exporter(sources[0][1], build_tables(sources[0][1]))
        return "\n".join(
            heading.format(shown(name)) + exporter(results, build_tables(results))
            for name, results in sources
        )

    return render


def _one(render: Callable[[ResultsFile], str]) -> Render:
    """A format of one results file."""
    return lambda sources: render(sources[0][1])


def _figures_missing() -> str | None:
    return None if figures.available() else figures.MISSING


REGISTRY: dict[str, Format] = {
    f.name: f
    for f in (
        Format("text", "terminal tables", _tables(text.render, "== {} ==\n\n"), many=True),
        Format(
            "md", "GitHub markdown tables", _tables(markdown.render, "# {}\n\n", markdown.escape),
            many=True, latest="latest.md",
        ),
        Format("csv", "one row per table row, raw figures", _tables(csv_export.render, ""),
               latest="latest.csv"),
        Format("ci", "github-action-benchmark's JSON", _one(ci_benchmark.to_json),
               latest=ci_benchmark.FILE_NAME),
        Format("html", "one self-contained page with figures", html.render, many=True,
               latest="latest.html", pages=True),
        Format("pyperf", "pyperf's JSON", _one(pyperf_export.to_json)),
        Format("figures", "SVG and PNG figures into a folder", write=figures.write_all,
               latest="figures", stale=("*.svg", "*.png"), pages=True,
               missing=_figures_missing),
    )
}  # fmt: skip
"""Every format by name, in the order a run writes them."""
RENDERED: tuple[str, ...] = tuple(name for name, f in REGISTRY.items() if f.render is not None)
MANY_FILES: tuple[str, ...] = tuple(name for name, f in REGISTRY.items() if f.many)
LATEST_NAMES: frozenset[str] = frozenset(f.latest for f in REGISTRY.values() if f.latest)
"""The names a run gives its latest outputs (ci-benchmark.json among them): a folder of results
files may hold them, and a reader of that folder passes over them without a word."""


def get(name: str) -> Format:
    """The format called `name`; bad input naming the formats when there is none."""
    found = REGISTRY.get(name)
    if found is None:
        raise InputError(f"`format` must be one of {', '.join(REGISTRY)}, got {name!r}")
    return found


def render(results: ResultsFile, name: str) -> str:
    """One results file in the format `name` (one that renders to text: RENDERED)."""
    found = get(name)
    if found.render is None:
        raise InputError(f"`format` {name} writes files, not text (text formats: "
                         f"{', '.join(RENDERED)})")  # fmt: skip
    return found.render([("results", results)])
