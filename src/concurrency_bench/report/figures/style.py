"""What every figure shares: the models' styles (report.palette), titles, the footer, files.

Figures are built on `matplotlib.figure.Figure` with the Agg canvas, never pyplot: no global
state, no display needed.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar

import matplotlib as mpl

mpl.use("Agg")  # before anything draws: no display, the same output everywhere
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from concurrency_bench.report import cells
from concurrency_bench.report.figures.ticks import plain_log_ticks, widen
from concurrency_bench.report.palette import (
    EDGE,
    OKABE_ITO,
    Row,
    Style,
    interpreters_of,
    model_style,
    row_style,
)
from concurrency_bench.report.text import wrap
from concurrency_bench.results import ResultsFile
from concurrency_bench.textsafe import visible

WIDTH_IN = 9.0
FOOTER_CHARS = 170
"""A footer line's most characters (7-point text across the figure's width)."""
FOOTER_LINE_IN = 0.14
"""Height of one 7-point footer line, in inches."""
MARKER_SIZE = 6.5
"""A line's markers, in points: large enough that every model's shape tells apart."""
ELLIPSIS = "\u2026"
PLAIN: Final[dict[str, Any]] = {"parse_math": False, "usetex": False}
"""Text properties that draw a string as it is: a name with `$...$` is not mathtext, nor TeX."""
SLUG_CHARS = 80
"""Longest name part of a figure's file: room left for its prefix and suffix under the usual
255-byte limit, whatever a scenario name or a machine's CPU holds."""
MISSING_GLYPH = r"Glyph \d+ .* missing from font"
"""matplotlib's warning for a character its font cannot draw (a box is drawn instead)."""

Part = TypeVar("Part")


class LabelledRow(Row, Protocol):
    """A row a figure draws as a line: styled by its model and interpreter, named by `label`."""

    @property
    def label(self) -> str:
        """The row's label in the legend."""
        ...


@dataclass
class Plot:
    """A finished figure: its file name (without suffix), title, caption and drawing."""

    name: str
    title: str
    caption: str
    figure: Figure

    def __post_init__(self) -> None:
        self.title, self.caption = visible(self.title), visible(self.caption)  # SVG metadata


def machine_caption(results: ResultsFile) -> str:
    """The machine and the run, in one line under every figure."""
    return f"Measured on {cells.environment_line(results)}"


def new_figure(title: str, *, rows: int = 1, cols: int = 1, height: float = 4.8) -> Figure:
    """A figure with `rows` x `cols` axes and the title on top (`finish` adds the footer)."""
    figure = Figure(figsize=(WIDTH_IN, height), layout="constrained")
    figure.suptitle(visible(title), fontsize=12, **PLAIN)
    figure.subplots(rows, cols, squeeze=False)
    return figure


def row_figure(title: str, count: int) -> tuple[Figure, Axes, list[int]]:
    """A figure with one row per model for `count` models, and each row's y, the first on top."""
    figure = new_figure(title, height=1.6 + 0.42 * count)
    (axes,) = figure.axes
    return figure, axes, list(range(count, 0, -1))


def model_line(
    axes: Axes,
    row: LabelledRow,
    xs: Sequence[float],
    ys: Sequence[float],
    *,
    interpreters: Sequence[str | None] = (),
    edge_width: float | None = 0.5,
) -> None:
    """One row's line in its model's colour and marker, its interpreter's line style (among
    `interpreters`), labelled for the legend (`edge_width` None: matplotlib's default edge)."""
    style = row_style(row, interpreters)
    face = style.colour if style.filled else "white"
    axes.plot(xs, ys, color=style.colour, linestyle=style.linestyle, marker=style.marker,
              markersize=MARKER_SIZE, markerfacecolor=face, markeredgecolor=EDGE,
              markeredgewidth=edge_width, label=visible(row.label))  # fmt: skip


def log_log(axes: Axes, ylabel: str) -> None:
    """Both axes logarithmic, x the number of jobs, with the major grid."""
    axes.set_xscale("log")
    axes.set_yscale("log")
    widen(axes)
    plain_log_ticks(axes.xaxis)
    plain_log_ticks(axes.yaxis)
    axes.set_xlabel("jobs (log)")
    axes.set_ylabel(ylabel)
    axes.grid(True, which="major", alpha=0.3)


def clip(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut at a space with an ellipsis when longer (a
    reason in a caption: never "(budge)")."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rstrip()
    space = cut.rfind(" ")
    return (cut[:space].rstrip(" ,;:(") if space > 0 else cut) + ELLIPSIS


def each_drawn(
    results: ResultsFile, parts: Iterable[Part], draw: Callable[[Part, str], Plot | None]
) -> list[Plot]:
    """`draw(part, caption)` for each part of `results` (a scenario, a workload), the machine
    caption under each; the parts with nothing to draw left out."""
    caption = machine_caption(results)
    plots = [draw(part, caption) for part in parts]
    return [p for p in plots if p is not None]


def finish(figure: Figure, lines: Sequence[str]) -> None:
    """Put `lines` (notes, then the machine) under the axes, wrapped, with room kept for them."""
    lines = [
        part for line in lines for part in wrap(visible(line), FOOTER_CHARS).splitlines() or [""]
    ]
    height_in = figure.get_figheight()
    footer_in = 0.08 + FOOTER_LINE_IN * len(lines)
    figure.text(0.01, 0.01, "\n".join(lines), fontsize=7, color="#333333", ha="left", va="bottom",
                **PLAIN)  # fmt: skip
    engine = figure.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        bottom = min(0.5, footer_in / height_in)
        engine.set(rect=(0, bottom, 1, 1 - bottom))  # left, bottom, width, height


def legend(figure: Figure) -> None:
    """One legend for the whole figure, right of the axes (from the first axes' labels),
    centred on the height, so a long title above never runs into it."""
    handles, labels = figure.axes[0].get_legend_handles_labels()
    for axes in figure.axes[1:]:
        more, names = axes.get_legend_handles_labels()
        for handle, name in zip(more, names):
            if name not in labels:
                handles.append(handle)
                labels.append(name)
    if handles:
        shown = figure.legend(
            handles, labels, loc="outside right center", fontsize=8, frameon=False
        )
        for text in shown.get_texts():
            text.update(PLAIN)


def svg_text(plot: Plot) -> str:
    """The figure as SVG text."""
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none"}), _boxes_for_missing_glyphs():
        plot.figure.savefig(buffer, format="svg", metadata={"Title": plot.title, "Date": None})
    return buffer.getvalue()


def inline_svg(plot: Plot) -> str:
    """The SVG element alone, for an HTML page: no XML declaration, DOCTYPE, metadata block or
    namespace attributes, which name outside addresses; an HTML parser puts <svg> and
    xlink:href in their namespaces by itself."""
    text = svg_text(plot)
    text = re.sub(r"<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    return re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", text)


def save(plot: Plot, directory: Path) -> list[Path]:
    """Write `<name>.svg` and `<name>.png` into `directory`; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    svg = directory / f"{plot.name}.svg"
    svg.write_text(svg_text(plot), encoding="utf-8")
    png = directory / f"{plot.name}.png"
    with _boxes_for_missing_glyphs():
        plot.figure.savefig(png, format="png", dpi=110, metadata={"Title": plot.title})
    return [svg, png]


@contextmanager
def _boxes_for_missing_glyphs() -> Iterator[None]:
    """Draw a character the font lacks (a CJK name, an emoji) as matplotlib does, a box,
    without its warning on stderr for each one: the reader cannot act on it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=MISSING_GLYPH, category=UserWarning)
        yield


def slug(text: str) -> str:
    """A file-name-safe form of a scenario name or panel title, short enough for any file
    system (a long one cut, with a digest of the whole so two stay apart)."""
    found = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "scenario"
    if len(found) <= SLUG_CHARS:
        return found
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return f"{found[: SLUG_CHARS - len(digest) - 1].rstrip('-')}-{digest}"


def close(plot: Plot) -> None:
    """Free the figure's memory (Figure objects made without pyplot are freed with it)."""
    plot.figure.clear()


__all__ = [
    "EDGE",
    "OKABE_ITO",
    "PLAIN",
    "Plot",
    "Style",
    "clip",
    "close",
    "each_drawn",
    "finish",
    "inline_svg",
    "interpreters_of",
    "legend",
    "log_log",
    "machine_caption",
    "model_line",
    "model_style",
    "new_figure",
    "row_figure",
    "row_style",
    "save",
    "slug",
    "svg_text",
]
