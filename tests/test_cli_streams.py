"""The CLI under a hostile world: model names, output folders, signals, and standard streams
that cannot take what is printed (issue #8, sections 4 to 7). Every case runs the real CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_process import cli, cli_command, one_line
from concurrency_bench.results import load
from fault_runners import HANG_MARKER_ENV

SHAPE = ("--scenario", "uniform", "--jobs", "2", "--delay-ms", "5", "--ints", "10")
TINY = (*SHAPE, "--rounds", "1", "--warmup", "0")
FOREVER = ("--jobs", "2", "--delay-ms", "3600000", "--rounds", "1", "--warmup", "0")
"""A scenario whose measurement would outlast any test timeout: proof nothing was measured."""


# -- section 5: model names -------------------------------------------------------------------


@pytest.mark.parametrize(
    "models", ["all,foo", "foo,all", ",,,", " ", "", "sync,,trio", "sync,", "all,sync", "Sync"]
)
@pytest.mark.parametrize("command", ["run", "timeline"])
def test_bad_model_lists_are_refused_naming_models(
    tmp_path: Path, command: str, models: str
) -> None:
    out = ("--out", str(tmp_path / "runs")) if command == "run" else ()
    result = cli(command, "--models", models, *FOREVER, *out)
    assert result.returncode == 2 and result.stdout == ""
    line = one_line(result, "`models`")
    assert "asyncio-gather" in line or "all alone" in line  # the allowed names are listed
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("spelling", [["--models"], ["--runners"], ["--runner"]])
def test_old_model_spellings_still_work(spelling: list[str]) -> None:
    result = cli("timeline", *spelling, "asyncio-gather", "--unit-ms", "5", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [entry["runner"] for entry in json.loads(result.stdout)] == ["asyncio-gather"]


@pytest.mark.parametrize("flag", ["--pool-size", "--max-workers"])
def test_pool_size_and_its_old_spelling(flag: str) -> None:
    result = cli("timeline", "--models", "threads", flag, "1", "--unit-ms", "5")
    assert result.returncode == 0, result.stderr
    assert "threads=1" in result.stdout
    refused = cli("timeline", "--models", "threads", flag, "0")
    assert refused.returncode == 2
    one_line(refused, "`pool-size`")


# -- section 4: the output folder ---------------------------------------------------------------


def _bad_out(tmp_path: Path, case: str) -> Path:
    if case == "dangling symlink":
        (tmp_path / "link").symlink_to(tmp_path / "nowhere")
        return tmp_path / "link"
    if case == "symlink loop":
        (tmp_path / "a").symlink_to(tmp_path / "b")
        (tmp_path / "b").symlink_to(tmp_path / "a")
        return tmp_path / "a" / "runs"
    if case == "name too long":
        return tmp_path / ("x" * 300) / "runs"
    if case == "path too long":
        return tmp_path.joinpath(*["y" * 200] * 25)
    if case == "through a file":
        (tmp_path / "file").write_text("not a folder")
        return tmp_path / "file" / "runs"
    if case == "a device":
        return Path("/dev/null")
    return Path(case)  # pseudo file systems


@pytest.mark.parametrize(
    "case",
    [
        "dangling symlink",
        "symlink loop",
        "name too long",
        "path too long",
        "through a file",
        "a device",
        "/proc/x",
        "/proc/self",
        "/sys/x",
    ],
)
def test_an_unusable_out_folder_is_refused_before_measuring(tmp_path: Path, case: str) -> None:
    out = _bad_out(tmp_path, case)
    result = cli("run", "--models", "asyncio-gather", *FOREVER, "--out", str(out))
    assert result.returncode == 2 and result.stdout == ""
    one_line(result, "`out`")
    assert not list(tmp_path.rglob("*.json"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = cli("run", "--models", "asyncio-gather", *FOREVER, "--out", str(folder))
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2
    one_line(result, "`out`")


def test_the_latest_tables_folder_is_proven_too(tmp_path: Path) -> None:
    (tmp_path / "results").symlink_to(tmp_path / "nowhere")  # runs/'s parent takes latest.md
    out = tmp_path / "results" / "runs"
    result = cli("run", "--models", "asyncio-gather", *FOREVER, "--out", str(out))
    assert result.returncode == 2
    one_line(result, "`out`")


def test_the_probe_file_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "results" / "runs"
    result = cli("run", "--models", "asyncio-gather", *TINY, "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert [p.suffix for p in out.iterdir()] == [".json"]
    names = sorted(p.name for p in out.parent.iterdir())
    assert names == ["ci-benchmark.json", "latest.csv", "latest.md", "runs"]


# -- section 6: signals -------------------------------------------------------------------------


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


# -- section 7: standard streams ----------------------------------------------------------------


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


def test_head_1_in_a_shell_pipeline(tmp_path: Path) -> None:
    result = _shell('"$@" list | head -1', tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("model") and result.stderr == ""


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
