"""engine/timing.py: what one run records, the sums check, and what the clock reads around."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.engine.timing import check_sums, measure_run
from concurrency_bench.runners.asyncio_gather import AsyncioGatherRunner
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord, Scenario, build_payloads, expected_sums


class OffByOne(Runner):
    """A runner that gets job 2 wrong, to prove the check names it."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        return [(0, 1, sum(ints) + (index == 2)) for index, ints in enumerate(payloads)]


def test_check_sums_names_the_first_wrong_job() -> None:
    assert check_sums([1, 2, 3], [1, 2, 3]) is None
    assert check_sums([1, 5, 4], [1, 2, 3]) == "job 1 summed to 5, expected 2"
    assert check_sums([1], [1, 2]) == "returned 1 results for 2 jobs"


def test_wrong_sums_are_reported_not_hidden() -> None:
    scenario = Scenario.uniform(4, 0.0, ints_per_job=3)
    payloads = build_payloads(scenario)
    measurement = measure_run(
        OffByOne(), "off-by-one", True, scenario, payloads, expected_sums(payloads)
    )
    assert not measurement.sums_ok
    assert measurement.mismatch is not None and measurement.mismatch.startswith("job 2 summed")


def test_records_are_relative_to_the_run_start_and_ordered() -> None:
    scenario = Scenario.explicit([0.03, 0.01, 0.02])
    payloads = build_payloads(scenario)
    m = measure_run(
        AsyncioGatherRunner(), "asyncio-gather", True, scenario, payloads, expected_sums(payloads)
    )
    assert all(0 <= s <= f <= m.wall_ns for s, f in zip(m.starts_ns, m.finishes_ns))
    assert m.finish_order == [3, 1, 2]
    assert m.overhead_s == m.wall_s - 0.03
    jobs = m.jobs_as_dicts()
    assert [j["finish_order"] for j in jobs] == [3, 1, 2]
    assert set(jobs[0]) == {"index", "delay_s", "start_s", "finish_s", "finish_order", "value"}
