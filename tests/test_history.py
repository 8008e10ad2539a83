"""History: tracked metrics over stored runs, the gate's failing points marked."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest

from cli_process import cli
from concurrency_bench.analysis.history import panels, runs_of, tracks
from concurrency_bench.cli.main import main
from concurrency_bench.report import history_page
from concurrency_bench.results import PythonInfo, ResultsFile, load, write_atomic
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario
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


# -- series keyed by what defines a row (through the real CLI) ------------------------------


def history_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m concurrency_bench history ARGS`, as a user runs it."""
    return cli("history", *args)


def seed_run(unit_ms: float, when: str, **environment: object) -> ResultsFile:
    """Eleven models on the seed story at `unit_ms`, each 1 ms over its ideal."""
    seed = Scenario.seed_story(unit_ms)
    names = [n for n in REGISTRY if n != "asyncio-eager"][:11]
    models = [model_result(name, seed, overheads=[0.001 + i * 1e-5 for i in range(5)])
              for name in names]  # fmt: skip
    env = dict(ENVIRONMENT, **environment)
    return msgspec.structs.replace(
        results_file([(seed, models)], environment=env), created_utc=when
    )


def write_runs(folder: Path, runs: list[ResultsFile]) -> Path:
    folder.mkdir()
    for index, results in enumerate(runs):
        write_atomic(folder / f"run-{index}.json", results.to_json())
    return folder


def test_a_changed_definition_starts_a_new_series_and_is_said_so(tmp_path: Path) -> None:
    # The seed at a 20 ms unit, then at 10 ms: the same name, half the ideal. Joined, every
    # model would read ~50% "faster"; kept apart, nothing is judged across the change.
    folder = write_runs(tmp_path / "runs", [
        seed_run(20.0, "2024-01-01T00:00:00Z"), seed_run(20.0, "2024-01-02T00:00:00Z"),
        seed_run(10.0, "2024-01-03T00:00:00Z"),
    ])  # fmt: skip
    page = tmp_path / "history.html"
    result = history_cli(str(folder), "--output", str(page))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "44 tracks" in lines[0]  # 11 models x 2 metrics x 2 definitions
    assert any(
        "2024-01-03" in line
        and "'seed' is defined differently" in line
        and "unit_s" in line
        and "a new series starts" in line
        for line in lines
    ), result.stdout
    text = page.read_text(encoding="utf-8")
    assert 'class="num faster"' not in text and 'class="num flagged"' not in text
    assert "seed (unit_s=0.02)" in text and "seed (unit_s=0.01)" in text
    assert "a new series starts" in text


def test_another_machine_starts_a_new_series(tmp_path: Path) -> None:
    folder = write_runs(tmp_path / "runs", [
        seed_run(20.0, "2024-01-01T00:00:00Z"),
        seed_run(20.0, "2024-01-02T00:00:00Z", cpu_model="Other CPU", logical_cores=64),
    ])  # fmt: skip
    result = history_cli(str(folder))
    assert result.returncode == 0, result.stderr
    assert "44 tracks" in result.stdout
    assert (
        "measured on another machine (Test CPU @ 3.0GHz, 2 cores -> Other CPU, 64 cores): "
        "its series start anew" in result.stdout
    )


def test_interpreters_are_tracked_apart_and_drawn_apart(tmp_path: Path) -> None:
    def two(walls: dict[str, list[float]], when: str) -> ResultsFile:
        rows = []
        for label, values in walls.items():
            info = PythonInfo(label=label, executable=f"/usr/bin/python{label}",
                              version=f"{label}.0", implementation="CPython")  # fmt: skip
            result = model_result("uvloop", S, overheads=values)
            rows.append(msgspec.structs.replace(result, python=info))
        return msgspec.structs.replace(results_file([(S, rows)]), created_utc=when)

    folder = write_runs(tmp_path / "runs", [
        two({"3.11": SLOWER, "3.13": STEADY}, "2024-01-01T00:00:00Z"),
        two({"3.11": SLOWER, "3.13": STEADY}, "2024-01-02T00:00:00Z"),
    ])  # fmt: skip
    runs = runs_of([(str(p), load(p)) for p in sorted(folder.iterdir())])
    found = tracks(runs)
    assert sorted({t.model for t in found}) == ["uvloop (3.11)", "uvloop (3.13)"]
    assert all(p.verdict in (None, "unchanged") for t in found for p in t.points)
    pytest.importorskip("matplotlib")
    from concurrency_bench.report.figures import history  # noqa: PLC0415

    (panel,) = panels(found)
    plot = history.draw(runs, found, panel, "overhead")
    lines = [
        line for line in plot.figure.axes[0].get_lines() if not line.get_label().startswith("_")
    ]
    assert [line.get_label() for line in lines] == ["uvloop (3.11)", "uvloop (3.13)"]
    assert lines[0].get_color() == lines[1].get_color() != "#777777"  # the model's, not grey
    assert lines[0].get_linestyle() != lines[1].get_linestyle()


def test_the_tools_own_outputs_beside_the_runs_are_passed_over_without_a_word(
    tmp_path: Path,
) -> None:
    # `run --out DIR` writes ci-benchmark.json beside its results files: not a results file,
    # and not worth a warning either; a broken file of another name still is.
    folder = write_runs(tmp_path / "runs", [
        seed_run(20.0, "2024-01-01T00:00:00Z"), seed_run(20.0, "2024-01-02T00:00:00Z"),
    ])  # fmt: skip
    (folder / "ci-benchmark.json").write_text("[]", encoding="utf-8")
    quiet = history_cli(str(folder))
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == "" and quiet.stdout.startswith("2 runs")
    (folder / "other.json").write_text("[]", encoding="utf-8")
    warned = history_cli(str(folder))
    assert warned.returncode == 0 and "skipped" in warned.stderr and "other.json" in warned.stderr
    assert "ci-benchmark.json" not in warned.stderr
