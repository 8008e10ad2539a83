"""`--io tcp` end to end: every model's sums over loopback TCP, the seed's orders over sockets,
shared connections, a server that dies mid-run, and a descriptor limit too low for the jobs."""

from __future__ import annotations

import json
import resource
from pathlib import Path
from typing import ClassVar

import msgspec
import pytest

from cli_process import cli
from concurrency_bench.engine import EngineOptions, Progress, measure_all, measure_pairs
from concurrency_bench.engine import api as engine_api
from concurrency_bench.engine.servers import ScenarioServers
from concurrency_bench.errors import InputError
from concurrency_bench.report.rows import notes
from concurrency_bench.results import ModelResult, ProcessRun, Round
from concurrency_bench.results.schema import decode
from concurrency_bench.runners import REGISTRY, ModelSpec, available_specs
from concurrency_bench.workload import Scenario

SMALL = Scenario.uniform(20, 0.005)
ONE_ROUND = EngineOptions(rounds=1, warmup=0, timeout_s=120)


def test_the_io_is_part_of_the_scenario_and_its_name() -> None:
    assert SMALL.io == "timer" and SMALL.connections is None
    tcp = SMALL.with_io("tcp")
    assert (tcp.name, tcp.io, tcp.delays_s) == (f"{SMALL.name}-tcp", "tcp", SMALL.delays_s)
    pooled = SMALL.with_io("tcp", 10)
    assert (pooled.name, pooled.connections) == (f"{SMALL.name}-tcp-c10", 10)
    assert SMALL.with_io("tcp", SMALL.jobs).connections == SMALL.jobs
    assert msgspec.convert(msgspec.to_builtins(pooled), Scenario) == pooled
    with pytest.raises(InputError, match="`connections` needs --io tcp"):
        SMALL.with_io("timer", 3)
    with pytest.raises(InputError, match="`connections` must be an integer from 1 to 100000"):
        SMALL.with_io("tcp", 0)
    with pytest.raises(InputError, match="`io` must be one of: timer, tcp"):
        SMALL.with_io("udp")  # type: ignore[arg-type]


def test_connections_bound_the_concurrency_the_budget_uses() -> None:
    gather, threads, sync = REGISTRY["asyncio-gather"], REGISTRY["threads"], REGISTRY["sync"]
    assert gather.concurrency(1000) == 1000
    assert gather.concurrency(1000, None, 10) == 10
    assert threads.concurrency(1000, 50, 10) == 10
    assert threads.concurrency(1000, 5, 10) == 5
    assert sync.concurrency(1000, None, 10) == 1


def _check_tcp_row(row: ModelResult, connections: int | str) -> None:
    assert row.status == "ok", row.reason
    assert row.settings["connections"] == connections
    assert "loop on cpus" in str(row.settings["tcp_server"])
    for r in row.rounds:
        assert r.server_cpu_s is not None and r.server_cpu_s >= 0
        assert r.server_busy is not None and 0 <= r.server_busy <= 1


def test_every_model_sums_right_over_tcp_per_job_and_shared(runner_spec: ModelSpec) -> None:
    scenarios = [SMALL.with_io("tcp"), SMALL.with_io("tcp", 2)]
    results = measure_all([runner_spec], scenarios, ONE_ROUND)
    per_job, shared = (block.models[0] for block in results.scenarios)
    _check_tcp_row(per_job, "one per job")
    _check_tcp_row(shared, runner_spec.concurrency(SMALL.jobs, None, 2))  # sync opens one
    assert [b.scenario.name for b in results.scenarios] == [s.name for s in scenarios]


def test_a_row_its_connections_make_queue_says_so_and_is_never_called_cpu_bound() -> None:
    shared = SMALL.with_io("tcp", 2)
    results = measure_all([REGISTRY["asyncio-gather"], REGISTRY["sync"]], [shared], ONE_ROUND)
    gather, sync = results.scenarios[0].models
    note = str(gather.settings["note"])
    assert note.startswith(f"pool-bound: --connections 2 lets 2 of {SMALL.jobs} jobs wait")
    assert gather.reason == note and not any("CPU-bound" in n for n in notes(gather))
    assert "note" not in sync.settings  # one job at a time already: its connections queue none


def test_timer_rounds_carry_no_server_figures() -> None:
    results = measure_all([REGISTRY["asyncio-gather"]], [SMALL], ONE_ROUND)
    row = results.scenarios[0].models[0]
    assert row.status == "ok" and row.server_busy is None
    assert "server" not in results.to_json() and "connections" not in row.settings


@pytest.mark.slow
def test_the_seed_orders_hold_over_real_connections() -> None:
    result = cli(
        "timeline", "--scenario", "seed", "--io", "tcp", "--unit-ms", "20", "--format", "json",
        "--clients", "streams,socket",  # each model's default API: one row per model
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    timelines = {entry["model"]: entry for entry in json.loads(result.stdout)}
    for spec in available_specs():
        entry = timelines[spec.name]
        assert entry["sums_ok"] is True, entry
        assert entry["settings"]["connections"] == "one per job"
        orders = [job["finish_order"] for job in entry["jobs"]]
        assert orders == ([2, 3, 1] if spec.concurrent else [1, 2, 3]), spec.name


def test_shared_connections_are_recorded_in_the_file(tmp_path: Path) -> None:
    result = cli(
        "run", "--io", "tcp", "--connections", "2", "--jobs", "10", "--delay-ms", "5",
        "--models", "asyncio-gather,threads", "--clients", "streams,socket", "--rounds", "1",
        "--warmup", "0",
        "--out", str(tmp_path), "--json", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    results = decode(result.stdout)
    block = results.scenarios[0]
    assert (block.scenario.name, block.scenario.io, block.scenario.connections) == (
        "uniform-10x5ms-100ints-tcp-c2",
        "tcp",
        2,
    )
    for row in block.models:
        _check_tcp_row(row, 2)


def test_a_row_records_the_connections_its_model_opened_not_the_scenarios_cap(
    tmp_path: Path,
) -> None:
    result = cli(
        "run", "--io", "tcp", "--connections", "10", "--jobs", "3", "--delay-ms", "5",
        "--pool-size", "2", "--models", "sync,asyncio-gather,threads", "--clients",
        "streams,socket", "--rounds", "1",
        "--warmup", "0", "--out", str(tmp_path), "--json", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (block,) = decode(result.stdout).scenarios
    assert block.scenario.name == "uniform-3x5ms-100ints-tcp-c10"  # the definition, as given
    opened = {row.model: row.settings["connections"] for row in block.models}
    assert opened == {"sync": 1, "asyncio-gather": 3, "threads": 2}  # jobs at once, at most


def test_connections_without_tcp_is_bad_input(tmp_path: Path) -> None:
    result = cli("run", "--connections", "2", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "connections" in result.stderr
    assert not any(tmp_path.iterdir())


class _Remembered(ScenarioServers):
    """ScenarioServers that a test can reach, to kill a server mid-run."""

    made: ClassVar[list[ScenarioServers]] = []

    def __init__(self) -> None:
        super().__init__()
        self.made.append(self)


def test_a_server_that_dies_fails_the_rest_of_its_scenario(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine_api, "ScenarioServers", _Remembered)
    slow = Scenario.uniform(3, 2.0, ints_per_job=8).with_io("tcp")
    specs = [REGISTRY["asyncio-gather"], REGISTRY["threads"], REGISTRY["sync"]]

    def kill_in_first_round(progress: Progress) -> None:
        if progress.phase == "round" and progress.pair == 1:
            handle = _Remembered.made[-1].handles[slow.name]
            assert handle.process is not None
            if handle.process.poll() is None:
                handle.process.kill()
                handle.process.wait()

    options = EngineOptions(rounds=1, warmup=0, timeout_s=60, progress=kill_in_first_round)
    measured = measure_pairs([(slow, spec) for spec in specs], options)
    first, *rest = measured.results
    assert first.status == "failed"
    assert first.reason is not None and "the ints server was killed by SIGKILL" in first.reason
    for row in rest:
        assert row.status == "failed"
        assert row.reason == "the ints server was killed by SIGKILL"
        assert not row.runs


def test_a_descriptor_limit_too_low_for_the_jobs_is_a_failed_row(tmp_path: Path) -> None:
    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))

    result = cli(
        "run", "--io", "tcp", "--jobs", "300", "--delay-ms", "5", "--models", "asyncio-gather",
        "--clients", "streams", "--rounds", "1", "--warmup", "0", "--out", str(tmp_path),
        "--json", "--quiet",
        preexec_fn=low_limit,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    row = decode(result.stdout).scenarios[0].models[0]
    assert row.status == "failed"
    assert row.reason is not None
    assert "open-file limit (RLIMIT_NOFILE) is 128" in row.reason
    assert "--connections" in row.reason and "(in limits)" in row.reason


def test_a_row_whose_server_was_busy_over_half_the_round_is_server_bound() -> None:
    def row(*busy: float) -> ModelResult:
        rounds = tuple(
            Round(wall_s=0.2, cpu_s=0.1, overhead_s=0.15, server_cpu_s=0.2 * b, server_busy=b)
            for b in busy
        )
        return ModelResult(
            model="uvloop", status="ok", concurrent=True, ideal_s=0.05, jobs=10,
            runs=(ProcessRun(pid=1, values=rounds),),
        )  # fmt: skip

    assert any(n.startswith("server-bound: server busy 60%") for n in notes(row(0.6, 0.7, 0.2)))
    calm = notes(row(0.1, 0.2, 0.3))
    assert "server busy 20% of the round" in calm and not any("server-bound" in n for n in calm)
    old = msgspec.json.decode(b'{"wall_s":0.2,"cpu_s":0.1,"overhead_s":0.1}', type=Round)
    assert (old.server_cpu_s, old.server_busy) == (None, None)  # schema-2 files still load
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(
            b'{"wall_s":0.2,"cpu_s":0.1,"overhead_s":0.1,"server_busy":1.5}', type=Round
        )


@pytest.mark.slow
def test_the_largest_jobs_under_the_documented_cap_run_over_tcp(tmp_path: Path) -> None:
    """150 jobs x 1,000,000 ints: above the 134,217,727 ints one randbytes call can draw, so the
    server's payload bytes must come in chunks, as the models' payloads do."""
    result = cli(
        "run", "--io", "tcp", "--jobs", "150", "--ints", "1000000", "--delay-ms", "5",
        "--models", "asyncio-gather", "--clients", "streams", "--rounds", "1", "--warmup", "0",
        "--out", str(tmp_path), "--json", "--quiet", timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    block = decode(result.stdout).scenarios[0]
    assert block.scenario.name == "uniform-150x5ms-1000000ints-tcp"
    (row,) = block.models
    assert (row.status, row.reason) == ("ok", None)  # every sum read from the server was right
