"""Where a model stops being I/O-bound: the CPU-bound rule, the row's note, the sweep's lines
per model (text, markdown, the scaling figure's notes), and the collector's share in every
export (CSV, ci-benchmark.json, pyperf)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import msgspec
import pytest

from concurrency_bench.kinds.registry import pool_bound_note
from concurrency_bench.report import ci_benchmark, pythons_table, render
from concurrency_bench.report.figures.series import scaling_groups
from concurrency_bench.report.pyperf_export import export, to_json
from concurrency_bench.report.rows import cpu_note, notes
from concurrency_bench.report.saturation import crossing, lines, series_line
from concurrency_bench.results import ModelResult, PythonInfo, ResultsFile
from concurrency_bench.summaries import cpu_bound
from factories import model_result, results_file, scenario, with_gc

# -- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cpu_s", "ideal_s", "expected"),
    [
        (0.009, 0.050, False),  # a loop that mostly waits
        (0.096, 0.050, True),  # its CPU alone is longer than the wait
        (0.050, 0.050, True),  # exactly the ideal: saturated
        (0.049, 0.050, False),  # just under it
        (23.6, 0.050, True),  # however long a loaded machine made the wall
        (0.010, 0.0, False),  # no wait to compare with (delay 0)
    ],
)
def test_cpu_bound_needs_cpu_of_at_least_the_ideal_round(
    cpu_s: float, ideal_s: float, expected: bool
) -> None:
    assert cpu_bound(cpu_s, ideal_s) is expected


def _row(jobs: int, cpu_s: float, wall_s: float, model: str = "asyncio-gather") -> ModelResult:
    s = scenario(jobs, 50.0)
    return model_result(model, s, walls=[wall_s] * 3, cpus=[cpu_s] * 3)


def test_a_cpu_bound_row_says_its_cpu_per_round_and_per_job_against_the_ideal() -> None:
    row = _row(10_000, 0.096, 0.125)
    assert cpu_note(row) == "CPU-bound: 96.0 ms CPU/round (9.60 µs/job) vs 50.0 ms ideal"
    assert cpu_note(row) in notes(row)
    assert cpu_note(_row(1_000, 0.009, 0.058)) is None
    unmeasured = model_result("trio", scenario(10, 50.0), status="not-run", reason="budget")
    assert cpu_note(unmeasured) is None


def test_a_pool_that_made_jobs_queue_is_never_called_cpu_bound() -> None:
    s = scenario(1_000, 50.0)
    queued = model_result(
        "processes", s, walls=[0.870] * 3, cpus=[0.119] * 3, settings={"processes": 61}
    )
    assert cpu_note(queued) is None  # the queue (1,000 jobs 61 at a time) set the wall
    per_job = model_result(
        "threads", s, walls=[0.165] * 3, cpus=[0.151] * 3, settings={"threads": 1_000}
    )
    assert (cpu_note(per_job) or "").startswith("CPU-bound: 151 ms CPU/round (151 µs/job)")
    bounded = pool_bound_note("aiohttp's default limit=100", 100, 1_000, 0.050, "--connections N")
    pooled = model_result(
        "asyncio-gather", s, walls=[0.566] * 3, cpus=[0.128] * 3, settings={"note": bounded}
    )
    assert cpu_note(pooled) is None  # its client's pool (10 waves of 50 ms) set the wall


# -- the sweep's lines -----------------------------------------------------------------------


def sweep(rows: dict[str, list[tuple[int, float, float]]]) -> ResultsFile:
    """A sweep's file: for each model, (jobs, cpu, wall) per size."""
    by_size: dict[int, list[ModelResult]] = {}
    for model, points in rows.items():
        for jobs, cpu_s, wall_s in points:
            by_size.setdefault(jobs, []).append(_row(jobs, cpu_s, wall_s, model))
    return results_file([(scenario(n, 50.0), by_size[n]) for n in sorted(by_size)])


SWEEP = sweep(
    {
        "asyncio-gather": [(1_000, 0.009, 0.058), (10_000, 0.096, 0.125), (100_000, 1.7, 1.9)],
        "uvloop": [(1_000, 0.007, 0.057), (10_000, 0.040, 0.075), (100_000, 0.9, 1.0)],
        "trio": [(1_000, 0.060, 0.080), (10_000, 0.300, 0.330), (100_000, 5.0, 6.0)],
    }
)


def test_each_model_is_named_with_the_size_where_it_stops_being_io_bound() -> None:
    (group,) = scaling_groups(SWEEP)
    by_model = {s.model: series_line(s) for s in group.series}
    gather = by_model["asyncio-gather"] or ""
    assert gather.startswith("asyncio-gather: I/O-bound to 1,000 jobs (9.00 ms CPU/round")
    assert "CPU-bound from 10,000 jobs (96.0 ms CPU/round, 9.60 µs/job vs 50.0 ms ideal)" in gather
    assert "at about 5,200 jobs" in gather  # 50 ms / 9.6 µs
    assert "I/O-bound to 10,000 jobs" in (by_model["uvloop"] or "")
    trio = by_model["trio"] or ""
    assert trio.startswith("trio: CPU-bound from 1,000 jobs") and "I/O-bound" not in trio


def test_a_model_never_cpu_bound_is_io_bound_at_every_size() -> None:
    calm = sweep({"asyncio-gather": [(10, 0.001, 0.051), (100, 0.002, 0.052)]})
    (group,) = scaling_groups(calm)
    (series,) = group.series
    line = series_line(series) or ""
    assert line.startswith("asyncio-gather: I/O-bound at every size measured, to 100 jobs")
    assert "CPU-bound" not in line


def test_the_crossing_is_the_ideal_over_the_cpu_per_job() -> None:
    (group,) = scaling_groups(SWEEP)
    trio = next(s for s in group.series if s.model == "trio")
    assert crossing(trio.points[0]) == 830  # 50 ms / 60 µs, two digits


def test_text_and_markdown_reports_show_the_lines_and_a_single_size_run_does_not() -> None:
    assert [name for name, _ in lines(SWEEP)] == ["uniform-Nx50ms-100ints"]
    text = render(SWEEP, "text")
    assert "Where each model stops being I/O-bound" in text
    assert "CPU-bound from 10,000 jobs" in text
    markdown = render(SWEEP, "md")
    assert "where each model stops being I/O-bound" in markdown
    one = sweep({"asyncio-gather": [(10_000, 0.096, 0.125)]})
    assert lines(one) == []
    assert "stops being I/O-bound" not in render(one, "text")


def test_the_scaling_figure_notes_name_where_each_model_is_cpu_bound() -> None:
    pytest.importorskip("matplotlib")
    from concurrency_bench.report.figures import scaling  # noqa: PLC0415 (matplotlib)

    (plot,) = scaling.draw(SWEEP)
    texts = " ".join(t.get_text() for t in plot.figure.texts)
    assert "CPU-bound (CPU per round above the ideal): asyncio-gather from 10,000 jobs" in texts


# -- the collector in every export ------------------------------------------------------------


def gc_file() -> ResultsFile:
    s = scenario(1_000, 50.0)
    gathered = with_gc(model_result("asyncio-gather", s, walls=[0.06, 0.07, 0.08]), [0.03] * 3)
    plain = model_result("trio", s, walls=[0.07, 0.08, 0.09])
    return results_file([(s, [gathered, plain])])


def test_the_csv_has_the_gc_time_share_and_cpu_figures() -> None:
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(render(gc_file(), "csv")))}
    gathered, plain = rows["asyncio-gather"], rows["trio"]
    assert float(gathered["gc_median_s"]) == pytest.approx(0.03)
    assert float(gathered["gc_share"]) == pytest.approx(0.03 / 0.07)
    assert plain["gc_median_s"] == "" and plain["gc_share"] == ""  # not recorded: empty
    assert float(gathered["cpu_per_job_median_s"]) == pytest.approx(0.01 / 1_000)
    assert gathered["cpu_bound"] == "false"


def test_ci_benchmark_charts_gc_time_for_rows_that_recorded_it() -> None:
    entries = {e["name"]: e for e in json.loads(ci_benchmark.to_json(gc_file()))}
    gc = entries["uniform-1000x50ms-100ints / asyncio-gather: gc"]
    assert gc["unit"] == "ms" and gc["value"] == pytest.approx(30.0)
    assert "GC 42.9% of the wall" in gc["extra"]
    assert not any(name.startswith("uniform-1000x50ms-100ints / trio: gc") for name in entries)


def test_pyperf_carries_the_gc_figures_as_metadata() -> None:
    benchmarks = export(gc_file()).document["benchmarks"]
    gathered = [b for b in benchmarks if b["metadata"]["model"] == "asyncio-gather"]
    assert gathered and all(
        b["metadata"]["gc_share"] == pytest.approx(0.03 / 0.07) for b in gathered
    )
    run = gathered[0]["runs"][0]["metadata"]
    assert run["gc_median_s"] == pytest.approx(0.03) and run["gc_collections"] == 1
    plain = [b for b in benchmarks if b["metadata"]["model"] == "trio"]
    assert all("gc_share" not in b["metadata"] for b in plain)
    assert all("gc_median_s" not in r.get("metadata", {}) for b in plain for r in b["runs"])


def test_pyperf_loads_the_gc_metadata(tmp_path: Path) -> None:
    pyperf = pytest.importorskip("pyperf")
    path = tmp_path / "pyperf.json"
    path.write_text(to_json(gc_file()), encoding="utf-8")
    loaded = pyperf.BenchmarkSuite.load(str(path)).get_benchmarks()[0]
    assert loaded.get_metadata()["gc_share"] == pytest.approx(0.03 / 0.07)
    assert loaded.get_runs()[0].get_metadata()["gc_median_s"] == pytest.approx(0.03)


def test_the_cross_interpreter_table_shows_each_interpreters_gc_share() -> None:
    s = scenario(1_000, 50.0)
    rows = []
    for label, gc_s in (("3.11", 0.03), ("3.13", 0.014)):
        info = PythonInfo(label=label, executable="/p", version=label, implementation="CPython")
        model = model_result("asyncio-gather", s, walls=[0.07] * 3)
        rows.append(msgspec.structs.replace(with_gc(model, [gc_s] * 3), python=info))
    plain = model_result("trio", s, walls=[0.08] * 3)
    info = PythonInfo(label="3.11", executable="/p", version="3.11", implementation="CPython")
    rows.append(msgspec.structs.replace(plain, python=info))
    table = pythons_table.render(results_file([(s, rows)]))
    head, _, *body = table.splitlines()[1:]
    assert "3.11 GC" in head and "3.13 GC" in head
    gathered = next(line for line in body if line.startswith("asyncio-gather"))
    assert "43%" in gathered.split() and "20%" in gathered.split()  # 30 / 70 ms, 14 / 70 ms
    trio = next(line for line in body if line.startswith("trio"))
    assert "-" in trio.split()  # rounds without GC figures
