"""The command line as a user meets it (cli/main.py, list, timeline): the listing, the seed's
timeline, one-line errors for bad input (exit 2) and for an internal error (exit 3)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cli_process import cli, cli_in_process, one_line
from concurrency_bench.cli.main import build_parser
from concurrency_bench.runners import REGISTRY, available_specs
from concurrency_bench.workload import (
    MAX_CONNECTIONS,
    MAX_DELAY_S,
    MAX_INTS_PER_JOB,
    MAX_JOBS,
    MAX_SEED,
    MAX_UNIT_MS,
)


def test_list_names_every_model_and_its_availability() -> None:
    result = cli("list")
    assert result.returncode == 0
    for spec in REGISTRY.values():
        line = next(line for line in result.stdout.splitlines() if line.startswith(spec.name + " "))
        assert ("yes" if spec.available else "no") in line.split()


@pytest.mark.slow
def test_timeline_json_reproduces_the_seed_tables() -> None:
    result = cli("timeline", "--scenario", "seed", "--unit-ms", "40", "--format", "json")
    assert result.returncode == 0, result.stderr
    timelines = {entry["model"]: entry for entry in json.loads(result.stdout)}
    assert set(timelines) == set(REGISTRY)
    for spec in available_specs():
        entry = timelines[spec.name]
        assert entry["sums_ok"] is True
        assert {"model", "wall_s", "ideal_s", "sums_ok", "jobs"} <= set(entry)
        orders = [job["finish_order"] for job in entry["jobs"]]
        assert orders == ([2, 3, 1] if spec.concurrent else [1, 2, 3]), spec.name
        assert [job["index"] for job in entry["jobs"]] == [0, 1, 2]
    for spec in REGISTRY.values():
        if not spec.available:
            assert timelines[spec.name]["status"] == "unavailable"


def test_timeline_text_shows_units_and_ms() -> None:
    result = cli("timeline", "--runner", "asyncio-gather", "--unit-ms", "20")
    assert result.returncode == 0
    assert "asyncio-gather: total wall" in result.stdout
    assert "finish order" in result.stdout and "finish ms" in result.stdout


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        (["--scenario", "uniform", "--delay-ms", "-5"], "delay-ms"),
        (["--scenario", "uniform", "--delay-ms", "nan"], "delay-ms"),
        (["--scenario", "uniform", "--delay-ms", "inf"], "delay-ms"),
        (["--scenario", "uniform", "--jobs", "0"], "jobs"),
        (["--scenario", "uniform", "--jobs", "-2"], "jobs"),
        (["--scenario", "uniform", "--jobs", "2.5"], "jobs"),
        (["--ints", "100000000"], "ints"),
        (["--runner", "eventlet"], "models"),
        (["--runners", "sync,nope"], "models"),
        (["--unit-ms", "0"], "unit-ms"),
        (["--scenario", "spread", "--delay-ms", "30:10"], "delay-ms"),
        (["--scenario", "uniform", "--delay-ms", "10:30"], "delay-ms"),
        (["--scenario", "uniform", "--jobs", "1000000", "--ints", "1000000"], "jobs` x `ints"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], parameter: str) -> None:
    run = cli if parameter == "unit-ms" else cli_in_process  # one end to end, in a subprocess
    result = run("timeline", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"`{parameter}" in lines[0]
    assert "Traceback" not in result.stderr


WORKLOAD_LIMITS = [
    ("--jobs", MAX_JOBS, MAX_JOBS + 1),
    ("--delay-ms", MAX_DELAY_S * 1000, MAX_DELAY_S * 1000 + 1),
    ("--ints", MAX_INTS_PER_JOB, MAX_INTS_PER_JOB + 1),
    ("--seed", MAX_SEED, MAX_SEED + 1),
    ("--unit-ms", MAX_UNIT_MS, MAX_UNIT_MS + 1),
    ("--connections", MAX_CONNECTIONS, MAX_CONNECTIONS + 1),
]
"""Each workload option, the workload's own limit for it, and the first value past it."""
COMMANDS = {
    "run": ["run"],
    "timeline": ["timeline"],
    "ab": ["ab", "--base", "python3", "--new", "python3"],
    "sweep": ["sweep"],
}
SWEEP_OPTIONS = ("--jobs", "--delay-ms", "--ints", "--connections")


@pytest.mark.parametrize(
    ("command", "option", "limit", "past"),
    [
        (command, *limits)
        for command in COMMANDS
        for limits in WORKLOAD_LIMITS
        if command != "sweep" or limits[0] in SWEEP_OPTIONS
    ],
)
def test_every_command_takes_the_workload_limits_and_refuses_past_them(
    command: str, option: str, limit: float, past: float
) -> None:
    parser = build_parser()
    args = parser.parse_args([*COMMANDS[command], option, str(limit)])  # parsed, not run
    assert args.command == command
    with pytest.raises(SystemExit) as refused:
        parser.parse_args([*COMMANDS[command], option, str(past)])
    assert refused.value.code == 2


def test_an_unexpected_exception_is_one_line_and_exit_3() -> None:
    code = (
        "import sys, importlib; from concurrency_bench.cli import list_cmd; "
        "list_cmd.main = lambda args: 1 / 0; "
        "sys.exit(importlib.import_module('concurrency_bench.cli.main').main(['list']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 3
    one_line(result, "internal error", "ZeroDivisionError")
