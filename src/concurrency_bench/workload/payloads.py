"""The seeded ints every job sums and the sums every model must compute, built outside timing."""

from __future__ import annotations

import random
import sys
from array import array
from collections.abc import Sequence

from concurrency_bench.workload.scenario import Scenario

# The payload's ints are unsigned 16-bit: cheap to generate from random bytes and
# small enough that a sum of a million of them stays a machine-word int.
INT_TYPECODE = "H"
INT_BYTES = 2

CHUNK_BYTES = 1 << 24
"""Bytes drawn per `randbytes` call. `randbytes(n)` is `getrandbits(8 * n)`, whose bit count
is a C int, so one call cannot exceed 2**28 - 1 bytes (134,217,727 ints); and because
getrandbits consumes whole 32-bit words, least significant first, draws of a multiple of 4
bytes concatenate to exactly the bytes of one big draw, so chunking changes no int."""


def seeded_ints(seed: int, count: int) -> array[int]:
    """The first `count` ints of the seed's stream: `Random(seed).randbytes(2 * count)` read as
    little-endian uint16, drawn in chunks so any count up to the total cap works."""
    rng = random.Random(seed)
    stream = array(INT_TYPECODE)
    remaining = count * INT_BYTES
    while remaining:
        take = min(CHUNK_BYTES, remaining)
        stream.frombytes(rng.randbytes(take))
        remaining -= take
    if sys.byteorder == "big":
        stream.byteswap()  # the stream is defined little-endian, so every platform agrees
    return stream


def build_payloads(scenario: Scenario) -> list[array[int]]:
    """Each job's ints, deterministic from (seed, job index, ints per job); built outside timing.

    One seeded byte stream is cut into per-job slices, so job i's list is the same for
    every model and every run; generating from bytes keeps a million jobs under a second.
    """
    count = scenario.ints_per_job
    stream = seeded_ints(scenario.seed, count * scenario.jobs)
    return [stream[i * count : (i + 1) * count] for i in range(scenario.jobs)]


def expected_sums(payloads: Sequence[Sequence[int]]) -> list[int]:
    """The sums every model must compute, computed once before any timed region."""
    return [sum(ints) for ints in payloads]
