"""The CLI in a subprocess, as a user runs it: the one copy every test file uses.

`cli(...)` runs `python -m concurrency_bench ARGS`; `cli(..., faults=True)` runs the same entry
point after `fault_runners.register()`, so the test-only models (fault-hang, fault-raises, ...)
are names the CLI accepts, in that subprocess only; `prelude=` runs code of the test's first
(hiding a package, ignoring a signal). `cli_command` gives the argv for Popen; `children`,
`alive` and `wait_for` follow the processes a CLI started (from /proc).

`cli_in_process(...)` is its twin for the many cases that only check what the CLI decides
(a refusal, an exit status, a file read): the same entry function, parser and error paths,
run in pytest's process without an interpreter's start-up, every global it may touch put back.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

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


def cli_in_process(
    *args: str, faults: bool = False, cwd: Path | str | None = None
) -> subprocess.CompletedProcess[str]:
    """`cli(ARGS)` without the subprocess: `main(ARGS)` of concurrency_bench.cli.main in this
    process, in `cwd`, its stdout and stderr captured as text and its exit status taken from
    its return or its SystemExit (argparse's refusals), as `python -m` would report them."""
    from concurrency_bench.cli.main import main  # noqa: PLC0415

    with _kept_globals(), contextlib.chdir(cwd or os.getcwd()), _captured() as streams:
        if faults:
            import fault_runners  # noqa: PLC0415

            fault_runners.register()
        try:
            status = main(list(args))
        except SystemExit as exc:
            status = _exit_status(exc)
        stdout, stderr = streams()
    return subprocess.CompletedProcess(cli_command(*args, faults=faults), status, stdout, stderr)


def _exit_status(exc: SystemExit) -> int:
    """The status the interpreter would exit with for `exc` (a message is printed, status 1)."""
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


@contextlib.contextmanager
def _captured() -> Iterator[Callable[[], tuple[str, str]]]:
    """sys.stdout and sys.stderr on files (not terminals, as a pipe; the CLI wraps them), the
    originals back afterwards; yields what reads the text written so far."""
    saved = sys.stdout, sys.stderr
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        files = [io.TextIOWrapper(f, encoding="utf-8") for f in (out, err)]
        sys.stdout, sys.stderr = files

        def read() -> tuple[str, str]:
            texts = []
            for file in files:
                file.flush()
                file.seek(0)
                texts.append(file.read())
            return texts[0], texts[1]

        try:
            yield read
        finally:
            sys.stdout, sys.stderr = saved
            for file in files:
                file.detach()


@contextlib.contextmanager
def _kept_globals() -> Iterator[None]:
    """Put back what a command may change in its process: signal handlers, environment
    variables, the model registry (fault models), sys.path, the open-file limit (the engine
    raises it), logging handlers, warnings filters and the garbage collector's switch. Meanwhile
    warnings and logged warnings reach stderr as in a fresh interpreter, not pytest's records."""
    from concurrency_bench.runners import REGISTRY  # noqa: PLC0415

    handlers = {number: signal.getsignal(number) for number in signal.valid_signals()}
    environ, registry, path = dict(os.environ), dict(REGISTRY), list(sys.path)
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)
    root = logging.getLogger()
    logged = (list(root.handlers), root.level)
    collecting = gc.isenabled()
    try:
        with warnings.catch_warnings():
            _fresh_warnings()
            root.handlers[:] = []  # logging's last resort: WARNING and above to sys.stderr
            root.setLevel(logging.WARNING)
            yield
    finally:
        for number, handler in handlers.items():
            if handler is not None and signal.getsignal(number) is not handler:
                signal.signal(number, handler)
        if dict(os.environ) != environ:
            os.environ.clear()
            os.environ.update(environ)
        REGISTRY.clear()
        REGISTRY.update(registry)
        sys.path[:] = path
        if resource.getrlimit(resource.RLIMIT_NOFILE) != nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, nofile)
        root.handlers[:], root.level = logged
        if collecting:
            gc.enable()


def _fresh_warnings() -> None:
    """Warnings printed to sys.stderr, filtered as a fresh interpreter filters them, except
    that each is shown every time (no earlier test's warning registry hides one)."""
    warnings.resetwarnings()
    warnings.simplefilter("always")
    for ignored in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", ignored)

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:  # fmt: skip
        text = warnings.formatwarning(message, category, filename, lineno, line)
        (file or sys.stderr).write(text)

    warnings.showwarning = show


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
