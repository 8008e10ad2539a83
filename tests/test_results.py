"""results.py: the file round-trips exactly, and anything else is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from concurrency_bench.results import (
    SCHEMA_VERSION,
    Lateness,
    ModelResult,
    ResultsError,
    ResultsFile,
    Round,
    RunSettings,
    ScenarioResults,
    load,
    write_atomic,
)
from concurrency_bench.workload import Scenario

SCENARIO = Scenario.seed_story(20.0)


def sample() -> ResultsFile:
    """A file with every kind of row and every optional field filled somewhere."""
    ok = ModelResult(
        model="asyncio-gather",
        status="ok",
        concurrent=True,
        ideal_s=0.16,
        jobs=3,
        settings={"threads": 3, "pool": "thread-per-job"},
        rounds=(Round(0.1612, 0.001, 0.0012), Round(0.1619, 0.0011, 0.0019)),
        lateness=Lateness(0.0005, 0.0012, 0.0013),
        rss_before_bytes=20_000_000,
        rss_peak_bytes=20_100_000,
    )
    failed = ModelResult("trio", "failed", True, 0.16, 3, reason="killed by SIGKILL")
    not_run = ModelResult("sync", "not-run", False, 0.3, 3, reason="would take 0.3 s")
    return ResultsFile(
        created_utc="2024-01-02T03:04:05Z",
        settings=RunSettings(
            rounds=2,
            warmup=1,
            gc="off",
            timeout_s=None,
            sequential_budget_s=10,
            rounds_per_process=2,
        ),
        environment={"cpu_model": "x", "packages": {"trio": "0.25"}, "git_dirty": None},
        scenarios=(ScenarioResults(SCENARIO, (ok, failed, not_run)),),
        partial=True,
    )


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "results.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_round_trip_is_exact(tmp_path: Path) -> None:
    original = sample()
    loaded = load(write(tmp_path, original.to_json()))
    assert loaded == original
    assert loaded.to_json() == original.to_json()
    model = loaded.scenarios[0].models[0]
    assert model.memory_per_job_bytes == pytest.approx(100_000 / 3)
    assert model.ranked and not loaded.scenarios[0].models[1].ranked


def _drop(path: tuple[Any, ...]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sample().to_json())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


def _set(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sample().to_json())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a concurrency-bench results file"),
        (_set(("schema_version",), SCHEMA_VERSION + 1), "schema_version 2 is not supported"),
        (_drop(("schema_version",)), "schema_version None is not supported"),
        (_drop(("settings",)), "malformed results file (KeyError"),
        (_drop(("scenarios", 0, "models", 0, "status")), "malformed results file"),
        (_drop(("scenarios", 0, "models", 0, "rounds", 0, "wall_s")), "malformed"),
        (_drop(("scenarios", 0, "scenario", "delays_s")), "malformed"),
        (_set(("scenarios", 0, "models", 0, "status"), "great"), "unknown status 'great'"),
        (_set(("settings", "unknown_knob"), 1), "malformed"),
        (_set(("scenarios", 0, "models", 0, "jobs"), "many"), "malformed"),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path: Path, content: Any, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ResultsError) as caught:
        load(path)
    text = str(caught.value)
    assert message in text
    assert text.startswith(str(path))
    assert "\n" not in text


def test_a_file_from_before_rounds_per_process_ran_every_round_in_one_worker(
    tmp_path: Path,
) -> None:
    data = _drop(("settings", "rounds_per_process"))
    data["settings"]["rounds"] = 5
    settings = load(write(tmp_path, data)).settings
    assert (settings.rounds, settings.rounds_per_process) == (5, 5)
    assert vars(sample().settings)["rounds_per_process"] == 2  # written, so it round-trips


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="cannot read"):
        load(tmp_path / "nope.json")


def test_write_atomic_never_replaces_another_file(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    write_atomic(path, "first", overwrite=False)
    with pytest.raises(FileExistsError):
        write_atomic(path, "second", overwrite=False)
    assert path.read_text() == "first"
    assert path.stat().st_mode & 0o777 == 0o644  # readable by others, unlike mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no temp file left behind
