"""Which interpreter `--python X.Y` chooses, and helper processes that answer nonsense: an
interpreter's probe, the TCP server's ready line (issue #16, sections 4 and 8), through the
real CLI with fake interpreters as shell scripts and a sitecustomize that prints."""

from __future__ import annotations

import json
import os
import platform
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli_process import cli, cli_in_process, one_line
from concurrency_bench.engine.interpreters import resolve
from concurrency_bench.engine.protocol import PROTOCOL_VERSION
from concurrency_bench.results import load
from test_interpreters import SMALL, wrapper

RUNNING = os.path.abspath(sys.executable)
MAJOR_MINOR = f"{sys.version_info.major}.{sys.version_info.minor}"
ANSWER: dict[str, Any] = {
    "executable": "/fake/python",
    "version": "3.11.7",
    "implementation": "CPython",
    "build": "main, Jan 1 2024 GCC 12.2.0",
    "protocol": PROTOCOL_VERSION,
    "own_package": False,
    "lacks": None,
    "unavailable": {},
}
"""A well-formed probe answer; each case below spoils one thing."""
NONSENSE: dict[str, str] = {
    "the issue's case": json.dumps({"executable": 5}),
    "a list": "[]",
    "null": "null",
    "a number for the version": json.dumps({**ANSWER, "version": 3.11}),
    "a version that is not one": json.dumps({**ANSWER, "version": "banana"}),
    "a version with a newline": json.dumps({**ANSWER, "version": "3.11\n"}),
    "an escape sequence": json.dumps({**ANSWER, "implementation": "\x1b]0;owned\x07"}),
    "a command as a package": json.dumps({**ANSWER, "lacks": "msgspec; rm -rf ~"}),
    "a reason that is not text": json.dumps({**ANSWER, "unavailable": {"sync": 5}}),
    "a negative protocol": json.dumps({**ANSWER, "protocol": -1}),
    "an unknown field": json.dumps({**ANSWER, "extra": 1}),
    "an unknown field that clears the screen": json.dumps({**ANSWER, "\x1b[2J": 1}),
    "a field missing": json.dumps({k: v for k, v in ANSWER.items() if k != "build"}),
    "no JSON": "hello",
    "nothing": "",
}


def bench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess with the test-only models registered, under `env`."""
    return cli(*args, faults=True, env=env)


def refused(case: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI's refusal of a nonsense answer: in this process, the issue's case in a subprocess."""
    return bench(*args) if case == "the issue's case" else cli_in_process(*args, faults=True)


def fake_python(tmp_path: Path, answer: str) -> str:
    """A script standing for an interpreter: it reads the probe's models and prints `answer`."""
    path = tmp_path / "fake-python"
    path.write_text(f"#!/bin/sh\ncat >/dev/null\ncat <<'EOF'\n{answer}\nEOF\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.parametrize("case", NONSENSE)
def test_ab_refuses_a_base_whose_probe_answers_nonsense(tmp_path: Path, case: str) -> None:
    fake = fake_python(tmp_path, NONSENSE[case])
    out = tmp_path / "ab"
    args = ("--models", "asyncio-gather", *SMALL, "--rounds", "2", "--out", str(out))
    done = refused(case, "ab", "--base", fake, "--new", sys.executable, *args)
    assert done.returncode == 2, done.stderr
    line = one_line(done, "--base", fake)
    assert "\x1b" not in line
    assert not out.exists()


@pytest.mark.parametrize("case", ["the issue's case", "an escape sequence", "no JSON"])
def test_run_refuses_a_python_whose_probe_answers_nonsense(tmp_path: Path, case: str) -> None:
    fake = fake_python(tmp_path, NONSENSE[case])
    out = tmp_path / "runs"
    pythons = f"{sys.executable},{fake}"
    args = ("--models", "asyncio-gather", *SMALL, "--rounds", "1", "--out", str(out))
    done = refused(case, "run", *args, "--python", pythons)
    assert done.returncode == 2, done.stderr
    one_line(done, "`python`", fake)
    assert not out.exists()


def test_a_version_names_the_running_interpreter_when_it_is_that_version() -> None:
    assert resolve(MAJOR_MINOR) == RUNNING
    assert resolve(platform.python_version()) == RUNNING


def test_run_python_x_y_chooses_the_running_interpreter_over_path_and_says_so(
    tmp_path: Path,
) -> None:
    """The issue's case: run from a virtual environment, `--python 3.11` took the system's
    python3.11 first on PATH, which lacks the dependencies, and every row was unavailable."""
    folder = tmp_path / "bin"
    folder.mkdir()
    wrapper(folder, f"python{MAJOR_MINOR}", 'set -- -S "$@"')  # lacks msgspec, first on PATH
    out = tmp_path / "runs"
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    args = ("run", "--models", "asyncio-gather", *SMALL, "--rounds", "1", "--out", str(out))
    done = bench(*args, "--python", MAJOR_MINOR, env=env)
    assert done.returncode == 0, done.stderr
    assert f"--python {MAJOR_MINOR}: {RUNNING} (" in done.stderr  # which one, said before
    (path,) = out.glob("*.json")
    (row,) = (m for _, m in load(path).models())
    assert row.status == "ok"
    assert row.python is not None and row.python.executable == RUNNING  # and recorded


SERVER_SAYS = {
    "noise before its line": ("print('hello from sitecustomize')", "ok", None),
    "no JSON": ("print('nonsense'); sys.exit(0)", "failed", "b'nonsense', not its ready line"),
    "JSON of another shape": (
        "print('{\"port\": 0}'); sys.exit(0)",
        "failed",
        "not its ready line: Expected `int` >= 1 - at `$.port`",
    ),
}


@pytest.mark.parametrize("case", SERVER_SAYS)
def test_a_tcp_server_that_prints_other_lines_is_a_row_never_a_traceback(
    tmp_path: Path, case: str
) -> None:
    """The server's ready line is decoded with its types: lines before it (a sitecustomize
    that prints) are skipped; no ready line fails the scenario's rows, naming what it said."""
    code, status, reason = SERVER_SAYS[case]
    (tmp_path / "sitecustomize.py").write_text(
        f"import sys\nif 'concurrency_bench.kinds.tcp.server' in sys.orig_argv:\n    {code}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    out = tmp_path / "runs"
    args = ("--models", "asyncio-gather", *SMALL, "--rounds", "1", "--io", "tcp", "--quiet")
    args = (*args, "--clients", "streams")
    done = bench("run", *args, "--out", str(out), env=env)
    assert "Traceback" not in done.stderr
    assert done.returncode == (0 if status == "ok" else 1), done.stderr
    (path,) = out.glob("*.json")
    ((_, row),) = load(path).models()
    assert row.status == status
    if reason is not None:
        assert row.reason is not None and reason in row.reason
        assert "the ints server did not start" in row.reason
