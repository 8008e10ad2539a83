"""analysis/gate.py, the regression gate: the Mann-Whitney test, the verdict rules and
`concurrency-bench compare`."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

import pytest
from msgspec.structs import replace

from concurrency_bench.analysis import gate
from concurrency_bench.analysis.gate import change_pct, judge
from concurrency_bench.analysis.ranktest import mann_whitney_u
from concurrency_bench.cli.main import main as cli_main
from concurrency_bench.results import ModelResult, ResultsFile, Round, ScenarioResults
from concurrency_bench.results.schema import decode
from concurrency_bench.workload import Scenario
from factories import model_result, results_file, scenario

# Per-round overheads (seconds) of a 1000-job scenario: ~20 ms, a little spread, no ties.
BASE_OVERHEADS = (0.0201, 0.0212, 0.0195, 0.0207, 0.0223)
OTHER_OVERHEADS = (0.0401, 0.0388, 0.0412, 0.0395, 0.0420)


# -- the test itself ---------------------------------------------------------------------


def test_completely_separated_five_against_five_is_one_in_252() -> None:
    low, high = [1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0]
    assert mann_whitney_u(high, low, "greater").p == pytest.approx(1 / 252)
    assert mann_whitney_u(high, low, "greater").u == 25
    assert mann_whitney_u(low, high, "less").p == pytest.approx(1 / 252)
    assert mann_whitney_u(low, high, "greater").p == 1.0
    assert mann_whitney_u(high, low, "greater").exact


def test_five_against_five_reaches_alpha_at_u_four_not_five() -> None:
    # The U distribution for 5 vs 5 starts 1, 1, 2, 3, 5, 7 ways out of 252.
    base = [1.0, 2.0, 3.0, 4.0, 5.0]
    for u, ways in ((1, 2), (4, 12), (5, 19)):
        # Move the lowest `new` value below `u` base values: U(new > base) = 25 - u.
        new = [6.0, 7.0, 8.0, 9.0, 5.5 - u]
        result = mann_whitney_u(new, base, "greater")
        assert result.u == 25 - u
        assert result.p == pytest.approx(ways / 252)
    assert mann_whitney_u([6, 7, 8, 9, 1.5], base, "greater").p <= 0.05
    assert mann_whitney_u([6, 7, 8, 9, 0.5], base, "greater").p > 0.05


def test_exact_p_matches_scipy_without_ties() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(4)
    for n, m in ((5, 5), (3, 7), (8, 8), (5, 6), (1, 4), (10, 12)):
        x = [rng.random() for _ in range(n)]
        y = [rng.random() + rng.choice((0.0, 0.3)) for _ in range(m)]
        for alternative in ("greater", "less"):
            ours = mann_whitney_u(x, y, alternative)
            theirs = stats.mannwhitneyu(x, y, alternative=alternative, method="exact")
            assert ours.u == theirs.statistic
            assert ours.p == pytest.approx(theirs.pvalue, rel=1e-9)


def test_exact_p_with_ties_is_the_permutation_distribution_of_mid_ranks() -> None:
    x, y = [1.0, 2.0, 2.0, 3.0, 5.0], [2.0, 3.0, 3.0, 4.0, 4.0, 0.5]
    pooled = x + y
    ranks = {v: (sum(p < v for p in pooled) + sum(p <= v for p in pooled) + 1) / 2 for v in pooled}
    observed = sum(ranks[v] for v in x)
    sums = [sum(ranks[pooled[i]] for i in c) for c in itertools.combinations(range(11), 5)]
    greater = sum(s >= observed - 1e-9 for s in sums) / len(sums)
    less = sum(s <= observed + 1e-9 for s in sums) / len(sums)
    assert mann_whitney_u(x, y, "greater").p == pytest.approx(greater)
    assert mann_whitney_u(x, y, "less").p == pytest.approx(less)


def test_large_samples_use_the_normal_approximation_with_tie_correction() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(9)
    x = [round(rng.random(), 1) for _ in range(40)]
    y = [round(rng.random() + 0.1, 1) for _ in range(45)]
    for alternative in ("greater", "less"):
        ours = mann_whitney_u(x, y, alternative)
        theirs = stats.mannwhitneyu(x, y, alternative=alternative, method="asymptotic")
        assert not ours.exact
        assert ours.p == pytest.approx(theirs.pvalue, rel=1e-9)


def test_all_values_tied_gives_no_evidence() -> None:
    assert mann_whitney_u([1.0] * 5, [1.0] * 5, "greater").p == 1.0
    assert mann_whitney_u([1.0] * 40, [1.0] * 40, "less").p == 1.0


def test_empty_sample_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        mann_whitney_u([], [1.0])


# -- verdict rules -----------------------------------------------------------------------


def test_change_is_relative_to_the_absolute_base_and_guards_zero() -> None:
    assert change_pct(2.0, 3.0) == pytest.approx(50.0)
    assert change_pct(-2.0, -1.0) == pytest.approx(50.0)  # overhead grew: slower, positive
    assert change_pct(-2.0, -3.0) == pytest.approx(-50.0)
    assert change_pct(0.0, 0.0) == 0.0
    assert change_pct(0.0, 1e-3) == math.inf
    assert change_pct(0.0, -1e-3) == -math.inf


def scaled(values: tuple[float, ...], factor: float) -> list[float]:
    return [v * factor for v in values]


def test_judge_says_slower_faster_or_unchanged_by_significance_and_threshold() -> None:
    base = list(BASE_OVERHEADS)
    assert judge(base, scaled(BASE_OVERHEADS, 1.5))[0] == "slower"
    assert judge(base, scaled(BASE_OVERHEADS, 0.5))[0] == "faster"
    # Significant (fully separated) but only +5%: a real change within the threshold.
    tight = (1.00, 1.01, 1.02, 1.03, 1.04)
    assert judge(list(tight), scaled(tight, 1.05))[0] == "unchanged"
    assert judge(list(tight), scaled(tight, 1.05), threshold_pct=3)[0] == "slower"
    assert judge(list(tight), scaled(tight, 0.95), threshold_pct=3)[0] == "faster"
    # The same rounds in another order: no change at all.
    assert judge(base, base[::-1])[0] == "unchanged"
    # Heavy overlap, medians 9% apart: the rounds cannot tell.
    verdict, change, p_slower, _ = judge(
        [0.020, 0.025, 0.018, 0.030, 0.022], [0.024, 0.019, 0.028, 0.021, 0.026]
    )
    assert (verdict, round(change, 1)) == ("noise", 9.1)
    assert p_slower > 0.05
    # Under the timer floor, even a fully separated +50% is not a verdict.
    assert judge(base, scaled(BASE_OVERHEADS, 1.5), floor=0.02)[0] == "unchanged"


def test_insignificant_tiny_change_is_unchanged() -> None:
    base = [1.0, 2.0, 3.0, 4.0, 5.0]
    new = [1.01, 2.0, 3.02, 3.99, 5.0]  # median 3.02: +0.67%, under a tenth of 10%
    assert judge(base, new)[0] == "unchanged"
    assert judge(base, new, threshold_pct=5)[0] == "noise"


def test_significant_move_from_a_zero_base_exceeds_any_threshold() -> None:
    verdict, change, _, _ = judge([0.0, -1e-3, 1e-3, -2e-3, 2e-3], [5e-3, 6e-3, 7e-3, 8e-3, 9e-3])
    assert (verdict, change) == ("slower", math.inf)


def test_few_rounds_can_only_be_noise() -> None:
    verdict, _, p_slower, _ = judge([1.0, 1.1], [2.0, 2.1])
    assert verdict == "noise"
    assert p_slower == pytest.approx(1 / 6)


# -- the command -------------------------------------------------------------------------

SCENARIO = scenario(1000, 50.0)
SEED = scenario(3, 100.0)


def base_file(environment: dict[str, object] | None = None) -> ResultsFile:
    return results_file(
        [
            (
                SCENARIO,
                [
                    model_result("asyncio-gather", SCENARIO, overheads=BASE_OVERHEADS),
                    model_result("trio", SCENARIO, overheads=OTHER_OVERHEADS),
                    model_result("threads", SCENARIO, overheads=scaled(OTHER_OVERHEADS, 2)),
                ],
            ),
            (SEED, [model_result("trio", SEED, overheads=scaled(BASE_OVERHEADS, 0.1))]),
        ],
        environment=environment,
    )


def slowed(results: ResultsFile, runner: str, factor: float) -> ResultsFile:
    """`results` with every round of `runner` (all scenarios) having overhead x factor."""

    def change(model: ModelResult) -> ModelResult:
        if model.model != runner:
            return model
        runs = tuple(
            replace(
                run,
                values=tuple(
                    Round(
                        wall_s=r.wall_s + r.overhead_s * (factor - 1),
                        cpu_s=r.cpu_s,
                        overhead_s=r.overhead_s * factor,
                    )
                    for r in run.values
                ),
            )
            for run in model.runs
        )
        return replace(model, runs=runs)

    return replace(
        results,
        scenarios=tuple(
            ScenarioResults(scenario=block.scenario, models=tuple(change(m) for m in block.models))
            for block in results.scenarios
        ),
    )


def with_model(results: ResultsFile, scenario_name: str, model: ModelResult) -> ResultsFile:
    """`results` with `model` replacing the model of the same name in `scenario_name`."""
    blocks = []
    for block in results.scenarios:
        models = block.models
        if block.scenario.name == scenario_name:
            models = tuple(model if m.model == model.model else m for m in models)
        blocks.append(ScenarioResults(scenario=block.scenario, models=models))
    return replace(results, scenarios=tuple(blocks))


def write(path: Path, results: ResultsFile) -> str:
    path.write_text(results.to_json(), encoding="utf-8")
    return str(path)


def run(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, dict[tuple[str, str], str], str, str]:
    """Run the CLI; return its status, {(scenario, model): verdict cell}, stdout and stderr."""
    status = cli_main(["compare", *argv])
    out, err = capsys.readouterr()
    cells: dict[tuple[str, str], str] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[0] in (SCENARIO.name, SEED.name):
            cells[(parts[0], parts[1])] = line
    return status, cells, out, err


@pytest.fixture
def base_path(tmp_path: Path) -> str:
    return write(tmp_path / "base.json", base_file())


def test_identical_files_pass_with_every_row_unchanged(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write(tmp_path / "new.json", base_file())
    status, rows, out, err = run(capsys, base_path, new)
    assert status == 0
    assert err == ""
    assert len(rows) == 4
    assert all(line.endswith("unchanged") for line in rows.values())
    assert "0 slower, 0 faster, 4 unchanged, 0 noise" in out
    assert "gate: pass" in out


def test_one_model_fifty_percent_slower_fails_the_gate(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write(tmp_path / "new.json", slowed(base_file(), "asyncio-gather", 1.5))
    status, rows, out, _ = run(capsys, base_path, new)
    assert status == 1
    row = rows[(SCENARIO.name, "asyncio-gather")]
    assert row.endswith("slower")
    assert "+50.0%" in row
    assert "20.70" in row  # base median 20.7 ms over 1000 jobs = 20.70 µs per job
    assert "31.05" in row
    assert rows[(SCENARIO.name, "trio")].endswith("unchanged")
    assert "1 slower, 0 faster, 3 unchanged, 0 noise" in out
    assert "gate: FAIL" in out


def test_fifty_percent_faster_passes_and_says_faster(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write(tmp_path / "new.json", slowed(base_file(), "trio", 0.5))
    status, rows, _, _ = run(capsys, base_path, new)
    assert status == 0
    assert rows[(SCENARIO.name, "trio")].endswith("faster")
    assert "-50.0%" in rows[(SCENARIO.name, "trio")]
    # The seed scenario's trio overhead is ~2 ms a round: halving it moves it 1 ms, above
    # the 0.5 ms timer floor, so it is faster too.
    assert rows[(SEED.name, "trio")].endswith("faster")


def test_heavy_overlap_is_noise_and_passes(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    noisy_base = with_model(
        base_file(),
        SCENARIO.name,
        model_result("trio", SCENARIO, overheads=[0.020, 0.025, 0.018, 0.030, 0.022]),
    )
    noisy_new = with_model(
        base_file(),
        SCENARIO.name,
        model_result("trio", SCENARIO, overheads=[0.024, 0.019, 0.028, 0.021, 0.026]),
    )
    status, rows, out, _ = run(
        capsys, write(tmp_path / "a.json", noisy_base), write(tmp_path / "b.json", noisy_new)
    )
    assert status == 0
    assert rows[(SCENARIO.name, "trio")].endswith("noise")
    assert "+9.1%" in rows[(SCENARIO.name, "trio")]
    assert "0 slower, 0 faster, 3 unchanged, 1 noise" in out


def test_ok_to_failed_is_a_regression_and_other_statuses_are_shown(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    failed = model_result("trio", SCENARIO, status="failed", reason="timed out after 30 s")
    new = write(tmp_path / "new.json", with_model(base_file(), SCENARIO.name, failed))
    status, rows, out, _ = run(capsys, base_path, new)
    assert status == 1
    assert "new: failed (timed out after 30 s)" in rows[(SCENARIO.name, "trio")]
    assert "1 broke" in out
    # The other way round (failed in base, ok in new) is shown but does not fail.
    status, rows, _, _ = run(capsys, new, base_path)
    assert status == 0
    assert "base: failed (timed out after 30 s)" in rows[(SCENARIO.name, "trio")]


def test_unavailable_in_new_and_models_on_one_side_do_not_fail(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = model_result("threads", SCENARIO, status="unavailable", reason="needs package X")
    new_file = with_model(base_file(), SCENARIO.name, gone)
    extra = model_result("uvloop", SEED, overheads=BASE_OVERHEADS)
    new_file = replace(
        new_file,
        scenarios=(
            new_file.scenarios[0],
            ScenarioResults(
                scenario=SEED, models=(extra,)
            ),  # seed/trio only in base, seed/uvloop only in new
        ),
    )
    status, rows, out, _ = run(capsys, base_path, write(tmp_path / "new.json", new_file))
    assert status == 0
    assert "new: unavailable (needs package X)" in rows[(SCENARIO.name, "threads")]
    assert rows[(SEED.name, "trio")].endswith("only in base")
    assert rows[(SEED.name, "uvloop")].endswith("only in new")
    assert "1 not compared (not ok), 1 only in base, 1 only in new" in out


def test_environment_differences_warn_but_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = {"cpu_model": "X", "logical_cores": 2, "gc": "on", "git_commit": "aaa"}
    base_env = {
        **common,
        "python": "3.11.7",
        "git_dirty": False,
        "packages": {"trio": "0.25.0", "concurrency-bench": "0.1.0"},
    }
    base = write(tmp_path / "base.json", base_file(base_env))
    new_env = {
        **common,
        "python": "3.12.1",
        "logical_cores": 4,
        "git_commit": "bbb",
        "git_dirty": True,
        "packages": {"trio": "0.26.0", "uvloop": "0.19.0", "concurrency-bench": "0.2.0"},
        "only_in_new": 1,
    }
    new = write(tmp_path / "new.json", base_file(new_env))
    status, _, _, err = run(capsys, base, new)
    assert status == 0
    lines = err.splitlines()
    assert "concurrency-bench: warning: environment differs: logical_cores: 2 -> 4" in lines
    assert any("python: 3.11.7 -> 3.12.1" in line for line in lines)
    assert any("packages.trio: 0.25.0 -> 0.26.0" in line for line in lines)
    assert any("packages.uvloop: absent -> 0.19.0" in line for line in lines)
    assert "git_" not in err
    assert "concurrency-bench:" not in err.replace("concurrency-bench: warning:", "")
    assert "only_in_new" not in err
    assert len(lines) == 4


def test_gc_recorded_in_both_places_warns_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # environment.collect records {"setting": ..., "thresholds": [...]}; RunSettings.gc too.
    on = base_file({"gc": {"setting": "on", "thresholds": [700, 10, 10]}})
    off = base_file({"gc": {"setting": "off", "thresholds": [700, 10, 10]}})
    off = replace(off, settings=replace(off.settings, gc="off"))
    status, _, _, err = run(capsys, write(tmp_path / "a.json", on), write(tmp_path / "b.json", off))
    assert status == 0
    assert err == "concurrency-bench: warning: environment differs: gc.setting: on -> off\n"


def test_run_settings_differences_warn_when_the_environment_lacks_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = base_file({"cpu_model": "X"})  # an environment without a "gc" entry
    new = replace(base, settings=replace(base.settings, gc="off", rounds=10))
    status, _, _, err = run(
        capsys, write(tmp_path / "a.json", base), write(tmp_path / "b.json", new)
    )
    assert status == 0
    assert err.splitlines() == [
        "concurrency-bench: warning: run settings differ: gc: on -> off",
        "concurrency-bench: warning: run settings differ: rounds: 5 -> 10",
    ]


def test_rounds_sharing_a_process_is_a_settings_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = base_file()
    new = replace(base, settings=replace(base.settings, rounds_per_process=5))
    status, _, _, err = run(
        capsys, write(tmp_path / "a.json", base), write(tmp_path / "b.json", new)
    )
    assert status == 0
    assert err == "concurrency-bench: warning: run settings differ: rounds_per_process: 1 -> 5\n"


def test_metric_wall_compares_wall_times_in_ms(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same-named scenario with 75 ms delays instead of 50: every wall 25 ms longer, the
    # overhead unchanged (a file whose overhead contradicted its wall would be refused).
    longer_delays = Scenario.uniform(
        SCENARIO.jobs, 0.075, ints_per_job=SCENARIO.ints_per_job, name=SCENARIO.name
    )
    longer = model_result("asyncio-gather", longer_delays, overheads=BASE_OVERHEADS)
    new = write(tmp_path / "new.json", results_file([(longer_delays, [longer])]))
    status, rows, out, _ = run(capsys, base_path, new, "--metric", "wall")
    assert status == 1
    assert "wall time (ms)" in out
    assert rows[(SCENARIO.name, "asyncio-gather")].endswith("slower")
    assert "70.70" in rows[(SCENARIO.name, "asyncio-gather")]  # 50 ms ideal + 20.7 ms median
    assert "95.70" in rows[(SCENARIO.name, "asyncio-gather")]  # 75 ms ideal + 20.7 ms median
    status, rows, _, _ = run(capsys, base_path, new)  # default metric: overhead per job
    assert status == 0
    assert rows[(SCENARIO.name, "asyncio-gather")].endswith("unchanged")


def test_threshold_and_alpha_change_the_verdict(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write(tmp_path / "new.json", slowed(base_file(), "trio", 1.2))
    assert run(capsys, base_path, new)[0] == 1
    assert run(capsys, base_path, new, "--threshold", "25")[0] == 0
    # 1/252 is not <= 0.001: at that alpha 5 rounds can never be significant.
    status, rows, _, _ = run(capsys, base_path, new, "--alpha", "0.001")
    assert status == 0
    assert rows[(SCENARIO.name, "trio")].endswith("noise")


def test_baseline_option_reads_results_baseline_json_in_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    new = write(tmp_path / "new.json", base_file())
    status, _, _, err = run(capsys, "--baseline", new)
    assert status == 2
    assert err.count("\n") == 1
    assert "no baseline at results/baseline.json" in err
    (tmp_path / "results").mkdir()
    write(tmp_path / "results" / "baseline.json", base_file())
    status, _, out, _ = run(capsys, "--baseline", new)
    assert status == 0
    assert "results/baseline.json" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "not valid JSON"),
        ('{"schema_version": 99}', "schema_version 99 is not supported"),
        ('{"schema_version": 1, "created_utc": "x"}', "malformed results file"),
    ],
    ids=["missing", "not-json", "unknown-version", "malformed"],
)
def test_bad_files_are_one_line_and_exit_2(
    tmp_path: Path,
    base_path: str,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    for argv in ((base_path, str(bad)), (str(bad), base_path)):
        status, _, out, err = run(capsys, *argv)
        assert status == 2
        assert out == ""
        assert err.count("\n") == 1
        assert err.startswith("concurrency-bench: error: ")
        assert message in err
        assert "Traceback" not in err


def test_no_pair_in_common_is_exit_2(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = scenario(10, 5.0)
    new = write(
        tmp_path / "new.json",
        results_file([(other, [model_result("trio", other, overheads=BASE_OVERHEADS)])]),
    )
    status, _, out, err = run(capsys, base_path, new)
    assert (status, out, err.count("\n")) == (2, "", 1)
    assert "no (scenario, model) pair in common" in err


def test_duplicate_pair_in_a_file_is_exit_2(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doubled = base_file()
    doubled = replace(doubled, scenarios=(*doubled.scenarios, doubled.scenarios[0]))
    status, _, _, err = run(capsys, base_path, write(tmp_path / "new.json", doubled))
    assert status == 2
    assert "appears twice" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("--threshold", "0"),
        ("--threshold", "1001"),
        ("--threshold", "nan"),
        ("--alpha", "0"),
        ("--alpha", "0.5"),
        ("--metric", "cpu"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    base_path: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["compare", base_path, base_path, *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert argv[0].lstrip("-") in err


def test_wrong_number_of_files_is_exit_2(
    base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, base_path)[0] == 2
    assert run(capsys, "--baseline", base_path, base_path)[0] == 2
    assert run(capsys, base_path, base_path, base_path)[0] == 2


def test_results_round_trip_keeps_the_verdicts(tmp_path: Path) -> None:
    # The gate reads files written by to_json: what it compares is what was measured.
    path = Path(write(tmp_path / "x.json", slowed(base_file(), "threads", 1.5)))
    loaded = decode(path.read_text())
    comparison = gate.compare(base_file(), loaded)
    verdicts = {(r.scenario, r.model): r.verdict for r in comparison.rows}
    assert verdicts[(SCENARIO.name, "threads")] == "slower"
    assert [r.model for r in comparison.regressions] == ["threads"]


# -- boundaries, the unit of repetition, exit statuses ----------------------------------


def test_p_exactly_at_alpha_is_significant_and_just_over_is_not() -> None:
    base, new = [1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0]
    p = mann_whitney_u(new, base, "greater").p
    assert p == 1 / 252
    assert judge(base, new, alpha=1 / 252)[0] == "slower"  # p <= alpha
    assert judge(base, new, alpha=math.nextafter(1 / 252, 0))[0] == "noise"
    # U = 4 of 25 gives 12/252 ~ 0.0476: under the default alpha; U = 5 (19/252) is over.
    assert judge(base, [6.0, 7.0, 8.0, 9.0, 1.5])[0] == "slower"
    assert judge(base, [6.0, 7.0, 8.0, 9.0, 0.5])[0] == "noise"


def test_change_exactly_at_the_threshold_is_not_slower() -> None:
    base = [9.6, 9.8, 10.0, 10.2, 10.4]
    new = [10.6, 10.8, 11.0, 11.2, 11.4]  # fully separated, median +10 % exactly
    verdict, change, p_slower, _ = judge(base, new, threshold_pct=10.0)
    assert change == 10.0
    assert p_slower <= gate.DEFAULT_ALPHA
    assert verdict == "unchanged"  # significant, but not beyond the threshold
    assert judge(base, new, threshold_pct=math.nextafter(10.0, 0))[0] == "slower"
    faster = [8.7, 8.8, 9.0, 9.1, 9.2]  # median 9.0: exactly -10 %
    assert judge(base, faster, threshold_pct=10.0)[0] == "unchanged"
    assert judge(base, faster, threshold_pct=9.99)[0] == "faster"


def test_default_alpha_through_the_cli_is_005_and_inclusive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Three processes a side, fully separated: p = 1/20 = 0.05 exactly, the default alpha.
    def three(overheads: tuple[float, ...]) -> ResultsFile:
        return results_file(
            [(SCENARIO, [model_result("trio", SCENARIO, overheads=overheads)])], rounds=3
        )

    base = write(tmp_path / "a.json", three((0.020, 0.021, 0.022)))
    new = write(tmp_path / "b.json", three((0.030, 0.031, 0.032)))
    status, rows, out, _ = run(capsys, base, new)
    assert status == 1
    assert "alpha 0.05," in out
    assert "0.050" in rows[(SCENARIO.name, "trio")]
    assert run(capsys, base, new, "--alpha", "0.0499")[0] == 0


def test_the_gate_tests_one_value_per_process_not_every_round() -> None:
    # Ten rounds in two processes a side, every new round slower than every base round: as
    # rounds that would be p = 1/184756; as two process medians a side, p = 1/6, not enough.
    base_rounds = [0.020 + i * 0.0001 for i in range(10)]
    new_rounds = [0.030 + i * 0.0001 for i in range(10)]
    base = model_result("trio", SCENARIO, overheads=base_rounds, rounds_per_process=5)
    new = model_result("trio", SCENARIO, overheads=new_rounds, rounds_per_process=5)
    metric = gate.METRICS["overhead"]
    assert len(metric.values(base)) == 2
    pair = gate.compare_models(SCENARIO.name, base, new, metric)
    assert pair.p_slower == pytest.approx(1 / 6)
    assert pair.verdict == "noise"
    # One round per process: the values are the rounds themselves, as before.
    one = model_result("trio", SCENARIO, overheads=base_rounds)
    assert metric.values(one) == [o / SCENARIO.jobs for o in base_rounds]
    assert (
        gate.compare_models(
            SCENARIO.name, one, model_result("trio", SCENARIO, overheads=new_rounds), metric
        ).verdict
        == "slower"
    )


def test_ok_model_without_rounds_is_a_bad_file_exit_2(
    tmp_path: Path, base_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(base_file().to_json())
    data["scenarios"][0]["models"][1]["runs"] = []
    bad = tmp_path / "empty.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    status, _, out, err = run(capsys, base_path, str(bad))
    assert (status, out, err.count("\n")) == (2, "", 1)
    assert str(bad) in err and "no measured rounds" in err


@pytest.mark.parametrize("command", ["compare", "report"])
def test_an_internal_error_is_one_line_and_exit_3(
    base_path: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("float division by zero\nsecond line")

    target = {
        "compare": "concurrency_bench.cli.compare_cmd.compare",
        "report": "concurrency_bench.report.formats.build_tables",
    }[command]
    monkeypatch.setattr(target, broken)
    argv = [base_path, base_path] if command == "compare" else [base_path]
    status = cli_main([command, *argv])
    out, err = capsys.readouterr()
    assert status == 3
    assert out == ""
    assert err == (
        "concurrency-bench: internal error: ZeroDivisionError: float division by zero second line\n"
    )
