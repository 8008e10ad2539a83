"""The garbage collector as a measured figure: the worker's meter, the round record, the
engine's rounds, and what the tables, the verdict, the gate and the history make of it."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import pytest

from concurrency_bench.analysis.gate import METRICS, compare, compare_models
from concurrency_bench.analysis.history import Run, tracks
from concurrency_bench.analysis.verdict import gc_decided, judge
from concurrency_bench.engine import EngineOptions, measure_all
from concurrency_bench.engine.gc_meter import GcMeter
from concurrency_bench.engine.interpreters import probe_all
from concurrency_bench.report.rows import build_table, gc_note
from concurrency_bench.report.verdict_text import lines
from concurrency_bench.results import GcRound, Round, load
from concurrency_bench.results.schema import decode
from concurrency_bench.runners import REGISTRY
from concurrency_bench.summaries import GC_HEAVY_FRACTION
from concurrency_bench.workload import Scenario
from factories import model_result, results_file, scenario, with_gc
from fault_runners import SPECS

TINY = Scenario.uniform(3, 0.01, ints_per_job=5)


# -- the meter ---------------------------------------------------------------------------


def test_the_meter_counts_collections_by_generation_between_ready_and_figures() -> None:
    meter = GcMeter()
    meter.install()
    try:
        gc.collect(0)
        meter.ready()  # a full collection, then zeroes: it is not counted
        assert meter.figures() == GcRound(collections=(0, 0, 0), seconds=(0.0, 0.0, 0.0))
        gc.collect(0)
        gc.collect(0)
        gc.collect(1)
        gc.collect(2)
        figures = meter.figures()
    finally:
        meter.remove()
    assert figures.collections == (2, 1, 1)
    assert all(s >= 0 for s in figures.seconds) and figures.total_s > 0
    gc.collect(0)
    assert meter.figures() == figures  # removed: no longer counting
    assert meter._on_gc not in gc.callbacks


def test_with_the_collector_disabled_garbage_makes_no_collection() -> None:
    meter = GcMeter()
    meter.install()
    gc.disable()
    try:
        meter.ready()  # an explicit collection still runs while disabled, before the zeroing
        garbage = [[[]] for _ in range(50_000)]
        del garbage
        figures = meter.figures()
    finally:
        gc.enable()
        meter.remove()
    assert figures.collections == (0, 0, 0)


def test_installing_twice_adds_one_callback_and_others_stay() -> None:
    meter = GcMeter()

    def other(phase: str, info: dict[str, int]) -> None:
        """Someone else's callback."""

    gc.callbacks.append(other)
    try:
        meter.install()
        meter.install()
        assert gc.callbacks.count(meter._on_gc) == 1
        meter.remove()
        assert other in gc.callbacks and meter._on_gc not in gc.callbacks
    finally:
        gc.callbacks.remove(other)


# -- the round record ---------------------------------------------------------------------


def test_a_round_holds_its_gc_figures_and_refuses_more_gc_than_wall() -> None:
    figures = GcRound(collections=(10, 1, 0), seconds=(0.001, 0.0005, 0.0))
    kept = Round(wall_s=0.1, cpu_s=0.05, overhead_s=0.05, gc=figures)
    assert kept.value("gc") == pytest.approx(0.0015)
    with pytest.raises(ValueError, match="at most wall_s"):
        Round(wall_s=0.001, cpu_s=0.0, overhead_s=0.0, gc=figures)
    with pytest.raises(ValueError, match=r"gc\.collections\[1\]"):
        GcRound(collections=(0, -1, 0), seconds=(0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match=r"gc\.seconds\[2\]"):
        GcRound(collections=(0, 0, 0), seconds=(0.0, 0.0, float("nan")))
    with pytest.raises(ValueError, match="no GC figures"):
        Round(wall_s=0.1, cpu_s=0.05, overhead_s=0.05).value("gc")


def test_a_schema_2_file_without_gc_figures_still_loads_and_one_with_them_round_trips() -> None:
    s = scenario(jobs=10, delay_ms=10)
    plain = results_file([(s, [model_result("asyncio-gather", s, walls=[0.011, 0.012])])])
    text = plain.to_json()
    assert '"gc"' not in json.dumps(json.loads(text)["scenarios"])  # omitted when absent
    loaded = decode(text)
    model = next(m for _, m in loaded.models())
    assert not model.has_gc and model.gc_share is None
    measured = with_gc(model, [0.004, 0.006])
    again = decode(results_file([(s, [measured])]).to_json())
    back = next(m for _, m in again.models())
    assert back.has_gc and back.gc_share == pytest.approx((0.004 / 0.011 + 0.006 / 0.012) / 2)


# -- the engine ---------------------------------------------------------------------------


def test_rounds_that_make_garbage_record_collections_within_their_wall() -> None:
    spec = SPECS["fault-garbage"]
    on = measure_all([spec], [TINY], EngineOptions(rounds=2, warmup=1))
    (_, model), *_ = on.models()
    assert model.status == "ok", model.reason
    for r in model.rounds:
        assert r.gc is not None
        assert r.gc.collections[0] > 0
        assert 0 < r.gc.total_s <= r.wall_s
    off = measure_all([spec], [TINY], EngineOptions(rounds=2, warmup=1, gc="off"))
    (_, model), *_ = off.models()
    assert model.status == "ok", model.reason
    for r in model.rounds:
        assert r.gc is not None and r.gc.collections == (0, 0, 0) and r.gc.total_s == 0


def test_the_worker_freezes_its_own_objects_and_not_the_payloads() -> None:
    results = measure_all([SPECS["fault-frozen"]], [TINY], EngineOptions(rounds=1, warmup=0))
    (_, model), *_ = results.models()
    assert model.status == "ok", model.reason


def test_the_gc_figures_reach_the_results_file(tmp_path: Path) -> None:
    results = measure_all([SPECS["fault-garbage"]], [TINY], EngineOptions(rounds=1, warmup=0))
    path = tmp_path / "run.json"
    path.write_text(results.to_json(), encoding="utf-8")
    (_, model), *_ = load(path).models()
    assert model.has_gc and model.gc_share is not None and 0 < model.gc_share <= 1


# -- tables, verdict, gate, history ---------------------------------------------------------


def test_a_row_spending_over_a_third_of_its_wall_in_gc_gets_a_note() -> None:
    s = scenario(jobs=100_000)
    heavy = with_gc(model_result("asyncio-gather", s, walls=[2.0, 2.2, 2.1]), [1.1, 1.2, 1.1])
    light = with_gc(model_result("trio", s, walls=[2.0, 2.2, 2.1]), [0.6, 0.7, 0.7])
    unknown = model_result("uvloop", s, walls=[2.0, 2.2, 2.1])
    note = gc_note(heavy)
    assert note is not None and note.startswith("GC 55% of the wall")
    assert "--gc off" in note and "gc.freeze()" in note
    assert light.gc_share is not None and light.gc_share < GC_HEAVY_FRACTION
    assert gc_note(light) is None and gc_note(unknown) is None
    table = build_table(results_file([(s, [heavy, light, unknown])]).scenarios[0])
    notes = {row.result.model: row.notes for row in table.rows}
    assert note in notes["asyncio-gather"]
    assert not any(n.startswith("GC") for n in notes["trio"] + notes["uvloop"])


def test_the_verdict_says_when_collections_decide_the_order() -> None:
    s = scenario(jobs=100_000)
    fast = [1.00, 1.01, 1.02, 1.03, 1.04]
    slow = [1.20, 1.21, 1.22, 1.23, 1.24]
    a = with_gc(model_result("uvloop", s, walls=fast), [0.1] * 5)
    b = with_gc(model_result("asyncio-gather", s, walls=slow), [0.5] * 5)
    verdict = judge([a, b])
    assert verdict is not None and len(verdict.tiers) == 2
    (pair,) = gc_decided(verdict)
    assert (pair[0].model, pair[1].model) == ("uvloop", "asyncio-gather")
    line = lines(verdict)[-1]
    assert line.startswith("GC decides uvloop before asyncio-gather")
    assert "GC 41% of its wall" in line and "uvloop 10%" in line
    # GC that does not change the order, or no GC figures at all: no such line
    same = with_gc(model_result("asyncio-gather", s, walls=slow), [0.15] * 5)
    verdict = judge([a, same])
    assert verdict is not None and gc_decided(verdict) == []
    bare = judge([model_result("uvloop", s, walls=fast), b])
    assert bare is not None and gc_decided(bare) == []
    assert not any(line.startswith("GC") for line in lines(bare))


def test_the_gate_compares_gc_time_and_says_when_a_side_lacks_it() -> None:
    s = scenario(jobs=1000)
    walls = [0.10, 0.11, 0.12, 0.10, 0.11]
    base = with_gc(model_result("asyncio-gather", s, walls=walls), [0.010] * 5)
    new = with_gc(model_result("asyncio-gather", s, walls=walls), [0.030] * 5)
    metric = METRICS["gc"]
    row = compare_models(s.name, base, new, metric)
    assert row.verdict == "slower" and row.base == pytest.approx(0.010)
    old = model_result("asyncio-gather", s, walls=walls)
    row = compare_models(s.name, old, new, metric)
    assert row.verdict == "not compared"
    assert row.detail == "base: no time in the garbage collector recorded"
    comparison = compare(results_file([(s, [base])]), results_file([(s, [new])]), metric="gc")
    assert comparison.metric.name == "gc" and comparison.regressions


def test_history_tracks_gc_time_only_for_models_that_recorded_it() -> None:
    s = scenario(jobs=1000)
    walls = [0.10, 0.11, 0.12]
    runs = [
        Run("a", "2024-01-01T00:00:00Z", "aaaaaaa", results_file([(s, [
            model_result("trio", s, walls=walls),
            with_gc(model_result("asyncio-gather", s, walls=walls), [0.01] * 3),
        ])])),
        Run("b", "2024-01-02T00:00:00Z", "bbbbbbb", results_file([(s, [
            model_result("trio", s, walls=walls),
            model_result("asyncio-gather", s, walls=walls),
        ])])),
    ]  # fmt: skip
    found = {(t.model, t.metric): t for t in tracks(runs)}
    assert ("trio", "gc") not in found
    gc_track = found[("asyncio-gather", "gc")]
    assert gc_track.unit == "ms"
    assert [p.value for p in gc_track.points] == [pytest.approx(10.0), None]
    assert gc_track.points[1].verdict == "not compared"


def test_workers_under_another_interpreter_record_their_collections(tmp_path: Path) -> None:
    other = tmp_path / "other-python"
    other.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n', encoding="ascii")
    other.chmod(0o755)
    pythons = probe_all([sys.executable, str(other)], [REGISTRY["asyncio-gather"]])
    busy = Scenario.uniform(2_000, 0.001, ints_per_job=1)  # tasks enough for collections
    results = measure_all(
        [REGISTRY["asyncio-gather"]], [busy], EngineOptions(rounds=1, warmup=0), pythons
    )
    rows = [m for _, m in results.models()]
    assert len(rows) == 2 and all(m.python is not None for m in rows)
    for row in rows:
        assert row.status == "ok", row.reason
        (only,) = row.rounds
        assert only.gc is not None and only.gc.collections[0] > 0
        assert only.gc.total_s <= only.wall_s
