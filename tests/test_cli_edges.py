"""Every option of `timeline`, `sweep`, `history` and `ab` at its edges (issue #16, section 8):
zero, negative, huge, NaN, infinity, the wrong type, an empty string. Each is one line naming
the parameter and what it allows, exit 2, no traceback, nothing written. Every case runs the
CLI's entry function (in this process: same parser, same error paths), with a model that is
never available, so a value wrongly accepted measures nothing; a few, one per command and kind
of refusal, run as a user runs them, in a subprocess."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest

import concurrency_bench
from cli_process import children, cli, cli_in_process, one_line
from concurrency_bench.engine import MAX_ROUNDS, MAX_WARMUP
from concurrency_bench.results import write_results
from concurrency_bench.runners import REGISTRY
from factories import model_result, results_file, scenario

HUGE = "99999999999999999999"
WHOLE_FROM_1 = ("0", "-1", HUGE, "nan", "inf", "abc", "", "1.5")
WHOLE_FROM_0 = ("-1", HUGE, "nan", "abc", "", "1.5")
NUMBER_FROM_0 = ("-1", "1e20", "1e309", "nan", "inf", "abc", "")
NUMBER_ABOVE_0 = ("0", *NUMBER_FROM_0)
CHOICE = ("", "abc", "0")
PATH = ("", " ")
NEVER = ("--models", "fault-missing")
"""A model no machine has: a value wrongly accepted ends in an unavailable row, fast."""

OPTIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    # command: [(option, the name its message gives, bad values)]
    "timeline": [
        ("--jobs", "`jobs`", WHOLE_FROM_1),
        ("--pool-size", "`pool-size`", WHOLE_FROM_1),
        ("--connections", "`connections`", WHOLE_FROM_1),
        ("--ints", "`ints`", WHOLE_FROM_0),
        ("--seed", "`seed`", WHOLE_FROM_0),
        ("--delay-ms", "`delay-ms`", (*NUMBER_FROM_0, "2:1", "1:nan", ":")),
        ("--unit-ms", "`unit-ms`", (*NUMBER_ABOVE_0, "60001")),
        ("--scenario", "--scenario", CHOICE),
        ("--io", "--io", CHOICE),
        ("--format", "--format", CHOICE),
        ("--models", "`models`", ("", "abc", ",")),
        ("--plot", "`plot`", (*PATH, ".", "..", "x.pdf")),
    ],
    "sweep": [
        ("--jobs", "`jobs`", (*WHOLE_FROM_1, "10,,100", "10,abc", ",")),
        ("--delay-ms", "`delay-ms`", NUMBER_FROM_0),
        ("--ints", "`ints`", WHOLE_FROM_0),
        ("--connections", "`connections`", WHOLE_FROM_1),
        ("--pool-size", "`pool-size`", WHOLE_FROM_1),
        ("--budget-s", "`budget-s`", NUMBER_ABOVE_0),
        ("--rounds", "`rounds`", (*WHOLE_FROM_1, str(MAX_ROUNDS + 1))),
        ("--warmup", "`warmup`", (*WHOLE_FROM_0, str(MAX_WARMUP + 1))),
        ("--out", "`out`", PATH),
        ("--io", "--io", CHOICE),
        ("--models", "`models`", ("", "abc")),
    ],
    "history": [
        ("DIR", "`directory`", (*PATH, "no-such-folder")),
        ("--output", "`output`", (*PATH, ".", "..", "a-folder", "a-fifo")),
        ("--figures", "`figures`", (*PATH, "a-fifo")),
        ("--threshold", "`threshold`", (*NUMBER_ABOVE_0, "1001")),
        ("--alpha", "`alpha`", (*NUMBER_ABOVE_0, "0.5")),
    ],
    "ab": [
        ("--base", "--base", (*PATH, "abc-no-such-python", "3.99", "0", "a-folder", "a-fifo")),
        ("--new", "--new", (*PATH, "abc-no-such-python", "3.99", "0", "a-folder", "a-fifo")),
        ("--jobs", "`jobs`", WHOLE_FROM_1),
        ("--pool-size", "`pool-size`", WHOLE_FROM_1),
        ("--connections", "`connections`", WHOLE_FROM_1),
        ("--ints", "`ints`", WHOLE_FROM_0),
        ("--seed", "`seed`", WHOLE_FROM_0),
        ("--delay-ms", "`delay-ms`", NUMBER_FROM_0),
        ("--unit-ms", "`unit-ms`", NUMBER_ABOVE_0),
        ("--rounds", "`rounds`", WHOLE_FROM_1),
        ("--rounds-per-process", "`rounds-per-process`", WHOLE_FROM_1),
        ("--warmup", "`warmup`", WHOLE_FROM_0),
        ("--timeout-s", "`timeout-s`", NUMBER_ABOVE_0),
        ("--sequential-budget-s", "`sequential-budget-s`", NUMBER_FROM_0),
        ("--threshold", "`threshold`", NUMBER_ABOVE_0),
        ("--alpha", "`alpha`", (*NUMBER_ABOVE_0, "0.5")),
        ("--scenario", "--scenario", CHOICE),
        ("--io", "--io", CHOICE),
        ("--metric", "--metric", CHOICE),
        ("--gc", "--gc", CHOICE),
        ("--out", "`out`", PATH),
        ("--models", "`models`", ("", "abc")),
    ],
}
END_TO_END = {
    ("timeline", "--jobs", "0"),  # an option's type refuses it
    ("timeline", "--scenario", "abc"),  # argparse's own choice refusal
    ("timeline", "--plot", "x.pdf"),  # the command's own check
    ("sweep", "--rounds", str(MAX_ROUNDS + 1)),
    ("history", "--output", "a-fifo"),
    ("ab", "--base", "abc-no-such-python"),
    ("ab", "--delay-ms", "nan"),
}
"""(command, option, value) cases run in a subprocess too: "one line, exit 2, no traceback"
checked end to end, interpreter start-up and exit included."""
COMBINATIONS: list[tuple[str, tuple[str, ...], str]] = [
    # command, arguments, the name the message gives: values that are fine alone
    ("timeline", ("--scenario", "uniform", "--delay-ms", "1:2"), "`delay-ms`"),
    ("timeline", ("--connections", "3"), "`connections`"),
    ("timeline", ("--scenario", "uniform", "--jobs", "10000000", "--ints", "1000000"), "`jobs`"),
    ("timeline", ("--plot", "x", "--scenario", "uniform", "--jobs", "100000"), "`plot`"),
    ("sweep", ("--connections", "3"), "`connections`"),
    ("sweep", ("--jobs", "10000000", "--ints", "1000000"), "`jobs`"),
    ("ab", ("--connections", "3"), "`connections`"),
    ("ab", ("--scenario", "uniform", "--delay-ms", "1:2"), "`delay-ms`"),
    ("ab", ("--jobs", "10000000", "--ints", "1000000"), "`jobs`"),
]


PACKAGE_ROOT = str(Path(concurrency_bench.__file__).resolve().parents[1])


def bench(*args: str, cwd: Path, subprocess_run: bool = False) -> subprocess.CompletedProcess[str]:
    """The CLI in `cwd` (so a write to the current folder is seen), with the test-only models
    registered: in this process, or in a subprocess that can import this package from there."""
    if not subprocess_run:
        return cli_in_process(*args, faults=True, cwd=cwd)
    path = os.pathsep.join(filter(None, (PACKAGE_ROOT, os.environ.get("PYTHONPATH"))))
    return cli(*args, faults=True, cwd=cwd, env={**os.environ, "PYTHONPATH": path})


def _history_folder(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    s = scenario(10, 5)
    write_results(results_file([(s, [model_result("trio", s, walls=[0.006, 0.007])])]), runs)
    return runs


def _arguments(command: str, option: str, value: str, tmp_path: Path) -> list[str]:
    """The command line: the option's value after what the command needs, every output
    inside tmp_path; `a-folder` and `a-fifo` are made there."""
    if value in ("a-folder", "a-fifo"):
        target = tmp_path / value
        target.mkdir() if value == "a-folder" else os.mkfifo(target)
        value = str(target)
    if command == "history":
        folder = str(_history_folder(tmp_path))
        return ["history", value] if option == "DIR" else ["history", folder, option, value]
    args = [command, *NEVER]
    if command == "ab" and option not in ("--base", "--new"):
        args += ["--base", sys.executable, "--new", sys.executable]
    elif command == "ab":
        other = "--new" if option == "--base" else "--base"
        args += [other, sys.executable]
    if command in ("sweep", "ab") and option != "--out":
        args += ["--out", str(tmp_path / "out")]
    if option == "--connections":
        args += ["--io", "tcp"]
    return [*args, "--quiet", option, value] if command != "timeline" else [*args, option, value]


def _written(tmp_path: Path, before: set[Path]) -> list[Path]:
    return sorted(p for p in tmp_path.rglob("*") if p not in before and not p.is_dir())


CASES = [
    pytest.param(command, option, name, value, False, id=f"{command} {option} {value!r}")
    for command, options in OPTIONS.items()
    for option, name, values in options
    for value in values
] + [
    pytest.param(command, option, name, value, True, id=f"{command} {option} {value!r} subprocess")
    for command, options in OPTIONS.items()
    for option, name, values in options
    for value in values
    if (command, option, value) in END_TO_END
]


@pytest.mark.parametrize(("command", "option", "name", "value", "subprocess_run"), CASES)
def test_an_edge_value_is_one_line_naming_the_parameter(
    tmp_path: Path, command: str, option: str, name: str, value: str, subprocess_run: bool
) -> None:
    args = _arguments(command, option, value, tmp_path)
    before = set(tmp_path.rglob("*"))
    done = bench(*args, cwd=tmp_path, subprocess_run=subprocess_run)
    assert done.returncode == 2, done.stderr + done.stdout
    line = one_line(done, name)
    assert any(word in line for word in ("must", "choose from", "no python", "not")), line
    assert done.stdout == ""
    assert _written(tmp_path, before) == []


@pytest.mark.parametrize(
    ("command", "args", "name", "subprocess_run"),
    [pytest.param(c, a, n, False, id=f"{c} {' '.join(a)}") for c, a, n in COMBINATIONS]
    + [pytest.param(*COMBINATIONS[0], True, id="timeline delay-ms subprocess")],
)
def test_values_fine_alone_but_not_together_are_one_line(
    tmp_path: Path, command: str, args: tuple[str, ...], name: str, subprocess_run: bool
) -> None:
    pythons = ("--base", sys.executable, "--new", sys.executable) if command == "ab" else ()
    out = ("--out", str(tmp_path / "out")) if command != "timeline" else ()
    done = bench(
        *(command, *NEVER, *pythons, *out, *args), cwd=tmp_path, subprocess_run=subprocess_run
    )
    assert done.returncode == 2, done.stderr + done.stdout
    one_line(done, name)
    assert list(tmp_path.iterdir()) == []


def _process_state() -> dict[str, object]:
    """What an in-process run must leave as it found it, restored by cli_in_process or not."""
    return {
        "threads": sorted(thread.name for thread in threading.enumerate()),
        "descriptors": sorted(os.listdir("/proc/self/fd")),
        "children": children(os.getpid()),
        "signals": {number: signal.getsignal(number) for number in signal.valid_signals()},
        "environment": dict(os.environ),
        "cwd": os.getcwd(),
        "streams": (sys.stdin, sys.stdout, sys.stderr),
        "models": sorted(REGISTRY),
        "path": list(sys.path),
        "logging": list(logging.getLogger().handlers),
        "warnings": list(warnings.filters),
    }


def test_in_process_runs_leave_this_process_as_they_found_it(tmp_path: Path) -> None:
    cases = [
        (command, option, values[-1])
        for command, options in OPTIONS.items()
        for option, _, values in options[:3]
    ]
    before = _process_state()
    for index, (command, option, value) in enumerate(cases):
        folder = tmp_path / str(index)
        folder.mkdir()
        done = bench(*_arguments(command, option, value, folder), cwd=folder)
        assert done.returncode == 2, done.stderr
        assert _process_state() == before, (command, option, value)
