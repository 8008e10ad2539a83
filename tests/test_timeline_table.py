"""report.timeline_table: the seed text's table from a synthetic measurement (nothing run)."""

from __future__ import annotations

from concurrency_bench.engine import SingleRun
from concurrency_bench.engine.timing import Measurement
from concurrency_bench.report.timeline_table import render_text, timeline_dict
from concurrency_bench.workload import Scenario

SEED = Scenario.seed_story(20.0)  # delays 5, 8, 2 units of 20 ms


def concurrent_run() -> SingleRun:
    ms = 1_000_000
    measurement = Measurement(
        model="trio",
        concurrent=True,
        wall_ns=161 * ms,
        cpu_ns=2 * ms,
        ideal_s=0.16,
        delays_s=SEED.delays_s,
        starts_ns=[0, 0, 0],
        finishes_ns=[100 * ms, 160 * ms, 40 * ms],
        values=[1, 2, 3],
        settings={"backend": "trio"},
    )
    return SingleRun("trio", "ok", measurement)


def test_the_seed_table_shows_units_ms_and_finish_order() -> None:
    text = render_text(concurrent_run(), SEED)
    heading, *table = text.splitlines()
    assert heading == (
        "trio: total wall 161.0 ms = 8.05 units (ideal 160.0 ms = 8.00 units); sums ok, "
        "backend=trio"
    )
    rows = [line.split() for line in table[2:]]
    # call, delay, start, finish (units; tabulate drops the zeros), finish order, start/finish ms
    assert rows == [
        ["1", "5", "0", "5", "2", "0", "100"],
        ["2", "8", "0", "8", "3", "0", "160"],
        ["3", "2", "0", "2", "1", "0", "40"],
    ]


def test_a_model_without_a_measurement_is_one_line_and_json_keeps_its_reason() -> None:
    failed = SingleRun("processes", "failed", None, "worker killed")
    assert render_text(failed, SEED) == "processes: failed: worker killed"
    assert timeline_dict(failed) == {
        "model": "processes",
        "status": "failed",
        "reason": "worker killed",
    }
    ok = timeline_dict(concurrent_run())
    assert ok["status"] == "ok" and [job["finish_order"] for job in ok["jobs"]] == [2, 3, 1]
