"""Every model family's TCP client against one ints server: the ints, the sums, the seed's orders.

No absolute times: only sums, counts and finish orders are asserted.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import anyio
import pytest
import trio

from concurrency_bench.kinds.tcp import ServerHandle, TcpTarget
from concurrency_bench.kinds.tcp.clients import (
    SocketPool,
    StreamPool,
    open_process_connections,
    pooled_process_job,
    socket_job,
    stream_job,
)
from concurrency_bench.kinds.tcp.protocol import (
    REPLY_HEADER,
    ProtocolError,
    encode_request,
    reply_size,
)
from concurrency_bench.kinds.tcp.structured import StructuredPool, anyio_job, trio_job
from concurrency_bench.workload import JobRecord, Scenario, build_payloads, expected_sums

SMALL = Scenario.spread(24, 0.0, 0.01, ints_per_job=37, seed=11)
SEED = Scenario.seed_story(20)
"""The seed story at 20 ms a unit: delays 100, 160, 40 ms."""


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with ServerHandle() as handle:
        handle.start(SMALL)
        yield handle


@pytest.fixture(scope="module")
def seed_server() -> Iterator[ServerHandle]:
    with ServerHandle() as handle:
        handle.start(SEED)
        yield handle


def fetch_ints(target: TcpTarget, index: int, count: int) -> list[int]:
    """The raw ints the server sends for job `index`, decoded independently of the clients."""
    with socket.create_connection((target.host, target.port), timeout=10) as sock:
        sock.sendall(encode_request(target.token, index, 0.0))
        reply = b""
        while len(reply) < reply_size(count):
            chunk = sock.recv(reply_size(count) - len(reply))
            assert chunk, "server closed early"
            reply += chunk
    ints = array("H")
    ints.frombytes(reply[REPLY_HEADER.size :])
    if sys.byteorder == "big":
        ints.byteswap()
    return list(ints)


def test_server_sends_each_jobs_build_payloads_ints(server: ServerHandle) -> None:
    payloads = build_payloads(SMALL)
    for index in range(SMALL.jobs):
        assert fetch_ints(server.target, index, SMALL.ints_per_job) == list(payloads[index])


# -- one runner per family: (target, scenario) -> records in job order ------------------


def run_sync(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    count = scenario.ints_per_job
    return [socket_job(target, i, d, count) for i, d in enumerate(scenario.delays_s)]


def run_threads(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    jobs, count = scenario.jobs, scenario.ints_per_job
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(
            pool.map(socket_job, [target] * jobs, range(jobs), scenario.delays_s, [count] * jobs)
        )


def run_processes(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    jobs, count = scenario.jobs, scenario.ints_per_job
    with ProcessPoolExecutor(max_workers=2) as pool:
        return list(
            pool.map(socket_job, [target] * jobs, range(jobs), scenario.delays_s, [count] * jobs)
        )


async def _gather(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    count = scenario.ints_per_job
    return list(
        await asyncio.gather(
            *(stream_job(target, i, d, count) for i, d in enumerate(scenario.delays_s))
        )
    )


def run_asyncio(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    return asyncio.run(asyncio.wait_for(_gather(target, scenario), 30))


def run_uvloop(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    uvloop = pytest.importorskip("uvloop")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(asyncio.wait_for(_gather(target, scenario), 30))


def run_asyncio_pool(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    async def main() -> list[JobRecord]:
        async with StreamPool(target, 4) as pool:
            count = scenario.ints_per_job
            jobs = (pool.job(i, d, count) for i, d in enumerate(scenario.delays_s))
            return list(await asyncio.gather(*jobs))

    return asyncio.run(asyncio.wait_for(main(), 30))


def run_processes_pool(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    jobs, count = scenario.jobs, scenario.ints_per_job
    with ProcessPoolExecutor(
        max_workers=2, initializer=open_process_connections, initargs=(target,)
    ) as pool:
        return list(pool.map(pooled_process_job, range(jobs), scenario.delays_s, [count] * jobs))


def _structured_pool(kind: str, open_group: Callable[[], Any]) -> Any:
    async def main(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
        records: list[JobRecord] = [(0, 0, 0)] * scenario.jobs
        async with StructuredPool(target, 4, kind) as connections:

            async def one(index: int, delay: float) -> None:
                records[index] = await connections.job(index, delay, scenario.ints_per_job)

            async with open_group() as group:
                for index, delay in enumerate(scenario.delays_s):
                    group.start_soon(one, index, delay)
        return records

    return main


def run_trio_pool(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    return trio.run(_structured_pool("trio", trio.open_nursery), target, scenario)


def run_anyio_asyncio_pool(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    main = _structured_pool("anyio", anyio.create_task_group)
    return anyio.run(main, target, scenario, backend="asyncio")


def run_anyio_trio_pool(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    main = _structured_pool("anyio", anyio.create_task_group)
    return anyio.run(main, target, scenario, backend="trio")


def run_threads_pool(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    jobs, count = scenario.jobs, scenario.ints_per_job
    with SocketPool(target, 4) as sockets, ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(sockets.job, range(jobs), scenario.delays_s, [count] * jobs))


def _structured(job: Callable[..., object], open_group: Callable[[], object]) -> object:
    async def main(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
        records: list[JobRecord] = [(0, 0, 0)] * scenario.jobs

        async def one(index: int, delay: float) -> None:
            records[index] = await job(target, index, delay, scenario.ints_per_job)  # type: ignore[misc]

        async with open_group() as group:  # type: ignore[attr-defined]
            for index, delay in enumerate(scenario.delays_s):
                group.start_soon(one, index, delay)
        return records

    return main


def run_trio(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    main = _structured(trio_job, trio.open_nursery)
    return trio.run(main, target, scenario)  # type: ignore[arg-type]


def run_anyio_asyncio(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    main = _structured(anyio_job, anyio.create_task_group)
    return anyio.run(main, target, scenario, backend="asyncio")  # type: ignore[arg-type]


def run_anyio_trio(target: TcpTarget, scenario: Scenario) -> list[JobRecord]:
    main = _structured(anyio_job, anyio.create_task_group)
    return anyio.run(main, target, scenario, backend="trio")  # type: ignore[arg-type]


FAMILIES: dict[str, Callable[[TcpTarget, Scenario], list[JobRecord]]] = {
    "sync": run_sync,
    "threads": run_threads,
    "processes": run_processes,
    "asyncio": run_asyncio,
    "uvloop": run_uvloop,
    "trio": run_trio,
    "anyio-asyncio": run_anyio_asyncio,
    "anyio-trio": run_anyio_trio,
    "asyncio-pool": run_asyncio_pool,
    "threads-pool": run_threads_pool,
    "processes-pool": run_processes_pool,
    "trio-pool": run_trio_pool,
    "anyio-asyncio-pool": run_anyio_asyncio_pool,
    "anyio-trio-pool": run_anyio_trio_pool,
}
CONCURRENT = ["threads", "asyncio", "uvloop", "trio", "anyio-asyncio", "anyio-trio"]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_sums_the_servers_ints(server: ServerHandle, family: str) -> None:
    records = FAMILIES[family](server.target, SMALL)
    assert [value for _, _, value in records] == expected_sums(build_payloads(SMALL))
    assert all(finish >= start for start, finish, _ in records)


def finish_ranks(records: Sequence[JobRecord]) -> list[int]:
    order = sorted(range(len(records)), key=lambda index: records[index][1])
    ranks = [0] * len(order)
    for rank, index in enumerate(order, start=1):
        ranks[index] = rank
    return ranks


@pytest.mark.parametrize("family", CONCURRENT)
def test_seed_story_concurrent_finishes_2_3_1(seed_server: ServerHandle, family: str) -> None:
    records = FAMILIES[family](seed_server.target, SEED)
    assert finish_ranks(records) == [2, 3, 1]
    assert [value for _, _, value in records] == expected_sums(build_payloads(SEED))


def test_seed_story_sequential_finishes_1_2_3(seed_server: ServerHandle) -> None:
    records = run_sync(seed_server.target, SEED)
    assert finish_ranks(records) == [1, 2, 3]
    # Sequential: each job starts after the previous one finished.
    assert records[1][0] >= records[0][1] and records[2][0] >= records[1][1]


def test_keep_alive_serves_several_jobs_on_one_connection(server: ServerHandle) -> None:
    before = server.stats()
    with SocketPool(server.target, 1) as pool:
        values = [pool.job(i, 0.0, SMALL.ints_per_job)[2] for i in range(SMALL.jobs)]
    delta = server.stats().minus(before)
    assert values == expected_sums(build_payloads(SMALL))
    assert delta.requests == SMALL.jobs
    assert delta.connections == 2  # the pool's one connection and the second stats query


def test_a_request_for_another_scenario_is_refused(server: ServerHandle) -> None:
    wrong = TcpTarget(server.target.host, server.port, server.token ^ 1)
    with pytest.raises(ProtocolError, match="refused"):
        socket_job(wrong, 0, 0.0, SMALL.ints_per_job)
    with pytest.raises(ProtocolError, match="refused"):
        socket_job(server.target, SMALL.jobs, 0.0, SMALL.ints_per_job)


def test_stats_count_requests_and_cpu(server: ServerHandle) -> None:
    before = server.stats()
    run_sync(server.target, SMALL)
    delta = server.stats().minus(before)
    assert delta.requests == SMALL.jobs
    assert delta.cpu_s >= 0 and delta.handler_s >= 0
