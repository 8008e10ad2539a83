"""The payload ints: identical to one big seeded draw, at every size up to the total cap."""

from __future__ import annotations

import random

import pytest

from concurrency_bench.workload import MAX_TOTAL_INTS, Scenario, build_payloads
from concurrency_bench.workload import payloads as payloads_module


def golden(seed: int, count: int) -> list[int]:
    """The definition, independently: little-endian uint16 of Random(seed).randbytes(2n)."""
    data = random.Random(seed).randbytes(2 * count)
    return [int.from_bytes(data[2 * i : 2 * i + 2], "little") for i in range(count)]


def flat(scenario: Scenario) -> list[int]:
    return [value for ints in build_payloads(scenario) for value in ints]


@pytest.mark.parametrize(
    ("jobs", "ints", "seed"), [(3, 100, 0), (7, 13, 1), (1, 1, 2**63 - 1), (250, 41, 12345)]
)
def test_ints_are_the_seeded_byte_stream(jobs: int, ints: int, seed: int) -> None:
    scenario = Scenario.uniform(jobs, 0.0, ints_per_job=ints, seed=seed)
    assert flat(scenario) == golden(seed, jobs * ints)
    assert [len(p) for p in build_payloads(scenario)] == [ints] * jobs


def test_known_values_of_seed_0() -> None:
    # pinned: a change here changes every stored sum
    assert flat(Scenario.uniform(1, 0.0, ints_per_job=5, seed=0)) == golden(0, 5)
    assert golden(0, 5) == [1997, 55340, 28606, 25247, 49673]


@pytest.mark.parametrize("chunk", [4, 8, 12, 1024])
def test_chunked_draws_equal_one_draw(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(payloads_module, "CHUNK_BYTES", chunk)
    for jobs, ints in [(37, 13), (5, 3), (1, 1)]:
        scenario = Scenario.uniform(jobs, 0.0, ints_per_job=ints, seed=11)
        assert flat(scenario) == golden(11, jobs * ints)


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
