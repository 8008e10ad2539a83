"""The loader's refusals and messages, file names and writes, and the schema-1 converter's rules.

Expected dictionaries and messages are written out by hand from the documented behaviour.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from concurrency_bench.results import ResultsError, legacy, load, store
from concurrency_bench.results.legacy import upgrade
from concurrency_bench.results.store import parse, parse_bytes, results_name, write_results
from factories import model_result, results_file, scenario

S = scenario(3)


def valid() -> Any:
    return json.loads(results_file([(S, [model_result("trio", S, walls=[0.06, 0.07])])]).to_json())


def refusal(data: bytes | str, source: str = "f.json") -> str:
    with pytest.raises(ResultsError) as caught:
        parse_bytes(data.encode() if isinstance(data, str) else data, source)
    return str(caught.value)


# -- parse_bytes and parse -------------------------------------------------------------


def test_non_ascii_utf8_loads_and_bad_utf8_names_its_byte() -> None:
    data = valid()
    data["scenarios"][0]["models"][0]["reason"] = "µs, ünïcode"
    loaded = parse_bytes(json.dumps(data, ensure_ascii=False).encode(), "f.json")
    assert loaded.scenarios[0].models[0].reason == "µs, ünïcode"
    assert refusal(b"{" + b" " * 1233 + b"\xff}") == "f.json: not UTF-8 text (byte 1,234)"


def test_each_version_is_read_by_its_reader_and_others_are_named() -> None:
    for version in ("true", "1.0", '"1"', "[1]", "0", "null"):
        text = json.dumps(valid()).replace('"schema_version": 2', f'"schema_version": {version}')
        shown = {"true": "True", '"1"': "'1'", "null": "None"}.get(version, version)
        assert refusal(text) == (
            f"f.json: schema_version {shown} is not supported (this version reads 1 and 2)"
        )


def test_json_errors_are_one_line_without_msgspecs_prefix() -> None:
    # msgspec says "JSON is malformed: object keys must be strings (byte 1)".
    assert refusal("{not json") == "f.json: not valid JSON (object keys must be strings (byte 1))"
    assert refusal("{\n") == "f.json: not valid JSON (Input data was truncated)"
    with pytest.raises(ResultsError, match=r"^results: not a concurrency-bench results file"):
        parse_bytes(b"[]")  # the default source
    assert refusal("[]") == "f.json: not a concurrency-bench results file (not a JSON object)"
    nested = json.dumps({**valid(), "settings": []})
    message = refusal(nested)
    assert message.startswith("f.json: malformed results file (Expected `object`, got `array`")
    assert message.endswith("- at `$.settings`)")
    assert refusal('{"a":' * 100_000) == "f.json: malformed results file (nested too deeply)"


def test_a_converter_refusal_is_a_malformed_file() -> None:
    data = {**valid(), "schema_version": 1}
    data["scenarios"][0]["scenario"]["jobs"] = 4
    assert refusal(json.dumps(data)) == (
        "f.json: malformed results file (scenario has jobs 4 but 3 delays_s)"
    )


def test_parse_validates_data_and_refuses_what_json_cannot_hold() -> None:
    assert parse(valid()).scenarios[0].scenario == S
    with pytest.raises(ResultsError) as caught:
        parse({"x": object()}, "mem")
    assert (
        str(caught.value) == "mem: not JSON data (Encoding objects of type object is unsupported)"
    )
    with pytest.raises(ResultsError, match=r"^results: schema_version None is not supported"):
        parse({})
    with pytest.raises(ResultsError, match=r"^mem: schema_version None is not supported"):
        parse({}, "mem")


def test_messages_stay_one_short_line() -> None:
    flat = store._one_line("a\nb\x00c\td")
    assert flat == "a\\nb\\x00c\\td"
    assert store._one_line("C:\\runs\\é 'x\"") == "C:\\runs\\é 'x\""  # printable: kept as is
    assert store._one_line("x" * 300) == "x" * 300
    assert store._one_line("x" * 301) == "x" * 297 + "..."
    assert store._one_line("\n" * 1000) == "\\n" * 148 + "\\..."
    long_version = json.dumps(valid()).replace(
        '"schema_version": 2', '"schema_version": "' + "v" * 400 + '"'
    )
    assert refusal(long_version) == (
        "f.json: schema_version '" + "v" * 296 + "... is not supported (this version reads 1 and 2)"
    )


# -- reading files ----------------------------------------------------------------------


def test_a_missing_file_gives_the_systems_reason(tmp_path: Path) -> None:
    with pytest.raises(ResultsError) as caught:
        load(tmp_path / "gone.json")
    assert str(caught.value) == f"{tmp_path}/gone.json: cannot read (No such file or directory)"


def test_a_fifo_swapped_in_after_the_stat_is_refused_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stat sees a regular file; by the open it is a FIFO with no writer. Opened
    # non-blocking, the open returns at once and fstat refuses it; a blocking open would wait
    # for a writer, which the timer supplies after 10 s so that such a failure cannot hang.
    regular, fifo = tmp_path / "regular.json", tmp_path / "fifo.json"
    regular.write_text("{}")
    os.mkfifo(fifo)
    real_stat = os.stat
    monkeypatch.setattr(
        store.os, "stat", lambda p, *a, **k: real_stat(regular if p == str(fifo) else p, *a, **k)
    )
    unblocked = threading.Event()

    def unblock() -> None:
        unblocked.set()
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    writer = threading.Timer(10.0, unblock)
    writer.start()
    try:
        with pytest.raises(ResultsError) as caught:
            load(fifo)
    finally:
        writer.cancel()
    assert not unblocked.is_set()  # the open did not wait for a writer
    assert str(caught.value) == f"{fifo}: is a FIFO, not a regular file; give a results file"


def test_load_names_the_file_and_refuses_a_file_larger_than_it_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run\n1.json"
    path.write_text(json.dumps(valid()), encoding="utf-8")
    assert load(path).scenarios[0].scenario == S
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ResultsError, match=r"^.*/run\\n1\.json: not valid JSON"):
        load(path)
    # /proc files are regular and report size 0, so only the read can find them too big.
    monkeypatch.setattr(store, "MAX_FILE_BYTES", 100)
    with pytest.raises(ResultsError) as caught:
        load("/proc/self/status")
    assert str(caught.value) == (
        "/proc/self/status: is larger than that, over the 100-byte limit of a results file "
        "(a 10,000,000-job run is well under it)"
    )
    (tmp_path / "big.json").write_bytes(b" " * 1234)
    with pytest.raises(ResultsError) as caught:
        load(tmp_path / "big.json")
    assert str(caught.value).startswith(f"{tmp_path}/big.json: is 1,234 bytes, over the 100-byte")
    (tmp_path / "edge.json").write_bytes(b" " * 100)  # at the limit: read, then not JSON
    with pytest.raises(ResultsError, match="not valid JSON"):
        load(tmp_path / "edge.json")


# -- names and writes ---------------------------------------------------------------------


def test_results_names_come_from_the_time_and_a_safe_commit() -> None:
    def name(**environment: Any) -> str:
        return results_name(results_file([(S, [])], environment=environment))

    assert name() == "20240102T030405Z-nogit"
    assert name(git_commit="0123456789abcdef") == "20240102T030405Z-0123456"
    assert name(git_commit="abc", git_dirty=True) == "20240102T030405Z-abc-dirty"
    assert name(git_commit="abc", git_dirty=False) == "20240102T030405Z-abc"
    for unsafe in ("../etc", "a/b", "ab c", "", "éa", 1234567):
        assert name(git_commit=unsafe) == "20240102T030405Z-nogit"


def test_write_results_picks_the_next_free_name(tmp_path: Path) -> None:
    results = results_file([(S, [model_result("trio", S, walls=[0.06])])])
    out = tmp_path / "new" / "dir"
    paths = [write_results(results, out) for _ in range(3)]
    stem = "20240102T030405Z-0123456"
    assert [p.name for p in paths] == [f"{stem}.json", f"{stem}-2.json", f"{stem}-3.json"]
    assert all(load(p) == results for p in paths)
    assert sorted(os.listdir(out)) == sorted(p.name for p in paths)  # no temp files left
    (out / f"{stem}-5.json").write_text("other")
    assert write_results(results, out).name == f"{stem}-4.json"
    assert write_results(results, out).name == f"{stem}-6.json"
    assert (out / f"{stem}-5.json").read_text() == "other"


def test_a_name_taken_between_the_check_and_the_link_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = results_file([(S, [model_result("trio", S, walls=[0.06])])])
    stem = "20240102T030405Z-0123456"
    (tmp_path / f"{stem}.json").write_text("another run")
    real_exists = Path.exists
    # Every check says "free", as if another run wrote the file just after it.
    monkeypatch.setattr(Path, "exists", lambda p: False if p.parent == tmp_path else real_exists(p))
    assert write_results(results, tmp_path).name == f"{stem}-2.json"
    assert (tmp_path / f"{stem}.json").read_text() == "another run"
    monkeypatch.setattr(Path, "exists", lambda p: True if p.parent == tmp_path else real_exists(p))
    with pytest.raises(FileExistsError) as caught:
        write_results(results, tmp_path)
    assert str(caught.value) == f"{tmp_path}: no free name for {stem}.json"


def test_the_temp_file_is_hidden_next_to_the_target_and_not_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same directory: the rename is atomic only within one filesystem. A dot name ending in
    # .tmp: a crash mid-write leaves nothing a `*.json` glob or a listing of runs would pick up.
    seen: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(store.os, "replace", lambda a, b: (seen.append(a), real_replace(a, b)))
    store.write_atomic(tmp_path / "b.json", "text")
    (temp,) = seen
    assert os.path.dirname(temp) == str(tmp_path)
    assert os.path.basename(temp).startswith(".b.json.") and temp.endswith(".tmp")


def test_write_atomic_replaces_by_default_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b.json"
    store.write_atomic(path, "first")
    store.write_atomic(path, "second")
    assert path.read_text() == "second"
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    assert os.listdir(path.parent) == ["b.json"]


# -- the schema-1 converter -----------------------------------------------------------


def test_upgrade_cuts_flat_rounds_into_one_run_per_worker() -> None:
    rounds = [{"wall_s": w} for w in (1, 2, 3, 4, 5)]
    data = {
        "schema_version": 1,
        "settings": {"rounds": 5, "rounds_per_process": 2},
        "scenarios": [
            {
                "scenario": {"name": "s", "jobs": 2, "delays_s": [0.1, 0.2]},
                "models": [
                    {"runner": "trio", "rounds": rounds, "summary": {"x": 1}, "status": "ok"},
                    {"model": "sync", "status": "not-run"},
                ],
            }
        ],
    }
    original = json.dumps(data)
    assert upgrade(data) == {
        "schema_version": 2,
        "settings": {"rounds": 5, "rounds_per_process": 2},
        "scenarios": [
            {
                "scenario": {"name": "s", "delays_s": [0.1, 0.2]},
                "models": [
                    {
                        "model": "trio",
                        "status": "ok",
                        "runs": [
                            {"pid": None, "warmups": [], "values": rounds[0:2]},
                            {"pid": None, "warmups": [], "values": rounds[2:4]},
                            {"pid": None, "warmups": [], "values": rounds[4:5]},
                        ],
                    },
                    {"model": "sync", "status": "not-run"},
                ],
            }
        ],
    }
    assert json.dumps(data) == original  # the input is not changed


def one_model(model: Any, settings: Any = None) -> Any:
    data: dict[str, Any] = {"scenarios": [{"models": [model]}]}
    if settings is not None:
        data["settings"] = settings
    return upgrade(data)["scenarios"][0]["models"][0]


def test_upgrade_puts_every_round_in_one_worker_when_the_spread_is_unknown() -> None:
    rounds = [1, 2, 3]
    one_run = [{"pid": None, "warmups": [], "values": [1, 2, 3]}]
    assert upgrade({"settings": {"rounds": 3}})["settings"] == {
        "rounds": 3,
        "rounds_per_process": 3,
    }
    assert one_model({"rounds": rounds}, {"rounds": 3})["runs"] == one_run
    for per_process in (0, -1, "2", None, 2.0):
        settings = {"rounds": 3, "rounds_per_process": per_process}
        assert one_model({"rounds": rounds}, settings)["runs"] == one_run
    assert one_model({"rounds": rounds}, {"rounds_per_process": 1})["runs"] == [
        {"pid": None, "warmups": [], "values": [r]} for r in rounds
    ]
    assert one_model({"rounds": []}, {"rounds_per_process": 0})["runs"] == []
    assert one_model({"rounds": rounds})["runs"] == one_run  # no settings at all


def test_upgrade_passes_on_what_it_cannot_convert() -> None:
    assert one_model({"rounds": "many"}) == {"runs": "many"}
    assert one_model({"status": "ok"}) == {"status": "ok"}
    assert one_model(7) == 7
    assert upgrade({"scenarios": [5, "x"]})["scenarios"] == [5, "x"]
    assert upgrade({"scenarios": {"a": 1}})["scenarios"] == {"a": 1}
    assert upgrade({"settings": [1]})["settings"] == [1]
    block = upgrade({"scenarios": [{"scenario": "s", "models": "m"}]})["scenarios"][0]
    assert block == {"scenario": "s", "models": "m"}
    assert legacy.LEGACY_VERSION == 1


def test_upgrade_checks_jobs_against_the_delays_only_when_both_are_there() -> None:
    def scenario_of(fields: dict[str, Any]) -> Any:
        return upgrade({"scenarios": [{"scenario": fields}]})["scenarios"][0]["scenario"]

    assert scenario_of({"jobs": 2, "delays_s": [1, 2]}) == {"delays_s": [1, 2]}
    assert scenario_of({"delays_s": [1, 2]}) == {"delays_s": [1, 2]}
    assert scenario_of({"jobs": 2, "delays_s": "x"}) == {"delays_s": "x"}
    assert scenario_of({"jobs": 2}) == {}
    for jobs in (3, True, 2.0, "2", None):
        with pytest.raises(ValueError) as caught:
            scenario_of({"jobs": jobs, "delays_s": [1, 2]})
        assert str(caught.value) == f"scenario has jobs {jobs!r} but 2 delays_s"
    with pytest.raises(ValueError, match=r"^scenario has jobs True but 1 delays_s$"):
        scenario_of({"jobs": True, "delays_s": [1]})
