"""report.formats and report.columns: one registry of output formats, every column declared once."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from concurrency_bench.cli.main import main
from concurrency_bench.report import FORMATS, ci_benchmark, columns, render, write_outputs
from concurrency_bench.report.csv_export import COLUMNS as CSV_NAMES
from concurrency_bench.report.html import render as html_render
from concurrency_bench.report.rows import build_table
from concurrency_bench.results import ResultsFile, load, write_atomic
from factories import model_result, results_file, scenario

S = scenario(100, 50.0)


@pytest.fixture
def results() -> ResultsFile:
    return results_file(
        [
            (
                S,
                [
                    model_result("uvloop", S, overheads=[0.003, 0.004, 0.002]),
                    model_result("trio", S, overheads=[0.006, 0.007, 0.005]),
                    model_result("sync", S, status="not-run", reason="would take 5 s"),
                ],
            )
        ]
    )


@pytest.fixture
def stored(tmp_path: Path, results: ResultsFile) -> Path:
    path = tmp_path / "run.json"
    write_atomic(path, results.to_json())
    return path


def test_report_offers_every_format_of_the_registry(
    stored: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, fmt in FORMATS.items():
        if fmt.render is None:
            continue
        assert main(["report", str(stored), "--format", name]) == 0, name
        shown, expected = capsys.readouterr().out, fmt.render([(str(stored), load(stored))])
        if name == "html":  # the figures' SVG ids differ from one drawing to the next
            shown, expected = (
                re.sub(r"<svg.*?</svg>", "", t, flags=re.S) for t in (shown, expected)
            )
        assert shown == expected, name
    assert main(["report", str(stored), "--format", "ci"]) == 0
    assert json.loads(capsys.readouterr().out) == ci_benchmark.entries(load(stored))


def test_report_writes_the_figures_into_a_folder(stored: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    folder = tmp_path / "pictures"
    assert main(["report", str(stored), "--format", "figures", "--output", str(folder)]) == 0
    names = {p.name for p in folder.iterdir()}
    assert f"rounds-{S.name}.svg" in names and f"lateness-{S.name}.png" in names


def test_figures_without_a_folder_is_one_line_of_bad_input(
    stored: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(stored), "--format", "figures"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--output" in err


def test_a_run_writes_the_registry_s_latest_files(tmp_path: Path, results: ResultsFile) -> None:
    plain = write_outputs(results, tmp_path / "runs", tmp_path)
    expected = [f.latest for f in FORMATS.values() if f.latest and not f.pages]
    assert [p.name for p in plain.tables] == expected == ["latest.md", "latest.csv",
                                                          "ci-benchmark.json"]  # fmt: skip
    pytest.importorskip("matplotlib")
    stale = tmp_path / "figures" / "old.svg"
    stale.parent.mkdir()
    stale.write_text("<svg/>", encoding="utf-8")
    keep = tmp_path / "figures" / "notes.txt"
    keep.write_text("mine", encoding="utf-8")
    paged = write_outputs(results, tmp_path / "runs", tmp_path, pages=True)
    assert [p.name for p in paged.tables][:4] == [*expected, "latest.html"]
    assert any(p.parent.name == "figures" for p in paged.tables)
    assert not stale.exists() and keep.exists()  # the run's own figures replaced, nothing else


def test_every_column_is_declared_once_and_drawn_everywhere(results: ResultsFile) -> None:
    table = build_table(results.scenarios[0])
    names = [c.key for c in columns.COLUMNS]
    assert len(names) == len(set(names))
    for column in columns.COLUMNS:  # every CSV name a column points at is a CSV column
        assert set(column.csv) <= set(CSV_NAMES), column.key
    text, md = render(results, "text"), render(results, "md")
    first, second = columns.head_lines(table)
    header_line = next(line for line in text.splitlines() if line.startswith("model "))
    assert header_line.split() == " ".join(first).split()
    assert "| " + " | ".join(columns.headers(table)) in re.sub(r" +", " ", md)
    page = html_render([("run.json", results)], with_figures=False)
    heads = re.findall(r'<th scope="col">([^<]*)</th>', page)
    assert heads == [h.replace("&", "&amp;") for h in columns.headers(table)]
    numeric = sum(1 for c in columns.COLUMNS if c.sort is not None)
    first_row = page.split("<tr>", 2)[2].split("</tr>")[0]
    assert first_row.count('class="num"') == numeric
    assert second[1] == "med ± IQR"


def test_a_column_s_csv_figure_is_the_one_its_cell_shows(results: ResultsFile) -> None:
    rows = list(csv.DictReader(io.StringIO(render(results, "csv"))))
    table = build_table(results.scenarios[0])
    for column in columns.COLUMNS:
        if column.sort is None or column.key == "overhead":
            continue
        for row, record in zip(table.rows, rows):
            value = column.sort(row) if row.result.measured else None
            shown = record[column.csv[0]]
            assert (value is None and shown == "") or float(shown) == pytest.approx(value)
