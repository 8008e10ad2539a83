"""The gevent and anyio-uvloop models: seed orders on the CLI, gevent's pool, its failures, that
the harness never imports gevent, that anyio really runs on uvloop, and that no model's first
timed run imports a module (it would be on the clock). Orders and counts only, never times."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from concurrency_bench.kinds.base import IoJobs
from concurrency_bench.kinds.tcp import ServerHandle, TcpTarget
from concurrency_bench.kinds.tcp.clients import NetError
from concurrency_bench.kinds.tcp.kind import TcpJobs
from concurrency_bench.runners import REGISTRY, ModelSpec
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


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "concurrency_bench", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("io", ["timer", "tcp"])
def test_the_seed_timeline_shows_2_3_1(io: str) -> None:
    result = cli(
        "timeline", "--scenario", "seed", "--unit-ms", "20", "--io", io,
        "--models", "gevent,anyio-uvloop", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    entries = {entry["runner"]: entry for entry in json.loads(result.stdout)}
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


def test_anyio_uvloop_really_runs_on_uvloop() -> None:
    # anyio ignores a backend option it does not know: check the name against the installed
    # anyio by asking the running loop for its type.
    import asyncio  # noqa: PLC0415

    import anyio  # noqa: PLC0415
    import uvloop  # noqa: PLC0415

    from concurrency_bench.runners.anyio_uvloop import RUNNER  # noqa: PLC0415

    async def loop_type() -> type:
        return type(asyncio.get_running_loop())

    found = anyio.run(loop_type, backend=RUNNER.backend, backend_options=RUNNER.backend_options)
    assert issubclass(found, uvloop.Loop)


FIRST_RUN = """
import sys
from concurrency_bench.kinds.tcp import TcpTarget
from concurrency_bench.runners import get_spec
from concurrency_bench.kinds.tcp.kind import TcpJobs
from concurrency_bench.workload import Scenario, build_payloads

name, host, port, token = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
scenario = Scenario.uniform(3, 0.06, ints_per_job=10, seed=5)
target = TcpTarget(host, port, token)
for io in (None, TcpJobs(target), TcpJobs(target, 2)):
    runner = get_spec(name).load(io=io)
    if runner.family is not None:  # as the worker does, before setup
        runner.io.preload(runner.family)
    runner.setup(scenario.jobs)
    before = set(sys.modules)
    runner.run(scenario.delays_s, build_payloads(scenario))
    runner.close()
    print(sorted(set(sys.modules) - before))
"""


def test_no_models_first_run_imports_a_module(runner_spec: ModelSpec, server: ServerHandle) -> None:
    """A module imported lazily inside `run` lands on the first round's clock (a timeline has
    no warm-up): `setup` must import it. Timer, TCP per job and shared, each in a fresh process."""
    target = server.target
    args = [runner_spec.name, target.host, str(target.port), str(target.token)]
    result = subprocess.run(
        [sys.executable, "-c", FIRST_RUN, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]"] * 3, result.stdout
