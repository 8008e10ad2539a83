"""The scenario: validation, constructors, determinism of the payload, expected sums."""

from __future__ import annotations

import math

import pytest

from concurrency_bench.errors import InputError
from concurrency_bench.workload import (
    MAX_JOBS,
    Scenario,
    build_payloads,
    expected_sums,
)


def test_seed_story_is_five_eight_two_units() -> None:
    scenario = Scenario.seed_story(50)
    assert scenario.name == "seed"
    assert scenario.delays_s == pytest.approx((0.25, 0.4, 0.1))
    assert scenario.unit_s == pytest.approx(0.05)
    assert scenario.ideal_wall_s(concurrent=True) == pytest.approx(0.4)
    assert scenario.ideal_wall_s(concurrent=False) == pytest.approx(0.75)


def test_uniform_and_spread_shapes() -> None:
    assert Scenario.uniform(4, 0.05).delays_s == (0.05,) * 4
    even = Scenario.spread(5, 0.0, 0.4)
    assert even.delays_s == pytest.approx((0.0, 0.1, 0.2, 0.3, 0.4))
    randomly = Scenario.spread(100, 0.01, 0.02, randomly=True, seed=7)
    assert all(0.01 <= d <= 0.02 for d in randomly.delays_s)
    assert randomly.delays_s == Scenario.spread(100, 0.01, 0.02, randomly=True, seed=7).delays_s
    assert randomly.delays_s != Scenario.spread(100, 0.01, 0.02, randomly=True, seed=8).delays_s
    assert Scenario.spread(1, 0.1, 0.2).delays_s == (0.1,)


def test_payload_is_deterministic_per_seed_and_job() -> None:
    scenario = Scenario.uniform(10, 0.0, ints_per_job=20, seed=3)
    first, again = build_payloads(scenario), build_payloads(scenario)
    assert [list(p) for p in first] == [list(p) for p in again]
    assert all(len(p) == 20 for p in first)
    other_seed = build_payloads(Scenario.uniform(10, 0.0, ints_per_job=20, seed=4))
    assert [list(p) for p in first] != [list(p) for p in other_seed]
    # job i's ints do not depend on how many jobs follow it
    longer = build_payloads(Scenario.uniform(30, 0.0, ints_per_job=20, seed=3))
    assert [list(p) for p in longer[:10]] == [list(p) for p in first]
    assert len({tuple(p) for p in first}) == 10


def test_expected_sums_are_the_sums() -> None:
    payloads = build_payloads(Scenario.uniform(3, 0.0, ints_per_job=5))
    assert expected_sums(payloads) == [sum(list(p)) for p in payloads]


def test_round_trip_through_dict() -> None:
    scenario = Scenario.seed_story(20, ints_per_job=7, seed=9)
    assert Scenario.from_dict(scenario.to_dict()) == scenario


@pytest.mark.parametrize(
    ("make", "parameter"),
    [
        (lambda: Scenario.uniform(0, 0.1), "jobs"),
        (lambda: Scenario.uniform(-3, 0.1), "jobs"),
        (lambda: Scenario.uniform(MAX_JOBS + 1, 0.1), "jobs"),
        (lambda: Scenario.uniform(2.5, 0.1), "jobs"),  # type: ignore[arg-type]
        (lambda: Scenario.uniform(3, -0.1), "delay"),
        (lambda: Scenario.uniform(3, math.nan), "delay"),
        (lambda: Scenario.uniform(3, math.inf), "delay"),
        (lambda: Scenario.explicit([0.1, float("-inf")]), "delay"),
        (lambda: Scenario.explicit([]), "jobs"),
        (lambda: Scenario.uniform(3, 0.1, ints_per_job=-1), "ints"),
        (lambda: Scenario.uniform(3, 0.1, ints_per_job=10**9), "ints"),
        (lambda: Scenario.uniform(10**6, 0.1, ints_per_job=10**6), "jobs` x `ints"),
        (lambda: Scenario.uniform(3, 0.1, seed=-1), "seed"),
        (lambda: Scenario.seed_story(0), "unit-ms"),
        (lambda: Scenario.seed_story(math.nan), "unit-ms"),
        (lambda: Scenario.spread(3, 0.2, 0.1), "delay"),
    ],
)
def test_bad_input_names_the_parameter(make: object, parameter: str) -> None:
    with pytest.raises(InputError, match=f"`{parameter}"):
        make()  # type: ignore[operator]
