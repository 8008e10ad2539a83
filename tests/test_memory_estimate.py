"""The up-front memory check: a run that cannot fit is refused in one line, before measuring."""

from __future__ import annotations

from pathlib import Path

import pytest

from concurrency_bench.cli.main import main
from concurrency_bench.engine import memory_estimate
from concurrency_bench.engine.memory_estimate import available_bytes, check_memory, estimate_memory
from concurrency_bench.errors import InputError
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario

GIB = 1 << 30


def test_the_estimate_grows_with_jobs_ints_and_the_heaviest_model() -> None:
    small = Scenario.uniform(1_000, 0.01)
    gather, trio = REGISTRY["asyncio-gather"], REGISTRY["trio"]
    base = estimate_memory(small, [gather])
    assert base is not None
    more_jobs = estimate_memory(Scenario.uniform(100_000, 0.01), [gather])
    more_ints = estimate_memory(Scenario.uniform(1_000, 0.01, ints_per_job=10_000), [gather])
    both = estimate_memory(small, [gather, trio])
    assert more_jobs and more_ints and both
    assert more_jobs.total_bytes > base.total_bytes < more_ints.total_bytes
    assert both.model == "trio" and both.total_bytes > base.total_bytes
    columns = estimate_memory(small, [gather], per_job_columns=True)
    assert columns and columns.total_bytes > base.total_bytes


def test_no_estimate_when_no_model_would_start() -> None:
    assert estimate_memory(Scenario.uniform(10, 0.01), [REGISTRY["asyncio-eager"]]) is None or (
        REGISTRY["asyncio-eager"].available
    )


def test_a_run_over_the_available_memory_is_refused_naming_jobs() -> None:
    scenario = Scenario.uniform(1_000_000, 0.01, ints_per_job=20)
    with pytest.raises(InputError, match="`jobs` x `ints`") as refused:
        check_memory(scenario, [REGISTRY["asyncio-gather"]], available=GIB)
    assert "GiB" in str(refused.value) and "\n" not in str(refused.value)
    check_memory(Scenario.uniform(1_000, 0.01), [REGISTRY["asyncio-gather"]], available=4 * GIB)


def test_available_memory_comes_from_meminfo(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       2048 kB\nMemAvailable:   1024 kB\n")
    assert available_bytes(meminfo) == 1024 * 1024
    meminfo.write_text("MemTotal:       2048 kB\n")
    assert available_bytes(meminfo) == 2048 * 1024
    assert available_bytes(tmp_path / "missing") is None


@pytest.mark.parametrize("command", ["run", "timeline"])
def test_the_cli_refuses_before_measuring(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    monkeypatch.setattr(memory_estimate, "available_bytes", lambda: 64 << 20)
    out = ["--out", str(tmp_path / "runs")] if command == "run" else []
    args = ["--scenario", "uniform", "--jobs", "100000", "--delay-ms", "3600000", *out]
    assert main([command, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "`jobs` x `ints`" in captured.err
    assert not (tmp_path / "runs").exists()
