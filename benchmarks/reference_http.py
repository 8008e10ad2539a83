"""The HTTP fidelity reference: asyncio + aiohttp, one ClientSession per round, against the
uvicorn server the engine starts for `--io http`.

Run: python benchmarks/reference_http.py [--jobs 1000] [--delay-ms 50] [--rounds 5].
The server (concurrency_bench.kinds.http, the same one) runs in its own pinned process for the
whole run. Only `time.perf_counter` sits around `asyncio.run` (_bare.timed_rounds); the client
code is written out here as a user would write it. The engine's `asyncio-gather + aiohttp`
median on the same scenario should be within 5% of the median printed here.
"""

from __future__ import annotations

import asyncio
import statistics

import aiohttp

from _bare import timed_rounds, workload, workload_parser
from concurrency_bench.kinds.http.handle import HttpServer
from concurrency_bench.kinds.servers import default_placement, pin_client
from concurrency_bench.workload import Scenario, build_payloads, expected_sums


async def gather(base: str, scenario: Scenario) -> list[int]:
    """Every job at once through one session with aiohttp's default connector."""
    async with aiohttp.ClientSession() as session:

        async def job(index: int, delay_s: float) -> int:
            async with session.get(f"{base}{index}/{round(delay_s * 1e9)}") as response:
                body = await response.read()
            return sum(memoryview(body).cast("H"))

        return await asyncio.gather(*(job(i, d) for i, d in enumerate(scenario.delays_s)))


def main() -> None:
    """Time `rounds` runs (after `warmup` untimed ones); print them and their median."""
    args = workload_parser(__doc__).parse_args()
    scenario = workload(args)
    expected = expected_sums(build_payloads(scenario))
    placement = default_placement()
    pin_client(placement)
    with HttpServer(placement=placement) as server:
        server.start(scenario)
        base = f"http://127.0.0.1:{server.port}/job/{server.token}/"
        walls, _ = timed_rounds(
            lambda: asyncio.run(gather(base, scenario)),
            args.rounds,
            lambda sums: sums == expected,
            warmup=args.warmup,
        )
    median = statistics.median(walls)
    shown = ", ".join(f"{w * 1000:.1f}" for w in walls)
    print(f"reference asyncio + aiohttp {scenario.name} ({placement.settings()}):")
    print(f"  rounds ms [{shown}]")
    print(f"  median wall {median * 1000:.1f} ms, min {min(walls) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
