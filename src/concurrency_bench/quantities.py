"""How every message, table and figure writes a quantity: a number with about three significant
digits, a duration with its unit, a byte size in B to GiB.

The one place for each, below every other package, so the engine's reasons ("would take
12.3 s"), the planner's, the memory check's and the reports all write a figure alike.
"""

from __future__ import annotations

import math

MOST_DECIMALS = 3
DURATION_UNITS = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))
SIZE_UNITS = (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))


def integer_digits(value: float) -> int:
    """Digits before the decimal point of |value|: 0 below 1 (exact, no log10 rounding)."""
    size = abs(value)
    return len(str(int(size))) if size >= 1 else 0


def decimals(value: float, digits: int = 3) -> int:
    """Decimals that show `value` with about `digits` significant digits (0 to 3)."""
    return min(MOST_DECIMALS, max(0, digits - integer_digits(value)))


def number(value: float, digits: int = 3) -> str:
    """About `digits` significant digits, never scientific notation: 0.123, 12.3, 1,234."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:,.{decimals(value, digits)}f}"


def duration(seconds: float, digits: int = 3) -> str:
    """A duration with its unit, about `digits` significant digits: `213 µs`, `1.85 ms`,
    `50.0 s`, `1,234 s` (seconds are the largest unit)."""
    size = abs(seconds)
    if not math.isfinite(size):
        return f"{seconds} s"
    for unit, factor in DURATION_UNITS:
        if size >= factor:
            return f"{number(seconds / factor, digits)} {unit}"
    return "0 µs" if size == 0 else f"{number(seconds / 1e-9, digits)} ns"


def size(nbytes: float, digits: int = 3) -> str:
    """A byte count in B, KiB, MiB or GiB, about `digits` significant digits: `512 B`,
    `2.67 KiB`, `24 GiB` (digits 2)."""
    for unit, factor in SIZE_UNITS:
        if abs(nbytes) >= factor:
            return f"{number(nbytes / factor, digits)} {unit}"
    return f"{nbytes:.0f} B"
