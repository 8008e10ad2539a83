"""Text from a results file never commands the reader (issue #16, items 2 and 3): escape
sequences, controls, separators and bidi overrides in every string a file carries are shown
escaped by every output; names with `$...$`, `|`, `<...>` or a formula's `=` stay text in
tables, pages, spreadsheets and figures. Every case runs the CLI on a file built with
factories: through its entry function in this process, except `run` and the two tests that
want no warning at all from drawing figures (report --format html, history), which run it in a
fresh interpreter, as a user does (matplotlib warns about a font once per process)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import msgspec
import pytest

from cli_process import TINY, cli, cli_in_process, one_line
from concurrency_bench import textsafe
from concurrency_bench.report import csv_export, formats
from concurrency_bench.results import ResultsFile, load
from concurrency_bench.workload import Scenario
from factories import ENVIRONMENT, model_result, results_file
from fault_runners import RAISE_MESSAGE_ENV

ESCAPES = (
    "\x1b[2J\x1b[H",  # clear the screen, cursor home
    "\x1b]0;pwned\x07",  # window title (OSC 0)
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # hyperlink (OSC 8)
    "\x1b[6n",  # cursor position report: the terminal types its answer
    "\x9b6n\x9d0;c1\x9c",  # the same through the C1 CSI and OSC
    "line\nbreak\rcarriage\ttab\x0b\x0c",
    "nel\x85ls\u2028ps\u2029",
    "\u202eevil\u202c \u2066isolate\u2069 \u200f\u061c",
    "\x00\x7f\ufeff\u200b\ufffe",
)
HOSTILE = " ".join(ESCAPES)
"""Free text (reasons, environment fields, settings) holding every kind of unsafe character."""
BAD_MATH = "$\\undefinedcommand^$ x"
"""A name matplotlib's mathtext cannot parse: drawn as markup, the figure raised (exit 3)."""
NAMES = (
    BAD_MATH,
    "$\\alpha^2$ y",
    "a|b",
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil.example","x")',
    "-1.5",
    "@SUM(A1)",
    "# not a heading",
    "é µs ± 日本",
)
"""Valid model names (one line of plain text) that look like markup in some output."""
MARKUP_SCENARIO = "seed $x^2$ <b>|bold|</b> =1+1"
INJECTED = "\n## injected\n| a | b |\n|---|---|\n<script>alert(1)</script>\n"
INTERPRETER = {"executable": "/usr/bin/python3", "version": "3.12.1", "implementation": "CPython"}
CPU_MODEL = "CPU" + INJECTED * 3 + HOSTILE
"""The audit's cpu_model: three tables and three headings once written into latest.md."""


def hostile_results(*, commit: str = "\x1b[2J$x$", created: str = "2024-01-02T03:04:05Z",
                    cpu: str = CPU_MODEL) -> ResultsFile:  # fmt: skip
    """Two uniform sizes (scaling and memory figures) and a markup-named scenario, every model
    name of NAMES, reasons, settings and environment fields holding HOSTILE."""
    named = Scenario.uniform(100, 0.05, ints_per_job=10, name=MARKUP_SCENARIO)
    models = [
        model_result(name, named, walls=[0.06, 0.061, 0.062], settings={f"k{HOSTILE}": HOSTILE})
        for name in NAMES
    ]
    models += [
        model_result("asyncio-gather", named, walls=[0.0495, 0.0496, 0.0497], cpus=[0.01] * 3),
        model_result("trio", named, status="failed", reason=HOSTILE),
        model_result("sync", named, status="not-run", reason="=cmd|' /C calc'!A0 " + HOSTILE),
    ]
    blocks = [(named, models)]
    for jobs in (10, 100):
        size = Scenario.uniform(jobs, 0.05, ints_per_job=10)
        blocks.append((size, [
            model_result(BAD_MATH, size, walls=[0.05 + jobs * 1e-5] * 3, rss_before_bytes=1000,
                         rss_peak_bytes=1000 + jobs * 500),
            model_result("threads", size, walls=[0.05 + jobs * 2e-5] * 3),
            model_result("trio", size, status="failed", reason=HOSTILE),
        ]))  # fmt: skip
    environment = {**ENVIRONMENT, "cpu_model": cpu, "kernel": HOSTILE, "git_commit": commit,
                   "packages": {HOSTILE: HOSTILE, "trio": "0.25.0"}}  # fmt: skip
    found = results_file(blocks, rounds=3, environment=environment)
    return msgspec.structs.replace(found, created_utc=created)


def raw_unsafe(text: str) -> list[str]:
    """The unsafe characters `text` holds raw (a line break is layout, not file text)."""
    return sorted({textsafe.escape_char(c) for c in text if textsafe.unsafe(c) and c != "\n"})


def assert_clean(result: subprocess.CompletedProcess[str], *files: Path) -> None:
    """Nothing raw on stdout, stderr or in any file written; no traceback, no warning."""
    assert "Traceback" not in result.stderr
    assert "Warning" not in result.stderr, result.stderr
    assert raw_unsafe(result.stdout) == []
    assert raw_unsafe(result.stderr) == []
    for path in files:
        assert raw_unsafe(path.read_text(encoding="utf-8")) == [], path


def write(results: ResultsFile, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(results.to_json(), encoding="utf-8")
    return path


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    return write(hostile_results(), tmp_path / "hostile.json")


def test_the_file_itself_holds_nothing_raw_and_loads_back(hostile_file: Path) -> None:
    assert raw_unsafe(hostile_file.read_text(encoding="utf-8")) == []
    assert load(hostile_file) == hostile_results()


def test_report_text_shows_every_escape_and_one_row_per_model(hostile_file: Path) -> None:
    result = cli_in_process("report", str(hostile_file))
    assert result.returncode == 0, result.stderr
    assert_clean(result)
    assert "\\x1b[2J" in result.stdout
    assert "\\u202eevil" in result.stdout
    rows = [line for line in result.stdout.splitlines() if line.startswith(NAMES)]
    assert len(rows) == len(NAMES) + 2  # each name starts one row, in two scenarios
    headings = [line for line in result.stdout.splitlines() if " jobs, delay" in line]
    assert len(headings) == 3


@pytest.mark.parametrize("fmt", formats.RENDERED)
def test_every_format_written_to_a_file_holds_nothing_raw(
    hostile_file: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    result = cli_in_process("report", "--format", fmt, "--output", str(out), str(hostile_file))
    assert result.returncode == 0, result.stderr
    assert_clean(result, out)
    if fmt in ("ci", "pyperf"):  # still JSON, its names taken from the row labels
        json.loads(out.read_text(encoding="utf-8"))
        assert json.dumps(BAD_MATH)[1:-1] in out.read_text(encoding="utf-8")


def test_several_files_are_headed_by_their_names_escaped(tmp_path: Path) -> None:
    hostile = write(hostile_results(), tmp_path / "a\x1b[2J<b>_x.json")
    text = cli_in_process("report", str(hostile), str(hostile))
    assert text.returncode == 0, text.stderr
    assert_clean(text)
    assert text.stdout.startswith(f"== {textsafe.visible(str(hostile))} ==")
    md = cli_in_process("report", "--format", "md", str(hostile), str(hostile))
    assert md.returncode == 0, md.stderr
    assert_clean(md)
    heading = md.stdout.splitlines()[0]  # shown escaped, then its markup backslashed
    assert heading.startswith("# ") and heading.endswith("/a\\\\x1b\\[2J\\<b>\\_x.json")


def unescaped(line: str) -> str:
    """A markdown line without its backslash-escaped characters."""
    return re.sub(r"\\.", "", line)


def check_markdown(text: str, scenarios: int) -> None:
    """One title and a heading per scenario; one table each, every row with its 9 cells; no
    raw HTML."""
    lines = text.splitlines()
    assert len([line for line in lines if line.startswith("#")]) == 1 + scenarios
    assert len([line for line in lines if line.startswith("|:")]) == scenarios
    for line in lines:
        if line.startswith("|"):
            assert unescaped(line).count("|") == 10, line
        assert "<" not in unescaped(line), line


def test_report_markdown_keeps_its_tables_and_headings(hostile_file: Path, tmp_path: Path) -> None:
    page = tmp_path / "latest.md"
    result = cli_in_process("report", "--format", "md", "--output", str(page), str(hostile_file))
    assert result.returncode == 0, result.stderr
    assert_clean(result, page)
    check_markdown(page.read_text(encoding="utf-8"), scenarios=3)
    assert "\\$\\\\alpha^2\\$ y" in page.read_text(encoding="utf-8")


TEXT_COLUMNS = {"scenario", "model", "status", "speedup_baseline", "reason", "settings"}


def test_report_csv_text_cells_cannot_start_a_formula_and_figures_stay_numbers(
    hostile_file: Path,
) -> None:
    result = cli_in_process("report", "--format", "csv", str(hostile_file))
    assert result.returncode == 0, result.stderr
    assert_clean(result)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert set(rows[0]) == set(csv_export.COLUMNS)
    for row in rows:
        for column, cell in row.items():
            if column in TEXT_COLUMNS:
                assert not cell.startswith(csv_export.FORMULA_STARTS), (column, cell)
            elif cell not in ("", "true", "false"):
                float(cell)  # a figure: a number a spreadsheet reads as one
    models = {row["model"] for row in rows}
    assert {"'-1.5", "'@SUM(A1)", '\'=HYPERLINK("http://evil.example","x")'} <= models
    gather = next(row for row in rows if row["model"] == "asyncio-gather")
    assert gather["overhead_median_s"].startswith("-")  # a negative figure, not a formula
    assert float(gather["overhead_median_s"]) < 0


def svg_parts(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL)


def test_report_html_draws_names_as_text(hostile_file: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    result = cli("report", "--format", "html", "--output", str(page), str(hostile_file))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no matplotlib warning either
    assert_clean(result, page)
    text = page.read_text(encoding="utf-8")
    assert "<img" not in text
    assert "<script>alert" not in text
    figures = svg_parts(text)
    assert len(figures) >= 4  # rounds and lateness, scaling and memory
    assert any("$\\undefinedcommand^$ x" in svg for svg in figures)  # drawn as it is written


def test_figures_written_as_files_are_well_formed_xml(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from concurrency_bench.report import figures  # noqa: PLC0415

    paths = figures.write_all(hostile_results(), tmp_path)
    svgs = [path for path in paths if path.suffix == ".svg"]
    assert len(svgs) >= 4
    for path in svgs:
        ET.parse(path)
        assert raw_unsafe(path.read_text(encoding="utf-8")) == [], path


def test_compare_prints_its_table_and_warnings_escaped(tmp_path: Path) -> None:
    base = write(hostile_results(), tmp_path / "base.json")
    other = hostile_results(cpu="other " + HOSTILE, created="2024-01-03T03:04:05Z")
    new = write(other, tmp_path / "new.json")
    result = cli_in_process("compare", str(base), str(new))
    assert result.returncode in (0, 1), result.stderr
    assert_clean(result)
    assert "warning: environment differs: cpu_model" in result.stderr
    assert len(result.stderr.strip().splitlines()) == result.stderr.count("concurrency-bench:")
    for name in NAMES:
        assert name in result.stdout


def test_history_writes_readable_svgs_and_page(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write(hostile_results(commit="\x1b[2J$x$"), runs / "a.json")
    write(hostile_results(commit="$\\b^$\u202e", created="2024-01-03T03:04:05Z"), runs / "b.json")
    page, folder = tmp_path / "history.html", tmp_path / "figures"
    result = cli("history", str(runs), "--output", str(page), "--figures", str(folder))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no matplotlib warning either
    svgs = sorted(folder.glob("*.svg"))
    assert svgs
    assert_clean(result, page, *svgs)
    for path in svgs:
        ET.parse(path)
    assert all("$\\b^$\\u202e" in path.read_text(encoding="utf-8") for path in svgs)  # as text
    assert "\\x1b[2J$x$" in result.stdout
    assert "$\\b^$\\u202e" in page.read_text(encoding="utf-8")


def test_history_names_a_hostile_machine_escaped(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write(hostile_results(), runs / "a.json")
    other = hostile_results(cpu="other" + INJECTED + HOSTILE, created="2024-01-03T03:04:05Z")
    write(other, runs / "b.json")
    page, folder = tmp_path / "history.html", tmp_path / "figures"
    result = cli_in_process("history", str(runs), "--output", str(page), "--figures", str(folder))
    assert result.returncode == 0, result.stderr
    svgs = sorted(folder.glob("*.svg"))
    assert_clean(result, page, *svgs)
    assert "measured on another machine (CPU\\n## injected" in result.stdout
    assert "<script>alert" not in page.read_text(encoding="utf-8")
    for path in svgs:
        ET.parse(path)
    titled = [p for p in svgs if "\\u202eevil" in p.read_text(encoding="utf-8")]
    assert titled  # the panels of each machine are titled by it, as text


def test_run_prints_and_writes_a_hostile_failure_escaped(tmp_path: Path) -> None:
    out = tmp_path / "results" / "runs"
    message = HOSTILE.replace("\x00", "")  # the one character an environment cannot hold
    env = {**os.environ, RAISE_MESSAGE_ENV: message}
    result = cli(
        "run", "--models", "asyncio-gather,fault-raises", *TINY, "--out", str(out),
        faults=True, env=env,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # a model failed
    written = [p for p in (tmp_path / "results").rglob("*") if p.suffix in (".md", ".csv",
               ".json", ".html", ".svg")]  # fmt: skip
    assert {p.name for p in written} >= {"latest.md", "latest.csv", "ci-benchmark.json"}
    assert_clean(result, *written)
    assert "\\x1b]0;pwned\\x07" in result.stdout
    check_markdown((tmp_path / "results" / "latest.md").read_text(encoding="utf-8"), 1)
    for path in written:
        if path.suffix == ".svg":
            ET.parse(path)


@pytest.mark.parametrize(
    ("where", "value"),
    [("model", "gather\u202e"), ("model", "a\u2028b"), ("name", "seed\x1b]0;x\x07"),
     ("name", "two\u2029lines"), ("label", "3.12\x85")],
)  # fmt: skip
def test_the_loader_refuses_names_holding_unsafe_characters(
    tmp_path: Path, where: str, value: str
) -> None:
    data = json.loads(hostile_results().to_json())
    block = data["scenarios"][0]
    if where == "name":
        block["scenario"]["name"] = value
    elif where == "model":
        block["models"][0]["model"] = value
    else:
        block["models"][0]["python"] = {**INTERPRETER, "label": value}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = cli_in_process("report", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    one_line(result, "plain text")
    assert raw_unsafe(result.stderr) == []
