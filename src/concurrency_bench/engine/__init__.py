"""The engine: every (scenario, model) measured in fresh worker processes, equal rounds for all.

The worker process measures itself (worker, timing, probes); the parent spawns and follows
workers and merges a model's workers into one row. Callers use the names exported here.
"""

from concurrency_bench.engine.core import (
    EngineOptions,
    Measured,
    Progress,
    ProgressCallback,
    collect_environment,
    measure_all,
    measure_pairs,
    not_started,
    results_file,
    run_model,
    utc_now,
)

__all__ = [
    "EngineOptions",
    "Measured",
    "Progress",
    "ProgressCallback",
    "collect_environment",
    "measure_all",
    "measure_pairs",
    "not_started",
    "results_file",
    "run_model",
    "utc_now",
]
