"""The CPU share of a job (`--cpu-ms`): a fixed number of steps of an integer recurrence.

After its wait, a job runs `iterations` steps of a 64-bit linear congruential recurrence
seeded by its sum; the final state is the job's value, checked against the one computed
before any timed region (`expected_values`). Seeding by the sum makes the work depend on
what the wait brought, so it cannot start early. The check does not redo the work: N steps
of an affine recurrence are one affine map, composed in log2(N) squarings (`leap`). It is
pure Python integer arithmetic: it holds the GIL, as a job's parsing or computing would.

`cpu_ms` is turned into `iterations` once per engine call (`iterations_per_ms`, untimed,
in the engine's process): every model of a run does the same work, recorded with its row.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

MULTIPLIER = 6364136223846793005
INCREMENT = 1442695040888963407
MASK = (1 << 64) - 1
"""Knuth's MMIX recurrence modulo 2**64: a bijection of the state, so two different sums
never end in the same value."""
CALIBRATION_STEPS = 20_000
CALIBRATION_REPEATS = 20
"""The calibration times CALIBRATION_STEPS steps this many times and keeps the fastest: on
a busy machine the fastest is the closest to the interpreter's own speed."""


def spin(seed: int, iterations: int) -> int:
    """`iterations` steps of the recurrence from `seed` (reduced to 64 bits): the CPU work."""
    state = seed & MASK
    for _ in range(iterations):
        state = (state * MULTIPLIER + INCREMENT) & MASK
    return state


def leap(iterations: int) -> tuple[int, int]:
    """(a, c) such that `iterations` steps from x end in (a * x + c) mod 2**64."""
    a, c = 1, 0  # the identity map, composed with the step's powers of two
    step_a, step_c = MULTIPLIER, INCREMENT
    while iterations:
        if iterations & 1:
            a, c = (step_a * a) & MASK, (step_a * c + step_c) & MASK
        step_a, step_c = (step_a * step_a) & MASK, (step_a * step_c + step_c) & MASK
        iterations >>= 1
    return a, c


def expected_values(sums: Sequence[int], iterations: int) -> list[int]:
    """What every job must return: its sum, or with CPU work the recurrence's state after
    `iterations` steps from its sum (by `leap`, without running them)."""
    if iterations == 0:
        return list(sums)
    a, c = leap(iterations)
    return [(a * (value & MASK) + c) & MASK for value in sums]


def iterations_per_ms() -> float:
    """How many steps this interpreter runs in a millisecond (fastest of a few timings)."""
    fastest = min(_timed(CALIBRATION_STEPS) for _ in range(CALIBRATION_REPEATS))
    return CALIBRATION_STEPS / max(fastest, 1) * 1e6


def _timed(iterations: int) -> int:
    """Nanoseconds `spin` takes for `iterations` steps."""
    start = time.perf_counter_ns()
    spin(0, iterations)
    return time.perf_counter_ns() - start


def iterations_for(cpu_ms: float, per_ms: float) -> int:
    """The steps that take `cpu_ms` at `per_ms` steps a millisecond (0 only for 0 ms)."""
    return 0 if cpu_ms == 0 else max(1, round(cpu_ms * per_ms))


def calibrate(cpu_ms: Iterable[float]) -> dict[float, int]:
    """The steps for each CPU share asked for; calibrates only when one is above 0."""
    wanted = set(cpu_ms)
    if not any(wanted):
        return dict.fromkeys(wanted, 0)
    per_ms = iterations_per_ms()
    return {ms: iterations_for(ms, per_ms) for ms in wanted}
