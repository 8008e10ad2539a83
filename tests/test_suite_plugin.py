"""The bench suite's plugin (suite/plugin.py, suite/replay.py): its pure parts, with factories."""

from __future__ import annotations

from pathlib import Path

import pytest

from concurrency_bench import engine
from concurrency_bench.runners import REGISTRY
from concurrency_bench.suite import plugin
from concurrency_bench.suite.profiles import QUICK
from concurrency_bench.suite.replay import ReplayTimer
from factories import model_result, results_file

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
    return plugin.SuiteRun(tmp_path, engine.EngineOptions(), QUICK)


def test_the_suite_measures_its_planned_pairs_through_the_engine_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trio = model_result("trio", A, walls=[0.2, 0.21, 0.22])
    cut = model_result("sync", A, status="interrupted", reason="not started")
    asked: list[object] = []

    def measure_file(pairs: object, options: engine.EngineOptions) -> object:
        asked.append((pairs, options.progress))
        return results_file([(A, [trio, cut])], partial=True)

    monkeypatch.setattr(engine, "measure_file", measure_file)
    run = suite_run(tmp_path)
    run.planned = [run.case(A.name, "trio"), run.case(A.name, "sync")]
    assert run.planned[0] == (A, REGISTRY["trio"])
    assert run.result(A, REGISTRY["trio"]) is None and not run.interrupted  # not measured yet

    progress = print
    run.measure(progress)
    assert asked == [(run.planned, progress)]
    assert run.result(A, REGISTRY["trio"]) == trio
    assert run.result(B, REGISTRY["uvloop"]) is None
    assert run.interrupted  # the engine's file says partial: the session stops


def test_an_unknown_scenario_is_a_key_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        suite_run(tmp_path).case("nope", "trio")
