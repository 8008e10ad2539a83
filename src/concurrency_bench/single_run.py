"""One untimed-setup, timed run of each requested model, isolated from the others' failures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concurrency_bench.measure import Measurement, measure_run
from concurrency_bench.runners import RunnerSpec
from concurrency_bench.scenario import Scenario, build_payloads, expected_sums


@dataclass(frozen=True)
class SingleRun:
    """A model's one run: its measurement, or why there is none."""

    runner: str
    status: str
    measurement: Measurement | None = None
    reason: str | None = None


def run_each(
    specs: Sequence[RunnerSpec], scenario: Scenario, *, max_workers: int | None = None
) -> list[SingleRun]:
    """Run every spec once on `scenario`; an unavailable or failing model gets its reason."""
    payloads = build_payloads(scenario)
    expected = expected_sums(payloads)
    outcomes = []
    for spec in specs:
        reason = spec.unavailable_reason()
        if reason is not None:
            outcomes.append(SingleRun(spec.name, "unavailable", reason=reason))
            continue
        try:
            runner = spec.load(max_workers=max_workers)
            try:
                settings = runner.setup(scenario.jobs)
                measurement = measure_run(
                    runner, spec.name, spec.concurrent, scenario, payloads, expected, settings
                )
            finally:
                runner.close()
        except Exception as exc:  # one model's failure is its own row, never the whole run's
            outcomes.append(SingleRun(spec.name, "failed", reason=f"{type(exc).__name__}: {exc}"))
            continue
        outcomes.append(SingleRun(spec.name, "ok", measurement=measurement))
    return outcomes
