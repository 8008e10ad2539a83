"""engine/interpreters.py: workers under other interpreters, found and probed; rows keyed by
interpreter, `run --python`, and the interleaved A/B gate `ab`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from cli_process import cli, one_line
from concurrency_bench.analysis.gate import compare
from concurrency_bench.analysis.verdict import judge, ordered_models
from concurrency_bench.engine import EngineOptions, Progress, measure_all
from concurrency_bench.engine.interpreters import (
    probe,
    probe_all,
    protocol_mismatch,
    resolve,
    short_version,
)
from concurrency_bench.engine.protocol import PROTOCOL_VERSION
from concurrency_bench.errors import InputError
from concurrency_bench.report import pythons_table
from concurrency_bench.results import PythonInfo, ResultsFile, load
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario

TINY = Scenario.uniform(5, 0.005, ints_per_job=10)
SMALL = ("--jobs", "5", "--delay-ms", "5", "--ints", "10", "--warmup", "0")
GATHER = REGISTRY["asyncio-gather"]


def wrapper(tmp_path: Path, name: str, body: str) -> str:
    """An executable script standing for another interpreter: `body` then this Python."""
    path = tmp_path / name
    path.write_text(f'#!/bin/sh\n{body}\nexec {sys.executable} "$@"\n', encoding="ascii")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


# -- finding and probing -----------------------------------------------------------------


def test_a_path_resolves_to_itself_and_bad_values_name_python(tmp_path: Path) -> None:
    assert resolve(sys.executable) == os.path.abspath(sys.executable)
    for bad in ("3.99", str(tmp_path / "nothing"), "no-such-python-here", " "):
        with pytest.raises(InputError, match="`python`"):
            resolve(bad)


def test_a_version_is_found_on_path_or_with_pyenv() -> None:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    try:
        found = resolve(version)
    except InputError:
        pytest.skip(f"no python{version} on PATH or in pyenv")
    done = subprocess.run(
        [found, "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str(sys.version_info[:2])


def test_the_probe_reports_the_interpreter_and_asks_its_registry() -> None:
    python = probe(sys.executable, [GATHER, REGISTRY["asyncio-eager"]], label="x")
    assert python.info.version == ".".join(map(str, sys.version_info[:3]))
    assert python.info.implementation == "CPython"
    assert python.info.executable == sys.executable
    assert python.protocol == PROTOCOL_VERSION
    assert python.lacks is None
    assert python.reason(GATHER) is None
    assert (python.reason(REGISTRY["asyncio-eager"]) is None) == (sys.version_info >= (3, 12))
    assert protocol_mismatch(python, "base") is None


def test_an_interpreter_without_site_packages_lacks_them_and_says_the_fix(tmp_path: Path) -> None:
    bare = wrapper(tmp_path, "bare", 'set -- -S "$@"')  # no site-packages: no msgspec, no trio
    python = probe(bare, [GATHER], label="bare")
    assert python.lacks is not None
    assert f"{bare} lacks msgspec" in python.lacks
    assert f"{bare} -m pip install msgspec" in python.lacks
    assert python.reason(GATHER) == python.lacks


def test_the_same_interpreter_twice_is_refused_and_equal_versions_get_longer_labels(
    tmp_path: Path,
) -> None:
    with pytest.raises(InputError, match=r"`python` names .* twice"):
        probe_all([sys.executable, sys.executable], [GATHER])
    other = wrapper(tmp_path, "other", "")
    first, second = probe_all([sys.executable, other], [GATHER])
    assert first.info.label != second.info.label
    (only,) = probe_all([sys.executable], [GATHER])
    assert only.info.label == short_version(only.info.version)


def test_an_old_concurrency_bench_is_refused_naming_both_protocols(tmp_path: Path) -> None:
    fake = tmp_path / "fake" / "concurrency_bench"
    (fake / "engine").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "engine" / "__init__.py").write_text("")
    (fake / "engine" / "worker.py").write_text("")
    (fake / "engine" / "protocol.py").write_text("PROTOCOL_VERSION = 3\n")
    (fake / "runners.py").write_text("REGISTRY = {}\n")
    old = wrapper(tmp_path, "old", f"export PYTHONPATH={fake.parent}")
    python = probe(old, [GATHER], label="base")
    assert python.protocol == 3
    line = protocol_mismatch(python, "--base")
    assert line is not None
    assert f"protocol 3, this engine protocol {PROTOCOL_VERSION}" in line
    done = cli("ab", "--base", old, "--new", sys.executable, *SMALL, "--out", str(tmp_path))
    assert done.returncode == 2
    one_line(done, "--base", "protocol 3", f"protocol {PROTOCOL_VERSION}")
    assert not list(tmp_path.glob("*.json"))  # refused before anything was measured


# -- the engine: rows keyed and interleaved by interpreter ------------------------------


def test_every_model_runs_under_every_interpreter_interleaved(tmp_path: Path) -> None:
    pythons = probe_all([sys.executable, wrapper(tmp_path, "other", "")], [GATHER])
    seen: list[tuple[str, int]] = []

    def note(progress: Progress) -> None:
        if progress.phase == "start":
            seen.append((progress.model, progress.worker))

    options = EngineOptions(rounds=2, warmup=0, progress=note)
    results = measure_all([GATHER, REGISTRY["sync"]], [TINY], options, pythons)
    rows = [m for _, m in results.models()]
    assert [(m.model, m.python.label if m.python else None) for m in rows] == [
        (spec, p.info.label) for spec in ("asyncio-gather", "sync") for p in pythons
    ]
    assert all(m.status == "ok" and len(m.runs) == 2 for m in rows)
    assert [worker for _, worker in seen] == [1, 1, 1, 1, 2, 2, 2, 2]
    assert len({name for name, _ in seen}) == 4  # each (model, interpreter) its own row
    # The file keeps the interpreters apart through a round trip and in the gate.
    again = msgspec.json.decode(results.to_json(), type=ResultsFile)
    assert again == results
    comparison = compare(results, again)
    assert len(comparison.rows) == 4
    table = pythons_table.render(results)
    assert "asyncio-gather" in table and f"{pythons[1].info.label} vs" in table
    verdict = judge(rows)  # the report's verdict names each (model, interpreter) once
    assert verdict is not None
    assert sorted(ordered_models(verdict)) == sorted(m.row_name for m in rows if m.ranked)


def test_rows_of_old_files_have_no_interpreter() -> None:
    row = {"model": "sync", "status": "not-run", "concurrent": False, "ideal_s": 1.0, "jobs": 1}
    result = msgspec.json.decode(json.dumps(row), type=type(_a_row()))
    assert result.python is None
    assert result.row_name == "sync"
    assert _a_row().row_name == "sync (3.13)"


def _a_row() -> object:
    from concurrency_bench.results import ModelResult  # noqa: PLC0415

    info = PythonInfo(label="3.13", executable="/p", version="3.13.0", implementation="CPython")
    return ModelResult(
        model="sync", status="not-run", concurrent=False, ideal_s=1.0, jobs=1, python=info
    )


# -- the CLI -------------------------------------------------------------------------------


def test_run_python_records_each_interpreter_and_marks_what_one_lacks(tmp_path: Path) -> None:
    bare = wrapper(tmp_path, "bare", 'set -- -S "$@"')
    out = tmp_path / "runs"
    pythons = f"{sys.executable},{bare}"
    done = cli(
        "run",
        "--models",
        "asyncio-gather",
        *SMALL,
        "--rounds",
        "1",
        "--python",
        pythons,
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("*.json")
    ours, theirs = (m for _, m in load(path).models())
    assert ours.status == "ok"
    assert ours.python is not None and ours.python.executable == sys.executable
    assert theirs.status == "unavailable"
    assert theirs.reason is not None and f"{bare} -m pip install msgspec" in theirs.reason
    assert "vs" in done.stdout  # the cross-interpreter table


def test_run_refuses_a_bad_python_in_one_line_writing_nothing(tmp_path: Path) -> None:
    done = cli("run", *SMALL, "--python", "3.99", "--out", str(tmp_path / "runs"))
    assert done.returncode == 2
    one_line(done, "`python`", "3.99")
    assert not (tmp_path / "runs").exists()


def test_ab_with_the_same_interpreter_twice_passes_and_keeps_both_sides(tmp_path: Path) -> None:
    # Two workers a side cannot reach p <= 0.05 (the smallest p of 2 against 2 is 1/6), so
    # the exit status tests the plumbing; the false-alarm rate is measured with the default.
    done = cli(
        "ab",
        "--base",
        sys.executable,
        "--new",
        sys.executable,
        "--models",
        "asyncio-gather,trio",
        *SMALL,
        "--rounds",
        "2",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "gate: pass" in done.stdout
    (path,) = tmp_path.glob("*.json")
    labels = [m.python.label for _, m in load(path).models() if m.python is not None]
    assert labels == ["base", "new", "base", "new"]


@pytest.mark.slow
def test_ab_catches_a_model_slowed_on_the_new_side_only(tmp_path: Path) -> None:
    slowed = wrapper(tmp_path, "slowed", "export CONCURRENCY_BENCH_TEST_SLOW_FRACTION=2")
    done = cli(
        "ab",
        "--base",
        sys.executable,
        "--new",
        slowed,
        "--models",
        "fault-slow,asyncio-gather",
        "--jobs",
        "20",
        "--delay-ms",
        "20",
        "--rounds",
        "5",
        "--warmup",
        "0",
        "--out",
        str(tmp_path),
        faults=True,
    )
    assert done.returncode == 1, done.stderr + done.stdout
    table = done.stdout.split("gate:")[0]
    (row,) = [line for line in table.splitlines() if "fault-slow" in line]
    assert "slower" in row
    (gate,) = [line for line in done.stdout.splitlines() if line.startswith("gate:")]
    assert gate.startswith("gate: FAIL, 1 regression(s)") and gate.endswith("/fault-slow")


def test_ab_refuses_a_bad_base_in_one_line(tmp_path: Path) -> None:
    done = cli("ab", "--base", "3.99", "--new", sys.executable, "--out", str(tmp_path))
    assert done.returncode == 2
    one_line(done, "`python`", "3.99")
    assert not list(tmp_path.iterdir())


def test_ab_refuses_a_side_that_lacks_what_every_worker_needs(tmp_path: Path) -> None:
    bare = wrapper(tmp_path, "bare", 'set -- -S "$@"')
    out = tmp_path / "ab"
    done = cli("ab", "--base", bare, "--new", sys.executable, "--out", str(out))
    assert done.returncode == 2
    one_line(done, "--base", "lacks msgspec", f"{bare} -m pip install msgspec")
    assert not out.exists()
