"""Quick comparison of the TCP clients per model family, per-job connections and shared ones.

Run: python benchmarks/compare_tcp_clients.py [--jobs 1000] [--delay-ms 50] [--rounds 5].
One ints server for every family (pinned by default_placement, the client on the other CPUs);
prints per family the median wall of `rounds` rounds after one warm-up, and the server's busy
fraction (its CPU time over the round's wall time). Not the engine: a sanity check of the
clients and of the server's headroom before the engine integrates them.
"""

from __future__ import annotations

import asyncio
import functools
import statistics
import threading
from collections.abc import Callable

import trio

from _bare import timed_rounds, workload, workload_parser
from concurrency_bench.kinds.servers import default_placement, pin_client
from concurrency_bench.kinds.tcp import ServerHandle, TcpTarget
from concurrency_bench.kinds.tcp.clients import SocketPool, StreamPool, socket_job, stream_job
from concurrency_bench.kinds.tcp.structured import trio_job
from concurrency_bench.workload import JobRecord, Scenario, build_payloads, expected_sums

Run = Callable[[TcpTarget, Scenario, int], list[JobRecord]]


async def _gather(target: TcpTarget, scenario: Scenario, connections: int) -> list[JobRecord]:
    count = scenario.ints_per_job
    pairs = list(enumerate(scenario.delays_s))
    if not connections:
        return list(await asyncio.gather(*(stream_job(target, i, d, count) for i, d in pairs)))
    async with StreamPool(target, connections) as pool:
        return list(await asyncio.gather(*(pool.job(i, d, count) for i, d in pairs)))


def run_asyncio(target: TcpTarget, scenario: Scenario, connections: int) -> list[JobRecord]:
    return asyncio.run(_gather(target, scenario, connections))


def run_uvloop(target: TcpTarget, scenario: Scenario, connections: int) -> list[JobRecord]:
    import uvloop  # noqa: PLC0415

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_gather(target, scenario, connections))


def run_trio(target: TcpTarget, scenario: Scenario, connections: int) -> list[JobRecord]:
    records: list[JobRecord] = [(0, 0, 0)] * scenario.jobs

    async def main() -> None:
        async def one(index: int, delay: float) -> None:
            records[index] = await trio_job(target, index, delay, scenario.ints_per_job)

        async with trio.open_nursery() as nursery:
            for index, delay in enumerate(scenario.delays_s):
                nursery.start_soon(one, index, delay)

    trio.run(main)
    return records


def run_threads(target: TcpTarget, scenario: Scenario, connections: int) -> list[JobRecord]:
    records: list[JobRecord] = [(0, 0, 0)] * scenario.jobs
    pool = SocketPool(target, connections) if connections else None
    count = scenario.ints_per_job

    def one(index: int, delay: float) -> None:
        if pool is None:
            records[index] = socket_job(target, index, delay, count)
        else:
            records[index] = pool.job(index, delay, count)

    threads = [threading.Thread(target=one, args=pair) for pair in enumerate(scenario.delays_s)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if pool is not None:
        pool.close()
    return records


FAMILIES: dict[str, tuple[Run, bool]] = {
    "asyncio": (run_asyncio, True),
    "uvloop": (run_uvloop, True),
    "trio": (run_trio, False),
    "threads": (run_threads, True),
}


def main() -> None:
    """Measure every family in both connection modes and print one line each."""
    parser = workload_parser(__doc__)
    parser.add_argument("--connections", type=int, default=100)
    args = parser.parse_args()
    scenario = workload(args)
    expected = expected_sums(build_payloads(scenario))
    placement = default_placement()
    pin_client(placement)
    with ServerHandle(placement=placement) as server:
        server.start(scenario)
        print(f"{scenario.name}, {server.info['loop']} server, {placement.settings()}")
        for name, (run, pools) in FAMILIES.items():
            for connections in (0, args.connections) if pools else (0,):
                walls, busy = timed_rounds(
                    functools.partial(run, server.target, scenario, connections),
                    args.rounds,
                    lambda records: [value for _, _, value in records] == expected,
                    warmup=args.warmup,
                    server=server,
                    name=name,
                )
                mode = f"{connections} shared" if connections else "per job"
                print(
                    f"{name:8} {mode:11} median {statistics.median(walls) * 1000:7.1f} ms "
                    f"(min {min(walls) * 1000:7.1f}) server busy {statistics.median(busy):.2f}"
                )


if __name__ == "__main__":
    main()
