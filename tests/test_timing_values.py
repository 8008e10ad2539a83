"""timing.py's figures against known clock readings: units, lateness's sign, finish order with
ties, and what measure_run records from a runner whose clock readings are chosen by the test."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from concurrency_bench.engine.timing import Measurement, check_sums, measure_run
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import JobRecord, Scenario


def measurement(
    starts_ns: list[int], finishes_ns: list[int], delays_s: Sequence[float]
) -> Measurement:
    """A record built by hand: 2.5 s of wall, 0.25 s of CPU, an ideal of 2 s."""
    return Measurement(
        model="m",
        concurrent=True,
        wall_ns=2_500_000_000,
        cpu_ns=250_000_000,
        ideal_s=2.0,
        delays_s=delays_s,
        starts_ns=starts_ns,
        finishes_ns=finishes_ns,
        values=list(range(len(starts_ns))),
    )


def test_seconds_from_nanoseconds() -> None:
    m = measurement([], [], ())
    assert (m.wall_s, m.cpu_s, m.overhead_s) == (2.5, 0.25, 0.5)


def test_lateness_is_finish_minus_start_minus_delay_in_seconds() -> None:
    m = measurement([0, 500_000_000], [1_500_000_000, 2_000_000_000], (1.0, 1.25))
    assert m.lateness_s() == [0.5, 0.25]  # woken late: positive
    early = measurement([1_000_000_000], [1_900_000_000], (1.0,))
    assert early.lateness_s() == pytest.approx([-0.1])  # woken early: negative


def test_finish_order_ranks_by_finish_and_ties_keep_job_order() -> None:
    m = measurement([0, 0, 0, 0], [5, 3, 5, 1], (0.0,) * 4)
    assert m.finish_order == [3, 2, 4, 1]


def test_jobs_as_dicts_give_seconds_and_the_finish_order() -> None:
    m = measurement([0, 500_000_000], [1_500_000_000, 2_000_000_000], (1.0, 1.25))
    assert m.jobs_as_dicts() == [
        {
            "index": 0,
            "delay_s": 1.0,
            "start_s": 0.0,
            "finish_s": 1.5,
            "finish_order": 1,
            "value": 0,
        },
        {
            "index": 1,
            "delay_s": 1.25,
            "start_s": 0.5,
            "finish_s": 2.0,
            "finish_order": 2,
            "value": 1,
        },
    ]


def test_check_sums_names_a_wrong_count_or_the_first_wrong_job() -> None:
    assert check_sums([], []) is None
    assert check_sums([7, 8], [7, 8]) is None
    assert check_sums([1, 2], [1, 2, 3]) == "returned 2 results for 3 jobs"
    assert check_sums([1, 2, 3], [1, 2]) == "returned 3 results for 2 jobs"
    assert check_sums([0, 9, 9], [0, 1, 2]) == "job 1 summed to 9, expected 1"
    assert check_sums([5, 1], [0, 1]) == "job 0 summed to 5, expected 0"


class Scripted(Runner):
    """Returns records at chosen offsets from its own first clock reading, and burns some CPU."""

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        now = time.perf_counter_ns()
        spin = time.process_time_ns() + 1_000_000  # about 1 ms of CPU, so cpu_ns is not 0
        while time.process_time_ns() < spin:
            pass
        return [
            (now + 1000 * i, now + 1000 * i + 7, sum(ints) * 2) for i, ints in enumerate(payloads)
        ]


def test_measure_run_records_relative_times_sums_and_settings() -> None:
    scenario = Scenario.explicit([0.25, 0.5, 0.125], ints_per_job=2)
    payloads = [[1, 2], [3, 4], [5, 6]]
    settings: dict[str, int | str] = {"pool_size": 4}
    wall_before, cpu_before = time.perf_counter_ns(), time.process_time_ns()
    m = measure_run(Scripted(), "scripted", False, scenario, payloads, [6, 14, 22], settings)
    outer_wall = time.perf_counter_ns() - wall_before
    outer_cpu = time.process_time_ns() - cpu_before

    assert m.model == "scripted" and m.concurrent is False
    assert m.sums_ok is True and m.mismatch is None
    assert m.values == [6, 14, 22]
    assert m.delays_s == (0.25, 0.5, 0.125)
    assert m.ideal_s == 0.875  # not concurrent: the sum of the delays
    # The runner read the clock after measure_run's start: offsets keep their spacing.
    assert [s - m.starts_ns[0] for s in m.starts_ns] == [0, 1000, 2000]
    assert [f - s for s, f in zip(m.starts_ns, m.finishes_ns)] == [7, 7, 7]
    assert m.starts_ns[0] >= 0 and m.finishes_ns[-1] <= m.wall_ns <= outer_wall
    assert 0 < m.cpu_ns <= outer_cpu
    assert m.settings == {"pool_size": 4}
    settings["pool_size"] = 8
    assert m.settings == {"pool_size": 4}  # a copy, not the caller's dict


def test_measure_run_reports_wrong_sums_and_defaults() -> None:
    scenario = Scenario.explicit([0.0, 0.0], ints_per_job=1)
    m = measure_run(Scripted(), "scripted", True, scenario, [[1], [2]], [2, 5])
    assert m.sums_ok is False
    assert m.mismatch == "job 1 summed to 4, expected 5"
    assert m.settings == {}
    assert m.ideal_s == 0.0
