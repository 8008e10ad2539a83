"""The fidelity reference: asyncio.gather of the same job code, timed with nothing else around.

Run: python benchmarks/reference_gather.py [--jobs 1000,10000,100000] [--delay-ms 50]
[--ints 10] [--rounds 5] [--against-engine PAIRS]. Only the clock sits around `asyncio.run`
(_bare.timed_rounds): no worker, no records kept, no statistics module. As the engine does,
it collects the garbage before each round and freezes (gc.freeze) what its start-up made
before the payloads exist, so a round's collections scan the workload's objects only
(`--no-freeze`: a script that does not; how many full collections a round of 100,000 tasks
makes then depends on how many objects the script's imports left alive).

With `--against-engine PAIRS` it measures each job count PAIRS times on both sides, in
alternating order to cancel drift: `--rounds` fresh bare processes of one warm-up and one
round each, and an engine run (`run --models asyncio-gather ... --json`, whose workers do
the same). It prints the medians of each side's medians, their ratio (the fidelity target is
within 2%), the engine's GC share and the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from _bare import timed_rounds, workload_parser
from concurrency_bench.workload import JobRecord, Scenario, async_job, build_payloads

Run = dict[str, Any]
"""One side's figures of one run: wall, CPU, GC share (and the server's busy fraction)."""

ROOT = Path(__file__).resolve().parents[1]


async def gather(delays: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
    """Every job at once, as a user would write it."""
    return await asyncio.gather(
        *(async_job(delay, ints, asyncio.sleep) for delay, ints in zip(delays, payloads))
    )


def bare(
    jobs: int, delay_ms: float, ints: int, rounds: int, warmup: int, freeze: bool
) -> dict[str, Any]:
    """Time `rounds` runs after `warmup` untimed ones: wall and CPU seconds of each round."""
    scenario = Scenario.uniform(jobs, delay_ms / 1000, ints_per_job=ints)
    if freeze:
        gc.collect()
        gc.freeze()
    delays, payloads = scenario.delays_s, build_payloads(scenario)
    cpu: list[float] = []

    def run() -> list[JobRecord]:
        before = time.process_time()
        records = asyncio.run(gather(delays, payloads))
        cpu.append(time.process_time() - before)
        return records

    walls, _ = timed_rounds(
        run,
        rounds,
        lambda records: [value for _, _, value in records] == [sum(ints) for ints in payloads],
        warmup=warmup,
        collect=True,
    )
    return {"name": scenario.name, "wall_s": walls, "cpu_s": cpu[warmup:]}


def _environment() -> dict[str, str]:
    """This interpreter's environment with the package's source root on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), str(ROOT / "benchmarks"), env.get("PYTHONPATH")) if p
    )
    return env


def bare_processes(jobs: int, args: argparse.Namespace) -> dict[str, Any]:
    """`rounds` bare measurements, each in a fresh process after its own warm-up, as the
    engine's workers run by default (in one process, rounds at 100,000 jobs drift upward)."""
    command = [sys.executable, __file__, "--jobs", str(jobs), "--machine", "--rounds", "1"]
    for flag in ("delay_ms", "ints", "warmup"):
        command += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    if not args.freeze:
        command.append("--no-freeze")
    walls, cpus = [], []
    for _ in range(args.rounds):
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, env=_environment()
        )
        figures = json.loads(done.stdout)
        walls += figures["wall_s"]
        cpus += figures["cpu_s"]
    return {"wall_s": walls, "cpu_s": cpus}


def engine_run(jobs: int, args: argparse.Namespace, extra: Sequence[str] = ()) -> dict[str, Any]:
    """One engine run of asyncio-gather on the same workload (`extra`: more of its options,
    `--io http --clients aiohttp`): its rounds' wall, CPU, GC and server busy fraction."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "concurrency_bench", "run", "--models", "asyncio-gather"]
        command += ["--jobs", str(jobs), "--json", "--quiet", "--out", out, *extra]
        for flag in ("delay_ms", "ints", "rounds", "warmup"):
            command += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, env=_environment()
        )
    results = json.loads(done.stdout)
    model = results["scenarios"][0]["models"][0]
    rounds = [r for run in model["runs"] for r in run["values"]]
    return {
        "wall_s": [r["wall_s"] for r in rounds],
        "cpu_s": [r["cpu_s"] for r in rounds],
        "gc_share": [sum(r["gc"]["seconds"]) / r["wall_s"] for r in rounds if "gc" in r],
        "server_busy": [r["server_busy"] for r in rounds if r.get("server_busy") is not None],
    }


def _median(runs: Sequence[dict[str, Any]], key: str) -> float:
    """The median of the runs' medians of `key`."""
    return statistics.median(statistics.median(run[key]) for run in runs)


def alternate(
    pairs: int, bare_run: Callable[[], Run], engine_side: Callable[[], Run]
) -> tuple[dict[str, list[Run]], float]:
    """`pairs` bare and engine runs, each pair in the other order than the last, so a drift of
    the machine falls on both sides; the runs by side and the median 1-minute load."""
    sides: dict[str, list[Run]] = {"bare": [], "engine": []}
    loads = []
    for pair in range(pairs):
        order = ("bare", "engine") if pair % 2 == 0 else ("engine", "bare")
        for side in order:
            sides[side].append(bare_run() if side == "bare" else engine_side())
        loads.append(os.getloadavg()[0])
    return sides, statistics.median(loads)


def against_engine(counts: Sequence[int], args: argparse.Namespace, pairs: int) -> None:
    """Alternate bare and engine runs per job count; print one fidelity row per count."""
    print(
        "| jobs | bare wall | engine wall | engine / bare | bare CPU | engine CPU "
        "| engine / bare (CPU) | engine GC share | load (1 min) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for jobs in counts:
        sides, load = alternate(
            pairs, partial(bare_processes, jobs, args), partial(engine_run, jobs, args)
        )
        bare_wall, engine_wall = (
            _median(sides["bare"], "wall_s"),
            _median(sides["engine"], "wall_s"),
        )
        bare_cpu, engine_cpu = _median(sides["bare"], "cpu_s"), _median(sides["engine"], "cpu_s")
        share = _median(sides["engine"], "gc_share")
        print(
            f"| {jobs:,} | {bare_wall:.4f} s | {engine_wall:.4f} s | "
            f"{engine_wall / bare_wall:.3f} | {bare_cpu:.4f} s | {engine_cpu:.4f} s | "
            f"{engine_cpu / bare_cpu:.3f} | {share:.0%} | {load:.1f} |",
            flush=True,
        )


def main() -> None:
    """Bare rounds at each job count, or (--against-engine) the fidelity table."""
    parser = workload_parser(__doc__, many_jobs=True)
    parser.add_argument("--against-engine", type=int, metavar="PAIRS", default=0)
    parser.add_argument("--no-freeze", dest="freeze", action="store_false")
    parser.add_argument("--machine", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against_engine:
        against_engine(args.jobs, args, args.against_engine)
        return
    for jobs in args.jobs:
        figures = bare(jobs, args.delay_ms, args.ints, args.rounds, args.warmup, args.freeze)
        if args.machine:
            print(json.dumps(figures))
            continue
        walls = figures["wall_s"]
        median = statistics.median(walls)
        shown = ", ".join(f"{w * 1000:.2f}" for w in walls)
        print(f"reference asyncio.gather {figures['name']}: rounds ms [{shown}]")
        print(f"median wall {median * 1000:.3f} ms, min {min(walls) * 1000:.3f} ms")


if __name__ == "__main__":
    main()
