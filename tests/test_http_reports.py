"""The HTTP rows in the reports that run models themselves: `timeline` names each row's client,
and `sweep` probes, plans, keeps and draws every (model, client) apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_process import cli
from concurrency_bench.report.palette import client_marker, row_style
from concurrency_bench.results import RowKey, ScenarioKey, keyed_models, load
from concurrency_bench.workload import Scenario

pytest.importorskip("uvicorn")
pytest.importorskip("aiohttp")


def test_timeline_over_http_names_each_rows_client() -> None:
    args = ("--io", "http", "--scenario", "uniform", "--jobs", "3", "--delay-ms", "5")
    done = cli("timeline", *args, "--models", "threads", "--clients", "urllib3,requests")
    assert done.returncode == 0, done.stderr
    assert "threads + urllib3: total wall" in done.stdout
    assert "threads + requests: total wall" in done.stdout
    shown = cli(
        "timeline", *args, "--models", "threads", "--clients", "urllib3", "--format", "json"
    )
    assert [entry["row"] for entry in json.loads(shown.stdout)] == ["threads + urllib3"]


def test_sweep_keeps_each_models_clients_apart(tmp_path: Path) -> None:
    args = ("--io", "http", "--jobs", "2,4", "--delay-ms", "5", "--ints", "10", "--rounds", "1")
    done = cli("sweep", *args, "--warmup", "0", "--models", "asyncio-gather",
               "--clients", "aiohttp,httpx", "--out", str(tmp_path), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    (path,) = (f for f in tmp_path.glob("*.json") if f.name[0].isdigit())
    results = load(path)
    rows = [(scenario.jobs, key.label, result) for scenario, key, result in keyed_models(results)]
    assert sorted((jobs, label) for jobs, label, _ in rows) == [
        (2, "asyncio-gather + aiohttp"),
        (2, "asyncio-gather + httpx"),
        (4, "asyncio-gather + aiohttp"),
        (4, "asyncio-gather + httpx"),
    ]
    for _, label, result in rows:
        assert result.client == label.split(" + ")[1]  # each point its own row, not its twin's
    assert set(results.environment["sweep"]["probe"]) == {
        "asyncio-gather + aiohttp",
        "asyncio-gather + httpx",
    }


def test_a_figure_tells_a_models_clients_apart_by_marker() -> None:
    key = ScenarioKey.of(Scenario.uniform(2, 0.01))
    aiohttp, httpx = (RowKey(key, "asyncio-gather", None, c) for c in ("aiohttp", "httpx"))
    assert row_style(aiohttp).colour == row_style(httpx).colour  # the model's colour
    assert row_style(aiohttp).marker != row_style(httpx).marker
    assert len({client_marker(c) for c in ("aiohttp", "httpx", "requests", "urllib3")}) == 4
