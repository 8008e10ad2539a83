"""The benchmark suite (benchmarks/): its profiles, and one smoke run of the quick profile.

The smoke run is the suite as `tox -e bench -- --quick` runs it, in a subprocess, with every
output redirected to a temporary directory; it checks that each file exists, parses, and
that pytest-benchmark stored the engine's own per-round figures, not timings of its own.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from concurrency_bench.errors import InputError
from concurrency_bench.report import ci_benchmark as ci_export
from concurrency_bench.results import ResultsFile, load
from concurrency_bench.runners import REGISTRY
from concurrency_bench.suite.profiles import DEFAULT, PROFILES, QUICK, get_profile, label

ROOT = Path(__file__).resolve().parents[1]
SUITE_TIMEOUT_S = 300


def test_default_profile_covers_what_the_issue_asks() -> None:
    by_name = {case.scenario.name: case for case in DEFAULT}
    assert list(by_name) == [
        "seed",
        "uniform-1000x50ms-100ints",
        "uniform-1000x50ms-100ints-tcp",
        "uniform-1000x50ms-100ints-http",
        "payload-10x20ms-1000000ints",
    ]
    assert by_name["uniform-1000x50ms-100ints-tcp"].scenario.io == "tcp"
    assert any(case.scenario.io == "tcp" for case in QUICK)
    # Every model on every timer and TCP case: the engine itself reports sequential models over
    # the budget (sync and asyncio-await on 1,000 jobs) as not run, so the table says why.
    http = by_name.pop("uniform-1000x50ms-100ints-http")
    assert all(case.specs() == list(REGISTRY.values()) for case in by_name.values())
    # HTTP: the chosen (model, client) rows, each labelled as every output labels it
    assert [label(spec) for spec in http.specs()] == [
        "asyncio-gather + aiohttp",
        "threads + requests",
    ]
    assert http.spec("threads + requests").client_name == "requests"
    assert all(case.why for profile in PROFILES.values() for case in profile)


def test_quick_profile_runs_every_model_on_its_own_scenarios() -> None:
    assert all(case.specs() == list(REGISTRY.values()) for case in QUICK)
    quick = {case.scenario.name for case in QUICK}
    assert not quick & {case.scenario.name for case in DEFAULT}  # never compared by mistake


def test_unknown_profile_is_bad_input() -> None:
    assert get_profile("quick") is QUICK
    with pytest.raises(InputError, match="`profile` must be one of: default, quick"):
        get_profile("slow")


def _run_suite(out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "benchmarks", "--quick", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*command, "--results-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT_S,
        check=False,
    )


def _pytest_benchmark_list(history: Path) -> str:
    command = [sys.executable, "-m", "pytest_benchmark", "--storage", f"file://{history}", "list"]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


def _check_pytest_benchmark_json(data: dict[str, Any], results: ResultsFile) -> None:
    stored = {bench["param"]: bench for bench in data["benchmarks"]}
    for scenario, model in results.models():
        param = f"{scenario.name}-{model.row_name}"
        if not model.ranked:
            assert param not in stored
            continue
        bench = stored.pop(param)
        assert bench["group"] == scenario.name
        assert bench["params"] == {"scenario": scenario.name, "model": model.model}
        # The figures are the engine's rounds, handed over unchanged.
        assert bench["stats"]["data"] == [r.wall_s for r in model.rounds]
        info = bench["extra_info"]
        assert info["status"] == "ok"
        assert info["sums_ok"] is True
        assert info["overhead_per_job_us"] == pytest.approx(model.overhead_per_job_us.median)
        assert info["settings"] == model.settings
    assert not stored  # nothing pytest-benchmark timed on its own


@pytest.mark.slow
@pytest.mark.timeout(SUITE_TIMEOUT_S + 120)  # the suite in a subprocess, then its history
def test_quick_suite_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = _run_suite(out)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]

    # One engine results file with every (scenario, model) of the profile, in profile order.
    (run_file,) = (out / "runs").glob("*.json")
    results = load(run_file)
    assert not results.partial
    pairs = [(s.name, m.model) for s, m in results.models()]
    assert pairs == [(c.scenario.name, spec.name) for c in QUICK for spec in c.specs()]
    statuses = {m.model: m.status for _, m in results.models()}
    for spec in REGISTRY.values():
        assert statuses[spec.name] == ("ok" if spec.available else "unavailable")

    _check_pytest_benchmark_json(json.loads((out / "pytest-benchmark.json").read_text()), results)

    (history,) = (out / "benchmark-history").rglob("*.json")
    assert history.name in _pytest_benchmark_list(out / "benchmark-history")

    markdown = (out / "latest.md").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO((out / "latest.csv").read_text(encoding="utf-8"))))
    assert [(r["scenario"], r["model"]) for r in rows] != []
    assert sorted((r["scenario"], r["model"]) for r in rows) == sorted(pairs)
    ci = json.loads((out / "ci-benchmark.json").read_text(encoding="utf-8"))
    assert ci == ci_export.entries(results)
    assert len(ci) == sum((2 + m.has_gc) * m.ranked for _, m in results.models())

    page = (out / "latest.html").read_text(encoding="utf-8")
    assert "https://" not in page and "http://" not in page
    for case in QUICK:
        assert case.scenario.name in page
    if importlib.util.find_spec("matplotlib") is not None:
        assert list((out / "figures").glob("rounds-*.svg"))
        assert list((out / "figures").glob("rounds-*.png"))

    assert "concurrency-bench: engine figures per scenario" in done.stdout
    for case in QUICK:
        assert f"## {case.scenario.name}" in markdown
        assert f"benchmark '{case.scenario.name}'" in done.stdout  # pytest-benchmark's group
        assert f"\n{case.scenario.name}: " in done.stdout  # the engine's table
