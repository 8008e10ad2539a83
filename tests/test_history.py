"""History: tracked metrics over stored runs, the gate's failing points marked."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest

from concurrency_bench.analysis.history import runs_of, tracks
from concurrency_bench.cli.main import main
from concurrency_bench.report import history_page
from concurrency_bench.results import ResultsFile, write_atomic
from factories import ENVIRONMENT, model_result, results_file, scenario

S = scenario(1000, 50)


def run(overheads: dict[str, list[float]], commit: str, when: str) -> ResultsFile:
    env = dict(ENVIRONMENT, git_commit=commit * 40)
    models = [model_result(name, S, overheads=values) for name, values in overheads.items()]
    models.append(model_result("processes", S, status="failed", reason="killed"))
    return msgspec.structs.replace(results_file([(S, models)], environment=env), created_utc=when)


STEADY = [0.010, 0.011, 0.0105, 0.0102, 0.0108]
SLOWER = [0.030, 0.031, 0.0305, 0.0302, 0.0308]


def three_runs() -> list[tuple[str, ResultsFile]]:
    return [
        ("c.json", run({"uvloop": STEADY, "trio": SLOWER}, "c", "2024-01-03T00:00:00Z")),
        ("a.json", run({"uvloop": STEADY, "trio": STEADY}, "a", "2024-01-01T00:00:00Z")),
        ("b.json", run({"uvloop": STEADY, "trio": STEADY}, "b", "2024-01-02T00:00:00Z")),
    ]


def test_runs_are_ordered_by_time_and_the_gate_flags_the_slower_one() -> None:
    runs = runs_of(three_runs())
    assert [r.commit for r in runs] == ["aaaaaaa", "bbbbbbb", "ccccccc"]
    found = {(t.model, t.metric): t for t in tracks(runs)}
    trio = found[("trio", "overhead")]
    assert [p.verdict for p in trio.points] == [None, "unchanged", "slower"]
    assert [p.flagged for p in trio.points] == [False, False, True]
    assert trio.points[2].value == pytest.approx(30.5)  # µs per job
    assert not any(p.flagged for p in found[("uvloop", "wall")].points)
    processes = found[("processes", "overhead")]
    assert [p.value for p in processes.points] == [None, None, None]
    assert [p.verdict for p in processes.points] == [None, "not compared", "not compared"]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("src", "href") and v]


def test_the_page_is_self_contained_and_marks_the_flagged_point() -> None:
    runs = runs_of(three_runs())
    text = history_page.render(runs, tracks(runs))
    parser = Links()
    parser.feed(text)
    assert all(link.startswith("#") for link in parser.links)
    assert "http://" not in text and "https://" not in text
    assert text.count('class="num flagged"') == 2  # trio's overhead and wall in run c
    assert "uvloop" in text and "trio" in text


def test_history_command_writes_page_and_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    folder = tmp_path / "runs"
    folder.mkdir()
    for name, results in three_runs():
        write_atomic(folder / name, results.to_json())
    (folder / "broken.json").write_text("{")
    page, pictures = tmp_path / "history.html", tmp_path / "figures"
    args = ["history", str(folder), "--output", str(page), "--figures", str(pictures)]
    assert main(args) == 0
    out = capsys.readouterr()
    assert "skipped" in out.err and "broken.json" in out.err
    assert "trio overhead: slower" in out.out
    assert "<svg" in page.read_text(encoding="utf-8")
    names = sorted(p.name for p in pictures.iterdir())
    assert f"history-{S.name}-overhead.svg" in names and f"history-{S.name}-wall.png" in names


def test_an_empty_folder_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", str(tmp_path)]) == 2
    assert "no readable results file" in capsys.readouterr().err
