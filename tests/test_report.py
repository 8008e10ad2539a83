"""The report package and `concurrency-bench report`: synthetic results only, nothing measured."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from concurrency_bench import cli
from concurrency_bench.errors import InputError
from concurrency_bench.report import FORMATS, render
from concurrency_bench.report.csv_export import COLUMNS
from concurrency_bench.report.rows import Table, build_table, build_tables
from concurrency_bench.results import ModelResult, ResultsFile, write_atomic
from concurrency_bench.workload import Scenario
from factories import model_result, results_file, scenario

S = scenario(1000, 50)  # 1,000 jobs x 50 ms: concurrent ideal 0.05 s, sequential ideal 50 s
SEED = Scenario.seed_story(100)  # delays 0.5, 0.8, 0.2 s: sum 1.5 s


def ranked_models(s: Scenario = S) -> list[ModelResult]:
    """Three ok models whose run order is not their overhead order."""
    return [
        model_result("trio", s, overheads=[0.020, 0.021, 0.019]),
        model_result("uvloop", s, overheads=[0.003, 0.004, 0.002]),
        model_result("asyncio-gather", s, overheads=[0.008, 0.009, 0.007]),
    ]


def unranked_models(s: Scenario = S) -> list[ModelResult]:
    """One model of every unranked status, in a shuffled order; `wrong` has rounds."""
    return [
        model_result("asyncio-eager", s, status="unavailable", reason="needs Python 3.12+"),
        model_result("sync", s, status="not-run", reason="would take 50 s"),
        model_result("processes", s, status="failed", reason="worker killed by SIGKILL"),
        model_result("threads", s, status="interrupted", reason="Ctrl-C"),
        model_result("anyio-trio", s, status="wrong", overheads=[0.001] * 3, reason="job 3 off"),
    ]


def table_for(models: list[ModelResult], s: Scenario = S) -> Table:
    return build_table(results_file([(s, models)]).scenarios[0])


def md_tables(text: str) -> list[list[str]]:
    """The markdown tables in a document, each as its lines."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def cell_count(line: str) -> int:
    """Cells of one markdown table line, not counting escaped pipes."""
    return len(re.split(r"(?<!\\)\|", line)) - 2


# -- order and ranking ---------------------------------------------------------------


def test_concurrent_rows_are_ranked_in_overhead_order_and_numbered() -> None:
    table = table_for(ranked_models())
    assert [r.result.model for r in table.rows] == ["uvloop", "asyncio-gather", "trio"]
    assert [r.rank for r in table.rows] == [1, 2, 3]


def test_unranked_rows_come_last_by_status_without_comparison_figures() -> None:
    table = table_for(unranked_models() + ranked_models())
    runners = [r.result.model for r in table.rows]
    # anyio-trio has the lowest overhead of all, but summed wrong: it must not lead.
    assert runners == [
        "uvloop",
        "asyncio-gather",
        "trio",
        "anyio-trio",  # wrong
        "processes",  # failed
        "threads",  # interrupted
        "sync",  # not-run
        "asyncio-eager",  # unavailable
    ]
    for row in table.rows[3:]:
        assert (row.rank, row.speedup, row.ratio) == (None, None, None)
    notes = {r.result.model: r.notes[0] for r in table.rows[3:]}
    assert notes == {
        "anyio-trio": "wrong sums: job 3 off",
        "processes": "failed: worker killed by SIGKILL",
        "threads": "interrupted: Ctrl-C",
        "sync": "not run: would take 50 s",
        "asyncio-eager": "unavailable: needs Python 3.12+",
    }


def test_unranked_rows_show_their_measured_figures_but_no_speedup() -> None:
    out = render(results_file([(S, ranked_models() + unranked_models())]), "text")
    wrong = next(line for line in out.splitlines() if line.startswith("anyio-trio"))
    assert "51.0 ± 0.0" in wrong  # its wall, measured
    assert "✗" in wrong
    assert "x*" not in wrong and "—" in wrong  # no speed-up, no ratio
    not_run = next(line for line in out.splitlines() if line.startswith("sync "))
    assert "not run: would take 50 s" in not_run
    assert "±" not in not_run


# -- speed-up and ratio ---------------------------------------------------------------


def test_speedup_against_measured_sync_is_unmarked() -> None:
    models = [
        model_result("sync", SEED, walls=[1.60, 1.62, 1.61]),
        model_result("asyncio-gather", SEED, walls=[0.80, 0.81, 0.82]),
    ]
    table = table_for(models, SEED)
    speedups = {r.result.model: r.speedup for r in table.rows}
    assert speedups["sync"] == pytest.approx(1.0)
    assert speedups["asyncio-gather"] == pytest.approx(1.61 / 0.81)
    assert table.baseline == "sync" and not table.marked
    out = render(results_file([(SEED, models)]), "text")
    assert "1.99x " in out and "x*" not in out and "vs the sum of delays" not in out


@pytest.mark.parametrize(
    ("sync", "why"),
    [
        (None, "sync not run"),
        (model_result("sync", S, status="not-run", reason="would take 50 s"), "sync not run"),
        (model_result("sync", S, status="failed", reason="boom"), "sync failed"),
        (model_result("sync", S, status="wrong", walls=[50.1, 50.2, 50.3]), "sync wrong"),
    ],
    ids=["absent", "not-run", "failed", "wrong"],
)
def test_speedup_without_a_ranked_sync_uses_the_sum_of_delays_and_is_marked(
    sync: ModelResult | None, why: str
) -> None:
    models = [model_result("uvloop", S, walls=[0.0625, 0.0625, 0.0625])]
    if sync is not None:
        models.append(sync)
    table = table_for(models, S)
    row = table.rows[0]
    assert table.baseline == "sum-of-delays" and table.baseline_wall_s == pytest.approx(50.0)
    assert row.speedup == pytest.approx(50.0 / 0.0625)  # 800x
    assert table.baseline_note == why
    out = render(results_file([(S, models)]), "text")
    assert "800x*" in out
    assert f"* vs the sum of delays (50.0 s); {why}" in out
    md = render(results_file([(S, models)]), "md")
    assert "800x\\*" in md and f"\\* vs the sum of delays (50.0 s); {why}" in md


def test_sync_never_outranks_a_faster_concurrent_model() -> None:
    # sync has the smallest overhead (its ideal is the sum of delays) but the longest wall:
    # ranking by wall keeps it last, while concurrent models keep their overhead order.
    models = [
        model_result("sync", SEED, overheads=[0.0004, 0.0004, 0.0004]),
        model_result("asyncio-gather", SEED, overheads=[0.002, 0.002, 0.002]),
        model_result("threads", SEED, overheads=[0.001, 0.001, 0.001]),
    ]
    table = table_for(models, SEED)
    assert [r.result.model for r in table.rows] == ["threads", "asyncio-gather", "sync"]
    ratios = {r.result.model: r.ratio for r in table.rows}
    assert ratios["threads"] == pytest.approx(1.0)
    assert ratios["asyncio-gather"] == pytest.approx(0.802 / 0.801)
    assert ratios["sync"] == pytest.approx(1.5004 / 0.801)


# -- formats ---------------------------------------------------------------------------


def mixed_file(*, partial: bool = False) -> ResultsFile:
    models = [
        *ranked_models(),
        *unranked_models(),
        model_result(
            "threads",
            S,
            overheads=[0.06, 0.05, 0.07],
            settings={"threads": 32, "pool": "ThreadPoolExecutor"},
            rss_before_bytes=10_000_000,
            rss_peak_bytes=12_048_000,
        ),
    ]
    return results_file([(SEED, ranked_models(SEED)), (S, models)], partial=partial)


def test_csv_has_stable_columns_and_raw_numbers() -> None:
    results = mixed_file()
    rows = list(csv.DictReader(io.StringIO(render(results, "csv"))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == sum(len(block.models) for block in results.scenarios)
    by_key = {(r["scenario"], r["model"], r["status"]): r for r in rows}
    uvloop = by_key[(S.name, "uvloop", "ok")]
    assert float(uvloop["wall_median_s"]) == pytest.approx(0.053)
    assert float(uvloop["overhead_per_job_median_s"]) == pytest.approx(0.003 / 1000)
    assert float(uvloop["ratio_to_fastest"]) == 1.0
    assert uvloop["speedup_baseline"] == "sum-of-delays"
    assert uvloop["rank"] == "1" and uvloop["sums_ok"] == "true"
    threads = by_key[(S.name, "threads", "ok")]
    assert float(threads["memory_per_job_bytes"]) == pytest.approx(2048.0)
    assert threads["settings"] == "threads=32;pool=ThreadPoolExecutor"
    not_run = by_key[(S.name, "sync", "not-run")]
    assert not_run["wall_median_s"] == "" and not_run["rank"] == "" and not_run["rounds"] == "0"
    wrong = by_key[(S.name, "anyio-trio", "wrong")]
    assert wrong["sums_ok"] == "false" and wrong["speedup_vs_sync"] == ""
    text = render(results, "csv")
    assert "±" not in text and "µs" not in text and "KiB" not in text


def test_md_is_a_github_pipe_table_per_scenario() -> None:
    models = [
        *ranked_models(),
        model_result("processes", S, status="failed", reason="exit | -9\nkilled"),
    ]
    md = render(results_file([(SEED, ranked_models(SEED)), (S, models)]), "md")
    tables = md_tables(md)
    assert len(tables) == 2
    assert "## seed" in md and f"## {S.name}" in md
    for lines in tables:
        assert re.fullmatch(r"\|(:?-+:?\|)+", lines[1])
        assert len({cell_count(line) for line in lines}) == 1  # a pipe in a reason stays escaped
        assert lines[0].startswith("| model ")
    assert "exit \\| -9\\\\nkilled" in md  # the newline shown escaped, the pipe backslashed


def test_text_table_fits_the_terminal() -> None:
    out = render(mixed_file(), "text")
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "wall ms" in out and "med ± IQR" in out


def test_wall_unit_switches_to_seconds_for_the_whole_table() -> None:
    long = Scenario.uniform(2, 6.0)  # sequential ideal 12 s
    models = [
        model_result("sync", long, walls=[12.0011, 12.0012, 12.0013]),
        model_result("asyncio-gather", long, walls=[6.0011, 6.0012, 6.0013]),
    ]
    out = render(results_file([(long, models)]), "text")
    assert "wall s" in out and "12.001 ± 0.000" in out and " 6.001 ± 0.000" in out
    assert "delay 6 s" in out


def test_partial_file_is_marked_in_every_format() -> None:
    assert "PARTIAL: interrupted" in render(mixed_file(partial=True), "text")
    assert "PARTIAL: interrupted" in render(mixed_file(partial=True), "md")
    rows = list(csv.DictReader(io.StringIO(render(mixed_file(partial=True), "csv"))))
    assert {r["partial"] for r in rows} == {"true"}
    assert "PARTIAL" not in render(mixed_file(), "text")


def test_unknown_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="`format` must be one of text, md, csv, ci, html"):
        render(mixed_file(), "pdf")
    with pytest.raises(InputError, match="`format` figures writes files, not text"):
        render(mixed_file(), "figures")


def test_every_format_renders_an_empty_scenario() -> None:
    empty = results_file([(S, [])])
    assert build_tables(empty)[0].rows == ()
    assert set(FORMATS) == {"text", "md", "csv", "ci", "html", "pyperf", "figures"}
    text, md = render(empty, "text"), render(empty, "md")
    assert f"\n{S.name}: 1,000 jobs, delay 50 ms, 100 ints/job," in text
    assert "\n(no models)\n" in text and "± is the interquartile range" in text
    assert f"\n## {S.name}\n" in md and "\n(no models)\n" in md and "|" not in md
    assert render(empty, "csv").splitlines() == [",".join(COLUMNS)]  # the header alone


# -- the command -----------------------------------------------------------------------


def test_report_command_renders_a_stored_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = mixed_file()
    path = tmp_path / "run.json"
    write_atomic(path, results.to_json(), overwrite=False)
    # uvloop on S: overheads 2, 3, 4 ms on a 50 ms ideal, so walls 52, 53, 54 ms: median
    # 53.0 ms, IQR 53.5 - 52.5 = 1.0 ms; 50 s of delays / 0.053 s = 943x (sync not run).
    outputs = {}
    for fmt in ("text", "md", "csv"):
        assert cli.main(["report", str(path), "--format", fmt]) == 0
        outputs[fmt] = capsys.readouterr().out
    uvloop = [line for line in outputs["text"].splitlines() if line.startswith("uvloop ")]
    assert len(uvloop) == 2 and re.search(r" 53\.0 ± 1\.0 +3\.00 +943x\* +1\.00 ", uvloop[1])
    assert re.search(r"\| uvloop +\| +53\.0 ± 1\.0 \| +3\.00 \| +943x\\\* \|", outputs["md"])
    by_key = {(r["scenario"], r["model"]): r for r in csv.DictReader(io.StringIO(outputs["csv"]))}
    assert float(by_key[(S.name, "uvloop")]["wall_median_s"]) == pytest.approx(0.053)
    assert by_key[(S.name, "uvloop")]["rank"] == "1"
    assert len(by_key) == 11  # every model of both scenarios but the second "threads"
    assert cli.main(["report", str(path)]) == 0
    assert capsys.readouterr().out == outputs["text"]  # text is the default
    assert outputs["text"].startswith("Test CPU @ 3.0GHz, 2 cores, 24 GiB, Linux 6.1.0")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "not valid JSON"),
        (json.dumps({"schema_version": 99}), "schema_version 99 is not supported"),
        (json.dumps({"schema_version": 1, "created_utc": "x"}), "malformed results file"),
    ],
    ids=["missing", "not-json", "unknown-version", "missing-fields"],
)
def test_report_command_refuses_bad_files_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content)
    assert cli.main(["report", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0]
    assert "Traceback" not in captured.err


def test_report_command_refuses_an_unknown_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["report", str(tmp_path / "run.json"), "--format", "pdf"])
    assert exit_info.value.code == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
