"""The engine: every (scenario, model) measured in fresh worker processes, equal rounds for all.

Layout: `policy` (options, limits, timeout and budget rules), `protocol` (the typed messages
both sides share), `worker` (the child that measures itself, with `timing` and `probes`),
`session` (spawn, follow and kill one worker), `model_run` (a model's workers merged into one
row, with `pooling`), `api` (the entry points below), `environment`, `limits` (open files),
`memory_estimate` (refuse what cannot fit), `interpreters` (other Pythons for the workers),
`servers` (the I/O servers a scenario needs). Callers outside the engine use the names
exported here, never its modules.
"""

from concurrency_bench.engine.api import (
    Measured,
    SingleRun,
    collect_environment,
    measure_all,
    measure_file,
    measure_pairs,
    results_file,
    run_each,
    utc_now,
)
from concurrency_bench.engine.interpreters import (
    Interpreter,
    describe,
    probe,
    probe_all,
    protocol_mismatch,
    resolve,
)
from concurrency_bench.engine.memory_estimate import available_bytes, check_memory, estimate_memory
from concurrency_bench.engine.policy import (
    MAX_ROUNDS,
    MAX_ROUNDS_PER_PROCESS,
    MAX_WARMUP,
    NOT_STARTED,
    EngineOptions,
    Progress,
    ProgressCallback,
    model_row,
    not_measured,
    not_started,
)
from concurrency_bench.engine.timing import Measurement

__all__ = [
    "MAX_ROUNDS",
    "MAX_ROUNDS_PER_PROCESS",
    "MAX_WARMUP",
    "NOT_STARTED",
    "EngineOptions",
    "Interpreter",
    "Measured",
    "Measurement",
    "Progress",
    "ProgressCallback",
    "SingleRun",
    "available_bytes",
    "check_memory",
    "collect_environment",
    "describe",
    "estimate_memory",
    "measure_all",
    "measure_file",
    "measure_pairs",
    "model_row",
    "not_measured",
    "not_started",
    "probe",
    "probe_all",
    "protocol_mismatch",
    "resolve",
    "results_file",
    "run_each",
    "utc_now",
]
