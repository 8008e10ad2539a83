"""Log axes labelled as a reader reads the tables: round plain numbers (1,000, 0.5, 60), never
powers of ten, and never so close that two labels run together.

matplotlib labels a short log axis's minor ticks in scientific notation ("3 x 10^3"), which on
a narrow panel ran two labels into one; here the labelled ticks are chosen apart instead.
"""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator, NullFormatter

ROUND = ((1.0,), (2.0, 5.0), (3.0,), (1.5, 4.0, 6.0, 8.0))
"""The leading figures a label may have, roundest first: powers of ten, then 2 and 5, ..."""
LABEL_GAP = 0.18
"""The least distance between two labels, as a share of the axis's length (log scale): at
most about six labels on an axis, each with room for `100,000`."""
LEAST_RATIO = 2.0
"""The narrowest view a log y axis gets (high / low): values closer than that look flat."""


class RoundLogLocator(Locator):
    """A log axis's labelled ticks: the roundest numbers in view, each LABEL_GAP of the axis
    from the others; on an axis too short for two of them, evenly spaced plain numbers."""

    def __call__(self) -> list[float]:
        """The ticks in the axis's view."""
        low, high = self.axis.get_view_interval() if self.axis is not None else (1.0, 10.0)
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        """The ticks between `vmin` and `vmax`."""
        low, high = sorted((vmin, vmax))
        if low <= 0 or high <= low:
            return [value for value in (low, high) if value > 0][:1]
        gap = math.log10(high / low) * LABEL_GAP
        chosen: list[float] = []
        for leading in ROUND:
            for power in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
                for figure in leading:
                    value = figure * 10.0**power
                    if low <= value <= high and all(
                        abs(math.log10(value / other)) >= gap for other in chosen
                    ):
                        chosen.append(value)
        if len(chosen) < 2:
            linear = MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
            chosen = [float(v) for v in linear if low <= v <= high]
        return sorted(chosen)


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
