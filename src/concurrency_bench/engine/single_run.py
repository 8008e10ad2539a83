"""One run of each requested model with its per-job columns, each in the engine's own worker.

The `timeline` command uses it: a model that hangs, crashes or raises becomes its own
failed row, exactly as in `run`, and the others still show their timelines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from concurrency_bench.engine.core import EngineOptions, run_model
from concurrency_bench.engine.timing import Measurement
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario


@dataclass(frozen=True)
class SingleRun:
    """A model's one run: its measurement, or why there is none."""

    model: str
    status: str
    measurement: Measurement | None = None
    reason: str | None = None


def run_each(
    specs: Sequence[ModelSpec],
    scenario: Scenario,
    *,
    pool_size: int | None = None,
    timeout_s: float | None = None,
) -> list[SingleRun]:
    """Run every spec once (no warm-up, no sequential budget) in a fresh worker each.

    After a Ctrl-C the list ends with the interrupted model; the rest are not run.
    """
    options = EngineOptions(
        rounds=1,
        warmup=0,
        timeout_s=timeout_s,
        sequential_budget_s=math.inf,
        pool_size=pool_size,
    )
    outcomes = []
    for spec in specs:
        outcome = run_model(spec, scenario, options, return_jobs=True)
        result = outcome.result
        measurement = outcome.last_round if result.status in ("ok", "wrong") else None
        outcomes.append(SingleRun(spec.name, result.status, measurement, result.reason))
        if outcome.interrupted:  # Ctrl-C: show what finished, run nothing more
            break
    return outcomes
