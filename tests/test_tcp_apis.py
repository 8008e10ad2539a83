"""The socket API as a TCP row's client: each API's jobs sum right alone, through the engine and
the CLI (per job and on shared connections), rows are labelled with their API, `--clients`
selects, a server that dies is still a row per API, and the verdict says when the API matters
more than the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import msgspec
import pytest

from cli_process import cli
from concurrency_bench.analysis.verdict import api_weight, judge
from concurrency_bench.engine import EngineOptions, measure_all
from concurrency_bench.kinds.registry import get_kind
from concurrency_bench.kinds.tcp import ServerHandle, TcpTarget
from concurrency_bench.kinds.tcp.apis import ASYNC_OPENERS, DESCRIPTIONS, MAKEFILE
from concurrency_bench.kinds.tcp.clients import NetError
from concurrency_bench.kinds.tcp.kind import KIND, TcpJobs
from concurrency_bench.report.verdict_text import lines
from concurrency_bench.results import ModelResult, keyed_models, load
from concurrency_bench.runners import REGISTRY
from concurrency_bench.suite.profiles import DEFAULT, QUICK
from concurrency_bench.workload import Scenario, build_payloads, expected_sums
from factories import model_result, scenario

SMALL = Scenario.spread(12, 0.0, 0.005, ints_per_job=37, seed=5)
EXPECTED = expected_sums(build_payloads(SMALL))
ONE_ROUND = EngineOptions(rounds=1, warmup=0, timeout_s=120)
TARGET = TcpTarget("127.0.0.1", 1, 0)
CLI_SMALL = ("--io", "tcp", "--jobs", "6", "--delay-ms", "5", "--rounds", "1", "--warmup", "0")


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with ServerHandle() as handle:
        handle.start(SMALL)
        yield handle


def test_every_api_of_the_registry_is_implemented_and_families_get_theirs() -> None:
    tcp = get_kind("tcp")
    assert {c.name for c in tcp.clients} == set(DESCRIPTIONS)
    assert [c.name for c in tcp.clients_for("uvloop")] == ["streams", "protocol", "loop-sock"]
    assert [c.name for c in tcp.clients_for("processes")] == ["socket", "makefile"]
    for own in ("trio", "anyio-asyncio", "gevent"):  # their own networking: no client axis
        assert tcp.clients_for(own) == ()
    with pytest.raises(ValueError, match="unknown TCP socket API"):
        KIND.with_client("aiohttp")


def test_the_suites_tcp_cases_keep_one_row_per_model_on_its_default_api() -> None:
    cases = [case for case in (*DEFAULT, *QUICK) if case.scenario.io == "tcp"]
    assert cases
    for case in cases:
        specs = case.specs()
        assert [spec.name for spec in specs] == list(REGISTRY)
        assert all(spec.client is None for spec in specs)  # the worker's default: streams, socket
    assert TcpJobs(TARGET).client is None and KIND.client is None


def _asyncio_sums(jobs: TcpJobs, loop: str) -> list[int]:
    async def main() -> list[int]:
        async with jobs.asyncio_jobs(SMALL.jobs) as job:
            ints = [[0] * SMALL.ints_per_job] * SMALL.jobs
            records = await asyncio.gather(
                *(job(i, d, ints[i]) for i, d in enumerate(SMALL.delays_s))
            )
        return [value for _, _, value in records]

    if loop == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(asyncio.wait_for(main(), 30))
    return asyncio.run(asyncio.wait_for(main(), 30))


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
@pytest.mark.parametrize("api", list(ASYNC_OPENERS))
@pytest.mark.parametrize("connections", [None, 3], ids=["per-job", "shared"])
def test_each_asyncio_api_sums_right(
    server: ServerHandle, api: str, loop: str, connections: int | None
) -> None:
    jobs = TcpJobs(server.target, connections, api)
    assert _asyncio_sums(jobs, loop) == EXPECTED


@pytest.mark.parametrize("api", [None, "socket", MAKEFILE])
@pytest.mark.parametrize("connections", [None, 2], ids=["per-job", "shared"])
def test_each_blocking_api_sums_right(
    server: ServerHandle, api: str | None, connections: int | None
) -> None:
    jobs = TcpJobs(server.target, connections, api)
    ints = [0] * SMALL.ints_per_job
    with jobs.blocking_jobs(1) as job:
        values = [job(i, d, ints)[2] for i, d in enumerate(SMALL.delays_s)]
    assert values == EXPECTED
    processes = jobs.process_jobs(2)  # what the processes model submits, pickled
    initargs = processes.initargs
    with ProcessPoolExecutor(2, None, processes.initializer, initargs) as pool:
        arguments = processes.arguments(SMALL.delays_s, build_payloads(SMALL))
        records = [pool.submit(processes.job, *args) for args in arguments]
        assert [future.result()[2] for future in records] == EXPECTED


@pytest.mark.parametrize("api", list(ASYNC_OPENERS))
def test_a_dead_server_fails_each_asyncio_api_naming_the_cause(api: str) -> None:
    with ServerHandle() as handle:
        handle.start(SMALL)
        jobs = TcpJobs(handle.target, None, api)
        assert handle.process is not None
        handle.process.kill()
        handle.process.wait(timeout=10)
    with pytest.raises(NetError, match=r"connect to 127\.0\.0\.1:\d+ failed"):
        _asyncio_sums(jobs, "asyncio")


LONG = Scenario.uniform(3, 10.0, ints_per_job=8)
"""Long delays: the jobs still wait on the server when the test kills it."""


@pytest.mark.parametrize("api", [*ASYNC_OPENERS, MAKEFILE])
def test_a_server_killed_mid_job_fails_each_api_as_a_cut_reply(api: str) -> None:
    with ServerHandle() as handle:
        handle.start(LONG)
        jobs = TcpJobs(handle.target, None, api)
        assert handle.process is not None
        threading.Timer(0.3, handle.process.kill).start()
        ints = [0] * LONG.ints_per_job
        with pytest.raises(NetError, match=r"closed after 0 of 20 reply bytes \(server died"):
            if api == MAKEFILE:
                with jobs.blocking_jobs(1) as job:
                    job(0, 10.0, ints)
            else:

                async def main() -> None:
                    async with jobs.asyncio_jobs(LONG.jobs) as job:
                        await asyncio.wait_for(asyncio.gather(job(0, 10.0, ints)), 8)

                asyncio.run(main())


def test_every_model_api_pair_sums_right_through_the_engine() -> None:
    tcp = get_kind("tcp")
    names = ("asyncio-gather", "uvloop", "threads", "processes")
    specs = [
        REGISTRY[name].with_client(client)
        for name in names
        for client in tcp.clients_for(name)
        if REGISTRY[name].available
    ]
    results = measure_all(specs, [SMALL.with_io("tcp"), SMALL.with_io("tcp", 2)], ONE_ROUND)
    for block in results.scenarios:
        rows = {(row.model, row.client): row for row in block.models}
        assert set(rows) == {(s.name, s.client_name) for s in specs}
        for (model, client), row in rows.items():
            assert row.status == "ok", (model, client, row.reason)
            assert row.row_name == f"{model} + {client}"


def _labels(tmp_path: Path, *args: str) -> dict[str, ModelResult]:
    done = cli("run", *CLI_SMALL, "--out", str(tmp_path), "--quiet", *args)
    assert done.returncode == 0, done.stderr
    (path,) = (f for f in tmp_path.glob("*.json") if f.name[0].isdigit())
    return {key.label: result for _, key, result in keyed_models(load(path))}


def test_the_cli_makes_a_row_per_api_labelled_and_summed(tmp_path: Path) -> None:
    rows = _labels(tmp_path, "--models", "asyncio-gather,threads,trio", "--connections", "2")
    assert list(rows) == [
        "asyncio-gather + streams",
        "asyncio-gather + protocol",
        "asyncio-gather + loop-sock",
        "trio",  # its own networking: its one row, as readable as before
        "threads + socket",
        "threads + makefile",
    ]
    for label, row in rows.items():
        assert row.status == "ok", (label, row.reason)
        assert row.settings["connections"] == 2


def test_clients_select_the_apis(tmp_path: Path) -> None:
    rows = _labels(tmp_path, "--models", "uvloop,sync,gevent", "--clients", "protocol,makefile")
    assert list(rows) == ["sync + makefile", "uvloop + protocol", "gevent"]
    assert all(row.status == "ok" for row in rows.values())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--io", "tcp", "--clients", "aiohttp"), "`clients` with --io tcp must be from: streams"),
        (("--clients", "streams"), "`clients` needs --io tcp or http or postgres; got --io timer"),
        (("--io", "tcp", "--models", "trio", "--clients", "streams,"), "`clients` must be"),
    ],
)
def test_bad_clients_over_tcp_are_a_one_line_error(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    done = cli("run", "--jobs", "2", "--out", str(tmp_path), "--quiet", *args)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.strip().count("\n") == 0
    assert not list(tmp_path.iterdir())


# -- the verdict: when the API matters more than the loop --------------------------------


def test_api_weight_needs_the_apis_to_spread_wider_than_the_models() -> None:
    rows = [
        ("uvloop", "protocol", 1.0),
        ("uvloop", "loop-sock", 2.0),
        ("asyncio-gather", "protocol", 1.2),
        ("asyncio-gather", "loop-sock", 1.5),
        ("trio", None, 0.5),  # no client: no part in it
    ]
    weight = api_weight(rows)
    assert weight is not None
    assert (weight.clients.held, weight.clients.fastest, weight.clients.slowest) == (
        "uvloop",
        "protocol",
        "loop-sock",
    )
    assert weight.clients.ratio == pytest.approx(2.0)
    assert (weight.models.held, weight.models.fastest, weight.models.slowest) == (
        "loop-sock",
        "asyncio-gather",
        "uvloop",
    )
    assert weight.models.ratio == pytest.approx(2.0 / 1.5)
    loops_apart = [("uvloop", "protocol", 1.0), ("uvloop", "streams", 1.1)]
    loops_apart += [("asyncio-gather", "protocol", 3.0), ("asyncio-gather", "streams", 3.1)]
    assert api_weight(loops_apart) is None
    assert api_weight([("uvloop", "protocol", 1.0), ("uvloop", "streams", 9.0)]) is None
    assert api_weight([("a", "x", 1.0), ("b", "x", 1.0), ("a", "y", 1.0), ("b", "y", 1.0)]) is None


def _row(model: str, client: str, wall: float) -> ModelResult:
    base = model_result(model, S, walls=[wall * f for f in (1.0, 1.01, 0.99, 1.02, 0.98)])
    return msgspec.structs.replace(base, client=client)


S = scenario(1000, 50)


def test_the_verdict_says_when_the_api_matters_more_than_the_loop() -> None:
    rows = [
        _row("uvloop", "protocol", 0.060),
        _row("uvloop", "loop-sock", 0.120),
        _row("asyncio-gather", "protocol", 0.066),
        _row("asyncio-gather", "loop-sock", 0.090),
    ]
    verdict = judge(rows)
    assert verdict is not None and verdict.api is not None
    (line,) = [line for line in lines(verdict) if "client matters" in line]
    assert line.startswith("the client matters more than the model: on uvloop the clients span 2")
    assert "protocol fastest, loop-sock slowest" in line
    same_api = judge([_row("uvloop", "protocol", 0.060), _row("asyncio-gather", "protocol", 0.2)])
    assert same_api is not None and same_api.api is None
    assert not [line for line in lines(same_api) if "API" in line]
