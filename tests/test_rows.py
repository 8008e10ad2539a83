"""The table rows: rank order and its tie-breaks, speed-ups, ratios, the unranked order, notes.

Expected figures are worked out by hand in the comments from the chosen wall times.
"""

from __future__ import annotations

import math

import pytest
from msgspec.structs import replace

from concurrency_bench.report import rows
from concurrency_bench.report.rows import Table, build_table, build_tables
from concurrency_bench.results import ModelResult
from concurrency_bench.workload import Scenario
from factories import model_result, results_file

SEED = Scenario.seed_story(100)  # delays 0.5, 0.8, 0.2 s: concurrent ideal 0.8, sum 1.5


def table_for(models: list[ModelResult], scenario: Scenario = SEED) -> Table:
    return build_table(results_file([(scenario, models)]).scenarios[0])


def test_equal_walls_rank_by_overhead_then_by_name() -> None:
    # Every wall 1.6 s: sync's overhead is 1.6 - 1.5 = 0.1, the concurrent ones' 0.8.
    models = [
        model_result("trio", SEED, walls=[1.6, 1.6, 1.6]),
        model_result("asyncio-gather", SEED, walls=[1.6, 1.6, 1.6]),
        model_result("sync", SEED, walls=[1.6, 1.6, 1.6]),
        model_result("uvloop", SEED, walls=[0.9, 1.7, 0.95]),  # median 0.95: fastest
    ]
    table = table_for(models)
    assert [(r.result.model, r.rank) for r in table.rows] == [
        ("uvloop", 1),
        ("sync", 2),
        ("asyncio-gather", 3),
        ("trio", 4),
    ]
    # Against sync's 1.6 s; ratios to uvloop's 0.95 s.
    assert [r.speedup for r in table.rows] == pytest.approx([1.6 / 0.95, 1.0, 1.0, 1.0])
    assert [r.ratio for r in table.rows] == pytest.approx([1.0, 1.6 / 0.95, 1.6 / 0.95, 1.6 / 0.95])
    assert (table.baseline, table.baseline_wall_s, table.baseline_note) == ("sync", 1.6, None)
    assert not table.marked
    assert table.scenario == SEED


def test_the_sum_of_delays_stands_in_for_a_sync_that_failed() -> None:
    models = [
        model_result("sync", SEED, status="failed", reason="boom"),
        model_result("threads", SEED, walls=[0.999, 1.0, 1.001]),
        model_result("trio", SEED, walls=[1.249, 1.25, 1.251]),
    ]
    table = table_for(models)
    assert (table.baseline, table.baseline_wall_s, table.baseline_note) == (
        "sum-of-delays",
        1.5,
        "sync failed",
    )
    assert [r.result.model for r in table.rows] == ["threads", "trio", "sync"]
    assert [r.speedup for r in table.rows] == [pytest.approx(1.5), pytest.approx(1.2), None]
    assert [r.ratio for r in table.rows] == [1.0, pytest.approx(1.25), None]
    assert [r.notes for r in table.rows] == [(), (), ("failed: boom",)]
    assert table.marked


def test_no_ranked_row_needs_no_footnote() -> None:
    table = table_for([model_result("trio", SEED, status="interrupted")])
    assert (table.baseline, table.baseline_note) == ("sum-of-delays", "sync not run")
    assert [(r.rank, r.speedup, r.ratio) for r in table.rows] == [(None, None, None)]
    assert not table.marked


def test_a_zero_wall_gets_no_speedup_or_ratio() -> None:
    # Delays of 0 s and walls of exactly 0 (a coarse timer): nothing can be divided by them.
    instant = Scenario.uniform(2, 0.0, name="instant")
    table = table_for([model_result("trio", instant, walls=[0.0, 0.0, 0.0])], instant)
    assert (table.rows[0].rank, table.rows[0].speedup, table.rows[0].ratio) == (1, None, None)
    assert table.baseline_wall_s == 0.0


def test_divide_refuses_non_finite_and_non_positive_figures() -> None:
    assert rows._divide(3.0, 2.0) == 1.5
    for numerator, denominator in ((math.inf, 1.0), (1.0, math.nan), (math.nan, 1.0), (1.0, 0.0)):
        assert rows._divide(numerator, denominator) is None
    assert rows._divide(1.0, -2.0) is None


def test_unranked_rows_keep_run_order_within_a_status() -> None:
    models = [
        model_result("threads", SEED, status="failed", reason="a"),
        model_result("trio", SEED, status="not-run"),
        model_result("processes", SEED, status="failed"),
        model_result("uvloop", SEED, status="wrong", walls=[0.8101, 0.8102, 0.8103]),
    ]
    table = table_for(models)
    assert [(r.result.model, r.notes) for r in table.rows] == [
        ("uvloop", ("wrong sums",)),
        ("threads", ("failed: a",)),
        ("processes", ("failed",)),
        ("trio", ("not run",)),
    ]


def test_notes_give_the_status_then_instability_then_settings() -> None:
    # Walls 1.0, 1.0, 2.0 on 3 jobs of 0.5 s: mean 4/3, sample stdev sqrt(1/3) = 0.577, 43 %
    # of the mean; overheads 0.5, 0.5, 1.5: IQR 1.0 - 0.5 = 0.5, 100 % of the 0.5 median.
    three = Scenario.uniform(3, 0.5, name="three")
    unstable = "unstable: wall stdev is 43% of the mean; overhead IQR is 100% of its median"
    settings = {"threads": 8, "pool": "ThreadPoolExecutor"}
    models = [
        model_result("trio", three, walls=[1.0, 1.0, 2.0], settings=settings),
        model_result("uvloop", three, walls=[0.9, 0.9, 0.9], settings=settings),
        model_result("threads", three, status="wrong", walls=[1.0, 1.0, 2.0], reason="job 2"),
        model_result("anyio", three, status="unavailable", reason="needs anyio"),
    ]
    notes = {r.result.model: r.notes for r in table_for(models, three).rows}
    assert notes == {
        "uvloop": ("threads=8, pool=ThreadPoolExecutor",),
        "trio": (unstable, "threads=8, pool=ThreadPoolExecutor"),
        "threads": ("wrong sums: job 2", unstable),
        "anyio": ("unavailable: needs anyio",),
    }


def test_one_table_per_scenario_in_file_order() -> None:
    other = Scenario.uniform(2, 0.1, name="other")
    results = results_file(
        [
            (other, [model_result("trio", other, walls=[0.11, 0.12, 0.13])]),
            (SEED, [model_result("sync", SEED, walls=[1.6, 1.6, 1.6])]),
        ]
    )
    tables = build_tables(results)
    assert [t.scenario.name for t in tables] == ["other", "seed"]
    assert [t.baseline for t in tables] == ["sum-of-delays", "sync"]
    assert tables[0].rows[0].speedup == pytest.approx(0.2 / 0.12)


# -- TCP rows: the server's busy fraction ----------------------------------------------------


def served(busy: list[float]) -> ModelResult:
    """An ok TCP row whose rounds had the server busy for these fractions of the round."""
    model = model_result("uvloop", Scenario.uniform(10, 0.05), walls=[0.06] * len(busy))
    runs = tuple(
        replace(run, values=tuple(replace(r, server_busy=b) for r in run.values))
        for run, b in zip(model.runs, busy, strict=True)
    )
    return replace(model, runs=runs)


def test_a_tcp_row_says_how_busy_its_server_was() -> None:
    assert rows.notes(served([0.2, 0.35, 0.3])) == ("server busy 30% of the round",)


def test_over_half_the_round_is_server_bound_and_exactly_half_is_not() -> None:
    assert rows.notes(served([0.6, 0.7, 0.2])) == ("server-bound: server busy 60% of the round",)
    assert rows.notes(served([0.5, 0.5, 0.5])) == ("server busy 50% of the round",)


def test_a_timer_row_has_no_server_note() -> None:
    assert rows.notes(model_result("uvloop", Scenario.uniform(10, 0.05), walls=[0.06])) == ()
