"""Property-based: valid files from the schema, then mutated; each loads or is one ResultsError.

Never another exception, never a hang; and the real `report` renders (exit 0) or refuses in one
line (exit 2), never a traceback or exit 1.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_process import cli
from concurrency_bench.results import STATUSES, ResultsError, ResultsFile
from concurrency_bench.results.store import parse_bytes
from concurrency_bench.workload import Scenario
from factories import ENVIRONMENT, model_result, results_file

MODELS = ("asyncio-gather", "threads", "trio", "sync", "processes")
QUICK_S = 5.0
"""Far above a refusal or a load of these small files; anything slower is a hang in the making."""

seconds = st.floats(min_value=0.0, max_value=5.0, allow_nan=False)


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
                )
            )
        blocks.append((scenario, models))
    return results_file(blocks, partial=draw(st.booleans()), environment=dict(ENVIRONMENT))


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


def _examples(count: int) -> list[bytes]:
    """`count` mutated files, fixed by a seed so the subprocess test is reproducible."""
    found: list[bytes] = []

    @settings(max_examples=count, deadline=None, database=None, derandomize=True)
    @given(mutated())
    def collect(raw: bytes) -> None:
        found.append(raw)

    collect()
    return found[:count]


@pytest.mark.parametrize("index", range(8))
def test_report_on_mutated_files_renders_or_exits_2(tmp_path: Path, index: int) -> None:
    raw = _examples(8)[index]
    path = tmp_path / "mutated.json"
    path.write_bytes(raw)
    result = cli("report", str(path), timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        assert len(result.stderr.splitlines()) == 1, result.stderr
