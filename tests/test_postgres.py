"""The postgres kind: every (model, driver) row sums right through the real CLI, pools are
recorded, and faults are rows (not installed, not starting, stopped, refusing connections, a
query error), with no server process or cluster folder left behind, never a hang."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_process import cli, cli_command, wait_for
from concurrency_bench.kinds.postgres import drivers
from concurrency_bench.kinds.postgres.cluster import (
    FAULT_ENV,
    MAX_CONNECTIONS_ENV,
    PORT_ENV,
    USER,
    Cluster,
)
from concurrency_bench.kinds.postgres.counters import Counters
from concurrency_bench.kinds.postgres.install import BINDIR_ENV, unavailable
from concurrency_bench.results import ModelResult, keyed_models, load
from concurrency_bench.workload import Scenario
from concurrency_bench.workload.payloads import build_payloads, expected_sums

pytest.importorskip("asyncpg")
pytest.importorskip("psycopg_pool")
MISSING = unavailable()
if MISSING is not None:
    pytest.skip(f"PostgreSQL is not installed: {MISSING}", allow_module_level=True)

SMALL = ("--io", "postgres", "--scenario", "uniform", "--jobs", "8", "--delay-ms", "5")
ONCE = (*SMALL, "--ints", "10", "--rounds", "1", "--warmup", "0", "--quiet")
PREFIX = "concurrency-bench-pg-"


def _clusters() -> set[str]:
    """The kind's cluster folders in the temporary folder now."""
    return {p.name for p in Path(tempfile.gettempdir()).glob(PREFIX + "*")}


def _postgres_pids() -> set[int]:
    """Every running PostgreSQL server process (postmaster and backends)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm = (entry / "comm").read_text().strip()
                state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                continue
            if comm == "postgres" and state != "Z":
                found.add(int(entry.name))
    return found


def _postmaster(pids: set[int]) -> int:
    """The one of `pids` whose parent is not among them."""
    for pid in pids:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
        if parent not in pids:
            return pid
    raise AssertionError(f"no postmaster among {pids}")


BUSY = 11
"""A cluster's processes once 4 pooled connections are in: the postmaster, its 5 background
processes, the counters' backend and the pool's 4."""


@pytest.fixture
def nothing_left() -> Iterator[None]:
    """The test leaves no server process and no cluster folder behind."""
    pids, folders = _postgres_pids(), _clusters()
    yield
    assert wait_for(lambda: not _postgres_pids() - pids, 10), _postgres_pids() - pids
    assert not _clusters() - folders


def _rows(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, ModelResult]:
    done = cli("run", *ONCE, "--out", str(tmp_path), *args, env=env)
    assert done.returncode in (0, 1), done.stderr
    results = next(f for f in sorted(tmp_path.glob("*.json")) if f.name[0].isdigit())
    return {key.label: result for _, key, result in keyed_models(load(results))}


# -- one cluster for the module: the drivers and the counters, without the CLI ------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    started = Cluster(None)
    try:
        started.start(Scenario.uniform(8, 0.001, ints_per_job=10))
        yield started
    finally:
        started.stop()
    assert started.folder is None


def _dsn(cluster: Cluster) -> drivers.Dsn:
    return drivers.Dsn("127.0.0.1", cluster.port, USER, "postgres")


def test_every_driver_reads_the_jobs_ints_and_the_server_counts_them(cluster: Cluster) -> None:
    expected = expected_sums(build_payloads(Scenario.uniform(8, 0.001, ints_per_job=10)))
    dsn = _dsn(cluster)
    assert cluster.process is not None
    counters = Counters(dsn, cluster.process.pid)
    before = counters.read()

    async def read_async(client: str) -> list[int]:
        async with drivers.open_async(client, dsn, 2) as fetch:
            jobs = [drivers.async_job(fetch, i, 0.001) for i in range(8)]
            return [value for _, _, value in await asyncio.gather(*jobs)]

    for client in ("asyncpg", "psycopg-async"):
        assert asyncio.run(read_async(client)) == expected, client
    with drivers.open_blocking(dsn, None) as fetch:
        assert [drivers.blocking_job(fetch, i, 0.0)[2] for i in range(8)] == expected
    after = counters.read()
    assert after.requests - before.requests == 24
    assert after.cpu_s >= before.cpu_s > 0
    with pytest.raises(drivers.QueryError, match="job 99"):
        drivers.summed(99, None)


# -- through the CLI -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("nothing_left")
def test_each_driver_pair_is_a_row_that_sums_right_and_records_its_pool(tmp_path: Path) -> None:
    models = "asyncio-gather,anyio-asyncio,threads,processes,trio,gevent"
    rows = _rows(tmp_path, "--models", models)
    assert set(rows) == {
        "asyncio-gather + asyncpg",
        "asyncio-gather + psycopg-async",
        "anyio-asyncio + asyncpg",
        "anyio-asyncio + psycopg-async",
        "threads + psycopg",
        "processes + psycopg",
        "trio",
        "gevent",
    }  # no driver runs on trio, nor psycopg on gevent without monkey-patching
    for model in ("trio", "gevent"):
        gone = rows.pop(model)
        assert gone.status == "unavailable"
        assert gone.reason is not None and f"no --io postgres client runs on {model}" in gone.reason
    for label, result in rows.items():
        assert result.status == "ok", (label, result.reason)
        assert result.settings["client"] == result.client == label.split(" + ")[1]
        assert "max_connections" in str(result.settings["postgres_server"])
        assert all(r.server_busy is not None for r in result.rounds)
    threads = rows["threads + psycopg"]  # psycopg's pool of 4 for 8 jobs: named as the bound
    assert threads.settings["pool_size"] == 4
    assert "(the library's default)" in str(threads.settings["client_pool"])
    assert threads.reason is not None and "pool-bound" in threads.reason
    assert rows["asyncio-gather + asyncpg"].settings["pool_size"] == 10
    assert "pool-bound" not in (rows["asyncio-gather + asyncpg"].reason or "")


@pytest.mark.usefixtures("nothing_left")
def test_connections_set_every_drivers_pool(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "--models", "asyncio-gather,threads", "--connections", "2")
    assert len(rows) == 3
    for label, result in rows.items():
        assert result.status == "ok", (label, result.reason)
        assert result.settings["client_pool"] == "2 connections (--connections)"
        assert result.settings["pool_size"] == 2


@pytest.mark.usefixtures("nothing_left")
def test_without_postgresql_every_row_is_unavailable_with_the_install_line(
    tmp_path: Path,
) -> None:
    env = {**os.environ, BINDIR_ENV: str(tmp_path)}  # a folder with no initdb: not installed
    out = tmp_path / "out"
    done = cli("run", *ONCE, "--models", "asyncio-gather,threads", "--out", str(out), env=env)
    assert done.returncode == 2  # every row unavailable: nothing measured, nothing written
    assert "3 rows unavailable" in done.stderr and "apt-get install postgresql" in done.stderr
    assert "Traceback" not in done.stderr and not any(out.glob("*"))


@pytest.mark.usefixtures("nothing_left")
def test_a_server_that_cannot_bind_its_port_is_a_failed_row(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {**os.environ, PORT_ENV: str(taken.getsockname()[1])}
        rows = _rows(tmp_path, "--models", "threads", env=env)
    (result,) = rows.values()
    assert result.status == "failed"
    assert result.reason is not None and "did not start" in result.reason
    assert "address already in use" in result.reason.lower()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can lock the server's user out")
@pytest.mark.usefixtures("nothing_left")
def test_a_cluster_folder_its_user_cannot_reach_is_a_failed_row(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o700)  # root's alone: the server's unprivileged user cannot enter it
    rows = _rows(tmp_path, "--models", "threads", env={**os.environ, "TMPDIR": str(locked)})
    (result,) = rows.values()
    assert result.status == "failed"
    assert result.reason is not None and "initdb failed" in result.reason
    assert "permission denied" in result.reason.lower()
    assert not list(locked.iterdir())


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({FAULT_ENV: "query"}, ("--models", "asyncio-gather", "--clients", "asyncpg"), "zero"),
        ({FAULT_ENV: "query"}, ("--models", "threads"), "division by zero"),
        ({MAX_CONNECTIONS_ENV: "4"}, ("--models", "asyncio-gather", "--clients", "asyncpg"), ""),
    ],
    ids=["query-error-asyncpg", "query-error-psycopg", "over-max-connections"],
)
@pytest.mark.usefixtures("nothing_left")
def test_query_errors_and_refused_connections_are_failed_rows(
    tmp_path: Path, env: dict[str, str], args: tuple[str, ...], expected: str
) -> None:
    rows = _rows(tmp_path, *args, env={**os.environ, **env})
    (result,) = rows.values()
    assert result.status == "failed", result
    assert result.reason is not None
    assert (expected or "too many clients") in result.reason.lower()


@pytest.mark.parametrize("stop", [signal.SIGSTOP, signal.SIGKILL])
@pytest.mark.usefixtures("nothing_left")
def test_a_server_stopped_or_killed_mid_round_fails_the_row_and_is_cleaned_up(
    tmp_path: Path, stop: signal.Signals
) -> None:
    before = _postgres_pids()
    slow = ("--io", "postgres", "--scenario", "uniform", "--jobs", "4", "--delay-ms", "20000")
    command = cli_command("run", *slow, "--rounds", "1", "--warmup", "0", "--quiet")
    command += ["--models", "threads", "--out", str(tmp_path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as run:
        try:
            assert wait_for(lambda: len(_postgres_pids() - before) >= BUSY, 30)
            postmaster = _postmaster(_postgres_pids() - before)
            os.kill(postmaster, stop)
            _, err = run.communicate(timeout=60)
        finally:
            if run.poll() is None:
                run.kill()
    assert run.returncode == 1, err
    results = next(f for f in sorted(tmp_path.glob("*.json")) if f.name[0].isdigit())
    ((_, _, result),) = keyed_models(load(results))
    assert result.status == "failed"
    assert result.reason is not None
    assert ("SIGSTOP" if stop == signal.SIGSTOP else "PostgreSQL") in result.reason


@pytest.mark.usefixtures("nothing_left")
def test_ctrl_c_mid_round_leaves_no_server_behind(tmp_path: Path) -> None:
    before = _postgres_pids()
    slow = ("--io", "postgres", "--scenario", "uniform", "--jobs", "4", "--delay-ms", "20000")
    command = cli_command("run", *slow, "--rounds", "1", "--warmup", "0", "--quiet")
    command += ["--models", "asyncio-gather", "--clients", "psycopg-async"]
    with subprocess.Popen([*command, "--out", str(tmp_path)], stderr=subprocess.PIPE) as run:
        try:
            assert wait_for(lambda: len(_postgres_pids() - before) >= BUSY, 30)
            run.send_signal(signal.SIGINT)
            run.communicate(timeout=60)
        finally:
            if run.poll() is None:
                run.kill()
    assert run.returncode != 0


def test_models_no_driver_runs_on_are_unavailable_rows_and_alone_measure_nothing(
    tmp_path: Path,
) -> None:
    done = cli("run", *ONCE, "--models", "trio,gevent", "--out", str(tmp_path))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and not list(tmp_path.iterdir())
    shown = _rows(tmp_path, "--models", "trio,asyncio-gather", "--clients", "asyncpg")
    assert set(shown) == {"trio", "asyncio-gather + asyncpg"}
    assert shown["trio"].status == "unavailable"
