"""The verdict under each table: tiers by the gate's rank test, ties shown as ties."""

from __future__ import annotations

import pytest

from concurrency_bench.analysis.verdict import judge, ordered_models, separable, smallest_p
from concurrency_bench.report import render
from concurrency_bench.report.rows import build_table
from concurrency_bench.report.verdict_text import lines, text_block
from concurrency_bench.results import ModelResult
from factories import model_result, results_file, scenario

S = scenario(1000, 50)  # concurrent ideal 0.05 s


def ok(name: str, overheads: list[float], rounds_per_process: int = 1) -> ModelResult:
    return model_result(name, S, overheads=overheads, rounds_per_process=rounds_per_process)


FAST = [0.0030, 0.0031, 0.0029, 0.0032, 0.0030]
FAST_TOO = [0.0031, 0.0030, 0.0033, 0.0029, 0.0031]
SLOW = [0.020, 0.021, 0.019, 0.022, 0.020]


def test_no_ranked_model_gives_no_verdict() -> None:
    models = [
        model_result("sync", S, status="not-run", reason="would take 50 s"),
        model_result("trio", S, status="wrong", overheads=FAST),
    ]
    assert judge(models) is None


def test_a_single_model_is_the_fastest_alone() -> None:
    verdict = judge([ok("uvloop", FAST)])
    assert verdict is not None
    assert [len(t.members) for t in verdict.tiers] == [1]
    assert verdict.fastest.model == "uvloop"
    assert verdict.fastest.ratio == 1.0
    assert verdict.fastest.extra_per_job_s == 0.0


def test_overlapping_samples_are_tied_and_a_clear_gap_separates() -> None:
    verdict = judge([ok("trio", SLOW), ok("asyncio-gather", FAST_TOO), ok("uvloop", FAST)])
    assert verdict is not None
    assert [[s.model for s in t.members] for t in verdict.tiers] == [
        ["uvloop", "asyncio-gather"],
        ["trio"],
    ]
    trio = verdict.tiers[1].leader
    assert trio.ratio == pytest.approx(0.070 / 0.053)
    assert trio.extra_per_job_s == pytest.approx(0.017 / 1000)
    tied = verdict.tiers[0].members[1]
    assert tied.p_slower is not None and tied.p_slower > verdict.alpha


def test_a_complete_separation_of_three_against_three_is_significant_at_the_boundary() -> None:
    # 3 vs 3 values all above: p = 1 / C(6, 3) = 0.05 exactly, and p <= alpha counts.
    verdict = judge([ok("uvloop", [0.003, 0.004, 0.005]), ok("trio", [0.010, 0.011, 0.012])])
    assert verdict is not None
    assert len(verdict.tiers) == 2
    assert verdict.tiers[1].leader.p_slower == pytest.approx(0.05)


def test_one_overlap_in_three_against_three_is_a_tie() -> None:
    verdict = judge([ok("uvloop", [0.003, 0.004, 0.011]), ok("trio", [0.010, 0.012, 0.013])])
    assert verdict is not None
    assert len(verdict.tiers) == 1


def test_too_few_processes_cannot_separate_and_the_verdict_says_so() -> None:
    # All five rounds in one worker process: one value a side, the test can never reach alpha.
    verdict = judge(
        [ok("uvloop", FAST, rounds_per_process=5), ok("threads", SLOW, rounds_per_process=5)]
    )
    assert verdict is not None
    assert len(verdict.tiers) == 1
    assert verdict.untestable == ("threads",)
    assert any("cannot tell apart: threads" in line for line in lines(verdict))


@pytest.mark.parametrize(
    ("n", "m", "expected"),
    [(1, 1, False), (2, 4, False), (2, 5, True), (3, 3, True), (0, 5, False)],
)
def test_separable_follows_the_smallest_exact_p(n: int, m: int, expected: bool) -> None:
    assert separable(n, m) is expected
    if n and m:
        assert (smallest_p(n, m) <= 0.05) is expected


def test_a_significant_difference_under_the_noise_floor_is_a_tie() -> None:
    # Every value 0.1 ms apart: the test is significant, but 0.1 ms is timer resolution.
    verdict = judge(
        [ok("uvloop", [0.0030] * 5), ok("trio", [0.0031, 0.0031, 0.0032, 0.0031, 0.0031])]
    )
    assert verdict is not None
    assert len(verdict.tiers) == 1
    assert verdict.tiers[0].members[1].p_slower == pytest.approx(1 / 252)


def test_identical_samples_tie() -> None:
    verdict = judge([ok("uvloop", SLOW), ok("trio", SLOW)])
    assert verdict is not None
    assert [s.model for s in verdict.tiers[0].members] == ["trio", "uvloop"]


def test_unranked_models_take_no_part_even_when_faster() -> None:
    verdict = judge(
        [
            ok("trio", SLOW),
            model_result("anyio-trio", S, status="wrong", overheads=[0.0001] * 5),
            model_result("processes", S, status="failed", reason="killed"),
        ]
    )
    assert verdict is not None
    assert ordered_models(verdict) == ["trio"]


def test_a_wide_model_ties_with_the_fastest_though_a_narrower_one_does_not() -> None:
    # Tiers are by the test, not by position: a model the test cannot tell from the fastest
    # is tied with it, even when a model with a lower median is significantly slower.
    wide = [0.002, 0.004, 0.006, 0.030, 0.040]
    verdict = judge([ok("uvloop", FAST), ok("trio", [0.005] * 5), ok("threads", wide)])
    assert verdict is not None
    assert [[s.model for s in t.members] for t in verdict.tiers] == [
        ["uvloop", "threads"],
        ["trio"],
    ]


def test_the_verdict_is_written_under_each_table_in_text_and_markdown() -> None:
    results = results_file([(S, [ok("trio", SLOW), ok("uvloop", FAST), ok("threads", [0.2] * 5)])])
    text = render(results, "text")
    assert "fastest: uvloop" in text
    assert "then: trio: 1.32x the fastest, +17.0 µs per job" in text
    assert "then: threads:" in text
    md = render(results, "md")
    assert "**Verdict**" in md
    assert "- fastest: uvloop" in md


def test_tied_tiers_are_worded_as_ties() -> None:
    models = [ok("uvloop", FAST), ok("asyncio-gather", FAST_TOO), ok("trio", SLOW)]
    block = text_block(build_table(results_file([(S, models)]).scenarios[0]))
    assert block is not None
    assert "fastest: uvloop (53.0 ms), tied with asyncio-gather (1.00x)" in block


def test_no_verdict_when_nothing_is_ranked() -> None:
    models = [model_result("sync", S, status="not-run", reason="would take 50 s")]
    assert text_block(build_table(results_file([(S, models)]).scenarios[0])) is None
    assert "verdict" not in render(results_file([(S, models)]), "text")
