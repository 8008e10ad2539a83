"""Log axes labelled as a reader reads the tables: round plain numbers (1,000, 0.5, 60), never
powers of ten, and never so close that two labels run together.

matplotlib labels a short log axis's minor ticks in scientific notation ("3 x 10^3"), which on
a narrow panel ran two labels into one; here the labelled ticks are chosen apart instead.
"""

from __future__ import annotations

import math

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.axis import Axis, XAxis
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator, NullFormatter

ROUND = ((1.0,), (2.0, 5.0), (3.0,), (1.5, 4.0, 6.0, 8.0))
"""The leading figures a label may have, roundest first: powers of ten, then 2 and 5, ..."""
ENOUGH = 4
"""Labels enough: no less round ones are added once an axis has this many."""
DIGIT_EM = 0.64
"""A label character's width in ems (DejaVu Sans digits; commas are narrower)."""
LINE_EM = 1.2
"""A label's height in ems."""
LABEL_SHARE = 0.15
"""The least distance between two labels as a share of the axis's length, however short the
labels: at most about seven on an axis, so it stays easy to read."""
LEAST_RATIO = 2.0
"""The narrowest view a log y axis gets (high / low): values closer than that look flat."""


class RoundLogLocator(Locator):
    """A log axis's labelled ticks: the roundest numbers in view, roundest chosen first, each
    kept only with room for its label beside those already chosen (an em between labels, and
    LABEL_SHARE of the axis); on an axis too short for two of them, evenly spaced numbers."""

    def __call__(self) -> list[float]:
        """The ticks in the axis's view."""
        low, high = self.axis.get_view_interval() if self.axis is not None else (1.0, 10.0)
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        """The ticks between `vmin` and `vmax`."""
        low, high = sorted((vmin, vmax))
        if low <= 0 or high <= low:
            return [value for value in (low, high) if value > 0][:1]
        length, em, across = self._geometry()
        per_decade = length / math.log10(high / low)

        def room(a: float, b: float) -> bool:
            apart = abs(math.log10(a / b)) * per_decade
            if across:  # labels side by side: half of each label's width, and an em
                least = em * (1 + DIGIT_EM * (len(tick_text(a)) + len(tick_text(b))) / 2)
            else:
                least = em * (1 + LINE_EM)
            return apart >= max(least, length * LABEL_SHARE)

        chosen: list[float] = []
        for leading in ROUND:
            if len(chosen) >= ENOUGH:
                break
            for power in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
                for figure in leading:
                    value = figure * 10.0**power
                    if low <= value <= high and all(room(value, other) for other in chosen):
                        chosen.append(value)
        if len(chosen) < 2:
            linear = MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
            chosen = [float(v) for v in linear if low <= v <= high]
        return sorted(chosen)

    def _geometry(self) -> tuple[float, float, bool]:
        """The axis's length and its labels' em, in pixels, and whether labels sit side by side
        (an x axis); a 3-inch axis of 10-point labels at 100 dpi when not on a figure yet."""
        axis = self.axis
        if not isinstance(axis, Axis) or axis.axes is None:
            return 300.0, 14.0, True
        across = isinstance(axis, XAxis)
        box = axis.axes.bbox
        size = mpl.rcParams["xtick.labelsize" if across else "ytick.labelsize"]
        em = FontProperties(size=size).get_size_in_points() * axis.axes.figure.dpi / 72
        return (box.width if across else box.height), em, across


def widen(axes: Axes, least: float = LEAST_RATIO) -> None:
    """Widen a log axes' y view to at least `least` (high / low) around its middle: lines that
    hardly move (or not at all, but for float rounding) would otherwise get a view too narrow
    for any tick."""
    low, high = axes.get_ylim()
    if low > 0 and high / low < least:
        middle = math.sqrt(low * high)
        axes.set_ylim(middle / math.sqrt(least), middle * math.sqrt(least))


def plain_log_ticks(axis: Axis) -> None:
    """Label a log axis with round plain numbers (RoundLogLocator), its minor ticks unlabelled;
    a symlog axis keeps its ticks, labelled as plain numbers."""
    if axis.get_scale() == "log":
        axis.set_major_locator(RoundLogLocator())
    axis.set_major_formatter(FuncFormatter(lambda value, _: tick_text(value)))
    axis.set_minor_formatter(NullFormatter())


def tick_text(value: float) -> str:
    """A tick's value as plain text: `0.05`, `2`, `1,000`, `100,000` (ticks are round)."""
    return f"{value:,.12g}"
