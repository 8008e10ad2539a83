"""One colour, marker and line style per model, the same in every figure and page.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies), given to
models in the registry's order; past its eight colours a dashed line (past sixteen, dash-dot)
tells models apart, and every model has a marker of its own, so the marker alone names a model
(in grey print, or where the line style shows the interpreter). No matplotlib here: the HTML
page's swatches use the same mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from concurrency_bench.kinds.registry import KINDS
from concurrency_bench.runners import REGISTRY

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p", "H", "d", "8",
           "$\u2663$", "$\u2665$")  # fmt: skip
"""One per registered model: matplotlib's 15 filled markers, then two card suits (text
markers), each with a character for the page (GLYPHS); the look-alikes ("h" and "H", "D" and
"d", "8" and "o") go to models of other colours."""
MODEL_LINES = ("-", "--", "-.")
"""A model's line style by its round of the palette: solid, then dashed, then dash-dot."""
EDGE = "#333333"
"""Marker edges: keeps the palette's yellow visible on white."""
OTHER_COLOUR = "#777777"
"""Models outside the registry (test doubles, foreign files)."""
CLIENT_MARKERS = ("o", "s", "D", "v", "P", "X", "*")
"""A row's marker by its client library's place among the kinds' clients (`asyncio-gather +
aiohttp`): the model keeps its colour and line style, each client its own marker."""
INTERPRETER_LINES = ("-", "--", ":", "-.")
"""A row's line style by its interpreter's place in a figure (when it shows several): the
model keeps its colour and marker, each interpreter its own dash."""


GLYPHS = {
    "o": "\u25cf",
    "s": "\u25a0",
    "^": "\u25b2",
    "D": "\u25c6",
    "v": "\u25bc",
    "P": "\u271a",
    "X": "\u2716",
    "*": "\u2605",
    "<": "\u25c0",
    ">": "\u25b6",
    "h": "\u2b22",
    "p": "\u2b1f",
    "H": "\u2b23",
    "d": "\u29eb",
    "8": "\u2bc3",
    "$\u2663$": "\u2663",
    "$\u2665$": "\u2665",
}
"""The text character that looks like each marker: a page's tables show a model's marker in
its colour, so two models sharing a colour (past the palette's eight) still differ there."""


@dataclass(frozen=True)
class Style:
    """How one model is drawn in every figure."""

    colour: str
    marker: str
    linestyle: str
    filled: bool = True
    """False: the marker is hollow (rows of an interpreter after the first)."""

    @property
    def glyph(self) -> str:
        """The marker as a text character."""
        return GLYPHS.get(self.marker, "\u25cf")


def model_style(model: str) -> Style:
    """The model's fixed colour, marker and line style (by its place in the registry)."""
    names = list(REGISTRY)
    if model not in names:
        return Style(OTHER_COLOUR, "o", ":")
    index = names.index(model)
    line = MODEL_LINES[min(index // len(OKABE_ITO), len(MODEL_LINES) - 1)]
    return Style(OKABE_ITO[index % len(OKABE_ITO)], MARKERS[index % len(MARKERS)], line)


class Row(Protocol):
    """What a figure needs of a row to style it (results.RowKey, a scaling series)."""

    @property
    def model(self) -> str:
        """The model's name."""
        ...

    @property
    def interpreter(self) -> str | None:
        """The interpreter's label; None for the harness's own."""
        ...


def interpreters_of(rows: Iterable[Row]) -> list[str | None]:
    """The interpreters of a figure's rows, in first-seen order."""
    return list(dict.fromkeys(row.interpreter for row in rows))


def row_style(row: Row, interpreters: Sequence[str | None] = ()) -> Style:
    """The model's style, with its client library's marker when it has one, and the line style
    (and a hollow marker after the first) of the row's interpreter among `interpreters` when
    the figure shows more than one."""
    style = model_style(row.model)
    client: str | None = getattr(row, "client", None)
    if client is not None:
        style = replace(style, marker=client_marker(client))
    if len(interpreters) <= 1 or row.interpreter not in interpreters:
        return style
    place = list(interpreters).index(row.interpreter)
    dash = INTERPRETER_LINES[place % len(INTERPRETER_LINES)]
    return replace(style, linestyle=dash, filled=place == 0)


def client_marker(client: str) -> str:
    """The marker of a client library's rows, by its place among every kind's clients."""
    names = list(dict.fromkeys(c.name for spec in KINDS.values() for c in spec.clients))
    place = names.index(client) if client in names else len(names)
    return CLIENT_MARKERS[place % len(CLIENT_MARKERS)]
