"""HTTPS (`--tls`) and a connection per request (`--connections 0`): through the real CLI every
client's rows sum right and record how they connected; per client, the server sees a new
connection per request with `--connections 0` and one kept connection without it."""

from __future__ import annotations

import asyncio
import http.client
import json
from pathlib import Path

import pytest

from cli_process import cli
from concurrency_bench.engine.policy import default_timeout_s
from concurrency_bench.kinds.base import BlockingRuntime
from concurrency_bench.kinds.http.handle import HttpServer, trusting
from concurrency_bench.kinds.http.kind import KIND, HttpJobs
from concurrency_bench.kinds.registry import get_kind
from concurrency_bench.kinds.servers import unpinned
from concurrency_bench.results import keyed_models, load
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario

pytest.importorskip("uvicorn")
pytest.importorskip("trustme")

ONCE = ("--io", "http", "--scenario", "uniform", "--jobs", "6", "--delay-ms", "5", "--ints", "10")
ONCE += ("--rounds", "1", "--warmup", "0", "--quiet")
MODELS = ("--models", "asyncio-gather,threads,trio,gevent,processes")
EVERY_CLIENT = {"aiohttp", "httpx", "requests", "urllib3", "geventhttpclient"}


def _rows(tmp_path: Path, *args: str) -> tuple[str, dict[str, object]]:
    done = cli("run", *ONCE, *MODELS, "--out", str(tmp_path), *args)
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = (f for f in tmp_path.glob("*.json") if f.name[0].isdigit())
    loaded = list(keyed_models(load(path)))
    return loaded[0][0].name, {key.label: result for _, key, result in loaded}


def test_tls_serves_https_that_every_client_trusts(tmp_path: Path) -> None:
    name, rows = _rows(tmp_path, "--tls")
    assert name == "uniform-6x5ms-10ints-http-tls"
    assert {label.split(" + ")[1] for label in rows} == EVERY_CLIENT
    for label, result in rows.items():
        assert result.status == "ok", (label, result.reason)  # type: ignore[attr-defined]
        assert "trustme" in str(result.settings["tls"])  # type: ignore[attr-defined]


def test_connections_0_is_a_new_connection_per_request_for_every_client(tmp_path: Path) -> None:
    name, rows = _rows(tmp_path, "--connections", "0")
    assert name == "uniform-6x5ms-10ints-http-c0"
    assert {label.split(" + ")[1] for label in rows} == EVERY_CLIENT
    for label, result in rows.items():
        assert result.status == "ok", (label, result.reason)  # type: ignore[attr-defined]
        pool = str(result.settings["client_pool"])  # type: ignore[attr-defined]
        assert "Connection: close" in pool
        assert result.reason is None  # type: ignore[attr-defined]  # never pool-bound


@pytest.mark.parametrize(
    ("io", "message"),
    [(("--io", "tcp", "--tls"), "`tls` needs --io http"), (("--io", "tcp"), "`connections`")],
)
def test_tls_and_connections_0_need_http(tmp_path: Path, io: tuple[str, ...], message: str) -> None:
    extra = ("--connections", "0") if "--tls" not in io else ()
    done = cli("run", "--models", "sync", "--out", str(tmp_path), *io, *extra)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def _connections(server: HttpServer, ca_file: str | None) -> tuple[int, int]:
    """The server's (requests, connections) so far."""
    if ca_file:
        context = trusting(ca_file)
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", server.port, context=context
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", server.port)
    connection.request("GET", "/stats")
    stats = json.loads(connection.getresponse().read())
    connection.close()
    return stats["requests"], stats["connections"]


def _one_at_a_time(jobs: HttpJobs, family: str, count: int) -> None:
    ints = [0] * 10
    if family in ("blocking", "gevent"):
        runtime = BlockingRuntime(name=family)
        with jobs.blocking_jobs(1, runtime) as job:
            for index in range(count):
                job(index, 0.0, ints)
        return

    async def run() -> None:
        async with jobs.asyncio_jobs(1) as job:
            for index in range(count):
                await job(index, 0.0, ints)

    asyncio.run(run())


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
@pytest.mark.parametrize(
    ("client", "family"),
    [
        ("aiohttp", "asyncio"),
        ("httpx", "asyncio"),
        ("httpx", "blocking"),
        ("requests", "blocking"),
        ("urllib3", "blocking"),
        ("geventhttpclient", "gevent"),
    ],
)
def test_each_client_keeps_its_connection_unless_told_to_close(
    client: str, family: str, tls: bool
) -> None:
    pytest.importorskip(client)
    count = 4
    with HttpServer(placement=unpinned()) as server:
        for connections, opened in ((None, 1), (0, count)):
            scenario = Scenario.uniform(count, 0.0, ints_per_job=10).with_io(
                "http", connections, tls
            )
            if connections is None:
                server.start(scenario)
            address = server.address(scenario)
            jobs, _ = KIND.with_client(client).open(address, scenario, 1)
            assert isinstance(jobs, HttpJobs)
            before = _connections(server, server.ca_file)
            _one_at_a_time(jobs, family, count)
            after = _connections(server, server.ca_file)
            assert after[0] - before[0] == count
            assert after[1] - before[1] == opened, (client, connections)


def test_a_pool_bound_row_over_the_budget_is_not_run_with_its_pool_named(tmp_path: Path) -> None:
    args = ("--jobs", "1000", "--delay-ms", "50", "--models", "gevent")
    done = cli("run", *ONCE, *args, "--out", str(tmp_path))
    assert done.returncode == 2  # its only row is not run: nothing measured, nothing written
    assert "gevent + geventhttpclient" in done.stderr
    assert "would take 50.0 s per round, one job at a time" in done.stderr
    assert "geventhttpclient's default pool" in done.stderr
    assert not list(tmp_path.iterdir())


def test_httpxs_pool_timeout_is_a_failed_row_that_says_what_it_is(tmp_path: Path) -> None:
    # two jobs of 5.2 s through one connection: the second waits 5.2 s for it
    args = ("--jobs", "2", "--delay-ms", "5200", "--connections", "1")
    args += ("--sequential-budget-s", "30")
    done = cli(
        "run",
        *ONCE,
        *args,
        "--models",
        "asyncio-gather",
        "--clients",
        "httpx",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 1, done.stderr
    (path,) = (f for f in tmp_path.glob("*.json") if f.name[0].isdigit())
    ((_, _, result),) = keyed_models(load(path))
    assert result.status == "failed"
    assert result.reason is not None and result.reason.startswith("PoolTimeout: ")
    assert "5 s pool timeout" in result.reason


def test_the_timeout_counts_the_waves_of_a_clients_default_pool() -> None:
    gevent = REGISTRY["gevent"]
    pooled = gevent.with_client(get_kind("http").clients_for("gevent")[0])  # one connection
    scenario = Scenario.uniform(100, 0.5).with_io("http")
    closing = Scenario.uniform(100, 0.5).with_io("http", 0)
    bare = default_timeout_s(gevent, scenario, rounds=1, warmup=0)
    assert default_timeout_s(pooled, scenario, rounds=1, warmup=0) > bare + 100  # 100 x 0.5 s
    assert default_timeout_s(pooled, closing, rounds=1, warmup=0) == bare  # a connection each
