"""The HTML page: self-contained (no outside address), every model and scenario present,
sortable tables, figures inline; several files in one table; a real browser when there is one."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from concurrency_bench.cli.main import main
from concurrency_bench.report import html
from concurrency_bench.results import ResultsFile, write_atomic
from concurrency_bench.workload import Scenario
from factories import ENVIRONMENT, model_result, results_file, scenario

CHROMIUM = Path("/usr/bin/chromium")
MODELS = ("uvloop", "asyncio-gather", "trio", "threads")


class Page(HTMLParser):
    """What the tests look at: tags, every src/href, table cells, headings, script count."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.cells: list[str] = []
        self.headings: list[str] = []
        self.sortable = 0
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "data") and value is not None:
                self.links.append(value)
            if name == "class" and value and "sortable" in value:
                self.sortable += 1
        if tag in ("td", "h2"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "td":
            self.cells.append(data.strip())
        elif self._in == "h2":
            self.headings.append(data.strip())


def one_file(jobs: int = 100, *, environment: dict[str, object] | None = None) -> ResultsFile:
    s = scenario(jobs, 50)
    models = [
        model_result(name, s, overheads=[0.002 * (i + 1) * f for f in (1.0, 1.1, 0.9)])
        for i, name in enumerate(MODELS)
    ]
    models.append(model_result("sync", s, status="not-run", reason="would take 5 s"))
    return results_file([(s, models)], rounds=3, environment=environment)


def sweep() -> ResultsFile:
    blocks = []
    for jobs in (10, 100):
        s = scenario(jobs, 50)
        blocks.append((s, [model_result("uvloop", s, overheads=[jobs * 3e-6] * 3)]))
    return results_file(blocks, rounds=3)


def test_the_page_is_self_contained_and_names_every_model() -> None:
    text = html.render([("a.json", one_file())])
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>")
    assert "http://" not in text and "https://" not in text
    assert all(link.startswith("#") for link in page.links), page.links
    assert "script" in page.tags and "style" in page.tags
    assert "link" not in page.tags and "img" not in page.tags
    for model in (*MODELS, "sync"):
        assert model in page.cells
    assert "uniform-100x50ms-100ints" in page.headings
    assert {"Environment", "Legend", "Scaling"} <= set(page.headings)
    assert page.sortable == 1
    assert "Verdict" in text and "fastest: uvloop" in text


def test_the_page_inlines_figures_when_matplotlib_is_there() -> None:
    pytest.importorskip("matplotlib")
    text = html.render([("sweep.json", sweep())])
    page = Page(text)
    assert page.tags.count("svg") >= 3  # scaling + rounds and lateness per scenario
    assert "Scaling: uniform-Nx50ms-100ints" in text


def test_several_files_make_one_table_with_the_environment_as_a_column() -> None:
    other = dict(ENVIRONMENT, cpu_model="Other CPU")
    text = html.render([("a.json", one_file()), ("b.json", one_file(environment=other))])
    page = Page(text)
    assert page.sortable == 1  # one table for the one scenario
    assert page.cells.count("A") == len(MODELS) + 1
    assert page.cells.count("B") == len(MODELS) + 1
    assert "Other CPU" in text
    assert "cannot be compared" not in text


def test_files_that_define_a_scenario_differently_cannot_be_compared() -> None:
    a = one_file()
    name = a.scenarios[0].scenario.name
    other = Scenario(name, scenario(100, 50).delays_s, ints_per_job=7)  # same name, other ints
    b = results_file([(other, [model_result("trio", other, walls=[0.06] * 3)])], rounds=3)
    text = html.render([("a.json", a), ("b.json", b)], with_figures=False)
    assert "cannot be compared" in text
    assert Page(text).sortable == 2  # each file's table apart


def test_report_writes_the_page_to_output(tmp_path: Path) -> None:
    source = tmp_path / "r.json"
    write_atomic(source, one_file().to_json())
    out = tmp_path / "page.html"
    assert main(["report", str(source), "--format", "html", "--output", str(out)]) == 0
    assert "uvloop" in Page(out.read_text(encoding="utf-8")).cells


def test_csv_takes_one_file_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "r.json"
    write_atomic(source, one_file().to_json())
    assert main(["report", str(source), str(source), "--format", "csv"]) == 2
    assert "takes one file" in capsys.readouterr().err


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium (tools/install-chromium.sh)"
)
def test_chromium_renders_the_page(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(html.render([("a.json", one_file())]), encoding="utf-8")
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<table" in dom
    for model in MODELS:
        assert model in dom
