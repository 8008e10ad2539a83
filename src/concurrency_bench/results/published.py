"""The JSON Schema of a schema-2 results file, as generated and as shipped in the package.

msgspec writes the records' types, ranges and unknown-field rules; added here is what it
leaves out and JSON Schema can say: the version as a constant, the scenario's limits (a
dataclass, which msgspec describes by type only). What JSON Schema cannot say (finite times
are bounded, but also: overhead = wall - ideal, jobs and ideal_s agree with the scenario, an
`ok` model has rounds) is checked by the loader only.
"""

from __future__ import annotations

import inspect
import json
from importlib import resources
from typing import Any

import msgspec

from concurrency_bench.kinds.registry import BUILTIN, DEFAULT_KIND
from concurrency_bench.results.schema import NAME_PATTERN, SCHEMA_VERSION, ResultsFile
from concurrency_bench.workload import (
    MAX_CONNECTIONS,
    MAX_CPU_MS,
    MAX_DELAY_S,
    MAX_INTS_PER_JOB,
    MAX_JOBS,
    MAX_SEED,
    MAX_UNIT_MS,
)

SCHEMA_FILE = "results-schema.json"
"""The published schema, next to this module (package data)."""
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a schema-2 results file (what `results-schema.json` holds)."""
    schema = msgspec.json.schema(ResultsFile)
    defs = schema["$defs"]
    top = defs["ResultsFile"]
    top["properties"]["schema_version"] = {"const": SCHEMA_VERSION}
    top["required"] = ["schema_version", *top["required"]]
    scenario = defs["Scenario"]
    limits: dict[str, dict[str, Any]] = {
        "name": {"minLength": 1, "pattern": NAME_PATTERN},
        "delays_s": {
            "minItems": 1,
            "maxItems": MAX_JOBS,
            "items": {"type": "number", "minimum": 0, "maximum": MAX_DELAY_S},
            "description": "Each job's delay in seconds, in order; their count is the jobs.",
        },
        "ints_per_job": {"minimum": 0, "maximum": MAX_INTS_PER_JOB},
        "seed": {"minimum": 0, "maximum": MAX_SEED},
        "unit_s": {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_UNIT_MS / 1000},
                {"type": "null"},
            ]
        },
        "connections": {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_CONNECTIONS},
                {"type": "null"},
            ],
            "description": "tcp and http: persistent connections the jobs share (null: tcp one "
            "per job, http each library's default pool; http 0: a new connection per request).",
        },
        "tls": {"description": "http only: the jobs' connections over TLS (--tls)."},
        "cpu_ms": {
            "minimum": 0,
            "maximum": MAX_CPU_MS,
            "description": "Optional: CPU work each job does after its wait, in ms (0: none; "
            "files before it have none). The steps it was calibrated to are each row's "
            "`cpu_iterations` setting.",
        },
    }
    for name, extra in limits.items():
        scenario["properties"][name].update(extra)
    # The built-in I/O kinds (kinds/registry.py); a kind registered at run time is not published.
    scenario["properties"]["io"] = {
        "enum": sorted(spec.name for spec in BUILTIN),
        "default": DEFAULT_KIND,
    }
    scenario["additionalProperties"] = False
    published = {
        "$schema": DIALECT,
        "title": f"concurrency-bench results file, schema {SCHEMA_VERSION}",
        **schema,
    }
    result: dict[str, Any] = json.loads(json.dumps(published))  # plain JSON: msgspec has tuples
    _clean_descriptions(result)
    return result


def _clean_descriptions(node: Any) -> None:
    """Dedent every description in place: msgspec 0.23 stopped cleaning docstrings, and the
    published schema must not depend on which release wrote it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = inspect.cleandoc(value)
            else:
                _clean_descriptions(value)
    elif isinstance(node, list):
        for item in node:
            _clean_descriptions(item)


def schema_text() -> str:
    """`json_schema()` as the published file's text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def published_text() -> str:
    """The schema file shipped in the package (equal to `schema_text()`, a test checks)."""
    return (
        resources.files("concurrency_bench.results")
        .joinpath(SCHEMA_FILE)
        .read_text(encoding="utf-8")
    )
