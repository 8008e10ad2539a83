"""Hostile results files: `load` and `report` refuse each at once, in one line, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cli_process import cli
from concurrency_bench.results import ResultsError, load
from concurrency_bench.results.store import MAX_FILE_BYTES
from factories import model_result, results_file, scenario

QUICK_S = 10.0
"""Far above what any refusal takes; a hang or a read of /dev/zero would exceed it."""


def valid_text() -> str:
    s = scenario(3)
    return results_file([(s, [model_result("asyncio-gather", s, walls=[0.06, 0.07])])]).to_json()


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "results.json"
    path.write_bytes(data)
    return path


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo.json"
    os.mkfifo(path)
    return path


def _sparse(tmp_path: Path) -> Path:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # a hole: no disk used, no time to write
    return path


def _loop(tmp_path: Path) -> Path:
    path = tmp_path / "loop.json"
    path.symlink_to(path)
    return path


def _to_zero(tmp_path: Path) -> Path:
    path = tmp_path / "zero.json"
    path.symlink_to("/dev/zero")
    return path


def _replaced(old: str, new: str) -> Callable[[Path], Path]:
    def make(tmp_path: Path) -> Path:
        text = valid_text()
        assert old in text
        return _write(tmp_path, text.replace(old, new, 1).encode())

    return make


def _bytes(data: bytes) -> Callable[[Path], Path]:
    return lambda tmp_path: _write(tmp_path, data)


def _nested_environment(depth: int) -> Callable[[Path], Path]:
    def make(tmp_path: Path) -> Path:
        data = json.loads(valid_text())
        value: object = 1
        for _ in range(depth):
            value = [value]
        data["environment"]["deep"] = value
        return _write(tmp_path, json.dumps(data).encode())

    return make


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (_fifo, "is a FIFO, not a regular file"),
    "dev-zero": (lambda _: Path("/dev/zero"), "is a device or socket"),
    "symlink-to-dev-zero": (_to_zero, "is a device or socket"),
    "directory": (lambda tmp_path: tmp_path, "is a directory"),
    "over-the-cap": (_sparse, "over the 536,870,912-byte limit"),
    "symlink-loop": (_loop, "cannot read"),
    "missing": (lambda tmp_path: tmp_path / "nope.json", "cannot read"),
    "empty": (_bytes(b""), "not valid JSON"),
    "binary": (_bytes(bytes(range(256)) * 4), "not UTF-8 text (byte 128)"),
    "not-utf8-in-a-string": (
        lambda p: _write(p, valid_text().encode().replace(b'"Test CPU', b'"\xff', 1)),
        "not UTF-8 text (byte",
    ),
    "utf8-bom": (lambda p: _write(p, b"\xef\xbb\xbf" + valid_text().encode()), "not valid JSON"),
    "truncated": (lambda p: _write(p, valid_text().encode()[:-40]), "not valid JSON"),
    "nan": (_replaced('"wall_s": 0.06', '"wall_s": NaN'), "not valid JSON"),
    "infinity": (_replaced('"wall_s": 0.06', '"wall_s": Infinity'), "not valid JSON"),
    "1e999": (_replaced('"wall_s": 0.06', '"wall_s": 1e999'), "Number out of range"),
    "deep-nesting": (_bytes(b"[" * 100_000), "not a concurrency-bench results file"),
    "deep-nesting-in-an-object": (_bytes(b'{"a":' * 100_000), "nested too deeply"),
    "deep-nesting-in-a-field": (
        _replaced('"environment": {', '"environment": {"x": ' + "[" * 100_000 + "1"),
        "nested too deeply",
    ),
    "deep-but-parseable-environment": (_nested_environment(50), "nested more than 8"),
    "huge-int": (_replaced('"jobs": 3', '"jobs": ' + "9" * 5000), "Integer value out of range"),
    "huge-int-in-environment": (
        _replaced('"logical_cores": 2', '"logical_cores": ' + "9" * 4000),
        "environment.logical_cores",
    ),
    "negative-time": (_replaced('"wall_s": 0.06', '"wall_s": -0.06'), ">= 0.0"),
    "zero-jobs": (_replaced('"jobs": 3', '"jobs": 0'), ">= 1"),
    "wrong-type-reason": (_replaced('"reason": null', '"reason": 7'), "`str | null`"),
    "version-3": (_replaced('"schema_version": 2', '"schema_version": 3'), "schema_version 3"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_load_refuses_at_once_in_one_line(tmp_path: Path, case: str) -> None:
    make, message = HOSTILE[case]
    path = make(tmp_path)
    started = time.monotonic()
    with pytest.raises(ResultsError) as caught:
        load(path)
    assert time.monotonic() - started < QUICK_S
    text = str(caught.value)
    assert message in text
    assert text.startswith(str(path))
    assert "\n" not in text


def report(path: Path | str) -> subprocess.CompletedProcess[str]:
    """`concurrency-bench report PATH` in a subprocess; a hang fails the test by timeout."""
    return cli("report", str(path), timeout=60)


@pytest.mark.parametrize(
    "case",
    [
        "fifo",
        "dev-zero",
        "directory",
        "over-the-cap",
        "binary",
        "nan",
        "deep-nesting-in-an-object",
        "huge-int",
        "huge-int-in-environment",
        "negative-time",
    ],
)
def test_report_gives_exit_2_and_one_line(tmp_path: Path, case: str) -> None:
    make, message = HOSTILE[case]
    path = make(tmp_path)
    started = time.monotonic()
    result = report(path)
    assert time.monotonic() - started < 30  # interpreter start included
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_report_renders_a_valid_file(tmp_path: Path) -> None:
    result = report(_write(tmp_path, valid_text().encode()))
    assert result.returncode == 0, result.stderr
    assert "asyncio-gather" in result.stdout


def test_a_file_name_with_a_newline_stays_one_line(tmp_path: Path) -> None:
    path = tmp_path / "two\nlines.json"
    with pytest.raises(ResultsError) as caught:
        load(path)
    assert "\n" not in str(caught.value) and "two\\nlines.json" in str(caught.value)
