"""cli/streams.py (with report/console.py): standard streams that cannot take what is printed,
an ASCII or Latin-1 stdout, closed or full streams, a reader that goes away. Every case runs the
real CLI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cli_process import SHAPE, TINY, cli, cli_command, one_line
from concurrency_bench.results import load


def test_an_ascii_stdout_gets_ascii_stand_ins(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    result = cli(
        "run", "--models", "asyncio-gather", *TINY, "--out", str(tmp_path / "runs"), env=env
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    result.stdout.encode("ascii")
    assert "us/job" in result.stdout and " ok" in result.stdout
    helped = cli("compare", "--help", env=env)
    assert helped.returncode == 0 and "in us" in helped.stdout


def test_a_latin1_stdout_keeps_what_it_can_encode(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    result = cli("compare", "--help", env=env, encoding="latin-1")
    assert result.returncode == 0 and "µs" in result.stdout


def _shell(command: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `command` through sh, with the CLI as "$@"."""
    return subprocess.run(
        ["sh", "-c", command, "sh", *cli_command()], capture_output=True, text=True, timeout=60,
        check=False, cwd=tmp_path,
    )  # fmt: skip


@pytest.mark.parametrize("command", ['"$@" list >&-', '"$@" list 2>&- 1>&-', '"$@" list <&-'])
def test_closed_streams_end_quietly(tmp_path: Path, command: str) -> None:
    result = _shell(command, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert ("asyncio-gather" in result.stdout) == ("<&-" in command)


def test_run_with_closed_stdout_and_stderr_still_measures_and_writes(tmp_path: Path) -> None:
    args = " ".join(["run", "--models", "asyncio-gather", *TINY, "--out", "runs"])
    result = _shell(f'"$@" {args} >&- 2>&-', tmp_path)
    assert result.returncode == 0
    (path,) = (tmp_path / "runs").glob("*.json")
    assert [m.status for _, m in load(path).models()] == ["ok"]


def test_run_with_stderr_on_a_full_device_still_writes(tmp_path: Path) -> None:
    args = " ".join(["run", "--models", "asyncio-gather", *TINY, "--out", "runs"])
    result = _shell(f'"$@" {args} 2>/dev/full', tmp_path)
    assert result.returncode == 0
    assert len(list((tmp_path / "runs").glob("*.json"))) == 1


def test_a_full_stdout_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _shell('"$@" list >/dev/full', tmp_path)
    assert result.returncode == 2
    one_line(result, "stdout", "No space left")
    args = " ".join(["run", "--models", "asyncio-gather", *TINY, "--out", "runs", "--quiet"])
    ran = _shell(f'"$@" {args} >/dev/full', tmp_path)
    assert ran.returncode == 2
    one_line(ran, "stdout")
    assert len(list((tmp_path / "runs").glob("*.json"))) == 1  # the file came first


@pytest.mark.parametrize("command", [["list"], ["timeline", "--models", "sync", *SHAPE]])
def test_a_reader_that_goes_away_ends_quietly_with_141(command: list[str]) -> None:
    """`concurrency-bench ... | head -1`: exit 128 + SIGPIPE, as a Unix tool, no message."""
    proc = subprocess.Popen(cli_command(*command), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before anything is written
    stderr = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert stderr == b""


def test_head_1_in_a_shell_pipeline_ends_quietly(tmp_path: Path) -> None:
    result = _shell('"$@" list | head -1', tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("model") and result.stderr == ""
