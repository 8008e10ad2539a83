"""results/: the file round-trips exactly, old files convert, and anything else is one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from concurrency_bench.results import (
    SCHEMA_VERSION,
    Lateness,
    ModelResult,
    ProcessRun,
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
ROOT = Path(__file__).resolve().parents[1]
SCHEMA_1_FILE = ROOT / "results" / "runs" / "20261126T044828Z-a8387d5.json"
"""A default-profile run of the schema-1 engine (the baseline before schema 2), kept on purpose."""
SCHEMA_1_FILES = [SCHEMA_1_FILE, ROOT / "results" / "runs" / "20261126T045046Z-a8387d5.json"]


def _round(wall: float, cpu: float, ideal: float = 0.16) -> Round:
    return Round(wall_s=wall, cpu_s=cpu, overhead_s=wall - ideal)


def sample() -> ResultsFile:
    """A file with every kind of row and every optional field filled somewhere."""
    ok = ModelResult(
        model="asyncio-gather",
        status="ok",
        concurrent=True,
        ideal_s=0.16,
        jobs=3,
        settings={"threads": 3, "pool": "thread-per-job"},
        runs=(
            ProcessRun(
                pid=4242,
                warmups=(0.17,),
                values=(_round(0.1612, 0.001), _round(0.1619, 0.0011)),
                lateness=Lateness(p50_s=0.0005, p99_s=0.0012, max_s=0.0013),
                rss_before_bytes=20_000_000,
                rss_peak_bytes=20_100_000,
            ),
            ProcessRun(pid=4243, values=(_round(0.1615, 0.001),)),
        ),
        lateness=Lateness(p50_s=0.0005, p99_s=0.0012, max_s=0.0013),
        rss_before_bytes=20_000_000,
        rss_peak_bytes=20_100_000,
    )
    failed = ModelResult(
        model="trio", status="failed", concurrent=True, ideal_s=0.16, jobs=3, reason="SIGKILL"
    )
    not_run = ModelResult(
        model="sync", status="not-run", concurrent=False, ideal_s=0.3, jobs=3, reason="slow"
    )
    return ResultsFile(
        created_utc="2024-01-02T03:04:05Z",
        settings=RunSettings(
            rounds=3,
            warmup=1,
            gc="off",
            timeout_s=None,
            sequential_budget_s=10.0,
            rounds_per_process=2,
        ),
        environment={"cpu_model": "x", "packages": {"trio": "0.25"}, "git_dirty": None},
        scenarios=(ScenarioResults(scenario=SCENARIO, models=(ok, failed, not_run)),),
        partial=True,
    )


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "results.json"
    text = data if isinstance(data, str) else json.dumps(data)
    path.write_text(text, encoding="utf-8")
    return path


def edited(path: tuple[Any, ...], value: Any = None, *, drop: bool = False) -> dict[str, Any]:
    """sample()'s JSON with the value at `path` replaced (or deleted)."""
    data: dict[str, Any] = json.loads(sample().to_json())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if drop:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


OK = ("scenarios", 0, "models", 0)
ROUND = (*OK, "runs", 0, "values", 0)


def test_round_trip_is_exact(tmp_path: Path) -> None:
    original = sample()
    loaded = load(write(tmp_path, original.to_json()))
    assert loaded == original
    assert loaded.to_json() == original.to_json()
    model = loaded.scenarios[0].models[0]
    assert model.memory_per_job_bytes == pytest.approx(100_000 / 3)
    assert model.process_medians("wall") == [pytest.approx(0.16155), 0.1615]
    assert model.ranked and not loaded.scenarios[0].models[1].ranked


def test_small_records_and_number_arrays_take_one_line_each() -> None:
    big = Scenario.uniform(10_000, 0.05)
    model = ModelResult(
        model="asyncio-gather",
        status="ok",
        concurrent=True,
        ideal_s=0.05,
        jobs=big.jobs,
        runs=(ProcessRun(pid=1, values=(Round(wall_s=0.06, cpu_s=0.01, overhead_s=0.01),)),),
    )
    results = ResultsFile(
        created_utc="2024-01-02T03:04:05Z",
        settings=sample().settings,
        environment={},
        scenarios=(ScenarioResults(scenario=big, models=(model,)),),
    )
    text = results.to_json()
    lines = text.splitlines()
    assert len(lines) < 60  # not one line per delay
    assert '"delays_s": [0.05,0.05,' in text  # long arrays compact
    assert '{"wall_s": 0.06, "cpu_s": 0.01, "overhead_s": 0.01}' in text  # short ones spaced
    assert json.loads(text) == json.loads(text.replace("\n", " "))  # whitespace only


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "not a concurrency-bench results file"),
        ("null", "not a concurrency-bench results file"),
        (edited(("schema_version",), 3), "schema_version 3 is not supported (this version reads 1"),
        (edited(("schema_version",), "2"), "schema_version '2' is not supported"),
        (edited(("schema_version",), True), "schema_version True is not supported"),
        (edited(("schema_version",), 2.0), "schema_version 2.0 is not supported"),
        (edited(("schema_version",), drop=True), "schema_version None is not supported"),
        (edited(("settings",), drop=True), "missing required field `settings`"),
        (edited((*OK, "status"), drop=True), "missing required field `status`"),
        (edited((*ROUND, "wall_s"), drop=True), "`wall_s` - at `$.scenarios[0].models[0].runs"),
        (edited(("scenarios", 0, "scenario", "delays_s"), drop=True), "`delays_s`"),
        (edited((*OK, "status"), "great"), "Invalid enum value 'great'"),
        (edited(("settings", "unknown_knob"), 1), "unknown field `unknown_knob`"),
        (edited(("scenarios", 0, "scenario", "jobs"), 3), "unknown field `jobs`"),
        (edited((*OK, "jobs"), "many"), "Expected `int`, got `str`"),
        (edited((*OK, "jobs"), 0), "Expected `int` >= 1"),
        (edited((*OK, "jobs"), -5), "Expected `int` >= 1"),
        (edited((*OK, "jobs"), 10**30), "Expected `int` <="),
        (edited((*OK, "jobs"), 4), "has jobs 4, the scenario 3"),
        (edited((*OK, "ideal_s"), 0.3), "has overhead_s"),  # its rounds say otherwise
        (edited(("scenarios", 0, "models", 1, "ideal_s"), 0.3), "has ideal_s 0.3, but its"),
        (edited((*OK, "reason"), 5), "Expected `str | null`, got `int`"),
        (edited((*OK, "model"), "a\nb"), "Expected a name: a non-empty line of plain text"),
        (edited((*OK, "model"), ""), "Expected `str` of length >= 1"),
        (edited((*OK, "runs"), []), "is ok but a worker has no measured rounds"),
        (edited((*OK, "runs", 1, "values"), []), "is ok but a worker has no measured rounds"),
        (edited((*ROUND, "wall_s"), -0.1), "Expected `float` >= 0.0"),
        (edited((*ROUND, "wall_s"), 0.48), "has overhead_s"),  # a 3x slower wall, old overhead
        (edited((*ROUND, "overhead_s"), -0.1), "wall_s - ideal_s is"),
        (edited((*ROUND, "cpu_s"), 1e300), "Expected `float` <="),
        (edited((*OK, "runs", 0, "pid"), 0), "Expected `int` >= 1"),
        (edited((*OK, "runs", 0, "warmups"), [-1]), "Expected `float` >= 0.0"),
        (edited((*OK, "rss_peak_bytes"), 2**70), "Expected `int` <= 9223372036854775807"),
        (edited((*OK, "lateness", "p50_s"), 1.0), "p50_s <= p99_s <= max_s"),
        (edited(("environment", "memory_total_bytes"), 10**40), "environment.memory_total"),
        (edited(("created_utc",), "../../etc"), "at `$.created_utc`"),
        (edited(("settings", "rounds"), 0), "Expected `int` >= 1"),
        (edited(("settings", "gc"), 1), "Expected `str`, got `int`"),
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


def test_a_not_run_model_with_rounds_contradicts_itself(tmp_path: Path) -> None:
    data = edited(("scenarios", 0, "models", 2, "runs"), [{"pid": 1, "values": []}])
    load(write(tmp_path, data))  # a worker without rounds is not a measurement
    rounds = [{"wall_s": 0.31, "cpu_s": 0.0, "overhead_s": 0.31 - 0.3}]
    data = edited(("scenarios", 0, "models", 2, "runs"), [{"pid": 1, "values": rounds}])
    with pytest.raises(ResultsError, match="is not-run but has measured rounds"):
        load(write(tmp_path, data))


@pytest.mark.parametrize("path", SCHEMA_1_FILES, ids=lambda p: p.name)
def test_committed_schema_1_files_convert(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["schema_version"] == 1
    results = load(path)
    assert results.schema_version == SCHEMA_VERSION
    ranked = [model for _, model in results.models() if model.ranked]
    assert ranked
    for model in ranked:  # one process per round, as rounds_per_process = 1 said
        assert [len(run.values) for run in model.runs] == [1] * len(model.rounds)
        assert all(run.pid is None and run.warmups == () for run in model.runs)


def _schema_1() -> dict[str, Any]:
    return json.loads(SCHEMA_1_FILE.read_text(encoding="utf-8"))


def test_a_schema_1_file_from_before_rounds_per_process_ran_every_round_in_one_worker(
    tmp_path: Path,
) -> None:
    data = _schema_1()
    del data["settings"]["rounds_per_process"]
    results = load(write(tmp_path, data))
    assert (results.settings.rounds, results.settings.rounds_per_process) == (5, 5)
    ok = next(model for _, model in results.models() if model.ranked)
    assert len(ok.runs) == 1 and len(ok.runs[0].values) == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["scenarios"][0]["scenario"].update(jobs=7), "scenario has jobs 7 but"),
        (lambda d: d["scenarios"][0]["scenario"].update(extra=1), "unknown field `extra`"),
        (lambda d: d["scenarios"][0]["models"][0].update(rounds=5), "models[0].runs`"),
        (lambda d: d["scenarios"][0]["models"][0]["rounds"][0].update(wall_s=-1), ">= 0.0"),
    ],
)
def test_bad_schema_1_files_are_refused_in_one_line(
    tmp_path: Path, change: Any, message: str
) -> None:
    data = _schema_1()
    change(data)
    with pytest.raises(ResultsError, match="malformed results file") as caught:
        load(write(tmp_path, data))
    assert message in str(caught.value)


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
