"""payloads.py against the payload's definition: the seeded byte stream read as little-endian
unsigned 16-bit ints, job i taking ints i x n to (i + 1) x n; sums checked on hand-made lists."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from concurrency_bench.workload import Scenario, build_payloads, expected_sums


def defined_ints(seed: int, jobs: int, ints_per_job: int) -> list[list[int]]:
    """The payload as defined, read two bytes at a time from the seeded stream."""
    stream = random.Random(seed).randbytes(2 * jobs * ints_per_job)
    ints = [int.from_bytes(stream[2 * k : 2 * k + 2], "little") for k in range(len(stream) // 2)]
    return [ints[i * ints_per_job : (i + 1) * ints_per_job] for i in range(jobs)]


def as_lists(payloads: Sequence[Sequence[int]]) -> list[list[int]]:
    return [list(p) for p in payloads]


def test_golden_ints_for_seed_zero_and_another_seed() -> None:
    # Read off random.Random(seed).randbytes by hand: bytes (205, 7), (44, 216), ...
    assert as_lists(build_payloads(Scenario.uniform(2, 0.0, ints_per_job=2, seed=0))) == [
        [1997, 55340],
        [28606, 25247],
    ]
    assert as_lists(build_payloads(Scenario.uniform(3, 0.0, ints_per_job=2, seed=12345))) == [
        [39303, 27303],
        [17210, 48017],
        [29253, 666],
    ]


@pytest.mark.parametrize(
    ("seed", "jobs", "ints_per_job"),
    [(0, 1, 1), (3, 10, 20), (2**63 - 1, 7, 33), (99, 1000, 5), (5, 3, 0)],
)
def test_payloads_follow_the_definition(seed: int, jobs: int, ints_per_job: int) -> None:
    payloads = build_payloads(Scenario.uniform(jobs, 0.0, ints_per_job=ints_per_job, seed=seed))
    assert as_lists(payloads) == defined_ints(seed, jobs, ints_per_job)


def test_payloads_are_unsigned_16_bit() -> None:
    ints = [v for p in build_payloads(Scenario.uniform(100, 0.0, ints_per_job=1000)) for v in p]
    assert all(0 <= v <= 65535 for v in ints) and max(ints) > 65000


def test_job_i_does_not_depend_on_how_many_jobs_follow() -> None:
    first = build_payloads(Scenario.uniform(10, 0.0, ints_per_job=20, seed=3))
    longer = build_payloads(Scenario.uniform(30, 0.0, ints_per_job=20, seed=3))
    assert as_lists(longer[:10]) == as_lists(first)
    other_seed = build_payloads(Scenario.uniform(10, 0.0, ints_per_job=20, seed=4))
    assert as_lists(other_seed) != as_lists(first)


def test_expected_sums_of_hand_made_lists() -> None:
    assert expected_sums([[1, 2, 3], [], [65535, 1], [7]]) == [6, 0, 65536, 7]
    assert expected_sums([]) == []


def test_expected_sums_of_a_payload_match_the_defined_ints() -> None:
    payloads = build_payloads(Scenario.uniform(4, 0.0, ints_per_job=3, seed=0))
    # seed 0's first twelve ints, summed three at a time from the definition
    assert expected_sums(payloads) == [sum(ints) for ints in defined_ints(0, 4, 3)]
    assert expected_sums(payloads)[0] == 1997 + 55340 + 28606
