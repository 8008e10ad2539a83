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


def build_payloads(scenario: Scenario) -> list[array[int]]:
    """Each job's ints, deterministic from (seed, job index, ints per job); built outside timing.

    One seeded byte stream is cut into per-job slices, so job i's list is the same for
    every model and every run; generating from bytes keeps a million jobs under a second.
    """
    count = scenario.ints_per_job
    stream = array(INT_TYPECODE)
    stream.frombytes(random.Random(scenario.seed).randbytes(count * scenario.jobs * 2))
    if sys.byteorder == "big":
        stream.byteswap()  # the stream is defined little-endian, so every platform agrees
    return [stream[i * count : (i + 1) * count] for i in range(scenario.jobs)]


def expected_sums(payloads: Sequence[Sequence[int]]) -> list[int]:
    """The sums every model must compute, computed once before any timed region."""
    return [sum(ints) for ints in payloads]
