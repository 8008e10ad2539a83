"""The bench suite's plugin (suite/plugin.py, suite/replay.py): its pure parts, with factories."""

from __future__ import annotations

from pathlib import Path

import pytest

from concurrency_bench import engine
from concurrency_bench.runners import REGISTRY
from concurrency_bench.suite import plugin
from concurrency_bench.suite.profiles import QUICK
from concurrency_bench.suite.replay import ReplayTimer
from factories import model_result

A, B = QUICK[0].scenario, QUICK[1].scenario


def test_replay_timer_plays_back_start_and_end_of_each_round() -> None:
    timer = ReplayTimer()
    timer.load([0.25, 0.5])
    readings = [timer() for _ in range(4)]
    assert readings == [0.0, 0.25, 0.0, 0.5]  # end - start is each round's duration
    with pytest.raises(RuntimeError, match="did not measure"):
        timer()
    timer.load([1.0])
    assert timer.drain() == 2
    assert timer.__name__ == "concurrency_bench_engine_rounds"


def suite_run(tmp_path: Path) -> plugin.SuiteRun:
    options = engine.EngineOptions()
    return plugin.SuiteRun(tmp_path, options, "2024-01-02T03:04:05Z", {}, QUICK)


def test_results_file_keeps_planned_order_and_rows_for_pairs_never_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        engine,
        "not_started",
        lambda s, spec: model_result(spec.name, s, status="interrupted", reason="not started"),
    )
    run = suite_run(tmp_path)
    run.planned = [run.case(A.name, "trio"), run.case(B.name, "uvloop"), run.case(A.name, "sync")]
    assert run.planned[0] == (A, REGISTRY["trio"])
    trio = model_result("trio", A, walls=[0.2, 0.21, 0.22])
    run.record(A, trio, interrupted=False)
    assert run.result(A, REGISTRY["trio"]) is trio
    assert run.result(B, REGISTRY["uvloop"]) is None

    whole = run.results_file(partial=False)  # a finished session lists what was measured
    assert [(s.name, m.model) for s, m in whole.models()] == [(A.name, "trio")]
    cut = run.results_file(partial=True)  # after Ctrl-C, every selected pair has a row
    assert cut.partial
    assert [(s.name, m.model, m.status) for s, m in cut.models()] == [
        (A.name, "trio", "ok"),
        (A.name, "sync", "interrupted"),
        (B.name, "uvloop", "interrupted"),
    ]


def test_an_unknown_scenario_is_a_key_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        suite_run(tmp_path).case("nope", "trio")
