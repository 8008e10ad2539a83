"""The scenario: validation, constructors, names, ideal and queued wall times (payloads: see
test_payloads.py)."""

from __future__ import annotations

import math

import msgspec
import pytest

from concurrency_bench.errors import InputError
from concurrency_bench.workload import MAX_JOBS, Scenario


def test_seed_story_is_five_eight_two_units() -> None:
    scenario = Scenario.seed_story(50)
    assert scenario.name == "seed"
    assert scenario.delays_s == pytest.approx((0.25, 0.4, 0.1))
    assert scenario.unit_s == pytest.approx(0.05)
    assert scenario.ideal_wall_s(concurrent=True) == pytest.approx(0.4)
    assert scenario.ideal_wall_s(concurrent=False) == pytest.approx(0.75)


def test_uniform_repeats_one_delay_and_spread_spaces_them_evenly_or_by_seed() -> None:
    assert Scenario.uniform(4, 0.05).delays_s == (0.05,) * 4
    even = Scenario.spread(5, 0.0, 0.4)
    assert even.delays_s == pytest.approx((0.0, 0.1, 0.2, 0.3, 0.4))
    randomly = Scenario.spread(100, 0.01, 0.02, randomly=True, seed=7)
    assert all(0.01 <= d <= 0.02 for d in randomly.delays_s)
    assert randomly.delays_s == Scenario.spread(100, 0.01, 0.02, randomly=True, seed=7).delays_s
    assert randomly.delays_s != Scenario.spread(100, 0.01, 0.02, randomly=True, seed=8).delays_s
    assert Scenario.spread(1, 0.1, 0.2).delays_s == (0.1,)


def test_round_trip_through_its_stored_form() -> None:
    scenario = Scenario.seed_story(20, ints_per_job=7, seed=9)
    assert msgspec.convert(msgspec.to_builtins(scenario), Scenario) == scenario


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


def test_spread_starting_above_zero_and_a_single_point_range() -> None:
    assert Scenario.spread(3, 0.1, 0.3).delays_s == pytest.approx((0.1, 0.2, 0.3))
    assert Scenario.spread(5, 1.0, 2.0).delays_s == pytest.approx((1.0, 1.25, 1.5, 1.75, 2.0))
    assert Scenario.spread(3, 0.2, 0.2).delays_s == (0.2, 0.2, 0.2)


def test_shapes_carry_ints_and_seed_through() -> None:
    made = [
        Scenario.explicit([0.1], ints_per_job=7, seed=9),
        Scenario.uniform(1, 0.1, ints_per_job=7, seed=9),
        Scenario.spread(2, 0.1, 0.2, ints_per_job=7, seed=9),
        Scenario.spread(2, 0.1, 0.2, randomly=True, ints_per_job=7, seed=9),
        Scenario.seed_story(50, ints_per_job=7, seed=9),
    ]
    assert [(s.ints_per_job, s.seed) for s in made] == [(7, 9)] * 5
    assert Scenario.explicit([0.1]).seed == 0 and Scenario.explicit([0.1]).ints_per_job == 100


def test_names_say_the_shape() -> None:
    assert Scenario.explicit([0.1]).name == "explicit"
    assert Scenario.uniform(4, 0.05).name == "uniform-4x50ms-100ints"
    assert Scenario.uniform(1, 1.5, ints_per_job=3).name == "uniform-1x1500ms-3ints"
    assert Scenario.spread(5, 0.0, 0.4).name == "spread-even-5x0ms:400ms-100ints"
    assert Scenario.spread(3, 0.01, 0.02, randomly=True).name == "spread-random-3x10ms:20ms-100ints"
    assert Scenario.uniform(2, 0.1, name="mine").name == "mine"


def test_delays_are_stored_as_floats() -> None:
    delays = Scenario.explicit([1, 0]).delays_s
    assert delays == (1.0, 0.0) and all(type(d) is float for d in delays)


def test_limits_are_inclusive() -> None:
    assert Scenario.uniform(1, 3600.0).delays_s == (3600.0,)
    assert Scenario.uniform(2, 0.0, ints_per_job=0).ints_per_job == 0
    assert Scenario.uniform(2, 0.0, ints_per_job=1_000_000).ints_per_job == 1_000_000
    assert Scenario.uniform(2, 0.0, seed=2**63 - 1).seed == 2**63 - 1
    assert Scenario.uniform(200, 0.0, ints_per_job=1_000_000).jobs == 200  # exactly 2e8 ints
    assert Scenario.seed_story(60_000).unit_s == 60.0
    assert Scenario.seed_story(0.5).delays_s == pytest.approx((0.0025, 0.004, 0.001))
    assert Scenario("x", (0.1,), unit_s=60.0).unit_s == 60.0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Scenario("", (0.1,)), "`name` must be a non-empty string"),
        (lambda: Scenario(5, (0.1,)), "`name` must be a non-empty string"),  # type: ignore[arg-type]
        (
            lambda: Scenario.explicit(["0.1"]),  # type: ignore[list-item]
            "`delay` must be a number of seconds from 0 to 3600",
        ),
        (
            lambda: Scenario.explicit([True]),
            "`delay` must be a number of seconds from 0 to 3600",
        ),
        (lambda: Scenario.uniform(1, 3600.5), "`delay` must be from 0 to 3600 seconds, got 3600.5"),
        (lambda: Scenario.spread(2, -1, 1), "`delay low` must be from 0 to 3600 seconds, got -1"),
        (lambda: Scenario.spread(2, 0, 4000), "`delay high` must be from 0 to 3600 seconds"),
        (lambda: Scenario.spread(0, 0, 1), "`jobs` must be an integer from 1 to 10000000, got 0"),
        (lambda: Scenario.spread(3, 0.2, 0.1), "`delay` range must have low <= high, got 0.2:0.1"),
        (lambda: Scenario.uniform(True, 0.1), "`jobs` must be an integer from 1 to 10000000"),
        (lambda: Scenario.seed_story("50"), "`unit-ms` must be a number above 0 and at most 60000"),  # type: ignore[arg-type]
        (lambda: Scenario.seed_story(False), "`unit-ms` must be a number above 0"),
        (lambda: Scenario.seed_story(60_000.5), "`unit-ms` must be above 0 and at most 60000"),
        (lambda: Scenario("x", (0.1,), unit_s=61.0), "`unit-ms` must be above 0 and at most 60000"),
        (
            lambda: Scenario.uniform(201, 0.0, ints_per_job=1_000_000),
            "`jobs` x `ints` must be at most 200,000,000, got 201 x 1,000,000",
        ),
        (
            lambda: Scenario.uniform(2, 0.0, ints_per_job=1_000_001),
            "`ints` must be an integer from 0 to 1000000, got 1000001",
        ),
        (
            lambda: Scenario.uniform(2, 0.0, seed=2**63),
            f"`seed` must be an integer from 0 to {2**63 - 1}, got {2**63}",
        ),
    ],
)
def test_bad_input_says_what_is_allowed(make: object, message: str) -> None:
    with pytest.raises(InputError) as raised:
        make()  # type: ignore[operator]
    assert str(raised.value).startswith(message)


def test_ideal_wall_is_the_longest_or_the_sum_and_a_pool_queues_the_rest() -> None:
    scenario = Scenario.explicit([0.125, 0.25, 0.375, 0.5])  # sum 1.25, longest 0.5
    assert scenario.ideal_wall_s(concurrent=True) == 0.5
    assert scenario.ideal_wall_s(concurrent=False) == 1.25
    assert scenario.queued_wall_s(5) == 0.5
    assert scenario.queued_wall_s(4) == 0.5  # a pool as large as the job count: all at once
    assert scenario.queued_wall_s(3) == pytest.approx(1.25 / 3 + 0.5)
    assert scenario.queued_wall_s(2) == 0.625 + 0.5
    assert scenario.queued_wall_s(1) == 1.25  # one at a time: the sum
    assert scenario.queued_wall_s(0) == 1.25


def test_the_stored_form_names_every_field() -> None:
    assert msgspec.to_builtins(Scenario.seed_story(20, ints_per_job=7, seed=9)) == {
        "name": "seed",
        "ints_per_job": 7,
        "seed": 9,
        "unit_s": 0.02,
        "delays_s": (0.1, 0.16, 0.04),
        "io": "timer",
        "connections": None,
        "tls": False,
        "cpu_ms": 0.0,
    }


# -- delays given as floats: the whole-tuple check must refuse what the per-delay one does --


@pytest.mark.parametrize(
    ("delays", "bad"),
    [
        ((0.1, math.nan, 0.2), "nan"),  # a NaN hides from min() and max() unless first
        ((0.5, -1.0), "-1.0"),
        ((0.5, 3600.5), "3600.5"),
        ((0.5, math.inf), "inf"),
        ((-0.5,), "-0.5"),
    ],
)
def test_float_delays_out_of_range_are_refused_wherever_they_stand(
    delays: tuple[float, ...], bad: str
) -> None:
    with pytest.raises(InputError) as raised:
        Scenario("x", delays)
    assert str(raised.value) == f"`delay` must be from 0 to 3600 seconds, got {bad}"


def test_float_delays_at_both_ends_of_the_range_are_kept_as_given() -> None:
    delays = (0.0, 3600.0, 0.25)
    assert Scenario("x", delays).delays_s == delays


# -- io and connections ----------------------------------------------------------------------


def test_io_must_be_timer_or_tcp() -> None:
    with pytest.raises(InputError) as raised:
        Scenario("x", (0.1,), io="udp")  # type: ignore[arg-type]
    assert str(raised.value) == "`io` must be one of: timer, tcp, http, postgres; got 'udp'"


@pytest.mark.parametrize("connections", [0, 100_001, True, 2.0])
def test_connections_are_a_whole_number_from_1_to_100000(connections: object) -> None:
    with pytest.raises(InputError) as raised:
        Scenario("x", (0.1,), io="tcp", connections=connections)  # type: ignore[arg-type]
    assert str(raised.value).startswith("`connections` must be an integer from 1 to 100000")


@pytest.mark.parametrize("connections", [1, 100_000])
def test_connections_at_the_edges_are_kept_with_tcp(connections: int) -> None:
    assert Scenario("x", (0.1,), io="tcp", connections=connections).connections == connections


def test_connections_need_tcp() -> None:
    with pytest.raises(InputError) as raised:
        Scenario("x", (0.1,), connections=3)
    assert (
        str(raised.value)
        == "`connections` needs --io tcp or http or postgres (timer jobs open no connections)"
    )


def test_with_io_names_the_io_and_the_shared_connections() -> None:
    base = Scenario.uniform(10, 0.05)
    assert base.with_io("timer") == base
    tcp = base.with_io("tcp")
    assert (tcp.name, tcp.io, tcp.connections) == ("uniform-10x50ms-100ints-tcp", "tcp", None)
    shared = base.with_io("tcp", 10)
    assert (shared.name, shared.io, shared.connections) == (
        "uniform-10x50ms-100ints-tcp-c10",
        "tcp",
        10,
    )
    assert (shared.delays_s, shared.ints_per_job, shared.seed) == (
        base.delays_s,
        base.ints_per_job,
        base.seed,
    )
