"""A scenario's server stopped (SIGSTOP), terminated or killed mid-run, through the CLI: the
row then running and every later row of the scenario fail at once, named by what became of the
server (engine/servers.py, the session's watch in engine/session.py), and nothing is left."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from cli_process import alive, children, cli_command, wait_for
from concurrency_bench.results.schema import decode

MODELS = ("sync", "asyncio-gather", "trio", "threads")
ROWS = [
    ("sync", "socket"),
    ("sync", "makefile"),
    ("asyncio-gather", "streams"),
    ("asyncio-gather", "protocol"),
    ("asyncio-gather", "loop-sock"),
    ("trio", None),
    ("threads", "socket"),
    ("threads", "makefile"),
]
"""MODELS' rows over tcp: one per socket API each can use (trio has its own networking)."""
TIMEOUT_S = 10
"""Each worker's timeout: a run that waited it out per row would take MODELS x this."""
JOB_DELAY_MS = 2000
"""sync's round takes 3 x this: the signal lands while its worker waits on the server."""

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _signal_the_server_mid_round(tmp_path: Path, signum: int) -> tuple[int, float, dict[int, str]]:
    """Run the models over tcp, send the server `signum` once the first worker runs; the exit
    status, the run's wall time, and every process the CLI started (pid: command line)."""
    out = tmp_path / "stdout.json"
    argv = cli_command(
        "run", "--io", "tcp", "--jobs", "3", "--delay-ms", str(JOB_DELAY_MS), "--ints", "8",
        "--models", ",".join(MODELS), "--rounds", "1", "--warmup", "0",
        "--timeout-s", str(TIMEOUT_S), "--quiet", "--json", "--out", str(tmp_path / "runs"),
    )  # fmt: skip
    seen: dict[int, str] = {}
    started = time.monotonic()
    with out.open("wb") as stdout:
        engine = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.DEVNULL)
    try:

        def note_children() -> dict[str, int]:
            for pid in children(engine.pid):
                seen.setdefault(pid, _command(pid))
            return {what: pid for pid, what in seen.items()}

        def worker_started() -> bool:
            commands = " ".join(note_children())
            return "kinds.tcp.server" in commands and "engine.worker" in commands

        assert wait_for(worker_started, 60), seen
        time.sleep(0.5)  # the worker is setting up or in its round: both wait on the server
        (server,) = (pid for pid, what in seen.items() if "kinds.tcp.server" in what)
        os.kill(server, signum)
        while engine.poll() is None and time.monotonic() - started < 90:
            note_children()
            time.sleep(0.05)
    finally:
        if engine.poll() is None:  # its server and workers die with it (parent-death signal)
            engine.kill()
        engine.wait()
    return engine.returncode, time.monotonic() - started, seen


@linux_only
@pytest.mark.parametrize(
    ("signum", "state"),
    [
        (signal.SIGSTOP, "the ints server was stopped by SIGSTOP"),
        (signal.SIGTERM, "the ints server was killed by SIGTERM"),
        (signal.SIGKILL, "the ints server was killed by SIGKILL"),
    ],
    ids=["stopped", "terminated", "killed"],
)
def test_a_server_signalled_mid_run_fails_its_rows_at_once_naming_its_state(
    tmp_path: Path, signum: int, state: str
) -> None:
    code, wall_s, started = _signal_the_server_mid_round(tmp_path, signum)
    assert code == 1
    rows = decode((tmp_path / "stdout.json").read_bytes()).scenarios[0].models
    assert [(row.model, row.client) for row in rows] == ROWS  # a row per socket API
    first, *rest = rows
    assert first.status == "failed" and state in (first.reason or ""), first.reason
    assert "timed out" not in (first.reason or "")  # ended once the state was known
    for row in rest:  # never started: no worker waited on the server
        assert (row.status, row.reason, row.runs) == ("failed", state, ())
    assert wall_s < len(MODELS) * TIMEOUT_S / 2
    workers = [pid for pid, what in started.items() if "engine.worker" in what]
    assert len(workers) == 1, started  # the first model's only
    leftovers = {pid: what for pid, what in started.items() if alive(pid)}
    assert not leftovers
