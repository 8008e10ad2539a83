"""How every output writes a figure: numbers, percentages, sizes, settings and the spread.

One place for each, so the terminal, markdown, CSV, ci JSON, compare and timeline tables
agree. The spread is always the full interquartile range (Q3 - Q1 of the rounds), written
"median ± IQR": the IQR, not a ± interval around the median.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

NONE = "—"
"""A figure that does not apply (an unranked row's speed-up) or was not measured."""
MOST_DECIMALS = 3
SPREAD_LEGEND = (
    "± is the interquartile range (Q3 - Q1) of the rounds, the spread of their middle half, "
    "not an interval around the median."
)
"""What "±" means in every output; each one says it in its legend or extra text."""


def integer_digits(value: float) -> int:
    """Digits before the decimal point of |value|: 0 below 1 (exact, no log10 rounding)."""
    size = abs(value)
    return len(str(int(size))) if size >= 1 else 0


def decimals(value: float, digits: int = 3) -> int:
    """Decimals that show `value` with about `digits` significant digits (0 to 3)."""
    return min(MOST_DECIMALS, max(0, digits - integer_digits(value)))


def number(value: float, digits: int = 3) -> str:
    """About `digits` significant digits, never scientific notation: 0.123, 12.3, 1,234."""
    return f"{value:,.{decimals(value, digits)}f}"


def ratio(value: float) -> str:
    """A ratio: two decimals below 10 (1.00, 0.99), fewer above (12.3, 858)."""
    return f"{value:.2f}" if abs(value) < 10 else number(value)


def percent(change: float) -> str:
    """A signed change in percent with one decimal; +-inf% from a zero base."""
    if math.isinf(change):
        return "+inf%" if change > 0 else "-inf%"
    return f"{change:+.1f}%"


def size(nbytes: float) -> str:
    """A byte count in B, KiB or MiB."""
    if nbytes < 1024:
        return f"{nbytes:.0f} B"
    if nbytes < 1024**2:
        return f"{number(nbytes / 1024)} KiB"
    return f"{number(nbytes / 1024**2)} MiB"


def seconds(value: float) -> str:
    """A duration for prose: `1.5 s` from one second up, `40 ms` below (3 significant digits)."""
    return f"{value:,.3g} s" if value >= 1 else f"{value * 1e3:.3g} ms"


def settings_text(settings: Mapping[str, object], separator: str = ", ") -> str:
    """A model's settings as `k=v` pairs in their order ("" when there are none)."""
    return separator.join(f"{key}={value}" for key, value in settings.items())


def duration(value: float) -> str:
    """A short duration with its unit, 3 significant digits: `213 µs`, `1.85 ms`, `50.0 s`."""
    size = abs(value)
    for unit, factor in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if size >= factor:
            return f"{number(value / factor)} {unit}"
    return f"{number(value / 1e-9)} ns" if size > 0 else "0 µs"
