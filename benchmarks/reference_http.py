"""The HTTP fidelity reference: asyncio + aiohttp, one ClientSession per round, against the
uvicorn server the engine starts for `--io http`.

Run: python benchmarks/reference_http.py [--jobs 1000] [--delay-ms 50] [--rounds 5]
[--against-engine PAIRS]. The server (concurrency_bench.kinds.http, the same one) runs in its
own pinned process, started before the first round. Only `time.perf_counter` sits around
`asyncio.run` (_bare.timed_rounds); the client code is written out here as a user would write
it. As the engine's worker does, it collects the garbage before each round and freezes what its
start-up made before the payloads exist.

With `--against-engine PAIRS` it measures each job count PAIRS times on both sides, in
alternating order to cancel drift: `--rounds` fresh bare processes of one warm-up and one round
each, and an engine run (`run --io http --models asyncio-gather --clients aiohttp ... --json`,
whose workers do the same). It prints the medians of each side's medians, their ratio (the
fidelity target is within 5%), the server's busy fraction and the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from functools import partial
from typing import Any

import aiohttp

from _bare import timed_rounds, workload_parser
from concurrency_bench.kinds.http.handle import HttpServer, query_counters
from concurrency_bench.kinds.servers import ServerCounters, default_placement, pin_client
from concurrency_bench.workload import Scenario, build_payloads, expected_sums
from reference_gather import _environment, _median, alternate, engine_run


async def gather(base: str, scenario: Scenario) -> list[int]:
    """Every job at once through one session with aiohttp's default connector."""
    async with aiohttp.ClientSession() as session:

        async def job(index: int, delay_s: float) -> int:
            async with session.get(f"{base}{index}/{round(delay_s * 1e9)}") as response:
                body = await response.read()
            return sum(memoryview(body).cast("H"))

        return await asyncio.gather(*(job(i, d) for i, d in enumerate(scenario.delays_s)))


class Counters:
    """The HTTP server's counters (GET /stats), read between rounds by _bare.timed_rounds."""

    def __init__(self, server: HttpServer) -> None:
        self.port = server.port

    def stats(self) -> ServerCounters:
        """CPU seconds and requests answered so far."""
        return query_counters("127.0.0.1", self.port)


def bare(jobs: int, args: argparse.Namespace) -> dict[str, Any]:
    """Time `rounds` runs after `warmup` untimed ones: each round's wall and server busy."""
    scenario = Scenario.uniform(jobs, args.delay_ms / 1000, ints_per_job=args.ints)
    placement = default_placement()
    pin_client(placement)
    with HttpServer(placement=placement) as server:
        server.start(scenario)
        base = f"http://127.0.0.1:{server.port}/job/{server.token}/"
        gc.collect()
        gc.freeze()  # as the worker: what start-up made is not scanned by the round's collections
        expected = expected_sums(build_payloads(scenario))
        walls, busy = timed_rounds(
            lambda: asyncio.run(gather(base, scenario)),
            args.rounds,
            lambda sums: sums == expected,
            warmup=args.warmup,
            server=Counters(server),
            collect=True,
        )
    return {"name": scenario.name, "wall_s": walls, "server_busy": busy}


def bare_processes(jobs: int, args: argparse.Namespace) -> dict[str, Any]:
    """`rounds` bare measurements, each in a fresh process (and server) after its own warm-up,
    as the engine's workers run by default."""
    command = [sys.executable, __file__, "--jobs", str(jobs), "--machine", "--rounds", "1"]
    for flag in ("delay_ms", "ints", "warmup"):
        command += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    walls, busy = [], []
    for _ in range(args.rounds):
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, env=_environment()
        )
        figures = json.loads(done.stdout)
        walls += figures["wall_s"]
        busy += figures["server_busy"]
    return {"wall_s": walls, "server_busy": busy}


def against_engine(counts: Sequence[int], args: argparse.Namespace, pairs: int) -> None:
    """Alternate bare and engine runs per job count; print one fidelity row per count."""
    extra = ("--io", "http", "--clients", "aiohttp")
    print("| jobs | bare wall | engine wall | engine / bare | server busy (bare / engine) | load |")
    print("|---:|---:|---:|---:|---:|---:|")
    for jobs in counts:
        sides, load = alternate(
            pairs, partial(bare_processes, jobs, args), partial(engine_run, jobs, args, extra)
        )
        bare_wall, engine_wall = (_median(sides[side], "wall_s") for side in ("bare", "engine"))
        busy = [_median(sides[side], "server_busy") for side in ("bare", "engine")]
        print(
            f"| {jobs:,} | {bare_wall:.4f} s | {engine_wall:.4f} s | "
            f"{engine_wall / bare_wall:.3f} | {busy[0]:.0%} / {busy[1]:.0%} | {load:.1f} |",
            flush=True,
        )


def main() -> None:
    """Bare rounds at each job count, or (--against-engine) the fidelity table."""
    parser = workload_parser(__doc__, many_jobs=True)
    parser.add_argument("--against-engine", type=int, metavar="PAIRS", default=0)
    parser.add_argument("--machine", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against_engine:
        against_engine(args.jobs, args, args.against_engine)
        return
    for jobs in args.jobs:
        figures = bare(jobs, args)
        if args.machine:
            print(json.dumps(figures))
            continue
        walls = figures["wall_s"]
        shown = ", ".join(f"{w * 1000:.1f}" for w in walls)
        print(f"reference asyncio + aiohttp {figures['name']}: rounds ms [{shown}]")
        print(
            f"median wall {statistics.median(walls) * 1000:.1f} ms, min {min(walls) * 1000:.1f} "
            f"ms, server busy {statistics.median(figures['server_busy']):.0%}"
        )


if __name__ == "__main__":
    main()
