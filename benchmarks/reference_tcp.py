"""The TCP fidelity reference: asyncio clients, one connection per job, against the ints server.

Run: python benchmarks/reference_tcp.py [--jobs 1000] [--delay-ms 50] [--rounds 5].
The server (concurrency_bench.kinds.tcp, the same one the engine starts) runs in its own process,
started before and stopped after every round. Only `time.perf_counter` sits around
`asyncio.run` (_bare.timed_rounds); the client code is written out here as a user would
write it. The engine's `asyncio-gather + streams` median with `--io tcp` on the same scenario
should be within 5% of the median printed here (issue 9's fidelity target).
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable

from _bare import timed_rounds, workload, workload_parser
from concurrency_bench.kinds.servers import (
    Placement,
    default_placement,
    pin_client,
    server_only_placement,
    unpinned,
)
from concurrency_bench.kinds.tcp import ServerHandle
from concurrency_bench.kinds.tcp.protocol import encode_request, reply_size, sum_reply
from concurrency_bench.workload import Scenario, build_payloads, expected_sums

PLACEMENTS: dict[str, Callable[[], Placement]] = {
    "split": default_placement,
    "server": server_only_placement,
    "none": unpinned,
}


async def job(port: int, token: int, index: int, delay_s: float, count: int) -> int:
    """Connect, ask for job `index`, read its reply, close; the sum of its ints."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(encode_request(token, index, delay_s))
    reply = await reader.readexactly(reply_size(count))
    writer.close()
    await writer.wait_closed()
    return sum_reply(reply, count)


async def gather(port: int, token: int, scenario: Scenario) -> list[int]:
    """Every job at once."""
    count = scenario.ints_per_job
    return await asyncio.gather(
        *(job(port, token, index, delay, count) for index, delay in enumerate(scenario.delays_s))
    )


def main() -> None:
    """Time `rounds` runs (after `warmup` untimed ones); print them, their median, server load."""
    parser = workload_parser(__doc__)
    parser.add_argument(
        "--placement",
        choices=tuple(PLACEMENTS),
        default="split",
        help="split: server on the last CPU, client on the others; server: only the server "
        "pinned; none: nothing pinned",
    )
    args = parser.parse_args()

    scenario = workload(args)
    expected = expected_sums(build_payloads(scenario))
    placement = PLACEMENTS[args.placement]()
    pin_client(placement)
    with ServerHandle(placement=placement) as server:
        server.start(scenario)
        port, token = server.port, server.token
        walls, busy = timed_rounds(
            lambda: asyncio.run(gather(port, token, scenario)),
            args.rounds,
            lambda sums: sums == expected,
            warmup=args.warmup,
            server=server,
            collect=True,
        )
        loop = server.info["loop"]

    median = statistics.median(walls)
    shown = ", ".join(f"{w * 1000:.1f}" for w in walls)
    print(f"reference asyncio TCP {scenario.name} ({loop} server, {placement.settings()}):")
    print(f"  rounds ms [{shown}]")
    print(f"  median wall {median * 1000:.1f} ms, min {min(walls) * 1000:.1f} ms")
    print(f"  server busy fraction median {statistics.median(busy):.2f}, max {max(busy):.2f}")


if __name__ == "__main__":
    main()
