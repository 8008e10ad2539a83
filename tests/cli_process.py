"""The CLI in a subprocess, as a user runs it: the one copy every test file uses.

`cli(...)` runs `python -m concurrency_bench ARGS`; `cli(..., faults=True)` runs the same entry
point after `fault_runners.register()`, so the test-only models (fault-hang, fault-raises, ...)
are names the CLI accepts, in that subprocess only. `cli_command` gives the argv for Popen.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

TESTS_DIR = Path(__file__).resolve().parent
WITH_FAULTS = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); import fault_runners; "
    "fault_runners.register(); from concurrency_bench.cli.main import main; sys.exit(main())"
)
"""`concurrency-bench` with the fault models registered; argv[1] is the tests folder."""
SHAPE = ("--scenario", "uniform", "--jobs", "2", "--delay-ms", "5", "--ints", "10")
"""A workload of two 5 ms jobs: for the commands that take one (timeline, run)."""
TINY = (*SHAPE, "--rounds", "1", "--warmup", "0")
"""SHAPE measured once, in one worker, with no warm-up: the least a `run` can measure."""
FOREVER = ("--jobs", "2", "--delay-ms", "3600000", "--rounds", "1", "--warmup", "0")
"""A scenario whose measurement would outlast any test timeout: proof nothing was measured."""
TIMEOUT_S = 120.0
"""How long a CLI subprocess may take before the test fails (pytest-timeout's is larger)."""


def cli_command(*args: str, faults: bool = False, prelude: str = "") -> list[str]:
    """The argv of `concurrency-bench ARGS` in a fresh interpreter; `prelude` is Python run
    first (it implies the fault models' bootstrap, which is where it goes)."""
    if faults or prelude:
        return [sys.executable, "-c", prelude + WITH_FAULTS, str(TESTS_DIR), *args]
    return [sys.executable, "-m", "concurrency_bench", *args]


def cli(
    *args: str, faults: bool = False, timeout: float = TIMEOUT_S, **options: Any
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with ARGS to its end and capture its output as text (subprocess.run's
    `env`, `cwd`, `encoding`, `preexec_fn` pass through)."""
    result: subprocess.CompletedProcess[str] = subprocess.run(
        cli_command(*args, faults=faults),
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
