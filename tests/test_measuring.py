"""cli/measuring.py, the sequence run, ab and sweep share: the engine call, signals, exit status."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from concurrency_bench.cli import measuring
from concurrency_bench.cli.signals import Received
from concurrency_bench.engine import EngineOptions
from concurrency_bench.runners import REGISTRY
from factories import model_result, results_file, scenario

S = scenario(10)
PAIRS = [(S, REGISTRY["asyncio-gather"]), (S, REGISTRY["trio"])]


def test_measure_makes_one_engine_call_then_only_notes_signals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[Any, ...]] = []
    done = results_file([(S, [model_result("trio", S, walls=[0.06])])])

    def measure_file(pairs: Any, options: EngineOptions, pythons: Any) -> Any:
        calls.append((pairs, options, pythons))
        return done

    monkeypatch.setattr(measuring, "measure_file", measure_file)
    received = Received()
    measured = measuring.measure(PAIRS, EngineOptions(rounds=2), quiet=True, received=received)
    assert measured.results is done and measured.received is received
    ((pairs, options, pythons),) = calls
    assert pairs == PAIRS and options.rounds == 2 and pythons == ()
    assert options.progress is None  # quiet: no bar
    received.handle(signal.SIGTERM, None)  # held: noted, not raised
    assert received.exit_status() == 128 + signal.SIGTERM


@pytest.mark.parametrize(
    ("status", "partial", "signum", "expected"),
    [
        ("ok", False, None, 0),
        ("unavailable", False, None, 0),
        ("not-run", False, None, 0),
        ("failed", False, None, 1),
        ("wrong", False, None, 1),
        ("ok", True, signal.SIGTERM, 128 + signal.SIGTERM),
        ("ok", True, None, 128 + signal.SIGINT),  # a plain Ctrl-C
        ("ok", False, signal.SIGHUP, 128 + signal.SIGHUP),  # came while the file was written
    ],
)
def test_exit_status_says_what_became_of_the_models(
    status: str, partial: bool, signum: int | None, expected: int
) -> None:
    walls = [0.06] if status in ("ok", "wrong", "failed") else None
    row = model_result("trio", S, status=status, walls=walls, reason="why")  # type: ignore[arg-type]
    received = Received()
    received.signum = signum
    assert measuring.exit_status(results_file([(S, [row])], partial=partial), received) == expected


def test_the_latest_tables_go_beside_a_runs_folder_else_into_the_out_folder() -> None:
    assert measuring.latest_dir(Path("results") / "runs") == Path("results")
    assert measuring.latest_dir(Path("elsewhere")) == Path("elsewhere")
