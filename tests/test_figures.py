"""Figures from results files: which apply, what they are drawn from, and that they are valid
SVG and PNG naming their scenario (never pixels: no image comparison)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from concurrency_bench.cli.main import main
from concurrency_bench.engine import SingleRun
from concurrency_bench.engine.timing import Measurement
from concurrency_bench.report.figures import draw_all, write_all
from concurrency_bench.report.figures.seed import draw_timeline
from concurrency_bench.report.figures.series import Band, pool_of, scaling_groups
from concurrency_bench.report.figures.style import (
    OKABE_ITO,
    inline_svg,
    model_style,
    save,
    slug,
    svg_text,
)
from concurrency_bench.results import ResultsFile
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario
from factories import model_result, results_file, scenario

SIZES = (10, 100, 1000)


def sweep_file() -> ResultsFile:
    """Three sizes of one workload; processes saturates its pool of 61 from 100 jobs on."""
    blocks = []
    for jobs in SIZES:
        s = scenario(jobs, 50)
        blocks.append(
            (
                s,
                [
                    model_result("uvloop", s, overheads=[jobs * 3e-6 * f for f in (1, 1.1, 0.9)],
                                 rss_before_bytes=1000, rss_peak_bytes=1000 + jobs * 9000),
                    model_result("processes", s, overheads=[jobs * 3e-4] * 3,
                                 settings={"processes": min(jobs, 61), "start_method": "fork"}),
                    model_result("sync", s, status="not-run", reason="would take 50 s"),
                ],
            )
        )  # fmt: skip
    return results_file(blocks, rounds=3)


def test_every_model_keeps_one_colour_from_the_registry_order() -> None:
    names = list(REGISTRY)
    assert model_style(names[0]).colour == OKABE_ITO[0]
    assert model_style(names[2]) == model_style(names[2])
    styles = {
        (model_style(n).colour, model_style(n).marker, model_style(n).linestyle) for n in names
    }
    assert len(styles) == len(names)  # no two models drawn alike
    assert model_style("not-a-model").colour not in OKABE_ITO


def test_scaling_groups_gather_the_sizes_of_one_workload() -> None:
    (group,) = scaling_groups(sweep_file())
    assert group.sizes == list(SIZES)
    assert group.name == "uniform-Nx50ms-100ints"
    by_model = {s.model: s for s in group.series}
    assert [p.jobs for p in by_model["uvloop"].points] == list(SIZES)
    assert [p.pool for p in by_model["processes"].points] == [None, 61, 61]
    assert [jobs for jobs, _ in by_model["sync"].missing] == list(SIZES)
    first = by_model["uvloop"].points[0].overhead_per_job_us
    assert first.q1 <= first.median <= first.q3
    assert first.median == pytest.approx(3.0)


def test_a_single_size_has_no_scaling_figure() -> None:
    s = scenario(100, 50)
    assert scaling_groups(results_file([(s, [model_result("uvloop", s, walls=[0.06] * 3)])])) == []


def test_pool_of_is_none_below_the_pool_size() -> None:
    s = scenario(10, 50)
    assert pool_of(model_result("processes", s, walls=[0.1], settings={"processes": 10})) is None
    assert pool_of(model_result("threads", s, walls=[0.1], settings={"threads": 4})) == 4
    assert pool_of(model_result("uvloop", s, walls=[0.1])) is None


def test_band_is_the_quartiles() -> None:
    assert Band.of([1.0, 2.0, 3.0, 4.0, 5.0]) == Band(2.0, 3.0, 4.0)


def test_figures_are_written_as_svg_and_png_naming_their_scenario(tmp_path: Path) -> None:
    paths = write_all(sweep_file(), tmp_path)
    names = {p.name for p in paths}
    assert "scaling-uniform-Nx50ms-100ints.svg" in names
    assert "memory-uniform-Nx50ms-100ints.png" in names
    assert {f"rounds-uniform-{n}x50ms-100ints.svg" for n in SIZES} <= names
    assert {f"lateness-uniform-{n}x50ms-100ints.svg" for n in SIZES} <= names
    for path in paths:
        assert path.stat().st_size > 0
        if path.suffix == ".png":
            assert path.read_bytes().startswith(b"\x89PNG")
    svg = (tmp_path / "rounds-uniform-100x50ms-100ints.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "uniform-100x50ms-100ints" in svg
    assert "against the model's median (%)" in svg  # units on the axis
    assert "Test CPU" in svg  # the machine in the caption


def test_long_names_give_short_file_names_that_stay_apart(tmp_path: Path) -> None:
    assert slug("seed $x$ / a|b") == "seed-x-a-b"
    long_a, long_b = "x" * 300 + "a", "x" * 300 + "b"
    assert len(slug(long_a)) <= 80 and slug(long_a) != slug(long_b)
    named = Scenario.uniform(10, 0.05, ints_per_job=10, name="w" * 250)
    rows = [model_result("threads", named, walls=[0.06, 0.061, 0.062])]
    paths = write_all(results_file([(named, rows)], rounds=3), tmp_path)
    assert paths and all(len(p.name) < 100 for p in paths)


def test_inline_svg_names_no_outside_address() -> None:
    plot = draw_all(sweep_file())[0]
    assert "<!DOCTYPE" in svg_text(plot)
    inline = inline_svg(plot)
    assert inline.lstrip().startswith("<svg")
    assert "dtd" not in inline
    assert "http" not in inline  # no namespace URL either: HTML's parser knows <svg>
    assert inline.count("<svg") == 1


def test_lateness_falls_back_to_the_pooled_figures() -> None:
    plots = [p for p in draw_all(sweep_file()) if p.name.startswith("lateness-")]
    assert len(plots) == len(SIZES)


def test_nothing_measured_draws_no_rounds_or_lateness() -> None:
    s = scenario(10, 50)
    results = results_file([(s, [model_result("sync", s, status="not-run", reason="budget")])])
    assert draw_all(results) == []


def _measurement(model: str, scenario: Scenario, starts: list[float]) -> Measurement:
    delays = list(scenario.delays_s)
    return Measurement(
        model=model,
        concurrent=True,
        wall_ns=int((max(s + d for s, d in zip(starts, delays)) + 0.001) * 1e9),
        cpu_ns=1000,
        ideal_s=max(delays),
        delays_s=delays,
        starts_ns=[int(s * 1e9) for s in starts],
        finishes_ns=[int((s + d + 0.001) * 1e9) for s, d in zip(starts, delays)],
        values=[1, 2, 3],
    )


def test_the_seed_timeline_draws_one_row_of_bars_per_model(tmp_path: Path) -> None:
    seed = Scenario.seed_story(10)
    outcomes = [
        SingleRun("sync", "ok", _measurement("sync", seed, [0.0, 0.051, 0.132])),
        SingleRun("uvloop", "ok", _measurement("uvloop", seed, [0.0, 0.0, 0.0])),
        SingleRun("asyncio-eager", "unavailable", None, "needs Python 3.12+"),
    ]
    plot = draw_timeline(outcomes, seed, "Measured on a test machine")
    assert len(plot.figure.axes) == 3
    svg, png = save(plot, tmp_path)
    text = svg.read_text(encoding="utf-8")
    assert "Timeline: seed" in text
    assert "units of 10 ms" in text
    assert "needs Python 3.12+" in text
    assert png.exists()


def test_timeline_plot_writes_svg_and_png(tmp_path: Path) -> None:
    status = main(
        ["timeline", "--models", "asyncio-gather", "--unit-ms", "5", "--plot", str(tmp_path / "t")]
    )
    assert status == 0
    assert "Timeline: seed" in (tmp_path / "t.svg").read_text(encoding="utf-8")
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")


def test_timeline_plot_refuses_too_many_jobs_before_measuring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["timeline", "--scenario", "uniform", "--jobs", "101", "--plot", str(tmp_path / "t")]
    assert main(args) == 2
    assert "`plot` draws at most 100 jobs" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
