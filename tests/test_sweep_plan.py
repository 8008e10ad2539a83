"""The sweep's plan: which (size, model) points fit the budget, from a probe's costs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from concurrency_bench.cli.main import main
from concurrency_bench.cli.sweep_cmd import sizes, with_points
from concurrency_bench.cli.sweep_plan import (
    Point,
    Probe,
    plan,
    point_seconds,
    probe_from,
    probe_jobs,
)
from concurrency_bench.engine import EngineOptions
from concurrency_bench.results import load
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario
from factories import model_result, results_file

GATHER, SYNC, PROCESSES = REGISTRY["asyncio-gather"], REGISTRY["sync"], REGISTRY["processes"]
OPTIONS = EngineOptions(rounds=3, warmup=1)
CHEAP = Probe("asyncio-gather", 1000, start_s=0.2, per_job_s=10e-6, setup_per_job_s=2e-6)


def uniform(jobs: int) -> Scenario:
    return Scenario.uniform(jobs, 0.050)


def test_a_point_costs_its_workers_start_and_every_round() -> None:
    # 3 workers: 3 x (0.2 + 1000 x 2 µs) + (3 warm-ups + 3 rounds) x (0.05 + 1000 x 10 µs)
    expected = 3 * (0.2 + 0.002) + 6 * (0.05 + 0.01)
    assert point_seconds(uniform(1000), GATHER, CHEAP, OPTIONS) == pytest.approx(expected)


def test_a_sequential_point_costs_the_sum_of_its_delays() -> None:
    probe = Probe("sync", 20, start_s=0.0, per_job_s=0.0, setup_per_job_s=0.0)
    assert point_seconds(uniform(100), SYNC, probe, OPTIONS) == pytest.approx(6 * 5.0)


def test_over_the_budget_is_not_run_there_nor_at_larger_sizes() -> None:
    probes = {"asyncio-gather": CHEAP, "sync": Probe("sync", 20, 0.1, 0.0, 0.0)}
    points = plan(
        [uniform(n) for n in (1000, 10, 100)], [SYNC, GATHER], probes, OPTIONS, 20.0, None
    )
    by = {(p.scenario.jobs, p.spec.name): p for p in points}
    assert [p.scenario.jobs for p in points] == [10, 10, 100, 100, 1000, 1000]  # ascending
    assert by[(10, "sync")].reason is None  # 6 x 0.5 s + 0.3 s
    assert by[(100, "sync")].reason is not None
    assert by[(100, "sync")].reason.startswith("would take 30.3 s")
    assert "not tried, over the budget from 100 jobs" in (by[(1000, "sync")].reason or "")
    assert all(by[(n, "asyncio-gather")].reason is None for n in (10, 100, 1000))


def test_a_model_without_a_probe_is_measured_and_says_why_itself() -> None:
    points = plan([uniform(10)], [GATHER], {}, OPTIONS, 1.0, None)
    assert points[0].reason is None and points[0].estimate_s is None


def test_a_point_over_the_memory_is_not_run() -> None:
    points = plan([uniform(10), uniform(100_000)], [GATHER], {}, OPTIONS, 60.0, 200 * 2**20)
    assert points[0].reason is None
    assert (points[1].reason or "").startswith("would need")


def test_probe_costs_come_from_the_two_workers() -> None:
    probe = probe_from("m", (0.30, 0.05, 0.05), (0.50, 0.07, 0.05), 1001)
    assert probe.start_s == pytest.approx(0.25)
    assert probe.per_job_s == pytest.approx(0.02 / 1001)
    assert probe.setup_per_job_s == pytest.approx((0.43 - 0.25) / 1000)


def test_probes_of_queueing_models_stay_short() -> None:
    assert probe_jobs(GATHER, 0.05, 100_000, None) == 10_000
    assert probe_jobs(GATHER, 0.05, 100, None) == 100
    assert probe_jobs(SYNC, 0.05, 100_000, None) <= 20
    assert probe_jobs(PROCESSES, 0.05, 100_000, None) <= 1220  # about 1 s: P / 61 x 50 ms


def test_sizes_are_distinct_and_ascending() -> None:
    assert sizes("1000,10,100,10") == [10, 100, 1000]
    assert sizes("1_000_000") == [1_000_000]
    with pytest.raises(argparse.ArgumentTypeError):
        sizes("10,,100")
    with pytest.raises(argparse.ArgumentTypeError):
        sizes("0")


@pytest.mark.slow
def test_sweep_over_tcp_names_every_size_tcp_and_sums_right(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    status = main(
        ["sweep", "--jobs", "2,4", "--delay-ms", "5", "--io", "tcp", "--models",
         "asyncio-gather", "--clients", "streams", "--rounds", "1", "--out", str(out), "--quiet"]
    )  # fmt: skip
    assert status == 0
    (path,) = out.glob("*.json")
    rows = [(s.name, s.io, m.status) for s, m in load(path).models()]
    assert rows == [
        ("uniform-2x5ms-100ints-tcp", "tcp", "ok"),
        ("uniform-4x5ms-100ints-tcp", "tcp", "ok"),
    ]


def test_sweep_connections_without_tcp_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["sweep", "--connections", "2", "--out", str(tmp_path / "runs")])
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "`connections` needs --io tcp" in err
    assert not (tmp_path / "runs").exists()


def test_the_sweep_file_holds_every_point_in_plan_order_with_its_notes() -> None:
    small, large = uniform(10), uniform(1000)
    measured = [model_result("asyncio-gather", s, walls=[0.06] * 3) for s in (small, large)]
    engine_file = results_file([(small, [measured[0]]), (large, [measured[1]])], partial=True)
    points = [
        Point(small, GATHER, 1.0),
        Point(small, SYNC, 9.0, reason="would take 9 s"),
        Point(large, GATHER, 2.0),
        Point(large, SYNC, 900.0, reason="not tried"),
    ]
    whole = with_points(engine_file, points, OPTIONS, {"budget_s_per_point": 5.0})
    rows = [(s.name, m.model, m.status, m.reason) for s, m in whole.models()]
    assert rows == [
        (small.name, "asyncio-gather", "ok", None),
        (small.name, "sync", "not-run", "would take 9 s"),
        (large.name, "asyncio-gather", "ok", None),
        (large.name, "sync", "not-run", "not tried"),
    ]
    assert whole.environment["sweep"] == {"budget_s_per_point": 5.0}
    assert whole.environment["cpu_model"] == engine_file.environment["cpu_model"]
    assert whole.partial and whole.created_utc == engine_file.created_utc
