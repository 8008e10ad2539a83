"""The progress bar of `run`: drawn on a terminal only, never with --quiet or into a pipe."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import sys
import termios
from pathlib import Path

from cli_process import cli, cli_command

RUN = ["run", "--models", "asyncio-gather,trio", "--jobs", "5", "--delay-ms", "5", "--rounds", "2"]


def _on_terminal(args: list[str]) -> bytes:
    """Run the CLI with stdout and stderr on a 120-column pseudo-terminal; all it wrote."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of a real size, as tqdm sizes its bar by it
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.execv(sys.executable, cli_command(*args))
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    return out


def test_a_terminal_gets_one_bar_counting_workers(tmp_path: Path) -> None:
    shown = _on_terminal([*RUN, "--out", str(tmp_path / "runs")])
    assert b"/4 workers" in shown
    assert b"asyncio-gather [uniform-5x5ms-100ints], model 1/2" in shown
    assert b"4/4 workers" in shown or b"3/4 workers" in shown


def test_quiet_draws_no_bar_even_on_a_terminal(tmp_path: Path) -> None:
    shown = _on_terminal([*RUN, "--out", str(tmp_path / "runs"), "--quiet"])
    assert b"workers [" not in shown
    assert b"/4 workers" not in shown


def test_a_pipe_gets_no_bar(tmp_path: Path) -> None:
    done = cli(*RUN, "--out", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    assert "workers" not in done.stderr
