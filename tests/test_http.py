"""The http kind through the real CLI: every (model, client) row sums right, rows keep clients
apart in every output, `--clients` selects, and faults are rows (never hangs)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cli_process import cli, cli_in_process
from concurrency_bench.kinds.http.server import FAULT_ENV
from concurrency_bench.kinds.registry import ClientSpec, get_kind
from concurrency_bench.results import keyed_models, load
from concurrency_bench.runners import REGISTRY

pytest.importorskip("uvicorn")
pytest.importorskip("aiohttp")

SMALL = ("--io", "http", "--scenario", "uniform", "--jobs", "8", "--delay-ms", "5", "--ints", "10")
ONCE = (*SMALL, "--rounds", "1", "--warmup", "0", "--quiet")


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, Path]:
    done = cli("run", *ONCE, "--out", str(tmp_path), *args, env=env)
    files = sorted(tmp_path.glob("*.json"))
    results = next((f for f in files if f.name[0].isdigit()), None)
    assert done.returncode in (0, 1), done.stderr
    assert results is not None, done.stderr
    return done.returncode, done.stdout + done.stderr, results


def test_every_client_each_model_can_use_is_a_row_and_sums_right(tmp_path: Path) -> None:
    code, _, path = _run(tmp_path, "--models", "asyncio-gather,threads,trio,gevent")
    rows = {key.label: result for _, key, result in keyed_models(load(path))}
    assert set(rows) == {
        "asyncio-gather + aiohttp",
        "asyncio-gather + httpx",
        "threads + httpx",
        "threads + requests",
        "threads + urllib3",
        "trio + httpx",
        "gevent + geventhttpclient",
    }
    assert code == 0
    for label, result in rows.items():
        assert result.status == "ok", (label, result.reason)
        assert result.client == label.split(" + ")[1]
        assert result.settings["client"] == result.client
        assert "http_server" in result.settings
        assert all(r.server_busy is not None for r in result.rounds)
    # the library's pool is recorded, and gevent's default of one connection is named as its bound
    gevent = rows["gevent + geventhttpclient"]
    assert "concurrency=1" in str(gevent.settings["client_pool"])
    assert gevent.reason is not None and "pool-bound" in gevent.reason
    assert "--connections" in gevent.reason


def test_clients_stay_apart_in_the_tables_ci_json_and_pyperf(tmp_path: Path) -> None:
    _, out, path = _run(tmp_path, "--models", "threads", "--clients", "requests,urllib3")
    assert "threads + requests" in out and "threads + urllib3" in out
    ci = json.loads((tmp_path / "ci-benchmark.json").read_text(encoding="utf-8"))
    names = [entry["name"] for entry in ci]
    assert len(names) == len(set(names)) == 6  # two rows x (overhead, wall, gc)
    assert any("threads + urllib3" in name for name in names)
    csv = (tmp_path / "latest.csv").read_text(encoding="utf-8")
    assert "requests" in csv and "urllib3" in csv
    keys = [key for _, key, _ in keyed_models(load(path))]
    assert len(set(keys)) == 2 and {k.client for k in keys} == {"requests", "urllib3"}
    # the gate pairs a file with itself client by client
    same = cli("compare", str(path), str(path))
    assert same.returncode == 0, same.stderr
    assert "threads + requests" in same.stdout and "threads + urllib3" in same.stdout


def test_connections_set_every_librarys_limit(tmp_path: Path) -> None:
    _, _, path = _run(tmp_path, "--models", "asyncio-gather", "--connections", "2")
    for _, _, result in keyed_models(load(path)):
        assert result.status == "ok"
        assert result.settings["client_pool"] == "2 connections (--connections)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--clients", "curl"), "`clients` must be comma-separated names from"),
        (("--io", "tcp", "--clients", "aiohttp"), "`clients` with --io tcp must be from: "),
        (("--models", "gevent", "--clients", "aiohttp"), "no chosen model can use them"),
    ],
)
def test_bad_clients_are_a_one_line_error(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    run = cli if args[0] == "--io" else cli_in_process  # one end to end, in a subprocess
    done = run("run", *ONCE, "--out", str(tmp_path), *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())


def test_a_client_not_installed_makes_its_rows_unavailable_with_the_install_line() -> None:
    missing = ClientSpec("nope", "no_such_http_client_pkg", ("threads",), "pip install nope")
    reason = REGISTRY["threads"].with_client(missing).unavailable_reason()
    assert reason == "client nope needs package no_such_http_client_pkg (pip install nope)"
    http = get_kind("http")
    assert http.clients_for("gevent")[0].name == "geventhttpclient"
    assert {c.name for c in http.clients_for("trio")} == {"httpx"}
    assert {c.name for c in http.clients_for("anyio-asyncio")} == {"aiohttp", "httpx"}


@pytest.mark.parametrize(
    ("fault", "models", "expected"),
    [
        ("status", "threads", "HTTP 503"),
        ("status", "asyncio-gather", "HTTP 503"),
        ("short", "asyncio-gather", ""),
        ("short", "threads", ""),
        ("die", "threads", "server"),
        ("stall", "threads", "timed out"),
    ],
)
def test_faults_are_failed_rows_never_hangs(
    tmp_path: Path, fault: str, models: str, expected: str
) -> None:
    env = {**os.environ, FAULT_ENV: fault}
    extra = ("--timeout", "3") if fault == "stall" else ()
    client = "requests" if models == "threads" else "aiohttp"
    code, _, path = _run(tmp_path, "--models", models, "--clients", client, *extra, env=env)
    assert code == 1
    (result,) = [r for _, _, r in keyed_models(load(path))]
    assert result.status == "failed", result
    assert result.reason is not None and expected.lower() in result.reason.lower()
