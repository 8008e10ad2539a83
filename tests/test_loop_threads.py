"""asyncio-threads and uvloop-threads: every job on one of N loops, each loop with its own
connections, the sums right and the waits overlapping over timers, TCP and HTTP; never times."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from concurrency_bench.engine import EngineOptions, measure_all
from concurrency_bench.kinds.base import loop_share
from concurrency_bench.kinds.registry import HTTP_CLIENTS, get_kind
from concurrency_bench.kinds.timer import TimerJobs
from concurrency_bench.runners import REGISTRY, ModelSpec
from concurrency_bench.runners.asyncio_threads import AsyncioThreadsRunner
from concurrency_bench.workload import Scenario

LOOP_MODELS = [
    pytest.param(
        REGISTRY[name],
        id=name,
        marks=pytest.mark.skipif(
            not REGISTRY[name].available, reason=str(REGISTRY[name].unavailable_reason())
        ),
    )
    for name in ("asyncio-threads", "uvloop-threads")
]
DELAY_S = 0.1
WIDE = Scenario.uniform(60, DELAY_S, ints_per_job=20, seed=3)
ONE_ROUND = EngineOptions(rounds=1, warmup=0, timeout_s=120, pool_size=3)


def test_connections_are_split_between_loops_adding_up() -> None:
    assert [loop_share(10, loop, 3) for loop in range(3)] == [4, 3, 3]
    assert sum(loop_share(7, loop, 7) or 0 for loop in range(7)) == 7
    assert loop_share(None, 0, 4) is None
    assert loop_share(1, 1, 2) == 1  # never no connection at all


class _Recording(TimerJobs):
    """The timer's jobs, noting which thread entered them and with how many jobs."""

    def __init__(self) -> None:
        self.entered: list[tuple[threading.Thread, int]] = []

    def per_loop(self, loop: int, loops: int) -> _Recording:
        return self

    def asyncio_jobs(self, at_once: int):  # type: ignore[no-untyped-def]
        self.entered.append((threading.current_thread(), at_once))
        return super().asyncio_jobs(at_once)


def test_each_loop_runs_on_its_own_thread_over_its_share() -> None:
    io = _Recording()
    runner = AsyncioThreadsRunner(pool_size=3, io=io)
    assert runner.setup(10)["threads"] == 3
    delays: Sequence[float] = [0.001] * 10
    records = runner.run(delays, [[index] for index in range(10)])
    assert [value for _, _, value in records] == list(range(10))  # job order kept
    assert sorted(at_once for _, at_once in io.entered) == [3, 3, 4]
    threads = {thread for thread, _ in io.entered}  # kept alive: never one object twice
    assert len(threads) == 3 and threading.current_thread() not in threads
    assert AsyncioThreadsRunner(pool_size=50).setup(4)["threads"] == 4  # no idle loop


def _check_rows(spec: ModelSpec, scenarios: list[Scenario]) -> None:
    results = measure_all([spec], scenarios, ONE_ROUND)
    for block in results.scenarios:
        row = block.models[0]
        assert row.status == "ok", (block.scenario.name, row.reason)
        assert row.settings["threads"] == 3
        # the jobs waited at once (as many as the connections let): far under the sum of delays
        at_once = spec.concurrency(block.scenario.jobs, None, block.scenario.connections)
        assert row.rounds[0].wall_s < sum(block.scenario.delays_s) / min(10, at_once / 2)
        assert row.lateness is not None


@pytest.mark.parametrize("spec", LOOP_MODELS)
def test_loop_threads_sum_right_and_overlap_on_timers_and_tcp(spec: ModelSpec) -> None:
    _check_rows(spec, [WIDE, WIDE.with_io("tcp"), WIDE.with_io("tcp", 6)])


@pytest.mark.parametrize("spec", LOOP_MODELS)
def test_loop_threads_sum_right_and_overlap_over_http(spec: ModelSpec) -> None:
    http = get_kind("http")
    if http.unavailable_reason() is not None:
        pytest.skip(str(http.unavailable_reason()))
    usable = [client.name for client in http.clients_for(spec.name)]
    assert usable == ["aiohttp", "httpx"]
    for client in HTTP_CLIENTS:
        if client.name in usable:
            _check_rows(spec.with_client(client), [WIDE.with_io("http")])
