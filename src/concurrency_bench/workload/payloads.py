"""The seeded ints every job sums and the sums every model must compute, built outside timing."""

from __future__ import annotations

import random
import sys
from array import array
from collections.abc import Iterator, Sequence

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


def seeded_chunks(seed: int, count: int) -> Iterator[bytes]:
    """The bytes of the first `count` ints of the seed's stream, `Random(seed).randbytes(2 *
    count)`, drawn CHUNK_BYTES at a time so any count up to the total cap works: the one place
    the stream is drawn, for the models' payloads and the tcp server's replies alike."""
    rng = random.Random(seed)
    remaining = count * INT_BYTES
    while remaining:
        take = min(CHUNK_BYTES, remaining)
        yield rng.randbytes(take)
        remaining -= take


def seeded_ints(seed: int, count: int) -> array[int]:
    """The first `count` ints of the seed's stream, read as little-endian uint16."""
    stream = array(INT_TYPECODE)
    for chunk in seeded_chunks(seed, count):
        stream.frombytes(chunk)
    if sys.byteorder == "big":
        stream.byteswap()  # the stream is defined little-endian, so every platform agrees
    return stream


def seeded_bytes(seed: int, count: int) -> bytes:
    """The first `count` ints of the seed's stream as their little-endian bytes: what the tcp
    server slices its replies from (joined chunks: the stream's size twice while it is built,
    as one big draw's int and bytes were)."""
    return b"".join(seeded_chunks(seed, count))


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
