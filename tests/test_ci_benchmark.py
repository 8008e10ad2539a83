"""report/ci_benchmark.py: github-action-benchmark's customSmallerIsBetter entries from a
results file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from concurrency_bench.report import ci_benchmark as ci_export
from concurrency_bench.report import render
from concurrency_bench.results import ResultsFile
from factories import model_result, results_file, scenario

# github-action-benchmark's extractRangeInfo: an optional "±" or "+-" prefix, then a number.
RANGE = re.compile(r"^(\+-|±)\s*(\d.+|\d)$")


@pytest.fixture
def results() -> ResultsFile:
    s = scenario(100, 50.0)
    ideal = 0.05
    return results_file(
        [
            (
                s,
                [
                    model_result(
                        "asyncio-gather", s, overheads=[0.001, 0.002, 0.003, 0.004, 0.005]
                    ),
                    model_result("trio", s, walls=[ideal + 0.01] * 5),
                    model_result("threads", s, status="wrong", walls=[0.06] * 5, reason="sum"),
                    model_result("processes", s, status="failed", reason="killed"),
                    model_result("sync", s, status="not-run", reason="would take 5 s"),
                    model_result("asyncio-eager", s, status="unavailable", reason="3.12+"),
                ],
            )
        ]
    )


def test_two_entries_per_ranked_model_only(results: ResultsFile) -> None:
    names = [e["name"] for e in ci_export.entries(results)]
    assert names == [
        "uniform-100x50ms-100ints / asyncio-gather: overhead per job",
        "uniform-100x50ms-100ints / asyncio-gather: wall",
        "uniform-100x50ms-100ints / trio: overhead per job",
        "uniform-100x50ms-100ints / trio: wall",
    ]


def test_values_are_the_medians_and_range_is_the_full_iqr(results: ResultsFile) -> None:
    by_name = {e["name"]: e for e in ci_export.entries(results)}
    overhead = by_name["uniform-100x50ms-100ints / asyncio-gather: overhead per job"]
    # median overhead 3 ms over 100 jobs = 30 µs per job; IQR 2 ms -> 20 µs (the whole IQR,
    # as latest.md and the CSV show it: one spread convention)
    assert overhead["unit"] == "us"
    assert overhead["value"] == pytest.approx(30.0)
    assert overhead["range"] == "± 20"
    assert "range = the IQR (Q3 - Q1)" in overhead["extra"]
    wall = by_name["uniform-100x50ms-100ints / asyncio-gather: wall"]
    assert wall["unit"] == "ms"
    assert wall["value"] == pytest.approx(53.0)
    trio = by_name["uniform-100x50ms-100ints / trio: wall"]
    assert trio["value"] == pytest.approx(60.0)
    assert trio["range"] == "± 0"


def test_every_entry_has_the_fields_the_action_reads(results: ResultsFile) -> None:
    for entry in ci_export.entries(results):
        assert set(entry) == {"name", "unit", "value", "range", "extra"}
        assert isinstance(entry["value"], float)
        assert RANGE.match(entry["range"]), entry["range"]
        assert "5 rounds" in entry["extra"]


def test_nothing_ranked_gives_an_empty_list(tmp_path: Path) -> None:
    s = scenario(10, 50.0)
    only_failed = results_file([(s, [model_result("trio", s, status="failed", reason="x")])])
    assert ci_export.entries(only_failed) == []
    assert json.loads(ci_export.to_json(only_failed)) == []


def test_every_output_shows_the_same_spread(results: ResultsFile) -> None:
    # One convention: "±" is the full IQR in ci-benchmark.json, latest.md/text and the CSV.
    gather = next(m for _, m in results.models() if m.model == "asyncio-gather")
    iqr_ms = gather.wall.iqr * 1e3  # 2 ms
    wall = next(e for e in ci_export.entries(results) if e["name"].endswith("gather: wall"))
    assert wall["range"] == f"± {iqr_ms:.6g}"
    csv_row = next(line for line in render(results, "csv").splitlines() if "gather" in line)
    assert repr(gather.wall.iqr) in csv_row.split(",")
    for fmt in ("text", "md"):
        text = render(results, fmt)
        assert "53.0 ± 2.0" in text
        assert "interquartile range (Q3 - Q1)" in " ".join(text.split())
