"""A sweep to the limit: a size no model fits in memory is refused in one line before any probe,
a size only some fit runs those, and a thread-per-job model past the machine's threads is a row
"not run" naming the limit (engine/thread_room.py), never a worker failing midway."""

from __future__ import annotations

from pathlib import Path

import pytest

from concurrency_bench.cli import sweep_cmd
from concurrency_bench.cli.main import main
from concurrency_bench.cli.sweep_plan import check_sizes_fit
from concurrency_bench.engine import EngineOptions, policy
from concurrency_bench.engine.memory_estimate import estimate_memory
from concurrency_bench.engine.thread_room import ThreadRoom, thread_room
from concurrency_bench.errors import InputError
from concurrency_bench.results import load
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario

GATHER, TRIO, THREADS = REGISTRY["asyncio-gather"], REGISTRY["trio"], REGISTRY["threads"]
MIB = 1 << 20


def _need(jobs: int, spec_name: str) -> int:
    need = estimate_memory(Scenario.uniform(jobs, 0.05), [REGISTRY[spec_name]])
    assert need is not None
    return need.total_bytes


def test_a_size_that_fits_no_model_is_refused_naming_the_leanest_need() -> None:
    sizes = [Scenario.uniform(n, 0.05) for n in (10, 1_000_000)]
    have = _need(1_000_000, "asyncio-gather") - 1
    with pytest.raises(InputError) as refused:
        check_sizes_fit(sizes, [TRIO, GATHER], None, have)
    message = str(refused.value)
    assert message.startswith("`jobs` 1,000,000 would need about")
    assert "(asyncio-gather)" in message and "available" in message and "\n" not in message


def test_a_size_that_fits_some_models_is_not_refused() -> None:
    sizes = [Scenario.uniform(n, 0.05) for n in (10, 1_000_000)]
    between = (_need(1_000_000, "asyncio-gather") + _need(1_000_000, "trio")) // 2
    check_sizes_fit(sizes, [TRIO, GATHER], None, between)  # trio's points are "not run"
    check_sizes_fit(sizes, [TRIO, GATHER], None, None)  # unknown memory: nothing refused


def test_the_cli_refuses_a_sweep_past_the_memory_before_probing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sweep_cmd, "available_bytes", lambda: 512 * MIB)
    probed: list[str] = []
    monkeypatch.setattr(sweep_cmd, "probe", lambda *args: probed.append("probe") or {})
    out = tmp_path / "runs"
    args = ["sweep", "--models", "asyncio-gather,uvloop", "--jobs", "10,1000000", "--out", str(out)]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert "1,000,000" in line and "512 MiB available" in line and "Traceback" not in line
    assert probed == [] and not out.exists()


def _proc(tmp_path: Path, pid_max: int, threads_max: int, maps: int, tasks: int) -> Path:
    kernel, vm = tmp_path / "sys" / "kernel", tmp_path / "sys" / "vm"
    kernel.mkdir(parents=True)
    vm.mkdir(parents=True)
    (kernel / "pid_max").write_text(f"{pid_max}\n")
    (kernel / "threads-max").write_text(f"{threads_max}\n")
    (vm / "max_map_count").write_text(f"{maps}\n")
    (tmp_path / "loadavg").write_text(f"0.50 0.40 0.30 2/{tasks} 12345\n")
    return tmp_path


def test_the_thread_room_is_the_tightest_limit_less_the_tasks_in_use(tmp_path: Path) -> None:
    room = thread_room(_proc(tmp_path, 32_768, 192_724, 1_000_000, 300))
    assert room is not None
    assert room.threads <= 32_768 - 300
    if room.threads == 32_768 - 300:  # unless this user's ulimit -u is tighter still
        assert room.limit == "kernel.pid_max 32,768"


def test_the_map_count_limits_threads_per_process(tmp_path: Path) -> None:
    room = thread_room(_proc(tmp_path, 4_194_304, 4_000_000, 65_530, 300))
    assert room is not None
    assert room.threads <= (65_530 - 1_000) // 2


def test_no_limit_readable_means_no_room_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import resource  # noqa: PLC0415

    infinity = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    monkeypatch.setattr(resource, "getrlimit", lambda _: infinity)
    assert thread_room(tmp_path / "missing") is None


def test_threads_past_the_room_are_not_run_and_a_pool_or_fewer_jobs_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(policy, "thread_room", lambda: ThreadRoom(500, "kernel.pid_max 800"))
    many = Scenario.uniform(1_000, 0.05)
    row = policy.not_measured(THREADS, many, EngineOptions())
    assert row is not None and row.status == "not-run"
    assert row.reason == (
        "would start 1,000 threads, more than the 500 this machine has room for "
        "(kernel.pid_max 800); give --pool-size"
    )
    assert policy.not_measured(THREADS, many, EngineOptions(pool_size=100)) is None
    assert policy.not_measured(THREADS, Scenario.uniform(500, 0.05), EngineOptions()) is None
    assert policy.not_measured(GATHER, many, EngineOptions()) is None  # no thread per job


def test_a_run_past_the_thread_room_says_so_in_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "thread_room", lambda: ThreadRoom(50, "kernel.pid_max 400"))
    out = tmp_path / "runs"
    args = ["run", "--models", "asyncio-gather,threads", "--jobs", "100", "--delay-ms", "1"]
    assert main([*args, "--rounds", "1", "--warmup", "0", "--quiet", "--out", str(out)]) == 0
    (path,) = out.glob("*.json")
    rows = {m.model: m for _, m in load(path).models()}
    assert rows["asyncio-gather"].status == "ok"
    assert rows["threads"].status == "not-run"
    assert "would start 100 threads" in (rows["threads"].reason or "")
