"""Workers never outlive the engine (lifetime.py, worker.py), and a low open-file limit is
raised where it can be and named where it cannot (engine/limits.py): through subprocesses."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cli_process import alive, children, cli, cli_command, wait_for
from concurrency_bench.lifetime import how_it_ended, stop_signal
from concurrency_bench.results import load
from fault_runners import HANG_MARKER_ENV

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@linux_only
@pytest.mark.slow
def test_a_killed_engine_takes_its_worker_and_pool_processes_with_it(tmp_path: Path) -> None:
    marker = tmp_path / "in-round"
    run = cli_command(
        "run", "--runners", "fault-pool_hang", "--jobs", "2", "--delay-ms", "600000",
        "--rounds", "1", "--warmup", "0", "--out", str(tmp_path / "runs"), "--quiet", faults=True,
    )  # fmt: skip
    engine = subprocess.Popen(
        run,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, HANG_MARKER_ENV: str(marker)},
    )
    family: list[int] = []
    try:
        # The state to wait for: the worker in its measured round (it has nothing to write
        # for ten minutes), its pool's two processes running the jobs.
        def in_round() -> bool:
            workers = children(engine.pid)
            pool = [child for worker in workers for child in children(worker)]
            family[:] = workers + pool
            return marker.exists() and len(workers) == 1 and len(pool) >= 2

        assert wait_for(in_round, 60), "the worker never began its round"
        assert int(marker.read_text()) == family[0]
        engine.send_signal(signal.SIGKILL)
        engine.wait(timeout=10)
        assert wait_for(lambda: not any(alive(pid) for pid in family), 5), [
            pid for pid in family if alive(pid)
        ]
    finally:
        engine.kill()
        engine.wait()
        for pid in family:  # a failing run must not leave ten-minute sleepers behind
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@linux_only
def test_a_child_whose_parent_is_already_gone_exits_at_once() -> None:
    code = "from concurrency_bench.lifetime import die_with_parent; die_with_parent(1); print('x')"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (1, "")  # its parent is this test, not pid 1
    code = "import os; from concurrency_bench.lifetime import die_with_parent; "
    code += "print(die_with_parent(os.getppid()))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "True\n"  # the kernel will signal it


def _limited(soft: int, hard: int | None = None) -> Callable[[], None]:
    def limit() -> None:
        _, current_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, current_hard if hard is None else hard))

    return limit


SMALL = ("--jobs", "3", "--delay-ms", "10", "--rounds", "1", "--warmup", "0", "--quiet")


def test_an_open_file_limit_too_low_for_the_engine_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    for command in (
        ["run", "--runners", "asyncio-gather", *SMALL, "--out", str(out)],
        ["timeline", "--runners", "asyncio-gather"],
    ):
        done = cli(*command, timeout=60, preexec_fn=_limited(8, 8))
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines() == [
            "concurrency-bench: error: the open-file limit (ulimit -n) is 8; the engine needs at "
            "least 32: raise it"
        ]
    assert not list(out.glob("*.json"))


def test_a_low_soft_limit_is_raised_to_the_hard_one_and_recorded(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 200:
        pytest.skip(f"the hard open-file limit here is {hard}")
    done = cli(
        "run", "--runners", "asyncio-gather,processes", *SMALL, "--jobs", "40", "--out", str(out),
        preexec_fn=_limited(12),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("*.json")
    results = load(path)
    raised = results.environment["open_files"]["raised"]
    assert len(raised) == 1 and raised[0].startswith("open-file soft limit raised from 12 to ")
    statuses = {m.model: (m.status, m.settings.get("open_files")) for _, m in results.models()}
    assert statuses["asyncio-gather"] == ("ok", None)  # the engine's raise was enough


def test_a_worker_raises_its_own_limit_for_a_pool_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    done = cli(
        "run", "--runners", "processes", *SMALL, "--jobs", "20", "--out", str(out),
        preexec_fn=_limited(40),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("*.json")
    ((_, model),) = load(path).models()
    assert model.status == "ok", model.reason
    note = str(model.settings["open_files"])
    # 32 for the worker itself + 2 for each of the pool's 20 processes
    assert note.startswith("open-file soft limit raised from 40 to ")
    assert note.endswith("(model processes needs 72)")


@pytest.mark.skipif(not hasattr(os, "waitid"), reason="needs waitid")
def test_a_childs_state_is_named_stopped_by_its_signal_then_ended_by_its_own() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert stop_signal(child.pid) is None  # running
        os.kill(child.pid, signal.SIGSTOP)
        assert wait_for(lambda: stop_signal(child.pid) == "SIGSTOP", 10)
        assert stop_signal(child.pid) == "SIGSTOP"  # asked without consuming the state
        os.kill(child.pid, signal.SIGCONT)
        assert wait_for(lambda: stop_signal(child.pid) is None, 10)
        child.terminate()
        assert how_it_ended(child.wait(timeout=10)) == "was killed by SIGTERM"
        assert stop_signal(child.pid) is None  # reaped
    finally:
        child.kill()
        child.wait()
    assert how_it_ended(3) == "exited with status 3"
    assert how_it_ended(-99) == "was killed by signal 99"
