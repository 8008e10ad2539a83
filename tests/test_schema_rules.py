"""Schema 2's own checks (each `__post_init__` rule at its edge) and its derived figures.

Records built in Python skip msgspec's `Meta` ranges, so these checks are what keeps the engine
from writing a file the loader would refuse. Expected figures are worked out by hand.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from concurrency_bench.results import (
    Lateness,
    ModelResult,
    ProcessRun,
    PythonInfo,
    ResultsFile,
    Round,
    RunSettings,
    ScenarioResults,
)
from concurrency_bench.results.schema import (
    MAX_COUNT,
    MAX_ENVIRONMENT_DEPTH,
    MAX_SECONDS,
    decode,
    pool_runs,
)
from concurrency_bench.workload import MAX_JOBS, Scenario

IDEAL = 0.5
THREE = Scenario.uniform(3, IDEAL, name="three")  # concurrent ideal 0.5 s, sum 1.5 s


def rnd(wall: float, cpu: float = 0.0, ideal: float = IDEAL) -> Round:
    return Round(wall_s=wall, cpu_s=cpu, overhead_s=wall - ideal)


def model(**fields: Any) -> ModelResult:
    """An ok concurrent model of THREE with one round unless `fields` say otherwise."""
    base: dict[str, Any] = {
        "model": "trio",
        "status": "ok",
        "concurrent": True,
        "ideal_s": IDEAL,
        "jobs": 3,
        "runs": (ProcessRun(pid=7, values=(rnd(0.6),)),),
    }
    return ModelResult(**{**base, **fields})


def settings(**fields: Any) -> RunSettings:
    base: dict[str, Any] = {
        "rounds": 3,
        "warmup": 0,
        "gc": "on",
        "timeout_s": None,
        "sequential_budget_s": 10.0,
    }
    return RunSettings(**{**base, **fields})


# -- times and counts -----------------------------------------------------------------


def test_times_are_finite_and_within_the_files_range() -> None:
    assert MAX_SECONDS == 3.6e11  # ten times 10,000,000 jobs of 3600 s
    Round(wall_s=MAX_SECONDS, cpu_s=0.0, overhead_s=-MAX_SECONDS)
    Round(wall_s=0.0, cpu_s=MAX_SECONDS, overhead_s=MAX_SECONDS)
    cases = [
        ({"wall_s": math.nan}, "`wall_s` must be a finite number, got nan"),
        ({"cpu_s": math.inf}, "`cpu_s` must be a finite number, got inf"),
        ({"overhead_s": -math.inf}, "`overhead_s` must be a finite number, got -inf"),
        ({"wall_s": -1e-300}, "`wall_s` must be from 0 to 3.6e+11, got -1e-300"),
        ({"cpu_s": math.nextafter(MAX_SECONDS, math.inf)}, "`cpu_s` must be from 0 to 3.6e+11"),
        (
            {"overhead_s": math.nextafter(-MAX_SECONDS, -math.inf)},
            "`overhead_s` must be from -3.6e+11 to 3.6e+11, got -360000000000.00006",
        ),
        ({"overhead_s": 4e11}, "`overhead_s` must be from -3.6e+11 to 3.6e+11, got 4"),
    ]
    for change, message in cases:
        fields = {"wall_s": 1.0, "cpu_s": 1.0, "overhead_s": 1.0, **change}
        with pytest.raises(ValueError) as caught:
            Round(**fields)
        assert str(caught.value).startswith(message)


def test_a_round_gives_each_metric_its_own_figure() -> None:
    r = Round(wall_s=3.0, cpu_s=1.0, overhead_s=2.0)
    assert (r.value("wall"), r.value("overhead"), r.value("cpu")) == (3.0, 2.0, 1.0)


def test_lateness_is_ordered_and_finite() -> None:
    Lateness(p50_s=-0.001, p99_s=-0.001, max_s=-0.001)  # equal quantiles, timers early
    for p50, p99, top in ((0.2, 0.1, 0.3), (0.1, 0.3, 0.2), (0.3, 0.2, 0.1)):
        with pytest.raises(ValueError, match=r"^lateness must have p50_s <= p99_s <= max_s$"):
            Lateness(p50_s=p50, p99_s=p99, max_s=top)
    for name in ("p50_s", "p99_s", "max_s"):
        fields = {"p50_s": 0.0, "p99_s": 0.0, "max_s": 0.0, name: math.nan}
        with pytest.raises(ValueError, match=rf"^`{name}` must be a finite number"):
            Lateness(**fields)
    with pytest.raises(ValueError, match=r"^`p50_s` must be from -3.6e\+11"):
        Lateness(p50_s=-4e11, p99_s=0.0, max_s=0.0)


def test_a_process_run_checks_its_pid_warmups_and_memory() -> None:
    ProcessRun(pid=None)
    ProcessRun(pid=1, rss_before_bytes=0, rss_peak_bytes=MAX_COUNT)
    ProcessRun(pid=MAX_COUNT, warmups=(0.0, MAX_SECONDS))
    cases = [
        ({"pid": 0}, "`pid` must be from 1 to 9223372036854775807, got 0"),
        ({"pid": MAX_COUNT + 1}, "`pid` must be from 1 to 9223372036854775807, got 92233"),
        ({"warmups": (0.1, math.nan)}, "`warmups[1]` must be a finite number, got nan"),
        ({"warmups": (-0.1,)}, "`warmups[0]` must be from 0 to 3.6e+11"),
        ({"rss_before_bytes": -1}, "`rss_before_bytes` must be from 0 to 9223372036854775807"),
        ({"rss_peak_bytes": -1}, "`rss_peak_bytes` must be from 0 to"),
        ({"rss_peak_bytes": MAX_COUNT + 1}, "`rss_peak_bytes` must be from 0 to"),
    ]
    for change, message in cases:
        with pytest.raises(ValueError) as caught:
            ProcessRun(**{"pid": 5, **change})
        assert str(caught.value).startswith(message)


def test_a_process_median_is_the_middle_of_its_rounds() -> None:
    odd = ProcessRun(pid=1, values=(rnd(0.9, 0.3), rnd(0.6, 0.1), rnd(0.7, 0.2)))
    assert (odd.median("wall"), odd.median("cpu")) == (0.7, 0.2)
    assert odd.median("overhead") == pytest.approx(0.2)
    even = ProcessRun(pid=1, values=(rnd(0.9), rnd(0.6), rnd(0.7), rnd(1.0)))
    assert even.median("wall") == pytest.approx(0.8)


def test_run_settings_check_each_count_and_time() -> None:
    settings(rounds=1, rounds_per_process=1, warmup=0, timeout_s=0.0, sequential_budget_s=0.0)
    assert settings().rounds_per_process == 1
    cases = [
        ({"rounds": 0}, "`rounds` must be from 1 to"),
        ({"rounds_per_process": 0}, "`rounds_per_process` must be from 1 to"),
        ({"warmup": -1}, "`warmup` must be from 0 to"),
        ({"timeout_s": math.inf}, "`timeout_s` must be a finite number"),
        ({"timeout_s": -1.0}, "`timeout_s` must be from 0"),
        ({"sequential_budget_s": math.nan}, "`sequential_budget_s` must be a finite number"),
    ]
    for change, message in cases:
        with pytest.raises(ValueError) as caught:
            settings(**change)
        assert str(caught.value).startswith(message)


# -- a model's result -------------------------------------------------------------------


NOT_NAMES = ("", "a\n", "a\nb", "\x00", "tab\there", "\x9f", "\x1b[2J", "a\u2028b", "a\x85b",
             "\u202eevil", "x\u2066y", "zero\u200bwidth", "\ufeffbom")  # fmt: skip
"""Controls, line and paragraph separators, NEL, bidi overrides and isolates, format marks."""


def test_a_model_name_is_one_line_of_plain_text() -> None:
    for good in ("a b", "é µs ±", "$x$", "a|b", "日本"):
        assert model(model=good).model == good
    for bad in NOT_NAMES:
        with pytest.raises(ValueError) as caught:
            model(model=bad)
        assert str(caught.value) == (
            "`model` must be a non-empty line of plain text (no control, format or line "
            f"separator character), got {bad!r}"
        )


def test_scenario_and_interpreter_names_are_one_line_of_plain_text() -> None:
    info = {"label": "3.12", "executable": "/usr/bin/python3", "version": "3.12.1",
            "implementation": "CPython"}  # fmt: skip
    for bad in NOT_NAMES[1:]:
        with pytest.raises(ValueError, match=r"^`scenario\.name` must be a non-empty line"):
            ScenarioResults(scenario=Scenario.uniform(3, 0.01, name=bad), models=())
        for field in info:
            with pytest.raises(ValueError, match=f"^`{field}` must be a non-empty line"):
                PythonInfo(**{**info, field: bad})


def test_a_model_checks_its_ideal_jobs_settings_and_memory() -> None:
    model(jobs=MAX_JOBS, runs=(), status="failed")
    model(settings={"threads": -MAX_COUNT - 1, "pool": "x", "big": MAX_COUNT})
    cases = [
        ({"ideal_s": math.inf}, "`ideal_s` must be a finite number"),
        ({"ideal_s": -0.5}, "`ideal_s` must be from 0"),
        ({"jobs": 0}, f"`jobs` must be from 1 to {MAX_JOBS}, got 0"),
        ({"jobs": MAX_JOBS + 1}, f"`jobs` must be from 1 to {MAX_JOBS}, got {MAX_JOBS + 1}"),
        ({"settings": {"threads": MAX_COUNT + 1}}, "`settings.threads` must be from -9223372"),
        ({"settings": {"t": -MAX_COUNT - 2}}, "`settings.t` must be from -9223372036854775808"),
        ({"rss_before_bytes": -1}, "`rss_before_bytes` must be from 0"),
        ({"rss_peak_bytes": MAX_COUNT + 1}, "`rss_peak_bytes` must be from 0"),
    ]
    for change, message in cases:
        with pytest.raises(ValueError) as caught:
            model(**change)
        assert str(caught.value).startswith(message)


def test_the_status_must_agree_with_the_rounds() -> None:
    empty = ProcessRun(pid=8)
    measured = ProcessRun(pid=7, values=(rnd(0.6),))
    for runs in ((), (empty,), (measured, empty), (empty, measured)):
        with pytest.raises(ValueError) as caught:
            model(runs=runs)
        assert str(caught.value) == "model 'trio' is ok but a worker has no measured rounds"
    for status in ("not-run", "unavailable"):
        model(status=status, runs=(empty,))  # a worker without rounds measured nothing
        with pytest.raises(ValueError) as caught:
            model(status=status, runs=(empty, measured))
        assert str(caught.value) == f"model 'trio' is {status} but has measured rounds"
    for status in ("wrong", "failed", "interrupted"):
        assert model(status=status, runs=(empty, measured)).measured
        assert not model(status=status, runs=(empty,)).measured


def test_overhead_must_be_wall_minus_ideal_within_rounding() -> None:
    def with_overhead(overhead: float, wall: float = 0.6, ideal: float = IDEAL) -> ModelResult:
        one = Round(wall_s=wall, cpu_s=0.0, overhead_s=overhead)
        return model(ideal_s=ideal, runs=(ProcessRun(pid=7, values=(rnd(0.7), one)),))

    with_overhead(0.1 + 0.9e-9)  # within the absolute 1e-9
    with_overhead(0.1 - 0.9e-9)
    with_overhead(1000.0 + 0.9e-6, wall=1000.5)  # within the relative 1e-9 of 1000
    with pytest.raises(ValueError) as caught:
        with_overhead(0.1 + 2e-9)
    assert str(caught.value).startswith("model 'trio' round 1 has overhead_s 0.100000002, but ")
    assert str(caught.value).endswith(f"wall_s - ideal_s is {0.6 - IDEAL!r}")
    with pytest.raises(ValueError, match="round 1 has overhead_s"):
        with_overhead(1000.0 + 2e-6, wall=1000.5)


def test_rounds_values_and_process_medians_follow_the_processes() -> None:
    result = model(
        runs=(
            ProcessRun(pid=1, values=(rnd(0.9, 0.1), rnd(0.6, 0.2), rnd(0.7, 0.3))),
            ProcessRun(pid=2, values=(rnd(0.55, 0.4),)),
        ),
        status="wrong",
    )
    assert result.rounds == (rnd(0.9, 0.1), rnd(0.6, 0.2), rnd(0.7, 0.3), rnd(0.55, 0.4))
    assert result.values("wall") == [0.9, 0.6, 0.7, 0.55]
    assert result.values("cpu") == [0.1, 0.2, 0.3, 0.4]
    assert result.values("overhead") == pytest.approx([0.4, 0.1, 0.2, 0.05])
    assert result.process_medians("wall") == [0.7, 0.55]
    # A worker that measured nothing (interrupted before its round) gives no value.
    gapped = model(
        status="interrupted", runs=(ProcessRun(pid=3), ProcessRun(pid=4, values=(rnd(0.8),)))
    )
    assert gapped.process_medians("wall") == [0.8]
    assert gapped.process_medians("overhead") == [pytest.approx(0.3)]
    # Summaries over every round: walls 0.55, 0.6, 0.7, 0.9 have median 0.65.
    assert result.wall.median == pytest.approx(0.65)
    assert result.overhead.median == pytest.approx(0.15)
    assert result.cpu.median == pytest.approx(0.25)
    assert result.overhead_per_job_us.median == pytest.approx(0.15 / 3 * 1e6)


def test_sums_ok_ranked_and_measured_by_status() -> None:
    measured = (ProcessRun(pid=7, values=(rnd(0.6),)),)
    assert (model().sums_ok, model().ranked, model().measured) == (True, True, True)
    wrong = model(status="wrong", runs=measured)
    assert (wrong.sums_ok, wrong.ranked) == (False, False)
    for status in ("failed", "interrupted"):
        assert model(status=status, runs=measured).sums_ok is None  # never checked
        assert model(status=status, runs=measured).ranked is False  # rounds, but not ok
        assert model(status=status, runs=()).sums_ok is None
    assert model(status="wrong", runs=()).sums_ok is None
    assert model(status="not-run", runs=()).ranked is False


def test_memory_per_job_is_the_growth_over_the_jobs() -> None:
    assert model(rss_before_bytes=1000, rss_peak_bytes=4000).memory_per_job_bytes == 1000.0
    assert model(rss_before_bytes=4000, rss_peak_bytes=1000).memory_per_job_bytes == 0.0
    assert model(rss_before_bytes=1000, rss_peak_bytes=1001).memory_per_job_bytes == 1 / 3
    assert model(rss_before_bytes=None, rss_peak_bytes=1000).memory_per_job_bytes is None
    assert model(rss_before_bytes=1000, rss_peak_bytes=None).memory_per_job_bytes is None


def test_unstable_needs_two_rounds_and_names_the_spread() -> None:
    # Walls 1.0 and 2.0: mean 1.5, sample stdev sqrt(0.5) = 0.707, 47 % of the mean;
    # overheads 0.5 and 1.5: IQR 1.25 - 0.75 = 0.5, 50 % of the median 1.0.
    two = model(runs=pool_runs([[rnd(1.0)], [rnd(2.0)]]))
    assert two.unstable == "wall stdev is 47% of the mean; overhead IQR is 50% of its median"
    assert model(runs=pool_runs([[rnd(2.0)]])).unstable is None
    assert model(runs=pool_runs([[rnd(0.6), rnd(0.6)]])).unstable is None


def test_pool_runs_makes_one_anonymous_run_per_list() -> None:
    runs = pool_runs([[rnd(0.6), rnd(0.7)], [rnd(0.8)]])
    assert runs == (
        ProcessRun(pid=None, values=(rnd(0.6), rnd(0.7))),
        ProcessRun(pid=None, values=(rnd(0.8),)),
    )
    assert runs[0].warmups == ()


# -- a scenario's block and the file ------------------------------------------------------


def test_a_block_checks_jobs_and_each_ideal_against_its_scenario() -> None:
    sequential = model(
        model="sync", concurrent=False, ideal_s=1.5, runs=pool_runs([[rnd(1.6, ideal=1.5)]])
    )
    block = ScenarioResults(scenario=THREE, models=(model(), sequential, model(model="b")))
    assert [m.model for m in block.models] == ["trio", "sync", "b"]
    ScenarioResults(scenario=THREE, models=(model(ideal_s=IDEAL * (1 + 0.9e-9)),))
    cases = [
        (model(jobs=4), "model 'trio' has jobs 4, the scenario 3"),
        (
            model(ideal_s=0.6, runs=pool_runs([[rnd(0.7, ideal=0.6)]])),
            "model 'trio' has ideal_s 0.6, but its scenario gives 0.5",
        ),
        (
            model(concurrent=False),  # a sequential model's ideal is the sum, 1.5
            "model 'trio' has ideal_s 0.5, but its scenario gives 1.5",
        ),
        (model(ideal_s=IDEAL * (1 + 2e-9)), "has ideal_s 0.500000001, but its scenario gives 0.5"),
    ]
    for bad, message in cases:
        with pytest.raises(ValueError) as caught:
            ScenarioResults(scenario=THREE, models=(model(), sequential, bad))
        assert message in str(caught.value)
    tiny = Scenario.uniform(1, 0.0, name="tiny")
    ScenarioResults(scenario=tiny, models=(model(jobs=1, ideal_s=1e-13, runs=(), status="failed"),))
    with pytest.raises(ValueError, match="has ideal_s 1e-11"):
        ScenarioResults(
            scenario=tiny, models=(model(jobs=1, ideal_s=1e-11, runs=(), status="failed"),)
        )


def file_with(environment: dict[str, Any]) -> ResultsFile:
    return ResultsFile(
        created_utc="2024-01-02T03:04:05Z",
        settings=settings(),
        environment=environment,
        scenarios=(ScenarioResults(scenario=THREE, models=(model(),)),),
    )


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_the_environment_is_plain_json_data_of_bounded_depth() -> None:
    fine = {"a": [1, 2.5, "x", None, True, {"b": (-MAX_COUNT - 1, MAX_COUNT)}], "c": False}
    assert file_with(fine).environment == fine
    file_with({"deep": nested(MAX_ENVIRONMENT_DEPTH - 1)})  # the list at depth 1, the int at 8
    cases = [
        ({"deep": nested(MAX_ENVIRONMENT_DEPTH)}, "`environment.deep[0][0][0][0][0][0][0][0]`"),
        ({"a": {"b": [0.5, math.nan]}}, "`environment.a.b[1]` must be a finite number, got nan"),
        ({"a": [math.inf]}, "`environment.a[0]` must be a finite number, got inf"),
        ({"n": MAX_COUNT + 1}, "`environment.n` must be from -9223372036854775808 to"),
        ({"n": {"m": -MAX_COUNT - 2}}, "`environment.n.m` must be from"),
        ({"s": {1, 2}}, "`environment.s` must be JSON data, got set"),
        ({"s": [b"x"]}, "`environment.s[0]` must be JSON data, got bytes"),
    ]
    for environment, message in cases:
        with pytest.raises(ValueError) as caught:
            file_with(environment)
        assert str(caught.value).startswith(message)
    with pytest.raises(ValueError, match=r"\]` is nested more than 8 levels deep$"):
        file_with({"deep": nested(MAX_ENVIRONMENT_DEPTH)})


def test_models_walks_every_block_and_decode_reads_to_json_back() -> None:
    other = Scenario.uniform(3, IDEAL, name="other")
    results = ResultsFile(
        created_utc="2024-01-02T03:04:05Z",
        settings=settings(),
        environment={},
        scenarios=(
            ScenarioResults(scenario=THREE, models=(model(), model(model="b"))),
            ScenarioResults(scenario=other, models=(model(model="c"),)),
        ),
    )
    assert [(s.name, m.model) for s, m in results.models()] == [
        ("three", "trio"),
        ("three", "b"),
        ("other", "c"),
    ]
    assert decode(results.to_json()) == results
    assert decode(results.to_json().encode()) == results
    assert results.schema_version == 2 and results.partial is False


# -- a TCP round's server figures ------------------------------------------------------------


def tcp_round(**server: float) -> Round:
    return Round(wall_s=0.5, cpu_s=0.1, overhead_s=0.0, **server)


def test_server_figures_are_optional_and_kept_when_in_range() -> None:
    assert (tcp_round().server_cpu_s, tcp_round().server_busy) == (None, None)
    edges = tcp_round(server_cpu_s=0.0, server_busy=0.0), tcp_round(server_busy=1.0)
    assert [r.server_busy for r in edges] == [0.0, 1.0]
    assert edges[0].server_cpu_s == 0.0


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ({"server_cpu_s": math.nan}, "`server_cpu_s` must be a finite number, got nan"),
        ({"server_cpu_s": -0.5}, "`server_cpu_s` must be from 0 to 3.6e+11, got -0.5"),
        ({"server_busy": -0.01}, "`server_busy` must be from 0 to 1, got -0.01"),
        ({"server_busy": 1.01}, "`server_busy` must be from 0 to 1, got 1.01"),
    ],
)
def test_server_figures_out_of_range_are_refused_naming_the_field(
    server: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        tcp_round(**server)
    assert str(raised.value) == message
