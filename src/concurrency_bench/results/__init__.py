"""The versioned results file: typed records (schema) and how files are read and written (store).

Nothing reads a results file except through here.
"""

from concurrency_bench.results.identity import (
    RowKey,
    ScenarioKey,
    block_rows,
    keyed_models,
    machine_of,
    row_key,
    row_label,
)
from concurrency_bench.results.published import json_schema, published_text
from concurrency_bench.results.schema import (
    SCHEMA_VERSION,
    STATUSES,
    GcRound,
    Lateness,
    Metric,
    ModelResult,
    ProcessRun,
    PythonInfo,
    ResultsError,
    ResultsFile,
    Round,
    RunSettings,
    ScenarioResults,
    Status,
)
from concurrency_bench.results.store import load, results_name, write_atomic, write_results

__all__ = [
    "SCHEMA_VERSION",
    "STATUSES",
    "GcRound",
    "Lateness",
    "Metric",
    "ModelResult",
    "ProcessRun",
    "PythonInfo",
    "ResultsError",
    "ResultsFile",
    "Round",
    "RowKey",
    "RunSettings",
    "ScenarioKey",
    "ScenarioResults",
    "Status",
    "block_rows",
    "json_schema",
    "keyed_models",
    "load",
    "machine_of",
    "published_text",
    "results_name",
    "row_key",
    "row_label",
    "write_atomic",
    "write_results",
]
