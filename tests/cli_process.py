"""The CLI in a subprocess, as a user runs it: the one copy every test file uses.

`cli(...)` runs `python -m concurrency_bench ARGS`; `cli(..., faults=True)` runs the same entry
point after `fault_runners.register()`, so the test-only models (fault-hang, fault-raises, ...)
are names the CLI accepts, in that subprocess only; `prelude=` runs code of the test's first
(hiding a package, ignoring a signal). `cli_command` gives the argv for Popen; `children`,
`alive` and `wait_for` follow the processes a CLI started (from /proc).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TESTS_DIR = Path(__file__).resolve().parent
MAIN = "import sys; from concurrency_bench.cli.main import main; sys.exit(main())"
"""`concurrency-bench` as `python -c` code, for a run that needs something done first."""
WITH_FAULTS = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); import fault_runners; "
    "fault_runners.register(); "
)
"""Registers the fault models before MAIN; argv[1] is the tests folder."""
SHAPE = ("--scenario", "uniform", "--jobs", "2", "--delay-ms", "5", "--ints", "10")
"""A workload of two 5 ms jobs: for the commands that take one (timeline, run)."""
TINY = (*SHAPE, "--rounds", "1", "--warmup", "0")
"""SHAPE measured once, in one worker, with no warm-up: the least a `run` can measure."""
FOREVER = ("--jobs", "2", "--delay-ms", "3600000", "--rounds", "1", "--warmup", "0")
"""A scenario whose measurement would outlast any test timeout: proof nothing was measured."""
TIMEOUT_S = 90.0
"""How long a CLI subprocess may take before the test fails: under pytest-timeout's limit
(pyproject.toml), so a hung CLI fails its test with the command rather than a stack."""


def cli_command(*args: str, faults: bool = False, prelude: str = "") -> list[str]:
    """The argv of `concurrency-bench ARGS` in a fresh interpreter; `prelude` is Python code
    run first, in the CLI's process only (its workers start afresh)."""
    if faults:
        return [sys.executable, "-c", prelude + WITH_FAULTS + MAIN, str(TESTS_DIR), *args]
    if prelude:
        return [sys.executable, "-c", prelude + MAIN, *args]
    return [sys.executable, "-m", "concurrency_bench", *args]


def cli(
    *args: str,
    faults: bool = False,
    prelude: str = "",
    timeout: float = TIMEOUT_S,
    **options: Any,
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with ARGS to its end and capture its output as text (subprocess.run's
    `env`, `cwd`, `encoding`, `preexec_fn` pass through)."""
    result: subprocess.CompletedProcess[str] = subprocess.run(
        cli_command(*args, faults=faults, prelude=prelude),
        capture_output=True,
        timeout=timeout,
        check=False,
        **{"text": True, **options},
    )
    return result


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The single stderr line of a refusal, checked for the words and for no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_for(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Poll `condition` until it holds or `timeout_s` passes; whether it held."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
