"""results/published.py: the JSON Schema is the generated one, and stock validators accept our
files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest

from cli_process import cli
from concurrency_bench.results import json_schema, load, published_text
from concurrency_bench.results.published import schema_text
from factories import model_result, results_file, scenario

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "src" / "concurrency_bench" / "results" / "results-schema.json"
REGENERATE = (
    "python -c 'from concurrency_bench.results.published import schema_text; "
    f'print(schema_text(), end="")\' > {PUBLISHED.relative_to(ROOT)}'
)


def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(published_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_the_committed_schema_is_the_generated_one() -> None:
    # Meaning, not text: the same JSON value, whatever a library's formatting of it.
    generated = json_schema()
    assert json.loads(PUBLISHED.read_text(encoding="utf-8")) == generated, (
        f"regenerate: {REGENERATE}"
    )
    assert json.loads(published_text()) == generated  # what the installed package ships
    assert json.loads(schema_text()) == generated


@pytest.mark.parametrize("indent", ["", "    ", "\t"])
def test_descriptions_do_not_depend_on_docstring_layout(
    indent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # msgspec 0.23 stopped dedenting docstrings: an indented one must publish the same text.
    real = msgspec.json.schema

    def indented(kind: Any) -> Any:
        schema = real(kind)
        for record in schema["$defs"].values():
            if "description" in record:
                first, *rest = record["description"].split("\n")
                record["description"] = "\n".join([first, *(indent + line for line in rest)])
        return schema

    monkeypatch.setattr(msgspec.json, "schema", indented)
    assert json_schema() == json.loads(PUBLISHED.read_text(encoding="utf-8"))


def test_the_schema_command_prints_the_published_schema() -> None:
    result = cli("schema", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == published_text()


def _file() -> Any:
    small, big = scenario(3), scenario(2000, 10.0)
    blocks = [
        (
            s,
            [
                model_result("asyncio-gather", s, walls=[0.051, 0.052, 0.05], rss_before_bytes=1),
                model_result("threads", s, overheads=[0.01] * 4, rounds_per_process=2),
                model_result("trio", s, status="failed", reason="killed by SIGKILL"),
                model_result("sync", s, status="not-run", reason="would take too long"),
            ],
        )
        for s in (small, big)
    ]
    return results_file(blocks, partial=True)


def test_a_written_file_validates_with_a_stock_validator(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text(_file().to_json(), encoding="utf-8")
    validator().validate(json.loads(path.read_text(encoding="utf-8")))
    assert load(path) == _file()


def test_a_converted_schema_1_file_validates() -> None:
    converted = load(ROOT / "results" / "runs" / "20261126T044828Z-a8387d5.json")  # schema 1
    validator().validate(json.loads(converted.to_json()))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("schema_version",), 3),
        (("scenarios", 0, "models", 0, "runs", 0, "values", 0, "wall_s"), -1.0),
        (("scenarios", 0, "models", 0, "jobs"), 0),
        (("scenarios", 0, "models", 0, "status"), "great"),
        (("scenarios", 0, "scenario", "jobs"), 3),
        (("scenarios", 0, "scenario", "delays_s"), []),
        (("scenarios", 0, "scenario", "delays_s"), [-0.5]),
        (("settings", "knob"), 1),
        (("created_utc",), "yesterday"),
    ],
)
def test_the_schema_refuses_what_the_loader_refuses(path: tuple[Any, ...], value: Any) -> None:
    data = json.loads(_file().to_json())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert not validator().is_valid(data)
