"""`--cpu-ms`: each job's CPU work after its wait, for every family and kind, checked like the
sums; its calibration, its physics, and bad input through the CLI."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from pathlib import Path

import pytest
import trio

from cli_process import FOREVER, cli, one_line
from concurrency_bench.cli.args import with_clients
from concurrency_bench.cli.sweep_plan import Probe, plan, point_seconds
from concurrency_bench.engine import EngineOptions, measure_pairs
from concurrency_bench.errors import InputError
from concurrency_bench.kinds.cpu import CpuJobs, cpu_process_job
from concurrency_bench.kinds.timer import TIMER_JOBS
from concurrency_bench.runners import REGISTRY, ModelSpec
from concurrency_bench.workload import (
    MAX_CPU_MS,
    Scenario,
    build_payloads,
    calibrate,
    expected_sums,
    expected_values,
    spin,
)
from concurrency_bench.workload.cpu import iterations_for, leap
from fault_runners import SPECS

ONE = EngineOptions(rounds=1, warmup=0)


def test_the_check_computes_the_work_without_running_it() -> None:
    for iterations in (1, 2, 3, 64, 1000, 4097):
        a, c = leap(iterations)
        for seed in (0, 1, 12345, 2**40 + 7):
            assert spin(seed, iterations) == (a * seed + c) % 2**64
    sums = [0, 5, 65535 * 100]
    assert expected_values(sums, 50) == [spin(s, 50) for s in sums]
    assert expected_values(sums, 0) == sums  # no CPU work: the sums themselves
    assert len(set(expected_values(range(1000), 7))) == 1000  # a bijection: sums stay apart


def test_calibration_gives_one_count_per_share_and_none_without_work() -> None:
    assert calibrate([0.0, 0.0]) == {0.0: 0}
    counts = calibrate([0.0, 0.5, 2.0])
    assert counts[0.0] == 0 and 1 <= counts[0.5] < counts[2.0]
    assert iterations_for(1e-9, 1000.0) == 1  # a share above 0 always does some work
    assert iterations_for(3.0, 1000.0) == 3000


def test_the_scenario_names_and_times_its_cpu_work() -> None:
    base = Scenario.uniform(10, 0.05)
    cpu = base.with_cpu(2)
    assert cpu.name == "uniform-10x50ms-100ints-cpu2ms" and cpu.cpu_ms == 2.0
    assert base.with_cpu(0) == base  # no work: nothing added to the name
    assert cpu.with_io("tcp").name == "uniform-10x50ms-100ints-cpu2ms-tcp"
    assert cpu.ideal_wall_s(concurrent=True) == pytest.approx(0.052)
    assert cpu.ideal_wall_s(concurrent=False) == pytest.approx(0.52)
    assert cpu.queued_wall_s(1) == pytest.approx(0.52)
    assert cpu.queued_wall_s(5) == pytest.approx(0.52 / 5 + 0.052)


@pytest.mark.parametrize("bad", [-0.001, MAX_CPU_MS * 2, math.nan, math.inf, True, "1"])
def test_a_bad_cpu_share_is_refused_naming_it(bad: object) -> None:
    with pytest.raises(InputError, match="`cpu-ms` must be a number from 0 to 10000"):
        Scenario.uniform(1, 0.01).with_cpu(bad)  # type: ignore[arg-type]


JOBS = Scenario.uniform(4, 0.001, ints_per_job=7)


def _wanted(iterations: int) -> list[int]:
    return expected_values(expected_sums(build_payloads(JOBS)), iterations)


def _values(records: Sequence[tuple[int, int, int]]) -> list[int]:
    return [value for _, _, value in records]


def test_every_family_gets_the_work_from_the_one_wrapper() -> None:
    """In-process, without workers: the blocking, asyncio, structured and process jobs of the
    wrapped kind all return the CPU work's results; the finish stays where the wait ended."""
    payloads, delays, steps = build_payloads(JOBS), JOBS.delays_s, 300
    jobs = CpuJobs(TIMER_JOBS, steps)
    with jobs.blocking_jobs(4) as blocking:
        records = [blocking(i, d, p) for i, (d, p) in enumerate(zip(delays, payloads))]
    assert _values(records) == _wanted(steps)

    async def on_asyncio() -> list[tuple[int, int, int]]:
        async with jobs.asyncio_jobs(4) as job:
            return await asyncio.gather(*(job(i, d, p) for i, (d, p) in
                                          enumerate(zip(delays, payloads))))  # fmt: skip

    assert _values(asyncio.run(on_asyncio())) == _wanted(steps)

    async def on_trio() -> list[tuple[int, int, int]]:
        async with jobs.structured_jobs(4, "trio", trio.sleep) as job:
            return [await job(i, d, p) for i, (d, p) in enumerate(zip(delays, payloads))]

    assert _values(trio.run(on_trio)) == _wanted(steps)
    process = jobs.process_jobs(4)
    assert process.job is cpu_process_job
    assert _values([process.job(*a) for a in process.arguments(delays, payloads)]) == _wanted(steps)


def _specs(*names: str) -> list[ModelSpec]:
    available = [REGISTRY[n] for n in names if REGISTRY[n].available]
    assert available, names
    return available


def _measured(pairs: list[tuple[Scenario, ModelSpec]]) -> None:
    """Every pair ok (its values checked against the CPU work's), one count for them all."""
    results = measure_pairs(pairs, ONE).results
    for result in results:
        assert result.status == "ok", (result.row_name, result.reason)
    counts = {result.settings["cpu_iterations"] for result in results}
    assert len(counts) == 1 and next(iter(counts)) >= 1  # type: ignore[operator]


FAMILIES = ("sync", "threads", "asyncio-gather", "uvloop", "trio", "anyio-asyncio", "anyio-trio",
            "gevent", "processes")  # fmt: skip


def test_every_family_does_and_checks_the_work_on_timers() -> None:
    scenario = JOBS.with_cpu(0.5)
    _measured([(scenario, spec) for spec in _specs(*FAMILIES)])


@pytest.mark.parametrize("io", ["tcp", "http"])
def test_every_family_does_and_checks_the_work_over_real_io(io: str) -> None:
    if io == "http":
        pytest.importorskip("uvicorn")
    scenario = JOBS.with_io(io).with_cpu(0.5)
    rows = [s for s in with_clients(_specs(*FAMILIES), io, None) if s.available]
    first = {s.name: s for s in reversed(rows)}  # each model once, with its first client
    _measured([(scenario, s) for s in first.values()])


def test_work_done_wrong_is_reported_as_wrong_sums() -> None:
    cpu = JOBS.with_cpu(0.2)
    pairs = [(cpu, SPECS["fault-cpu_short"]), (cpu, REGISTRY["sync"]), (JOBS, REGISTRY["sync"])]
    short, right, plain = measure_pairs(pairs, ONE).results
    assert short.status == "wrong" and "job 0 summed to" in (short.reason or "")
    assert right.status == "ok"
    assert plain.status == "ok" and "cpu_iterations" not in plain.settings  # nothing wrapped


def test_in_process_models_cannot_spread_the_work_over_cores() -> None:
    """Ten jobs of 1 ms wait and 20 ms CPU each: one thread (asyncio) or the GIL (threads) runs
    the work one job at a time, so the round takes the jobs' work in a row and uses at most
    one core. Bounds loose enough for a busy machine and a calibration made under load."""
    jobs = Scenario.uniform(10, 0.001, ints_per_job=1)
    serial_s = 10 * 0.020
    results = measure_pairs(
        [(jobs.with_cpu(20), spec) for spec in _specs("asyncio-gather", "threads")], ONE
    ).results
    for result in results:
        assert result.status == "ok", result.reason
        (round_,) = result.runs[0].values
        assert round_.wall_s >= 0.3 * serial_s, result.row_name
        assert round_.cpu_s >= 0.3 * serial_s, result.row_name  # the work is really done
        assert round_.cpu_s <= 1.25 * round_.wall_s + 0.01, result.row_name  # one core at most


@pytest.mark.parametrize("value", ["-1", "10001", "nan", "inf", "x", ""])
@pytest.mark.parametrize("command", ["run", "timeline", "sweep"])
def test_bad_cpu_ms_is_one_line_naming_it(tmp_path: Path, command: str, value: str) -> None:
    out = () if command == "timeline" else ("--out", str(tmp_path / "runs"))
    shape = FOREVER if command != "sweep" else ("--jobs", "2", "--delay-ms", "3600000")
    result = cli(command, *shape, "--cpu-ms", f"0,{value}" if command == "sweep" else value,
                 *out)  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    one_line(result, "`cpu-ms`", "from 0 to 10000")
    assert not (tmp_path / "runs").exists()


def test_run_marks_the_scenario_and_records_the_count(tmp_path: Path) -> None:
    result = cli("run", "--jobs", "2", "--delay-ms", "1", "--cpu-ms", "0.3", "--models", "sync",
                 "--rounds", "1", "--warmup", "0", "--out", str(tmp_path / "runs"), "--quiet",
                 "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "uniform-2x1ms-100ints-cpu0.3ms" in result.stdout
    assert '"cpu_ms":0.3' in result.stdout.replace(" ", "")
    assert '"cpu_iterations"' in result.stdout


def test_the_sweep_plans_the_work_on_one_core_and_stops_per_share() -> None:
    """A point's estimate adds jobs x CPU work; a model over the budget at one CPU work still
    runs larger sizes at another."""
    probe = Probe("asyncio-gather", 100, start_s=0.0, per_job_s=0.0, setup_per_job_s=0.0)
    spec = REGISTRY["asyncio-gather"]
    options = EngineOptions(rounds=1, warmup=0)
    small, large = Scenario.uniform(100, 0.05), Scenario.uniform(1000, 0.05)
    assert point_seconds(small.with_cpu(10), spec, probe, options) == pytest.approx(
        0.05 + 0.01 + 100 * 0.01
    )
    scenarios = [s.with_cpu(ms) for s in (small, large) for ms in (0.0, 10.0)]
    points = plan(scenarios, [spec], {spec.name: probe}, options, 5.0, None)
    ran = {(p.scenario.jobs, p.scenario.cpu_ms): p.reason is None for p in points}
    assert ran == {(100, 0.0): True, (100, 10.0): True, (1000, 0.0): True, (1000, 10.0): False}
