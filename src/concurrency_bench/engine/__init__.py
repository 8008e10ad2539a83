"""The engine: every (scenario, model) measured in fresh worker processes, equal rounds for all.

Layout: `policy` (options, limits, timeout and budget rules), `protocol` (the typed messages
both sides share), `worker` (the child that measures itself, with `timing` and `probes`),
`session` (spawn, follow and kill one worker), `model_run` (a model's workers merged into one
row, with `pooling`), `api` (the entry points below), `environment`, `limits` (open files).
Callers use the names exported here.
"""

from concurrency_bench.engine.api import (
    Measured,
    SingleRun,
    collect_environment,
    measure_all,
    measure_pairs,
    results_file,
    run_each,
    utc_now,
)
from concurrency_bench.engine.policy import (
    MAX_ROUNDS,
    MAX_ROUNDS_PER_PROCESS,
    MAX_WARMUP,
    NOT_STARTED,
    EngineOptions,
    Progress,
    ProgressCallback,
    not_started,
)

__all__ = [
    "MAX_ROUNDS",
    "MAX_ROUNDS_PER_PROCESS",
    "MAX_WARMUP",
    "NOT_STARTED",
    "EngineOptions",
    "Measured",
    "Progress",
    "ProgressCallback",
    "SingleRun",
    "collect_environment",
    "measure_all",
    "measure_pairs",
    "not_started",
    "results_file",
    "run_each",
    "utc_now",
]
