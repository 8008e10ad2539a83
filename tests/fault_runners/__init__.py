"""Test-only models that misbehave on purpose, one module each (like runners/), never registered.

Tests hand their specs (SPECS) to the engine directly; a CLI subprocess calls `register()`
first (tests/cli_process.py's `cli(..., faults=True)`), and so does `cli_in_process(...,
faults=True)` in pytest's process, for that one call (the registry is put back after it).
The worker imports them through the parent's sys.path, which it is sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.runners import REGISTRY, ModelSpec
from concurrency_bench.workload import JobRecord

HANG_MARKER_ENV = "CONCURRENCY_BENCH_TEST_HANG_MARKER"
"""If set, the hanging model writes its pid to this path when it starts hanging."""
LATER_LOG_ENV = "CONCURRENCY_BENCH_TEST_LATER_LOG"
"""If set, the `later` model logs each worker's pid to this file and misbehaves from the second."""
LATER_MODE_ENV = "CONCURRENCY_BENCH_TEST_LATER_MODE"
"""How the `later` model misbehaves in later workers: raise (the default), wrong or settings."""
RAISE_MESSAGE_ENV = "CONCURRENCY_BENCH_TEST_RAISE_MESSAGE"
"""If set, the `raises` model raises with this message (hostile text for the outputs' tests)."""
SLOW_FRACTION_ENV = "CONCURRENCY_BENCH_TEST_SLOW_FRACTION"
"""If set (e.g. 0.5), the `slow` model waits that much longer than each job's delay."""


def _spec(name: str, description: str, **kwargs: object) -> ModelSpec:
    return ModelSpec(f"fault-{name}", f"{__name__}.{name}", description, **kwargs)  # type: ignore[arg-type]


SPECS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        _spec("kill", "SIGKILLs its own worker in the first round"),
        _spec("hang", "sleeps for a minute in run(), far past any test timeout"),
        _spec(
            "raises", "raises RuntimeError in run() (with $CONCURRENCY_BENCH_TEST_RAISE_MESSAGE)"
        ),
        _spec("wrong", "returns job 0's sum plus one"),
        _spec("memory", "asks for a terabyte: a real MemoryError"),
        _spec("noisy", "prints to stdout and stderr, then sums correctly"),
        _spec("needs_gc_off", "raises unless the garbage collector is disabled"),
        _spec("later", "right in its first worker process, raises or sums wrong in later ones"),
        _spec("missing", "needs a package nobody has", requires=("no_such_package_for_tests",)),
        _spec("pool_hang", "the processes model, marking when its round starts", pooled=True),
        _spec(
            "slow", "asyncio.gather, each delay stretched by $CONCURRENCY_BENCH_TEST_SLOW_FRACTION"
        ),
        _spec("garbage", "leaves cyclic garbage in many containers, then sums correctly"),
        _spec("frozen", "raises unless the harness is frozen (gc.freeze) and its payloads not"),
        _spec("cpu_short", "does each job's CPU work (--cpu-ms) one step short"),
    )
}


def register() -> None:
    """Make every fault model a name this process's CLI accepts (in pytest's own process only
    within one `cli_in_process` call)."""
    REGISTRY.update(SPECS)


def correct_records(payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
    """Right sums with dummy times, for models whose point is something else."""
    return [(0, 1, sum(ints)) for ints in payloads]
