"""The gate's verdict rules at each boundary, pairing, and the warnings it gives.

Every expected value is worked out in the comments (medians, percentages, p-values as counted
subsets of ranks), never read back from the gate.
"""

from __future__ import annotations

import math

import pytest
from msgspec.structs import replace

from concurrency_bench.analysis import differences, gate
from concurrency_bench.analysis.gate import METRICS, compare, compare_models, judge
from concurrency_bench.results import ModelResult, ResultsError, ResultsFile
from concurrency_bench.workload import Scenario
from factories import model_result, results_file

S = Scenario.uniform(1000, 0.05, name="s")
ONE_IN_252 = 1 / 252  # 5 vs 5 values fully separated: one rank order of C(10, 5)
LOW = [1.0, 2.0, 3.0, 4.0, 5.0]  # median 3
HIGH = [6.0, 7.0, 8.0, 9.0, 10.0]  # median 8


# -- judge: each rule at its edge --------------------------------------------------------


def test_the_noise_floor_is_strict() -> None:
    # Medians 3 and 8: a difference of exactly 5 is not under a floor of 5.
    assert judge(LOW, HIGH, floor=5.0)[0] == "slower"
    assert judge(LOW, HIGH, floor=math.nextafter(5.0, math.inf))[0] == "unchanged"
    assert judge(HIGH, LOW, floor=5.0)[0] == "faster"
    assert judge(HIGH, LOW, floor=math.nextafter(5.0, math.inf))[0] == "unchanged"


def test_faster_needs_p_at_most_alpha() -> None:
    verdict, change, p_slower, p_faster = judge(HIGH, LOW, alpha=ONE_IN_252)
    assert verdict == "faster"
    assert change == pytest.approx((3 - 8) / 8 * 100)  # -62.5 %
    assert (p_slower, p_faster) == (1.0, ONE_IN_252)
    assert judge(HIGH, LOW, alpha=math.nextafter(ONE_IN_252, 0))[0] == "noise"


def test_a_significant_change_within_the_threshold_is_unchanged_at_p_equal_alpha() -> None:
    # +5 % and -5 %, fully separated (p = 1/252), beyond a tenth of the 10 % threshold.
    tight = [1.00, 1.01, 1.02, 1.03, 1.04]
    for factor in (1.05, 0.95):
        new = [v * factor for v in tight]
        assert judge(tight, new, alpha=ONE_IN_252)[0] == "unchanged"
        assert judge(tight, new, alpha=math.nextafter(ONE_IN_252, 0))[0] == "noise"


def test_a_tenth_of_the_threshold_is_the_edge_of_unchanged() -> None:
    # Overlapping values, medians 100 and 101: +1 % exactly, a tenth of 10 %, not significant.
    base = [98.0, 99.0, 100.0, 101.0, 102.0]
    new = [97.0, 99.5, 101.0, 102.5, 103.0]
    verdict, change, p_slower, p_faster = judge(base, new)
    assert (verdict, change) == ("unchanged", 1.0)
    assert min(p_slower, p_faster) > 0.05
    assert judge(base, new, threshold_pct=math.nextafter(10.0, 0))[0] == "noise"


def test_the_defaults_are_a_ten_percent_threshold_and_alpha_005() -> None:
    # 3 vs 3 fully separated: p = 1/C(6, 3) = 0.05, significant at the default alpha.
    verdict, change, p_slower, _ = judge([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    assert (verdict, change, p_slower) == ("slower", 150.0, 0.05)
    # +10 % exactly, fully separated: significant but not beyond the default threshold.
    assert judge([9.6, 9.8, 10.0, 10.2, 10.4], [10.6, 10.8, 11.0, 11.2, 11.4])[0] == "unchanged"
    assert judge([1.0, 2.0, 3.0], [4.0, 5.0, 6.0], alpha=0.049)[0] == "noise"


# -- one pair of model results --------------------------------------------------------


def overhead(values: list[float], status: str = "ok", reason: str | None = None) -> ModelResult:
    return model_result("trio", S, status=status, overheads=values or None, reason=reason)  # type: ignore[arg-type]


BASE_O = [0.020, 0.021, 0.022]  # median 21 ms a round: 21 µs a job
NEW_O = [0.040, 0.041, 0.042]  # median 41 ms a round


def test_overhead_is_compared_per_job_and_wall_per_round() -> None:
    per_job, wall = METRICS["overhead"], METRICS["wall"]
    assert per_job.values(overhead(BASE_O)) == pytest.approx([2.0e-5, 2.1e-5, 2.2e-5])
    assert wall.values(overhead(BASE_O)) == pytest.approx([0.070, 0.071, 0.072])
    assert per_job.floor(1000) == pytest.approx(0.0005 / 1000)
    assert wall.floor(1000) == 0.0005
    pair = compare_models("s", overhead(BASE_O), overhead(NEW_O), per_job)
    assert (pair.scenario, pair.model, pair.verdict) == ("s", "trio", "slower")
    assert (pair.base, pair.new) == (pytest.approx(2.1e-5), pytest.approx(4.1e-5))
    assert pair.change_pct == pytest.approx(20 / 21 * 100)
    assert (pair.p_slower, pair.p_faster) == (0.05, 1.0)
    assert pair.detail is None and pair.failing


def test_the_floor_is_per_job_for_overhead() -> None:
    # 0.1 ms more a round (fully separated, +50 %) is under the 0.5 ms floor: unchanged.
    base, new = [0.0002, 0.00021, 0.00022], [0.0003, 0.00031, 0.00032]
    pair = compare_models("s", overhead(base), overhead(new), METRICS["overhead"])
    assert pair.verdict == "unchanged"
    assert pair.change_pct == pytest.approx(0.1 / 0.21 * 100)


@pytest.mark.parametrize(
    ("base", "new", "verdict", "detail", "medians"),
    [
        (
            ("ok", None),
            ("failed", "timed out\nafter 30 s"),
            "broke",
            "new: failed (timed out)",
            (21e-6, None),
        ),
        (
            ("ok", None),
            ("wrong", "  job 3 off  "),
            "broke",
            "new: wrong (job 3 off)",
            (21e-6, None),
        ),
        (("ok", None), ("interrupted", None), "not compared", "new: interrupted", (21e-6, None)),
        (("ok", None), ("not-run", ""), "not compared", "new: not-run", (21e-6, None)),
        (("failed", "x"), ("ok", None), "not compared", "base: failed (x)", (None, 41e-6)),
        (
            ("failed", "a\nb"),
            ("wrong", "c"),
            "not compared",
            "base: failed (a); new: wrong (c)",
            (None, None),
        ),
    ],
)
def test_a_pair_not_both_ok_is_broke_or_not_compared(
    base: tuple[str, str | None],
    new: tuple[str, str | None],
    verdict: str,
    detail: str,
    medians: tuple[float | None, float | None],
) -> None:
    def result(status: str, reason: str | None, values: list[float]) -> ModelResult:
        measured = status in ("ok", "wrong")
        return overhead(values if measured else [], status, reason)

    pair = compare_models("s", result(*base, BASE_O), result(*new, NEW_O), METRICS["overhead"])
    assert (pair.verdict, pair.detail) == (verdict, detail)
    assert (pair.base, pair.new) == tuple(None if m is None else pytest.approx(m) for m in medians)
    assert (pair.change_pct, pair.p_slower, pair.p_faster) == (None, None, None)
    assert pair.failing == (verdict == "broke")


# -- whole files ----------------------------------------------------------------------


def file_of(blocks: list[tuple[Scenario, list[ModelResult]]], **kwargs: object) -> ResultsFile:
    return results_file(blocks, **kwargs)  # type: ignore[arg-type]


Z = Scenario.uniform(3, 0.01, name="zz")
A = Scenario.uniform(3, 0.02, name="aa")
M = Scenario.uniform(3, 0.03, name="mm")


def ok(name: str, scenario: Scenario, values: list[float] = BASE_O) -> ModelResult:
    return model_result(name, scenario, overheads=values)


def test_rows_keep_base_order_with_new_only_pairs_after_and_counts_have_every_verdict() -> None:
    base = file_of(
        [
            (Z, [ok("trio", Z), ok("asyncio-gather", Z), ok("threads", Z)]),
            (A, [ok("trio", A)]),
        ]
    )
    new = file_of(
        [
            (M, [ok("trio", M)]),
            (A, [ok("trio", A, NEW_O)]),
            (Z, [ok("uvloop", Z), ok("asyncio-gather", Z), ok("trio", Z)]),
        ]
    )
    comparison = compare(base, new)
    assert [(r.scenario, r.model, r.verdict) for r in comparison.rows] == [
        ("zz", "trio", "unchanged"),
        ("zz", "asyncio-gather", "unchanged"),
        ("zz", "threads", "only in base"),
        ("zz", "uvloop", "only in new"),
        ("aa", "trio", "slower"),
        ("mm", "trio", "only in new"),
    ]
    assert comparison.counts() == {
        "slower": 1,
        "faster": 0,
        "unchanged": 2,
        "noise": 0,
        "broke": 0,
        "not compared": 0,
        "only in base": 1,
        "only in new": 2,
    }
    assert list(comparison.counts()) == list(gate.VERDICTS)
    assert [(r.scenario, r.model) for r in comparison.regressions] == [("aa", "trio")]
    assert (comparison.metric, comparison.threshold_pct, comparison.alpha) == (
        METRICS["overhead"],
        10.0,
        0.05,
    )
    assert comparison.warnings == ()


def test_pairs_are_judged_with_the_given_metric_threshold_and_alpha() -> None:
    base = file_of([(A, [ok("trio", A)])])
    new = file_of([(A, [ok("trio", A, NEW_O)])])
    loose = compare(base, new, metric="wall", threshold_pct=200.0, alpha=0.01)
    row = loose.rows[0]
    # Walls 40, 41, 42 ms against 60, 61, 62: +20/41 of the base; p = 0.05 is over 0.01.
    assert (row.verdict, row.base, row.new) == ("noise", 0.041, 0.061)
    assert row.change_pct == pytest.approx(20 / 41 * 100)
    assert (loose.metric.name, loose.threshold_pct, loose.alpha) == ("wall", 200.0, 0.01)
    assert compare(base, new, metric="wall", threshold_pct=48.0).rows[0].verdict == "slower"
    assert compare(base, new, metric="wall", threshold_pct=49.0).rows[0].verdict == "unchanged"


def test_warnings_name_each_difference_and_each_interrupted_file() -> None:
    other_a = Scenario.uniform(3, 0.02, ints_per_job=7, seed=9, name="aa")
    base = file_of(
        [(A, [ok("trio", A), ok("threads", A)])],
        partial=True,
        environment={"cpu": "x", "gc": "on", "cores": 2},
    )
    new = file_of(
        [(other_a, [ok("trio", other_a), ok("threads", other_a)])],
        partial=True,
        environment={"cpu": "y", "cores": 2},
        rounds=3,
    )
    new = replace(new, settings=replace(new.settings, gc="off"))
    comparison = compare(base, new, base_source="a.json", new_source="b.json")
    assert comparison.warnings == (
        "scenario 'aa' is defined differently (ints_per_job, seed)",
        "environment differs: cpu: x -> y",
        "run settings differ: gc: on -> off",  # only one environment records gc
        "run settings differ: rounds: 5 -> 3",
        "a.json is from an interrupted run: not every model was measured",
        "b.json is from an interrupted run: not every model was measured",
    )
    assert compare(base, new).warnings[-1] == (
        "new is from an interrupted run: not every model was measured"
    )


def test_settings_differences_leave_gc_to_the_environment_when_both_record_it() -> None:
    base = file_of([(A, [ok("trio", A)])], environment={"gc": {"setting": "on"}})
    new = file_of([(A, [ok("trio", A)])], environment={"gc": {"setting": "off"}})
    new = replace(new, settings=replace(new.settings, gc="off", warmup=0))
    assert compare(base, new).warnings == (
        "environment differs: gc.setting: on -> off",
        "run settings differ: warmup: 1 -> 0",
    )


def test_files_without_a_common_pair_or_with_a_pair_twice_are_refused() -> None:
    base = file_of([(A, [ok("trio", A)])])
    new = file_of([(Z, [ok("trio", Z)])])
    with pytest.raises(ResultsError) as caught:
        compare(base, new)
    assert str(caught.value) == (
        "base and new have no (scenario, model) pair in common, so there is nothing to compare"
    )
    twice = file_of([(A, [ok("trio", A)]), (A, [ok("trio", A)])])
    for left, right, source in ((twice, base, "base"), (base, twice, "new")):
        with pytest.raises(ResultsError) as caught:
            compare(left, right)
        assert str(caught.value) == (
            f"{source}: model 'trio' appears twice in scenario 'aa', so it cannot be paired"
        )
    with pytest.raises(ResultsError, match=r"^x\.json: model 'trio' appears twice"):
        compare(twice, base, base_source="x.json")
    with pytest.raises(ResultsError, match=r"^a and b have no"):
        compare(base, new, base_source="a", new_source="b")


# -- the warnings' helpers ------------------------------------------------------------


def test_scenario_differences_warn_once_per_name_listing_the_fields() -> None:
    a2 = Scenario.uniform(4, 0.02, name="aa")
    z2 = Scenario.uniform(3, 0.01, ints_per_job=1, name="zz")
    pairs = [(M, M), (A, a2), (A, a2), (Z, Z), (Z, z2)]
    assert differences.scenario_differences(pairs) == [
        "scenario 'aa' is defined differently (jobs, delays_s)",
        "scenario 'zz' is defined differently (ints_per_job)",
    ]
    assert differences.scenario_differences([(A, A), (Z, Z)]) == []


def test_environment_differences_flatten_nested_data_and_skip_the_ignored_keys() -> None:
    base = {
        "cpu": "x",
        "cores": 2,
        "gc": "on",
        "packages": {"trio": "1", "gone": "2", "concurrency-bench": "0.1", "deep": {"a": 1}},
        "git": "abc",
        "git_commit": "abc",
        "gitlab": "a",
        "load_average": [1.0],
        "load_average_5m": 1.0,
        "only_in_base": 1,
    }
    new = {
        "cpu": "x",
        "cores": 4,
        "gc": {"setting": "on"},
        "packages": {"trio": "2", "new": "1", "concurrency-bench": "0.2", "deep": {"a": 2}},
        "git": "def",
        "git_commit": "def",
        "gitlab": "b",
        "load_average": [2.0],
        "load_average_5m": 3.0,
        "only_in_new": 1,
    }
    assert differences.environment_differences(base, new) == [
        "cores: 2 -> 4",
        "gc: on -> {'setting': 'on'}",
        "packages.trio: 1 -> 2",
        "packages.gone: 2 -> absent",
        "packages.deep.a: 1 -> 2",
        "packages.new: absent -> 1",
        "gitlab: a -> b",
    ]
    assert differences.environment_differences(new, base)[1] == "gc: {'setting': 'on'} -> on"


def test_flatten_joins_keys_with_dots() -> None:
    flat = differences._flatten({"a": {"b": {"c": 1}, "d": 2}, "e": 3})
    assert flat == {"a.b.c": 1, "a.d": 2, "e": 3}


def test_settings_differences_in_their_order_and_skipped_by_name() -> None:
    base = file_of([(A, [ok("trio", A)])]).settings
    new = replace(base, rounds=9, gc="off", warmup=3, rounds_per_process=3, timeout_s=5.0)
    assert differences.settings_differences(base, new) == [
        "gc: on -> off",
        "warmup: 1 -> 3",
        "rounds: 5 -> 9",
        "rounds_per_process: 1 -> 3",
    ]
    assert differences.settings_differences(base, new, skip=("gc", "rounds")) == [
        "warmup: 1 -> 3",
        "rounds_per_process: 1 -> 3",
    ]
