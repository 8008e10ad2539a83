"""A run that measured nothing does not pass for one (issue #16, sections 4, 6 and 8): `run`,
`sweep` and `ab` whose every row is unavailable or not run exit 2 in one line and write
nothing, the latest tables kept; connections beyond the jobs are recorded as used; the
file-limit hint counts right. Every case runs the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_process import cli, cli_command, one_line
from test_interpreters import SMALL, wrapper

LATEST = ("latest.md", "latest.csv", "ci-benchmark.json")


def _earlier_tables(folder: Path) -> dict[str, str]:
    """The latest tables of an earlier run, to prove an empty run leaves them alone."""
    (folder / "runs").mkdir(parents=True)
    for name in LATEST:
        (folder / name).write_text(f"an earlier run's {name}\n", encoding="utf-8")
    return {name: (folder / name).read_text(encoding="utf-8") for name in LATEST}


def _unchanged(folder: Path, tables: dict[str, str]) -> None:
    assert {n: (folder / n).read_text(encoding="utf-8") for n in LATEST} == tables
    assert list((folder / "runs").iterdir()) == []


def test_run_under_an_interpreter_that_lacks_everything_exits_2_keeping_the_tables(
    tmp_path: Path,
) -> None:
    """The issue's case: every row unavailable, and the run passed and emptied the tables."""
    bare = wrapper(tmp_path, "bare", 'set -- -S "$@"')  # no site-packages: lacks msgspec
    tables = _earlier_tables(tmp_path / "results")
    out = tmp_path / "results" / "runs"
    args = ("--models", "asyncio-gather,sync", *SMALL, "--rounds", "1", "--out", str(out))
    done = cli("run", *args, "--python", bare, faults=True)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"--python {bare}: {bare} (")  # which interpreter, first
    assert len(lines) == 2 and "Traceback" not in done.stderr
    assert "nothing could be measured: 2 rows unavailable" in lines[1]
    assert f"{bare} -m pip install msgspec" in lines[1]  # the fix, once
    _unchanged(tmp_path / "results", tables)


def test_run_whose_every_row_is_not_run_exits_2_keeping_the_tables(tmp_path: Path) -> None:
    """One shared connection for 10,000 jobs of 50 ms: every model would queue them all."""
    tables = _earlier_tables(tmp_path / "results")
    out = tmp_path / "results" / "runs"
    args = ("--io", "tcp", "--clients", "streams,socket", "--connections", "1", "--jobs", "10000")
    args = (*args, "--out", str(out))
    done = cli("run", "--models", "sync,threads,asyncio-gather", *args, "--json", faults=True)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""  # not even the JSON: nothing was measured
    line = one_line(done, "nothing could be measured: 3 rows not run", "would take")
    assert "budget" in line
    _unchanged(tmp_path / "results", tables)


def test_sweep_that_measured_nothing_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    tables = _earlier_tables(tmp_path / "results")
    out = tmp_path / "results" / "runs"
    done = cli(
        "sweep", "--models", "fault-missing", "--jobs", "1,2", "--out", str(out), faults=True
    )
    assert done.returncode == 2, done.stderr
    one_line(done, "nothing could be measured: 2 rows unavailable", "no_such_package_for_tests")
    _unchanged(tmp_path / "results", tables)
    assert not (tmp_path / "results" / "figures").exists()


def test_ab_that_compared_nothing_does_not_pass(tmp_path: Path) -> None:
    out = tmp_path / "ab"
    pythons = ("--base", sys.executable, "--new", sys.executable)
    done = cli("ab", *pythons, "--models", "fault-missing", *SMALL, "--out", str(out), faults=True)
    assert done.returncode == 2, done.stderr + done.stdout
    one_line(done, "nothing could be measured: 2 rows unavailable")
    assert "gate" not in done.stdout
    assert list(out.rglob("*")) == []  # the folder proven writable before measuring, empty


def test_a_run_with_one_row_measured_is_a_run(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    args = ("--models", "asyncio-gather,fault-missing", *SMALL, "--rounds", "1")
    done = cli("run", *args, "--out", str(out), "--quiet", faults=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [*sorted(LATEST), "runs"]
    assert json.loads((tmp_path / "ci-benchmark.json").read_text(encoding="utf-8"))


def _under_file_limit(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI with the open-file limit (soft and hard) set to `limit` by the shell."""
    command = f'ulimit -n {limit} && exec "$@"'
    return subprocess.run(
        ["sh", "-c", command, "sh", *cli_command(*args, faults=True)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_file_limit_hint_counts_connections_and_files_right(tmp_path: Path) -> None:
    reasons = []
    for connections in ("1", "10"):
        args = ("--io", "tcp", "--clients", "streams", "--connections", connections)
        args = (*args, "--jobs", "10", "--delay-ms", "5")
        out = ("--out", str(tmp_path / connections), "--json")
        done = _under_file_limit(
            40, "run", "--models", "asyncio-gather", *args, "--rounds", "1", "--warmup", "0", *out
        )
        assert done.returncode == 1, done.stderr  # a failed row
        ((_, row),) = (
            (b["scenario"], m) for b in json.loads(done.stdout)["scenarios"] for m in b["models"]
        )
        reasons.append(row["reason"])
    one, ten = reasons
    assert "1 connection open at once needs about 65 open files (1 for the socket, 64 " in one
    assert "--connections" not in one  # one connection cannot be shared by fewer
    assert "10 connections open at once need about 74 open files (10 for the sockets, " in ten
    assert "share fewer connections with --connections N" in ten
    assert "is 40 (hard limit 40)" in one and "is 40 (hard limit 40)" in ten
