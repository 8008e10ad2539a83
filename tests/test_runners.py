"""Every model: correct sums, the seed story's physics (order and overlap), pool sizes, the
registry's names and refusals, and that `setup` leaves no import to the first timed run; never
times."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from concurrency_bench.engine.timing import Measurement, measure_run
from concurrency_bench.errors import InputError
from concurrency_bench.kinds.tcp import ServerHandle
from concurrency_bench.runners import REGISTRY, ModelSpec, available_specs, get_spec
from concurrency_bench.workload import Scenario, build_payloads, expected_sums

UNIT_MS = 40  # 5, 8, 2 units = 200, 320, 80 ms: well separated, far above timer granularity


def run_once(spec: ModelSpec, scenario: Scenario, pool_size: int | None = None) -> Measurement:
    """One measured run of `spec`, set up and closed like the engine does."""
    payloads = build_payloads(scenario)
    runner = spec.load(pool_size=pool_size)
    settings = runner.setup(scenario.jobs)
    try:
        return measure_run(
            runner,
            spec.name,
            spec.concurrent,
            scenario,
            payloads,
            expected_sums(payloads),
            settings,
        )
    finally:
        runner.close()


def test_every_model_sums_correctly(runner_spec: ModelSpec) -> None:
    measurement = run_once(runner_spec, Scenario.uniform(20, 0.001, ints_per_job=50, seed=11))
    assert measurement.sums_ok, measurement.mismatch
    assert len(measurement.values) == 20


def test_the_seed_finishes_2_3_1_concurrently_and_1_2_3_in_sequence(runner_spec: ModelSpec) -> None:
    scenario = Scenario.seed_story(UNIT_MS)
    measurement = run_once(runner_spec, scenario)
    assert measurement.sums_ok
    if runner_spec.concurrent:
        # call 3 (2 units) finishes first, then call 1 (5), then call 2 (8)
        assert measurement.finish_order == [2, 3, 1]
        # all three start together: long before the shortest delay is over
        assert max(measurement.starts_ns) < scenario.delays_s[2] * 1e9 / 2
        # wall is bounded by the longest delay, well under the sync sum of delays (15 units)
        assert measurement.wall_s < scenario.ideal_wall_s(concurrent=False) * 0.8
    else:
        assert measurement.finish_order == [1, 2, 3]
        # each call starts only after the previous one finished
        for previous_finish, start in zip(measurement.finishes_ns, measurement.starts_ns[1:]):
            assert start >= previous_finish
        assert measurement.wall_s >= scenario.ideal_wall_s(concurrent=False)
    # nobody wakes before its delay is over
    assert min(measurement.lateness_s()) >= -0.002


def test_pool_sizes_are_recorded() -> None:
    scenario = Scenario.uniform(6, 0.001)
    threads = run_once(get_spec("threads"), scenario)
    assert threads.settings == {"threads": 6, "pool": "thread-per-job"}
    pooled = run_once(get_spec("threads"), scenario, pool_size=2)
    assert pooled.settings["threads"] == 2 and pooled.sums_ok
    processes = run_once(get_spec("processes"), scenario, pool_size=2)
    assert processes.settings["processes"] == 2 and processes.sums_ok


def test_registry_knows_every_model_of_the_mission() -> None:
    assert set(REGISTRY) == {
        "sync",
        "asyncio-await",
        "asyncio-gather",
        "asyncio-create-task",
        "asyncio-taskgroup",
        "asyncio-eager",
        "uvloop",
        "asyncio-threads",
        "uvloop-threads",
        "trio",
        "anyio-asyncio",
        "anyio-uvloop",
        "anyio-trio",
        "gevent",
        "threads",
        "interpreters",
        "processes",
    }
    assert {spec.name for spec in available_specs()} >= {"sync", "asyncio-gather", "threads"}


def test_unknown_and_unavailable_models_are_input_errors() -> None:
    with pytest.raises(InputError, match="`model` must be one of"):
        get_spec("eventlet")
    missing = ModelSpec(
        "fake", "nowhere.module", "needs a package that is not there", requires=("no_such_pkg",)
    )
    assert (
        missing.unavailable_reason()
        == "model fake needs package no_such_pkg (pip install no_such_pkg)"
    )
    with pytest.raises(InputError, match="needs package no_such_pkg"):
        missing.load()


def test_anyio_uvloop_really_runs_on_uvloop() -> None:
    # anyio ignores a backend option it does not know: check the name against the installed
    # anyio by asking the running loop for its type.
    import asyncio  # noqa: PLC0415

    import anyio  # noqa: PLC0415

    uvloop = pytest.importorskip("uvloop")

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


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    """An ints server for FIRST_RUN's scenario."""
    with ServerHandle() as handle:
        handle.start(Scenario.uniform(3, 0.06, ints_per_job=10, seed=5))
        yield handle


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
