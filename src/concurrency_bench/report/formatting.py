"""How every output writes a figure: numbers, percentages, sizes, settings and the spread.

One place for each, so the terminal, markdown, CSV, ci JSON, compare and timeline tables
agree; numbers, durations and sizes are `concurrency_bench.quantities`' (the engine's
messages write them too). The spread is always the full interquartile range (Q3 - Q1 of the
rounds), written "median ± IQR": the IQR, not a ± interval around the median.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from concurrency_bench.quantities import decimals, duration, integer_digits, number, size

NONE = "—"
"""A figure that does not apply (an unranked row's speed-up) or was not measured."""
SPREAD_LEGEND = (
    "± is the interquartile range (Q3 - Q1) of the rounds, the spread of their middle half, "
    "not an interval around the median."
)
"""What "±" means in every output; each one says it in its legend or extra text."""


def ratio(value: float) -> str:
    """A ratio: two decimals below 10 (1.00, 0.99), fewer above (12.3, 858)."""
    return f"{value:.2f}" if abs(value) < 10 else number(value)


def percent(change: float) -> str:
    """A signed change in percent with one decimal; +-inf% from a zero base."""
    if math.isinf(change):
        return "+inf%" if change > 0 else "-inf%"
    return f"{change:+.1f}%"


def settings_text(settings: Mapping[str, object], separator: str = ", ") -> str:
    """A model's settings as `k=v` pairs in their order ("" when there are none)."""
    return separator.join(f"{key}={value}" for key, value in settings.items())


__all__ = [
    "NONE",
    "SPREAD_LEGEND",
    "decimals",
    "duration",
    "integer_digits",
    "number",
    "percent",
    "ratio",
    "settings_text",
    "size",
]
