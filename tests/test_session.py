"""engine/session.py: whatever a worker sends or does, the model gets a row that says so."""

from __future__ import annotations

import sys

import pytest

from concurrency_bench.engine import EngineOptions, measure_pairs
from concurrency_bench.engine import session as session_module
from concurrency_bench.engine.protocol import PROTOCOL_VERSION
from concurrency_bench.results import ModelResult
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario

TINY = Scenario.uniform(3, 0.01, ints_per_job=5)
READY = f'{{"type":"ready","protocol":{PROTOCOL_VERSION},"pid":42,"settings":{{}}}}'
ROUND = '{"type":"round","index":1,"values":{"wall_s":0.0101,"cpu_s":0.0,"overhead_s":0.0001}}'


def row_from_fake_worker(monkeypatch: pytest.MonkeyPatch, *lines: str) -> ModelResult:
    """The row the engine makes of a 'worker' that prints these lines and exits 0."""
    script = "import sys; sys.stdout.write(sys.argv[1])"
    command = [sys.executable, "-c", script, "".join(line + "\n" for line in lines)]
    monkeypatch.setattr(session_module, "worker_command", lambda: command)
    options = EngineOptions(rounds=1, warmup=0, timeout_s=30)
    return measure_pairs([(TINY, REGISTRY["asyncio-gather"])], options).results[0]


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (
            ["Segmentation fault"],
            "worker sent a malformed message: JSON is malformed: invalid character (byte 0) "
            "(starting the worker)",
        ),
        (
            [f'{{"type":"ready","protocol":{PROTOCOL_VERSION},"settings":{{}}}}'],
            "worker sent a malformed message: Object missing required field `pid` "
            "(starting the worker)",
        ),
        (
            [READY, ROUND.replace('"index":1', '"index":1,"pid":7')],
            "worker sent a malformed message: Object contains unknown field `pid` "
            "(in round 1 of 1)",
        ),
        (
            ['{"type":"ready","protocol":99,"pid":1,"settings":{},"new":1}'],
            f"worker sent a malformed message: the worker speaks protocol 99, the engine "
            f"{PROTOCOL_VERSION} (starting the worker)",
        ),
        (
            [ROUND],
            "worker sent a malformed message: `RoundDone` came before `Ready` "
            "(starting the worker)",
        ),
        (
            [
                READY,
                '{"type":"result","mismatch":null,"lateness":null,"rss_before_bytes":null,'
                '"rss_peak_bytes":null,"jobs":null}',
            ],
            "worker returned 0 rounds, expected 1 (in round 1 of 1)",
        ),
        ([READY, ROUND], "worker exited with status 0 (after the last round)"),
    ],
    ids=["garbage", "missing", "unknown", "version", "order", "short", "silent"],
)
def test_a_worker_that_breaks_the_protocol_is_a_failed_row(
    monkeypatch: pytest.MonkeyPatch, lines: list[str], reason: str
) -> None:
    row = row_from_fake_worker(monkeypatch, *lines)
    assert (row.status, row.reason) == ("failed", reason)
    assert row.runs == () and not row.ranked


def test_a_fake_worker_that_follows_the_protocol_is_a_row(monkeypatch: pytest.MonkeyPatch) -> None:
    result = (
        '{"type":"result","mismatch":null,"rss_before_bytes":10,"rss_peak_bytes":30,"jobs":null,'
        '"lateness":{"points":[0.001,0.002,0.003],"count":3,"max_s":0.003}}'
    )
    row = row_from_fake_worker(monkeypatch, READY, ROUND, result)
    assert row.status == "ok", row.reason
    (run,) = row.runs
    assert (run.pid, run.warmups, run.values[0].wall_s) == (42, (), 0.0101)
    assert run.lateness is not None and run.lateness.p50_s == pytest.approx(0.002)
    assert row.lateness == run.lateness
    assert (row.rss_before_bytes, row.rss_peak_bytes) == (10, 30)
