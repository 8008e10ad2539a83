"""payloads.py against the payload's definition: the seeded byte stream read as little-endian
unsigned 16-bit ints, job i taking ints i x n to (i + 1) x n; sums checked on hand-made lists."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from concurrency_bench.workload import MAX_TOTAL_INTS, Scenario, build_payloads, expected_sums
from concurrency_bench.workload import payloads as payloads_module


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


def test_expected_sums_add_each_list_of_hand_made_ints() -> None:
    assert expected_sums([[1, 2, 3], [], [65535, 1], [7]]) == [6, 0, 65536, 7]
    assert expected_sums([]) == []


def test_expected_sums_of_a_payload_match_the_defined_ints() -> None:
    payloads = build_payloads(Scenario.uniform(4, 0.0, ints_per_job=3, seed=0))
    # seed 0's first twelve ints, summed three at a time from the definition
    assert expected_sums(payloads) == [sum(ints) for ints in defined_ints(0, 4, 3)]
    assert expected_sums(payloads)[0] == 1997 + 55340 + 28606


# -- drawn in chunks: the same stream as one draw, up to the documented cap ----------------


def flat(scenario: Scenario) -> list[int]:
    return [value for ints in build_payloads(scenario) for value in ints]


def golden(seed: int, count: int) -> list[int]:
    return [v for job in defined_ints(seed, 1, count) for v in job]


@pytest.mark.parametrize("chunk", [4, 8, 12, 1024])
def test_chunked_draws_equal_one_draw(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(payloads_module, "CHUNK_BYTES", chunk)
    for jobs, ints in [(37, 13), (5, 3), (1, 1)]:
        scenario = Scenario.uniform(jobs, 0.0, ints_per_job=ints, seed=11)
        assert flat(scenario) == golden(11, jobs * ints)


@pytest.mark.parametrize("chunk", [4, 8, 1024])
def test_the_servers_bytes_are_the_same_draws_as_the_models_ints(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """One drawing function serves both: the bytes the tcp server sends, chunked or not, are
    the defined stream, and read as little-endian uint16 they are the models' ints."""
    monkeypatch.setattr(payloads_module, "CHUNK_BYTES", chunk)
    for count in (0, 1, 2, 13, 600):
        stream = payloads_module.seeded_bytes(7, count)
        assert bytes(stream) == random.Random(7).randbytes(2 * count)
        ints = [int.from_bytes(stream[2 * k : 2 * k + 2], "little") for k in range(count)]
        assert ints == list(payloads_module.seeded_ints(7, count))


def test_chunk_size_keeps_draws_whole_words() -> None:
    # getrandbits hands out 32-bit words: only whole-word chunks concatenate exactly
    assert payloads_module.CHUNK_BYTES % 4 == 0
    assert payloads_module.CHUNK_BYTES * 8 < 2**31  # randbytes' bit count is a C int


def test_ints_across_a_chunk_boundary_match_word_by_word_draws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Derived from getrandbits(32) words, not from randbytes: uint16 i is half of word i//2."""
    monkeypatch.setattr(payloads_module, "CHUNK_BYTES", 1 << 12)
    boundary = payloads_module.CHUNK_BYTES // 2  # the first int of the second chunk
    ints = flat(Scenario.uniform(3, 0.0, ints_per_job=boundary, seed=99))
    rng = random.Random(99)
    for _ in range(boundary // 2 - 2):
        rng.getrandbits(32)
    around: list[int] = []
    for _ in range(4):
        word = rng.getrandbits(32)
        around += [word & 0xFFFF, word >> 16]
    assert ints[boundary - 4 : boundary + 4] == around


@pytest.mark.slow
def test_the_documented_cap_builds() -> None:
    """Above 134,217,727 ints one randbytes call overflows; the cap is 200,000,000."""
    scenario = Scenario.uniform(200, 0.0, ints_per_job=MAX_TOTAL_INTS // 200, seed=5)
    payloads = build_payloads(scenario)
    assert sum(len(p) for p in payloads) == MAX_TOTAL_INTS
    assert list(payloads[0][:8]) == golden(5, 8)
