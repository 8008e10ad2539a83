"""The crossover figure (`sweep --cpu-ms`): which scenarios it gathers, and that it is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from concurrency_bench.report.figures import write_all
from concurrency_bench.report.figures.crossover import share
from concurrency_bench.report.figures.series import cpuless_name, crossover_groups
from concurrency_bench.results import ResultsFile
from factories import model_result, results_file, scenario

WORKS = (0.0, 1.0, 3.0)


def cpu_file(*, sizes: tuple[int, ...] = (200,)) -> ResultsFile:
    """Each size at three CPU works; processes not run at the largest work."""
    blocks = []
    for jobs in sizes:
        for ms in WORKS:
            s = scenario(jobs, 50).with_cpu(ms)
            processes = (
                model_result("processes", s, status="not-run", reason="would take 9 min")
                if ms == 3.0
                else model_result("processes", s, walls=[0.09 + jobs * ms / 2000] * 3)
            )
            rows = [model_result("threads", s, walls=[0.06 + jobs * ms / 1000] * 3), processes]
            blocks.append((s, rows))
    return results_file(blocks, rounds=3)


def test_scenarios_that_differ_in_cpu_work_only_make_one_group() -> None:
    (group,) = crossover_groups(cpu_file())
    assert group.cpu_ms == list(WORKS)
    assert group.name == "uniform-200x50ms-100ints-cpuXms"
    by_model = {s.model: s for s in group.series}
    assert [p.cpu_ms for p in by_model["threads"].points] == list(WORKS)
    assert by_model["threads"].points[1].wall_s.median == pytest.approx(0.26)
    assert [ms for ms, _ in by_model["processes"].missing] == [3.0]


def test_each_size_is_its_own_group_and_one_work_is_none() -> None:
    assert [g.scenarios[0].jobs for g in crossover_groups(cpu_file(sizes=(10, 100)))] == [10, 100]
    only_zero = results_file([(scenario(10, 50), [model_result("threads", scenario(10, 50),
                                                               walls=[0.05] * 3)])])  # fmt: skip
    assert crossover_groups(only_zero) == []


def test_the_share_is_the_work_over_the_whole_job() -> None:
    assert share(0.0, 0.05) == 0.0
    assert share(50.0, 0.05) == pytest.approx(0.5)


def test_the_figure_is_written_naming_its_workload(tmp_path: Path) -> None:
    paths = write_all(cpu_file(), tmp_path)
    svg = tmp_path / "crossover-uniform-200x50ms-100ints-cpuXms.svg"
    assert svg in paths and (tmp_path / svg.with_suffix(".png").name) in paths
    text = svg.read_text(encoding="utf-8")
    assert "uniform-200x50ms-100ints-cpuXms" in text
    assert "one core" in text  # the line of every job's work in a row
    assert "processes at 3 ms" in text  # the missing point, with its reason


def test_the_group_name_marks_the_cpu_work_wherever_the_name_has_it() -> None:
    tcp = scenario(10, 50).with_io("tcp")
    assert cpuless_name(tcp) == "uniform-10x50ms-100ints-tcp-cpuXms"
    assert cpuless_name(tcp.with_cpu(0.3)) == "uniform-10x50ms-100ints-tcp-cpuXms"
    assert cpuless_name(scenario(10, 50).with_cpu(1).with_io("tcp")) == (
        "uniform-10x50ms-100ints-cpuXms-tcp"
    )
