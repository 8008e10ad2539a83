"""The versioned results file: typed records (schema) and how files are read and written (store).

Nothing reads a results file except through here.
"""

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
    "RunSettings",
    "ScenarioResults",
    "Status",
    "json_schema",
    "load",
    "published_text",
    "results_name",
    "write_atomic",
    "write_results",
]
