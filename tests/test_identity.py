"""Row identity: one key per row (the scenario's full definition, model, interpreter), one label,
and every exporter and figure keeping rows of different interpreters apart."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from concurrency_bench.analysis.verdict import judge, ordered_models
from concurrency_bench.cli.main import main
from concurrency_bench.report import ci_benchmark, render
from concurrency_bench.report.figures.series import scaling_groups
from concurrency_bench.report.palette import row_style
from concurrency_bench.report.pyperf_export import export
from concurrency_bench.report.rows import build_table
from concurrency_bench.results import (
    ModelResult,
    PythonInfo,
    ResultsFile,
    RowKey,
    ScenarioKey,
    keyed_models,
    machine_of,
    row_label,
    write_atomic,
)
from concurrency_bench.workload import Scenario
from factories import model_result, results_file, scenario

S = scenario(100, 50)
FAST = [0.0030, 0.0031, 0.0029, 0.0032, 0.0030]
SLOW = [0.0060, 0.0061, 0.0059, 0.0062, 0.0060]


def under(result: ModelResult, label: str) -> ModelResult:
    """`result` as measured under another interpreter labelled `label`."""
    info = PythonInfo(
        label=label, executable=f"/usr/bin/python{label}", version=f"{label}.0",
        implementation="CPython",
    )  # fmt: skip
    return msgspec.structs.replace(result, python=info)


def two_interpreters(*scenarios: Scenario) -> ResultsFile:
    """`run --python 3.11,3.13`: every model of every scenario under each interpreter."""
    blocks = []
    for s in scenarios:
        rows = []
        for label, overheads in (("3.11", SLOW), ("3.13", FAST)):
            rows += [
                under(model_result("asyncio-gather", s, overheads=overheads), label),
                under(model_result("uvloop", s, overheads=overheads), label),
            ]
        blocks.append((s, rows))
    return results_file(blocks)


def test_the_label_names_every_axis_a_row_has() -> None:
    assert row_label("asyncio-gather") == "asyncio-gather"
    assert row_label("asyncio-gather", "3.13") == "asyncio-gather (3.13)"
    assert row_label("asyncio-gather", "3.13", "aiohttp") == "asyncio-gather + aiohttp (3.13)"
    key = RowKey(ScenarioKey.of(S), "trio", "3.12")
    assert key.label == "trio (3.12)" and key.title() == f"{S.name} / trio (3.12)"


def test_labels_and_machines_are_shown_escaped_whatever_they_hold() -> None:
    assert row_label("a\x1b[2J", "3.12\u202e", "c\nd") == "a\\x1b[2J + c\\nd (3.12\\u202e)"
    hostile = Scenario.uniform(3, 0.01, name="s\u2028t")
    assert RowKey(ScenarioKey.of(hostile), "m").title() == "s\\u2028t / m"
    machine = machine_of({"cpu_model": "CPU\n## injected\x1b]0;x\x07", "logical_cores": 2})
    assert machine == "CPU\\n## injected\\x1b]0;x\\x07, 2 cores"


def test_the_scenario_key_is_the_full_definition_not_the_name() -> None:
    ten, twenty = Scenario.seed_story(10.0), Scenario.seed_story(20.0)
    assert ten.name == twenty.name
    assert ScenarioKey.of(ten) != ScenarioKey.of(twenty)
    assert ScenarioKey.of(ten) == ScenarioKey.of(Scenario.seed_story(10.0))
    timer, tcp = scenario(1000, 50), scenario(1000, 50).with_io("tcp")
    assert ScenarioKey.of(timer).definition != ScenarioKey.of(tcp).definition
    shared = scenario(1000, 50).with_io("tcp", connections=10)
    assert ScenarioKey.of(shared) != ScenarioKey.of(tcp)
    zero = Scenario.explicit([0.0, 0.01], name="z")
    assert ScenarioKey.of(zero) == ScenarioKey.of(Scenario.explicit([-0.0, 0.01], name="z"))


def test_two_interpreters_give_unique_names_in_ci_benchmark_json(tmp_path: Path) -> None:
    results = two_interpreters(S)
    names = [entry["name"] for entry in ci_benchmark.entries(results)]
    assert len(names) == len(set(names)) == 8
    assert f"{S.name} / asyncio-gather (3.13): wall" in names
    assert f"{S.name} / asyncio-gather (3.11): wall" in names


def test_two_interpreters_give_unique_benchmarks_in_pyperf_json(tmp_path: Path) -> None:
    source, out = tmp_path / "run.json", tmp_path / "pyperf.json"
    write_atomic(source, two_interpreters(S).to_json())
    assert main(["report", str(source), "--format", "pyperf", "--output", str(out)]) == 0
    benchmarks = json.loads(out.read_text(encoding="utf-8"))["benchmarks"]
    names = [b["metadata"]["name"] for b in benchmarks]
    assert len(names) == len(set(names)) == 12  # 4 rows x wall, overhead, cpu
    assert f"{S.name} uvloop (3.11) wall" in names
    assert {b["metadata"].get("interpreter") for b in benchmarks} == {"3.11", "3.13"}
    assert not export(two_interpreters(S)).skipped


def test_two_interpreters_are_distinct_figure_series_with_distinct_styles() -> None:
    (group,) = scaling_groups(two_interpreters(scenario(100, 50), scenario(1000, 50)))
    labels = [series.label for series in group.series]
    assert labels == [
        "asyncio-gather (3.11)", "uvloop (3.11)", "asyncio-gather (3.13)", "uvloop (3.13)",
    ]  # fmt: skip
    assert all(len(series.points) == 2 for series in group.series)
    interpreters = ["3.11", "3.13"]
    old, new = (row_style(group.series[i], interpreters) for i in (0, 2))
    assert old.colour == new.colour and old.marker == new.marker  # the same model
    assert (old.linestyle, old.filled) != (new.linestyle, new.filled)  # another interpreter


def test_timer_and_tcp_at_one_size_are_not_one_scaling_line() -> None:
    timer = [scenario(1000, 50), scenario(5000, 50)]
    tcp = [s.with_io("tcp") for s in timer]
    rows = {s: [model_result("uvloop", s, overheads=FAST)] for s in [*timer, tcp[0]]}
    (group,) = scaling_groups(results_file(rows.items()))
    assert group.name == "uniform-Nx50ms-100ints" and group.sizes == [1000, 5000]
    rows[tcp[1]] = [model_result("uvloop", tcp[1], overheads=FAST)]
    groups = scaling_groups(results_file(rows.items()))
    assert [g.name for g in groups] == ["uniform-Nx50ms-100ints", "uniform-Nx50ms-100ints-tcp"]
    assert [len(g.series[0].points) for g in groups] == [2, 2]


def test_the_table_and_the_verdict_share_one_order_on_equal_figures() -> None:
    # Equal figures: the order falls to the row's axes, whatever order the file has them in.
    rows = [
        under(model_result("uvloop", S, overheads=FAST), "3.13"),
        under(model_result("uvloop", S, overheads=FAST), "3.11"),
        model_result("asyncio-gather", S, overheads=FAST),
    ]
    results = results_file([(S, rows)])
    table = build_table(results.scenarios[0])
    shown = [row.key.label for row in table.rows]
    assert shown == ["asyncio-gather", "uvloop (3.11)", "uvloop (3.13)"]
    verdict = judge(reversed(rows))
    assert verdict is not None and list(ordered_models(verdict)) == shown


def test_every_row_of_a_file_has_its_own_key() -> None:
    results = two_interpreters(S, scenario(1000, 50))
    keys = [key for _, key, _ in keyed_models(results)]
    assert len(keys) == len(set(keys)) == 8
    assert len({key.axes for key in keys}) == 4  # the same rows at two sizes


@pytest.mark.parametrize("fmt", ["text", "md", "csv"])
def test_tables_name_each_interpreter_row(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    write_atomic(path, two_interpreters(S).to_json())
    out = tmp_path / f"out.{fmt}"
    assert main(["report", str(path), "--format", fmt, "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "uvloop (3.11)" in text and "uvloop (3.13)" in text


def test_each_interpreter_s_speed_up_is_against_its_own_sync() -> None:
    sync_walls = {"3.11": [5.2] * 5, "3.13": [5.1] * 5}  # the sum of delays is 5 s
    rows = []
    for label, walls in sync_walls.items():
        rows += [
            under(model_result("sync", S, walls=walls, concurrent=False), label),
            under(model_result("uvloop", S, walls=[0.052] * 5), label),
        ]
    table = build_table(results_file([(S, rows)]).scenarios[0])
    speedups = {row.key.label: row.speedup for row in table.rows}
    assert speedups["uvloop (3.11)"] == pytest.approx(5.2 / 0.052)
    assert speedups["uvloop (3.13)"] == pytest.approx(5.1 / 0.052)
    assert not table.marked
    # Without a 3.13 sync its rows are against the sum of delays, marked, and the footnote says
    # which interpreter lacked it; 3.11's stay against its own sync, unmarked.
    without = [rows[0], rows[1], rows[3]]
    lacking = build_table(results_file([(S, without)]).scenarios[0])
    by_label = {row.key.label: row for row in lacking.rows}
    assert by_label["uvloop (3.11)"].baseline == "sync"
    assert by_label["uvloop (3.13)"].baseline == "sum-of-delays"
    assert lacking.marked and lacking.baseline_note == "sync not run (3.13)"
    text = render(results_file([(S, without)]), "text")
    assert "* vs the sum of delays (5.00 s); sync not run (3.13)" in text
