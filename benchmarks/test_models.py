"""One pytest-benchmark test per (scenario, model): the engine measures, pytest-benchmark stores.

pytest-benchmark would time the test function in this process, next to pytest, every other
model's imports and the collector; the engine measures each model in fresh worker processes
instead (by default one per round), all selected pairs in one interleaved call before the
first test (the suite plugin, concurrency_bench.suite.plugin). So nothing here is timed: the
test takes the model's result, then hands the workers' per-round wall times to
`benchmark.pedantic` through the replay timer (the plugin gives it to pytest-benchmark with
the `benchmark` marker, a public option), which returns the engine's round boundaries
instead of reading a clock. pytest-benchmark's stats and stored data are then exactly the
engine's rounds; the workers' other figures go into `extra_info`. The tests themselves (one
per scenario and model) come from the plugin.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from concurrency_bench.results import ModelResult
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario

SKIPPED = ("unavailable", "not-run")
"""Statuses that are a fact about the machine or the budget, not a failure of the model."""


def extra_info(result: ModelResult) -> dict[str, Any]:
    """The worker's figures beyond wall time, for pytest-benchmark's `extra_info`."""
    info: dict[str, Any] = {
        "source": "concurrency-bench engine: fresh worker processes per model, rounds replayed",
        "status": result.status,
        "reason": result.reason,
        "ideal_s": result.ideal_s,
        "jobs": result.jobs,
        "settings": dict(result.settings),
        "sums_ok": result.sums_ok,
    }
    if result.measured:
        per_job = result.overhead_per_job_us
        info |= {
            "rounds": len(result.rounds),
            "overhead_per_job_us": per_job.median,
            "overhead_per_job_iqr_us": per_job.iqr,
            "overhead_median_s": result.overhead.median,
            "overhead_iqr_s": result.overhead.iqr,
            "cpu_median_s": result.cpu.median,
            "lateness_p99_s": result.lateness.p99_s if result.lateness else None,
            "memory_per_job_bytes": result.memory_per_job_bytes,
            "unstable": result.unstable,
        }
    return info


@pytest.fixture
def measured(bench_case: tuple[Scenario, ModelSpec], suite_run: Any) -> ModelResult:
    """The engine's result for this case, measured with every selected pair before the tests."""
    scenario, spec = bench_case
    result: ModelResult | None = suite_run.result(scenario, spec)
    if result is None:
        pytest.fail(f"{spec.name} [{scenario.name}] was not measured", pytrace=False)
    return result


def test_model(measured: ModelResult, benchmark: BenchmarkFixture, replay_timer: Any) -> None:
    """Store the engine's rounds; skip what could not run here, fail what failed or summed wrong."""
    benchmark.extra_info.update(extra_info(measured))
    if measured.status in SKIPPED:
        pytest.skip(f"{measured.model} {measured.status}: {measured.reason}")
    if not measured.ranked:
        pytest.fail(f"{measured.model} {measured.status}: {measured.reason}", pytrace=False)
    walls = [r.wall_s for r in measured.rounds]
    replay_timer.load(walls)
    try:
        benchmark.pedantic(_no_work, rounds=len(walls), iterations=1, warmup_rounds=0)
    finally:
        left = replay_timer.drain()
    if benchmark.enabled and left:
        pytest.fail(f"pytest-benchmark read {len(walls) * 2 - left} of {len(walls) * 2} times")


def _no_work() -> None:
    """What pedantic 'runs': nothing; the time comes from the replay timer."""
