"""Every model: correct sums, the seed story's physics (order and overlap), pool sizes, the
registry's names and refusals, and that `setup` leaves no import to the first timed run; never
times."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_process import cli
from concurrency_bench.engine.timing import Measurement, measure_run
from concurrency_bench.errors import InputError
from concurrency_bench.net import ServerHandle
from concurrency_bench.results.schema import decode
from concurrency_bench.runners import (
    OPTIONAL_PACKAGES,
    REGISTRY,
    ModelSpec,
    available_specs,
    get_spec,
    install_line,
)
from concurrency_bench.workload import Scenario, build_payloads, expected_sums

ROOT = Path(__file__).resolve().parents[1]
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
        "trio",
        "anyio-asyncio",
        "anyio-uvloop",
        "anyio-trio",
        "gevent",
        "threads",
        "processes",
    }
    assert {spec.name for spec in available_specs()} >= {"sync", "asyncio-gather", "threads"}


def test_unknown_and_unavailable_models_are_input_errors() -> None:
    with pytest.raises(InputError, match="`runner` must be one of"):
        get_spec("eventlet")
    missing = ModelSpec(
        "fake", "nowhere.module", "needs a package that is not there", requires=("no_such_pkg",)
    )
    assert (
        missing.unavailable_reason()
        == "runner fake needs package no_such_pkg (pip install no_such_pkg)"
    )
    with pytest.raises(InputError, match="needs package no_such_pkg"):
        missing.load()


# -- a model's package that is missing: the model is unavailable, the rest runs -----------------

HIDE = "import sys; sys.modules['gevent'] = sys.modules['uvloop'] = None; "
"""`import gevent` (and uvloop) fail in the CLI's process, as where no build of them installed."""
HIDDEN = {
    "gevent": "pip install 'concurrency-bench[gevent]'",
    "uvloop": "pip install 'concurrency-bench[uvloop]'",
    "anyio-uvloop": "pip install 'concurrency-bench[uvloop]'",
}


@pytest.mark.parametrize(
    ("package", "platform", "line"),
    [
        ("gevent", "linux", "pip install 'concurrency-bench[gevent]'"),
        ("gevent", "win32", "pip install 'concurrency-bench[gevent]'"),
        ("uvloop", "darwin", "pip install 'concurrency-bench[uvloop]'"),
        ("uvloop", "win32", "uvloop has no build for win32"),
        ("trio", "linux", "pip install trio"),
    ],
)
def test_a_missing_package_names_the_line_that_installs_it_here(
    monkeypatch: pytest.MonkeyPatch, package: str, platform: str, line: str
) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # find_spec and import now fail
    monkeypatch.setattr(sys, "platform", platform)
    assert install_line(package) == line
    spec = REGISTRY[package]
    assert spec.unavailable_reason() == f"runner {package} needs package {package} ({line})"
    assert not spec.available and spec not in available_specs()


def test_every_optional_package_is_an_extra_the_test_and_bench_extras_take() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert not any(name.startswith(tuple(OPTIONAL_PACKAGES)) for name in project["dependencies"])
    for package, platforms in OPTIONAL_PACKAGES.items():
        (requirement,) = extras[package]
        assert requirement.startswith(f"{package}>=")
        for platform in platforms:  # the extra's marker rules out what OPTIONAL_PACKAGES says
            assert f"sys_platform != '{platform}'" in requirement
    assert extras["models"] == [f"concurrency-bench[{','.join(sorted(OPTIONAL_PACKAGES))}]"]
    assert "concurrency-bench[models]" in extras["test"]
    assert "concurrency-bench[models]" in extras["bench"]


def test_list_says_which_models_a_missing_package_makes_unavailable_and_how_to_install_it() -> None:
    done = cli("list", prelude=HIDE)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    for name, line in HIDDEN.items():
        assert rows[name].split()[1] == "no", rows[name]
        package = "gevent" if name == "gevent" else "uvloop"
        assert f"(unavailable: runner {name} needs package {package} ({line}))" in rows[name]
    assert all(rows[spec.name].split()[1] == "yes" for spec in available_specs()
               if spec.name not in HIDDEN)  # fmt: skip


@pytest.mark.slow
def test_a_run_of_every_model_measures_the_others_and_exits_0(tmp_path: Path) -> None:
    done = cli(
        "run", "--models", "all", "--jobs", "3", "--delay-ms", "5", "--ints", "10",
        "--rounds", "1", "--warmup", "0", "--out", str(tmp_path), "--json", "--quiet",
        prelude=HIDE,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {row.model: row for row in decode(done.stdout).scenarios[0].models}
    assert set(rows) == set(REGISTRY)
    for name, line in HIDDEN.items():
        assert rows[name].status == "unavailable"
        assert rows[name].reason is not None and rows[name].reason.endswith(f"({line})")
    others = [spec.name for spec in available_specs() if spec.name not in HIDDEN]
    assert {name: rows[name].status for name in others} == dict.fromkeys(others, "ok")


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
from concurrency_bench.net import TcpTarget
from concurrency_bench.runners import get_spec
from concurrency_bench.runners.io_jobs import TcpIo
from concurrency_bench.workload import Scenario, build_payloads

name, host, port, token = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
scenario = Scenario.uniform(3, 0.06, ints_per_job=10, seed=5)
target = TcpTarget(host, port, token)
for io in (None, TcpIo(target), TcpIo(target, 2)):
    runner = get_spec(name).load(io=io)
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
