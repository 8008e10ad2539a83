"""cli/signals.py: SIGTERM, SIGHUP and Ctrl-C end `run` and `timeline` with 128 + the signal,
keeping what finished (a partial file); a SIGHUP ignored from the start stays ignored."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from cli_process import SHAPE, TINY, cli_command
from concurrency_bench.results import load
from fault_runners import HANG_MARKER_ENV


def _start_hanging_run(
    tmp_path: Path, command: str = "run", prelude: str = ""
) -> subprocess.Popen[str]:
    """`run` (or `timeline`) with a model that finishes, then one that hangs; returns once the
    hanging model's worker has started (it writes a marker), so no fixed sleep is needed."""
    marker = tmp_path / "hanging"
    rest = [*TINY, "--out", str(tmp_path / "runs"), "--quiet"] if command == "run" else SHAPE
    proc = subprocess.Popen(
        cli_command(command, "--models", "asyncio-gather,fault-hang", *rest, faults=True,
                    prelude=prelude),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, HANG_MARKER_ENV: str(marker)},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if not marker.exists():
        proc.kill()
        pytest.fail(f"the hanging model never started: {proc.communicate()}")
    return proc


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)]
)
def test_a_signal_keeps_the_finished_models_in_a_partial_file(
    tmp_path: Path, signum: int, status: int
) -> None:
    proc = _start_hanging_run(tmp_path)
    try:
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == status, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    (path,) = (tmp_path / "runs").glob("*.json")
    results = load(path)
    assert results.partial
    assert [(m.model, m.status) for _, m in results.models()] == [
        ("asyncio-gather", "ok"),
        ("fault-hang", "interrupted"),
    ]


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_timeline_exits_128_plus_the_signal_and_shows_what_finished(
    tmp_path: Path, signum: int, status: int
) -> None:
    proc = _start_hanging_run(tmp_path, "timeline")
    try:
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == status, stderr
    assert "Traceback" not in stderr
    assert "asyncio-gather: total wall" in stdout


def test_a_deliberately_ignored_sighup_stays_ignored(tmp_path: Path) -> None:
    """nohup: SIGHUP ignored when the process starts must not stop the run; SIGTERM still does."""
    ignoring = "import signal; signal.signal(signal.SIGHUP, signal.SIG_IGN); "
    proc = _start_hanging_run(tmp_path, prelude=ignoring)
    try:
        proc.send_signal(signal.SIGHUP)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=1)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143, stderr
