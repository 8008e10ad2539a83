"""Property-based: valid files from the schema, then mutated; each loads or is one ResultsError.

Never another exception, never a hang; and the real `report` renders (exit 0) or refuses in one
line (exit 2), never a traceback or exit 1; `history` and `compare`, which read the interpreter
of each row and the run's commit, likewise (exit 0, 1 or 2, a page whole or not written). The
commands run through the CLI's entry function in this process; one case each also runs in a
subprocess, as a user runs it.
"""

from __future__ import annotations

import functools
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_process import cli, cli_in_process
from concurrency_bench.results import STATUSES, PythonInfo, ResultsError, ResultsFile
from concurrency_bench.results.store import parse_bytes
from concurrency_bench.workload import Scenario
from factories import ENVIRONMENT, model_result, results_file

MODELS = ("asyncio-gather", "threads", "trio", "sync", "processes")
QUICK_S = 5.0
"""Far above a refusal or a load of these small files; anything slower is a hang in the making."""

seconds = st.floats(min_value=0.0, max_value=5.0, allow_nan=False)
pythons = st.none() | st.builds(
    PythonInfo,
    label=st.sampled_from(("3.11", "3.12", "base", "new")),
    executable=st.sampled_from(("/usr/bin/python3.12", "/venv/bin/python")),
    version=st.sampled_from(("3.11.7", "3.12.1")),
    implementation=st.just("CPython"),
    build=st.sampled_from(("", "main, Jan 1 2024 GCC 12.2.0")),
)
"""A row's interpreter (`run --python`, `ab`), read by history, compare and the tables."""
SWEEP = {"budget_s_per_point": 120.0, "probe": {"sync": {"jobs": 10, "start_s": 0.1}}}


@st.composite
def valid_files(draw: st.DrawFn) -> ResultsFile:
    """A schema-2 file: one or two scenarios, a few models, statuses, rounds over processes."""
    blocks = []
    for index in range(draw(st.integers(1, 2))):
        delays = draw(st.lists(seconds, min_size=1, max_size=8))
        scenario = Scenario.explicit(delays, name=f"s{index}", ints_per_job=draw(st.integers(0, 9)))
        models = []
        for name in draw(st.lists(st.sampled_from(MODELS), min_size=1, max_size=3, unique=True)):
            status = draw(st.sampled_from(STATUSES))
            rounds = 0 if status in ("not-run", "unavailable") else draw(st.integers(1, 4))
            if status != "ok" and draw(st.booleans()):
                rounds = 0
            early = min(0.001, max(delays))  # timers firing early: wall stays >= 0
            overheads = [draw(st.floats(-early, 1.0)) for _ in range(rounds)]
            models.append(
                msgspec.structs.replace(
                    model_result(
                        name,
                        scenario,
                        status=status,
                        overheads=overheads or None,
                        cpus=[abs(o) for o in overheads] or None,
                        reason=None if status == "ok" else draw(st.text(max_size=20)),
                        rss_before_bytes=draw(st.none() | st.integers(0, 2**40)),
                        rss_peak_bytes=draw(st.none() | st.integers(0, 2**40)),
                        rounds_per_process=draw(st.integers(1, 3)),
                    ),
                    python=draw(pythons),
                )
            )
        blocks.append((scenario, models))
    environment: dict[str, Any] = dict(ENVIRONMENT, git_dirty=draw(st.booleans()))
    if draw(st.booleans()):
        environment["sweep"] = SWEEP
    if draw(st.booleans()):
        del environment["git_commit"]
    return results_file(blocks, partial=draw(st.booleans()), environment=environment)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside parsed JSON (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict | list):
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            found.append((*prefix, key))
            found.extend(_paths(item, (*prefix, key)))
    return found


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any, *, delete: bool = False) -> None:
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
SPECIAL_TOKENS = ("NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "-1", "0", "[" * 5000)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid file's text after one to three hostile edits."""
    data = json.loads(draw(valid_files()).to_json())
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(("value", "token", "delete", "add", "negate")))
        if how == "value":
            _set(data, path, draw(json_values))
        elif how == "token":  # JSON that json.dumps cannot write: a marker replaced below
            _set(data, path, f"@@{draw(st.sampled_from(SPECIAL_TOKENS))}@@")
        elif how == "delete":
            _set(data, path, None, delete=True)
        elif how == "add":
            holders = [()] + [p for p in paths if isinstance(_get(data, p), dict)]
            _get(data, draw(st.sampled_from(holders)))[draw(st.text(max_size=8))] = draw(
                json_values
            )
        else:
            target = _get(data, path)
            if isinstance(target, int | float) and not isinstance(target, bool):
                _set(data, path, -target - 1)
    text = json.dumps(data)
    for token in SPECIAL_TOKENS:
        text = text.replace(f'"@@{token}@@"', token)
    raw = text.encode()
    edit = draw(st.sampled_from(("none", "truncate", "flip")))
    if edit == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif edit == "flip":
        at = draw(st.integers(0, max(0, len(raw) - 1)))
        raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
    return raw


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_files())
def test_generated_files_round_trip(results: ResultsFile) -> None:
    assert parse_bytes(results.to_json().encode()) == results


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_load_or_are_one_line(raw: bytes) -> None:
    started = time.monotonic()
    try:
        parse_bytes(raw, "fuzz.json")
    except ResultsError as exc:
        text = str(exc)
        assert text.startswith("fuzz.json: ")
        assert "\n" not in text and "\r" not in text
    assert time.monotonic() - started < QUICK_S


Run = Callable[..., subprocess.CompletedProcess[str]]
RUNS: dict[str, Run] = {"in-process": cli_in_process, "subprocess": cli}
"""How a case runs the CLI: every case in this process, one of each test in a subprocess too."""
EXAMPLES = 16
"""Mutated files the CLI reads: `report` all of them, `history` and `compare` the second half."""


def _ways(count: int) -> list[Any]:
    """Parameters (index, how) for `count` cases: all in-process, the first in a subprocess too."""
    ways = [pytest.param(index, "in-process", id=str(index)) for index in range(count)]
    return [*ways, pytest.param(0, "subprocess", id="0-subprocess")]


@functools.cache
def _examples(count: int) -> tuple[bytes, ...]:
    """`count` mutated files, fixed by a seed so the CLI tests are reproducible (generated once
    per session: every parameter of a test indexes the same files)."""
    found: list[bytes] = []

    @settings(max_examples=count, deadline=None, database=None, derandomize=True)
    @given(mutated())
    def collect(raw: bytes) -> None:
        found.append(raw)

    collect()
    return tuple(found[:count])


@pytest.mark.parametrize(("index", "how"), _ways(EXAMPLES))
def test_report_on_mutated_files_renders_or_exits_2(tmp_path: Path, index: int, how: str) -> None:
    raw = _examples(EXAMPLES)[index]
    path = tmp_path / "mutated.json"
    path.write_bytes(raw)
    result = RUNS[how]("report", str(path))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        assert len(result.stderr.splitlines()) == 1, result.stderr


def _read_by_history_and_compare(tmp_path: Path, raw: bytes, run: Run) -> None:
    """`history` over a good file and `raw`: the page whole (exit 0) or nothing (exit 2);
    `compare good raw`: a table (0 or 1) or one line (2); never a traceback."""
    folder = tmp_path / "runs"
    folder.mkdir()
    good = folder / "a.json"
    good.write_text(_GOOD.to_json(), encoding="utf-8")
    (folder / "b.json").write_bytes(raw)
    page = tmp_path / "page.html"
    history = run("history", str(folder), "--output", str(page))
    assert "Traceback" not in history.stderr, history.stderr
    assert history.returncode in (0, 2), history.stderr
    if history.returncode == 0:
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>")
    else:
        assert not page.exists() and len(history.stderr.splitlines()) == 1, history.stderr
    compared = run("compare", str(good), str(folder / "b.json"))
    assert "Traceback" not in compared.stderr, compared.stderr
    assert compared.returncode in (0, 1, 2), compared.stderr
    if compared.returncode == 2:
        assert len(compared.stderr.splitlines()) == 1, compared.stderr


_S = Scenario.explicit([0.01, 0.02], name="s0", ints_per_job=3)
_GOOD = results_file(
    [
        (
            _S,
            [
                msgspec.structs.replace(
                    model_result("trio", _S, overheads=[0.001, 0.002]),
                    python=PythonInfo(
                        label="3.12", executable="/p", version="3.12.1", implementation="CPython"
                    ),
                ),
                model_result("sync", _S, status="unavailable", reason="lacks msgspec"),
            ],
        )
    ],
    environment=dict(ENVIRONMENT, sweep=SWEEP),
)
"""A file with every field the new readers use: an interpreter, a commit, a sweep's notes."""
HISTORY_FIELDS: dict[str, tuple[tuple[Any, ...], Any]] = {
    # name: (path in the file, the value put there; None deletes it)
    "interpreter label empty": (("scenarios", 0, "models", 0, "python", "label"), ""),
    "interpreter label a number": (("scenarios", 0, "models", 0, "python", "label"), 5),
    "interpreter label with an escape": (
        ("scenarios", 0, "models", 0, "python", "label"),
        "3.12\x1b[2J",
    ),
    "interpreter a list": (("scenarios", 0, "models", 0, "python"), []),
    "interpreter without its executable": (
        ("scenarios", 0, "models", 0, "python", "executable"),
        None,
    ),
    "interpreter with an unknown field": (("scenarios", 0, "models", 0, "python", "x"), 1),
    "commit a number": (("environment", "git_commit"), 5),
    "commit a dict": (("environment", "git_commit"), {"a": [1, 2]}),
    "commit with an escape": (("environment", "git_commit"), "\x1b]0;title\x07abc"),
    "dirty a string": (("environment", "git_dirty"), "yes"),
    "created in the year 0": (("created_utc",), "0000-00-00T00:00:00Z"),
    "created not a time": (("created_utc",), "yesterday"),
    "sweep notes a number": (("environment", "sweep"), 5),
    "sweep probe nested deep": (("environment", "sweep", "probe"), [[[[[[[[[1]]]]]]]]]),
}


@pytest.mark.parametrize(
    ("field", "how"),
    [*((field, "in-process") for field in HISTORY_FIELDS), ("commit with an escape", "subprocess")],
)
def test_fields_history_and_compare_read_load_or_are_one_line(
    tmp_path: Path, field: str, how: str
) -> None:
    path, value = HISTORY_FIELDS[field]
    data = json.loads(_GOOD.to_json())
    _set(data, path, value, delete=value is None)
    _read_by_history_and_compare(tmp_path, json.dumps(data).encode(), RUNS[how])


@pytest.mark.parametrize(("index", "how"), _ways(EXAMPLES // 2))
def test_history_and_compare_on_mutated_files_read_or_exit_2(
    tmp_path: Path, index: int, how: str
) -> None:
    _read_by_history_and_compare(tmp_path, _examples(EXAMPLES)[EXAMPLES // 2 + index], RUNS[how])
