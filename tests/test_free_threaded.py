"""Python 3.14+ and free-threaded builds, with the probe's answer faked (no 3.14 here): the GIL
recorded with every row, `3.14t` in labels, the environment block and the cross-interpreter
table, `--python 3.14t` found on PATH and in pyenv, and `interpreters` unavailable before 3.14."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from cli_process import cli
from concurrency_bench.engine import environment
from concurrency_bench.engine.interpreters import describe, probe_all, resolve
from concurrency_bench.engine.python_probe import gil_state
from concurrency_bench.errors import InputError
from concurrency_bench.report import pythons_table
from concurrency_bench.report.cells import environment_text
from concurrency_bench.results import load
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario, build_payloads, expected_sums
from test_interpreters import SMALL, wrapper

GATHER = REGISTRY["asyncio-gather"]
FREE_THREADED = (
    'case "$2" in *python_probe.py) ' + sys.executable + ' "$@" '
    '| sed \'s/"free_threaded": false/"free_threaded": true/; '
    's/"gil_enabled": true/"gil_enabled": false/\'; exit ;; esac'
)
"""A wrapper's body: this Python, whose probe answers that it is a free-threaded build with
the GIL disabled (the workers it starts are this Python as it is)."""


def executable(folder: Path, name: str) -> str:
    """An empty executable file called `name` in `folder` (made with its parents)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n", encoding="ascii")
    path.chmod(0o755)
    return str(path)


def test_the_gil_state_is_this_interpreters() -> None:
    state = gil_state()
    if sys.version_info < (3, 13):
        assert state == {"free_threaded": False, "gil_enabled": True}
    assert state["free_threaded"] or state["gil_enabled"]  # only a free-threaded build has none
    env = environment.collect("on")
    assert (env["python_free_threaded"], env["python_gil_enabled"]) == tuple(state.values())


def test_the_environment_block_says_free_threaded_and_the_gils_state() -> None:
    env = {"python_version": "3.14.0", "python_implementation": "CPython"}
    assert "CPython 3.14.0," in environment_text(env, "now") + ","
    free = {**env, "python_free_threaded": True, "python_gil_enabled": False}
    assert "CPython 3.14.0 (free-threaded, GIL disabled)" in environment_text(free, "now")
    forced = {**free, "python_gil_enabled": True}  # PYTHON_GIL=1
    assert "(free-threaded, GIL enabled)" in environment_text(forced, "now")


def test_a_free_threaded_probe_is_labelled_t_and_recorded(tmp_path: Path) -> None:
    fake = wrapper(tmp_path, "python-ft", FREE_THREADED)
    plain, free = probe_all([sys.executable, fake], [GATHER])
    short = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert (plain.info.label, free.info.label) == (short, f"{short}t")
    assert (free.info.free_threaded, free.info.gil_enabled) == (True, False)
    assert not plain.info.free_threaded and plain.info.gil == ""
    assert describe(free).endswith(", free-threaded, GIL disabled)")


def test_run_records_the_gil_with_every_row_and_the_table_shows_it(tmp_path: Path) -> None:
    fake = wrapper(tmp_path, "python-ft", FREE_THREADED)
    out = tmp_path / "runs"
    args = ("--models", "asyncio-gather", *SMALL, "--rounds", "1", "--out", str(out))
    done = cli("run", *args, "--python", f"{sys.executable},{fake}")
    assert done.returncode == 0, done.stderr
    assert "free-threaded, GIL disabled" in done.stderr  # the chosen interpreters, said before
    (path,) = out.glob("*.json")
    results = load(path)
    rows = {m.python.label: m.python for _, m in results.models() if m.python is not None}
    short = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert set(rows) == {short, f"{short}t"}
    assert rows[f"{short}t"].free_threaded and not rows[f"{short}t"].gil_enabled
    raw = [m["python"] for b in json.loads(path.read_text())["scenarios"] for m in b["models"]]
    assert sorted("free_threaded" in python for python in raw) == [False, True]  # GIL: left out
    table = pythons_table.render(results)
    assert f"{short}: GIL; {short}t: free-threaded, GIL disabled" in table
    assert f"{short}t wall ms" in table and f"{short}t vs {short}" in table


def test_3_14t_is_found_on_path_or_in_pyenv_apart_from_3_14(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    on_path = executable(bin_dir, "python3.14t")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    assert resolve("3.14t") == on_path
    with pytest.raises(InputError, match=r"`python` 3\.14: no python3\.14 on PATH"):
        resolve("3.14")  # a free-threaded build is never taken for the GIL one
    os.remove(on_path)
    versions = tmp_path / "pyenv" / "versions"
    newest = executable(versions / "3.14.2t" / "bin", "python")
    executable(versions / "3.14.1t" / "bin", "python")
    gil_build = executable(versions / "3.14.2" / "bin", "python")
    assert resolve("3.14t") == newest
    assert resolve("3.14.1t").endswith("3.14.1t/bin/python")
    assert resolve("3.14") == gil_build
    with pytest.raises(InputError, match=r"no python3\.15t on PATH"):
        resolve("3.15t")


def test_interpreters_needs_python_3_14() -> None:
    spec = REGISTRY["interpreters"]
    assert spec.min_python == (3, 14) and spec.pooled
    if sys.version_info < (3, 14):
        reason = spec.unavailable_reason()
        assert reason is not None and "needs Python 3.14+" in reason
        with pytest.raises(InputError, match=r"needs Python 3\.14\+"):
            spec.load()


def test_interpreters_boots_each_worker_then_runs_the_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its setup, rounds and close, on a thread pool standing for the subinterpreters (taking
    the same arguments) where Python is older than 3.14."""
    from concurrent import futures  # noqa: PLC0415

    from concurrency_bench.runners.interpreters import InterpretersRunner  # noqa: PLC0415

    if sys.version_info < (3, 14):
        monkeypatch.setattr(futures, "InterpreterPoolExecutor", futures.ThreadPoolExecutor, False)
    scenario = Scenario.uniform(6, 0.001, ints_per_job=10, seed=2)
    payloads = build_payloads(scenario)
    runner = InterpretersRunner(pool_size=3)
    try:
        assert runner.setup(scenario.jobs) == {"interpreters": 3, "pool": "InterpreterPoolExecutor"}
        records = runner.run(scenario.delays_s, payloads)
    finally:
        runner.close()
    assert [value for _, _, value in records] == expected_sums(payloads)
