"""The fidelity reference: asyncio.gather of the same job code, timed with nothing else around.

Run: python benchmarks/reference_gather.py [--jobs 1000] [--delay-ms 50] [--rounds 5].
Only `time.perf_counter` sits around `asyncio.run` (_bare.timed_rounds): no worker, no
records kept, no statistics module. The engine's median wall for `--models asyncio-gather`
on the same scenario should be within 2% of the median printed here (issue 3's fidelity
target).
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Sequence

from _bare import timed_rounds, workload, workload_parser
from concurrency_bench.workload import JobRecord, async_job, build_payloads


async def gather(delays: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
    """Every job at once, as a user would write it."""
    return await asyncio.gather(
        *(async_job(delay, ints, asyncio.sleep) for delay, ints in zip(delays, payloads))
    )


def main() -> None:
    """Time `rounds` runs (after `warmup` untimed ones) and print the median wall time."""
    parser = workload_parser(__doc__)
    args = parser.parse_args()

    scenario = workload(args)
    delays, payloads = scenario.delays_s, build_payloads(scenario)
    walls, _ = timed_rounds(
        lambda: asyncio.run(gather(delays, payloads)),
        args.rounds,
        lambda records: [value for _, _, value in records] == [sum(ints) for ints in payloads],
        warmup=args.warmup,
    )

    median = statistics.median(walls)
    shown = ", ".join(f"{w * 1000:.2f}" for w in walls)
    print(f"reference asyncio.gather {scenario.name}: rounds ms [{shown}]")
    print(f"median wall {median * 1000:.3f} ms, min {min(walls) * 1000:.3f} ms")


if __name__ == "__main__":
    main()
