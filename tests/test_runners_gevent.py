"""runners/gevent.py (and anyio-uvloop on the CLI): seed orders on the CLI, gevent's pool, its
failures, and that the harness never imports gevent. Orders and counts only, never times."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from cli_process import cli
from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.kinds.tcp import ServerHandle, TcpTarget
from concurrency_bench.kinds.tcp.clients import NetError
from concurrency_bench.kinds.tcp.kind import TcpJobs
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario, build_payloads, expected_sums

pytest.importorskip("gevent")
pytest.importorskip("uvloop")

THREE = Scenario.uniform(3, 0.06, ints_per_job=10, seed=5)
"""Three equal jobs: with a pool of two, the third must wait for a free slot."""


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with ServerHandle() as handle:
        handle.start(THREE)
        yield handle


@pytest.mark.parametrize("io", ["timer", "tcp"])
def test_the_seed_timeline_shows_2_3_1(io: str) -> None:
    result = cli(
        "timeline", "--scenario", "seed", "--unit-ms", "20", "--io", io,
        "--models", "gevent,anyio-uvloop", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    entries = {entry["model"]: entry for entry in json.loads(result.stdout)}
    assert set(entries) == {"gevent", "anyio-uvloop"}
    for name, entry in entries.items():
        assert entry["sums_ok"] is True, name
        assert [job["finish_order"] for job in entry["jobs"]] == [2, 3, 1], name
    assert entries["anyio-uvloop"]["settings"]["loop"] == "uvloop"


def run_gevent(io: IoJobs | None, pool_size: int | None) -> tuple[list[tuple[int, int, int]], dict]:
    runner = REGISTRY["gevent"].load(pool_size=pool_size, io=io)
    settings = runner.setup(THREE.jobs)
    try:
        return runner.run(THREE.delays_s, build_payloads(THREE)), settings
    finally:
        runner.close()


@pytest.mark.parametrize("tcp", [False, True], ids=["timer", "tcp"])
def test_gevent_with_a_pool_of_two_queues_the_third_job(server: ServerHandle, tcp: bool) -> None:
    io = TcpJobs(server.target) if tcp else None
    records, settings = run_gevent(io, pool_size=2)
    assert settings == {"greenlets": 2, "pool": "gevent.pool.Pool"}
    assert [value for _, _, value in records] == expected_sums(build_payloads(THREE))
    starts = [start for start, _, _ in records]
    first_finish = min(finish for _, finish, _ in records[:2])
    # the pool holds two at once: the third job starts only once one of the first two is done
    assert max(starts[:2]) < first_finish <= starts[2]


def test_gevent_without_a_pool_starts_every_job_at_once() -> None:
    records, settings = run_gevent(None, pool_size=None)
    assert settings == {"greenlets": 3, "pool": "greenlet-per-job"}
    assert max(start for start, _, _ in records) < min(finish for _, finish, _ in records)


def test_a_gevent_job_that_cannot_connect_fails_the_run_with_its_cause() -> None:
    with ServerHandle() as handle:
        handle.start(THREE)
        target = handle.target
    closed = TcpJobs(TcpTarget(target.host, target.port, target.token))  # its server is gone
    with pytest.raises(NetError, match=f"connect to {target.host}:{target.port} failed"):
        run_gevent(closed, pool_size=None)


def test_the_harness_never_imports_gevent_and_nothing_is_patched() -> None:
    probe = """
import sys
from concurrency_bench.engine import EngineOptions, measure_all
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario
results = measure_all(
    [REGISTRY["gevent"]], [Scenario.uniform(5, 0.001)], EngineOptions(rounds=1, warmup=0)
)
print(results.scenarios[0].models[0].status, "gevent" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok", "False"]
    # and in the worker's place, running the model patches nothing of the standard library
    import gevent.monkey  # noqa: PLC0415

    run_gevent(None, pool_size=None)
    assert not gevent.monkey.is_anything_patched()
