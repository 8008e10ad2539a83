"""Quantities: one way to write a number, a duration and a byte size, for messages and reports."""

from __future__ import annotations

import math

import pytest

from concurrency_bench.cli import streams
from concurrency_bench.quantities import duration, number, size
from concurrency_bench.report import console
from concurrency_bench.report.html_tables import environment_table


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.000213, "213 µs"),
        (0.00185, "1.85 ms"),
        (0.0806, "80.6 ms"),
        (0.6, "600 ms"),
        (50.0, "50.0 s"),
        (1234.5, "1,234 s"),  # never scientific notation ("1.23e+03 s")
        (5000.0, "5,000 s"),
        (2.5e-8, "25.0 ns"),
        (0.0, "0 µs"),
        (-0.0125, "-12.5 ms"),
        (math.inf, "inf s"),
    ],
)
def test_a_duration_has_three_significant_digits_and_its_unit(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


@pytest.mark.parametrize(
    ("nbytes", "digits", "shown"),
    [
        (512, 3, "512 B"),
        (2734, 3, "2.67 KiB"),
        (24 * 1024**3, 2, "24 GiB"),
        (24 * 1024**3, 3, "24.0 GiB"),
        (int(1.5 * 1024**3), 3, "1.50 GiB"),
        (300 * 1024**2, 3, "300 MiB"),
    ],
)
def test_a_size_goes_up_to_gib(nbytes: int, digits: int, shown: str) -> None:
    assert size(nbytes, digits) == shown


def test_a_number_never_uses_scientific_notation() -> None:
    assert number(1234567.0) == "1,234,567"
    assert number(0.000123) == "0.000"  # three decimals at most: a duration picks a unit
    assert number(math.nan) == "nan"


def test_the_page_shows_the_machine_memory_in_gib() -> None:
    page = environment_table({"memory_total_bytes": 24 * 1024**3}, "2024-01-02T03:04:05Z")
    assert "24.0 GiB" in page and "MiB" not in page


def test_one_fallback_table_for_emit_and_the_standard_streams() -> None:
    assert streams.FALLBACKS is console.ASCII_FALLBACKS
    text = "53.0 ± 1.0 µs ✓ ✗ — …\u00a0"
    assert console.printable(text, "ascii") == "53.0 +- 1.0 us ok X - ... "
    assert text.encode("ascii", errors=streams.ERROR_HANDLER) == b"53.0 +- 1.0 us ok X - ... "
