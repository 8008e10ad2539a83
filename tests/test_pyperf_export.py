"""pyperf's JSON: one benchmark per (scenario, model, metric), one run per worker process,
read by pyperf's own CLI (show, compare_to, hist)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from concurrency_bench.cli.main import main
from concurrency_bench.report.pyperf_export import export, flatten
from concurrency_bench.results import Lateness, ProcessRun, ResultsFile, write_atomic
from factories import model_result, results_file, scenario

S = scenario(100, 50)


def with_warmups(walls: list[float], pids: int = 3) -> ResultsFile:
    """uvloop with a warm-up per worker process; trio whose overhead goes negative once."""
    uvloop = model_result("uvloop", S, walls=walls, rss_before_bytes=10, rss_peak_bytes=2000)
    runs = tuple(
        ProcessRun(pid=4000 + i, warmups=(walls[i] * 1.5,), values=run.values,
                   lateness=Lateness(p50_s=0.001, p99_s=0.002, max_s=0.003), rss_peak_bytes=2000)
        for i, run in enumerate(uvloop.runs[:pids])
    )  # fmt: skip
    uvloop = msgspec.structs.replace(uvloop, runs=runs)
    trio = model_result("trio", S, overheads=[0.001, -0.0001, 0.002], cpus=[0.01] * 3)
    failed = model_result("threads", S, status="failed", reason="killed")
    return results_file([(S, [uvloop, trio, failed])], rounds=3)


def test_one_benchmark_per_scenario_model_and_metric_one_run_per_process() -> None:
    done = export(with_warmups([0.051, 0.052, 0.053]))
    names = [b["metadata"]["name"] for b in done.document["benchmarks"]]
    scenario_name = S.name
    assert names == [
        f"{scenario_name} uvloop wall",
        f"{scenario_name} uvloop overhead",
        f"{scenario_name} uvloop cpu",
        f"{scenario_name} trio wall",
        f"{scenario_name} trio cpu",
    ]
    wall = done.document["benchmarks"][0]
    assert len(wall["runs"]) == 3
    assert wall["runs"][0]["warmups"] == [[1, pytest.approx(0.0765)]]
    assert wall["runs"][0]["values"] == [0.051]
    assert wall["runs"][0]["metadata"] == {"worker_pid": 4000, "mem_max_rss": 2000}
    assert any("trio overhead" in why and "<= 0" in why for why in done.skipped)
    assert any("threads: failed" in why for why in done.skipped)


def test_metadata_is_flat_one_line_and_uses_pyperf_names() -> None:
    flat = flatten({"cpu_model": "X\nY", "gc": {"setting": "on"}, "git_dirty": False, "e": ""})
    assert flat == {"cpu_model_name": "X Y", "gc_setting": "on", "git_dirty": "false"}
    metadata = export(with_warmups([0.05] * 3)).document["metadata"]
    assert metadata["cpu_count"] == 2
    assert metadata["date"] == "2024-01-02 03:04:05"
    assert all(isinstance(v, str | int | float) for v in metadata.values())


def _pyperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyperf", *args], capture_output=True, text=True, check=False
    )


def test_pyperf_reads_the_export(tmp_path: Path) -> None:
    pytest.importorskip("pyperf")
    paths = []
    for name, walls in (("base", [0.051, 0.052, 0.053]), ("new", [0.071, 0.072, 0.073])):
        source = tmp_path / f"{name}.json"
        write_atomic(source, with_warmups(walls).to_json())
        out = tmp_path / f"{name}-pyperf.json"
        assert main(["report", str(source), "--format", "pyperf", "--output", str(out)]) == 0
        json.loads(out.read_text(encoding="utf-8"))
        paths.append(str(out))
    shown = _pyperf("show", paths[0])
    assert shown.returncode == 0, shown.stderr
    assert "uvloop wall" in shown.stdout and "52.0 ms" in shown.stdout
    compared = _pyperf("compare_to", paths[0], paths[1])
    assert compared.returncode == 0, compared.stderr
    assert "uvloop wall" in compared.stdout
    histogram = _pyperf("hist", paths[0])
    assert histogram.returncode == 0, histogram.stderr
    assert "uvloop wall" in histogram.stdout
