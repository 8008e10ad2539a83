"""Which (size, model) points of a sweep fit the time budget, estimated from a probe.

A probe runs each model twice, one worker of one round each (engine.measure_pairs): on 1 job
and on P jobs, at the sweep's delay (P: 10,000 or the largest size if smaller, fewer for
models that queue jobs, so that a probe round stays near a second). From the two:
  start_s      the 1-job worker's wall clock less its round (spawn, imports, setup);
  per_job_s    the P-job round's wall time beyond its ideal, per job;
  setup_per_job_s  what the P-job worker took beyond the 1-job one, less its round, per job.
A point of N jobs then takes, over its W workers (warm-ups w each, R rounds in all):
  W x (start_s + N x setup_per_job_s) + (W x w + R) x (ideal(N) + N x per_job_s)
where ideal(N) is the round with the model's pool size (the sum of delays when it queues),
plus, with CPU work (`--cpu-ms`), N x that work: as if all of it ran on one core, as the
GIL makes it for an in-process model (an over-estimate for processes).
Costs per job are extrapolated linearly, which a model whose cost grows faster (threads, as
the kernel's scheduler fills) outruns; the engine's per-worker timeout still stops those.
A point over the budget is not run, and neither is any larger size of that model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concurrency_bench.engine import EngineOptions, estimate_memory
from concurrency_bench.errors import InputError
from concurrency_bench.quantities import duration, size
from concurrency_bench.results import row_label
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario

PROBE_JOBS = 10_000
"""Large enough that the two workers' difference in start-up (tens of ms of noise) is a small
share of the per-job setup it measures, and near the sizes it is extrapolated to."""
PROBE_ROUND_S = 1.0
"""A probe's round of a model that queues jobs is kept near this by using fewer jobs."""


def row_of(spec: ModelSpec) -> str:
    """The row a spec measures (`asyncio-gather + aiohttp`): what probes and stops are keyed by,
    so two clients of one model are probed and stopped apart."""
    return row_label(spec.name, None, spec.client_name)


@dataclass(frozen=True)
class Probe:
    """A model's measured costs (seconds), from its 1-job and P-job probe workers."""

    model: str
    jobs: int
    start_s: float
    per_job_s: float
    setup_per_job_s: float


@dataclass(frozen=True)
class Point:
    """One (size, model) of the sweep: measured, or not run and why."""

    scenario: Scenario
    spec: ModelSpec
    estimate_s: float | None
    """The estimated time of the whole point (None: no probe, no estimate)."""
    reason: str | None = None
    """Why the point is not run; None when it is measured."""


def probe_jobs(
    spec: ModelSpec,
    delay_s: float,
    largest: int,
    pool_size: int | None,
    connections: int | None = None,
) -> int:
    """The probe's size: PROBE_JOBS (or the sweep's largest size if smaller), fewer for a model
    that queues jobs (in its pool, or its client's), so that its probe round stays near
    PROBE_ROUND_S."""
    jobs = min(PROBE_JOBS, largest)
    bound = spec.connection_bound(connections)
    while jobs > 1:
        probe = Scenario.uniform(jobs, delay_s)
        if probe.queued_wall_s(spec.concurrency(jobs, pool_size, bound)) <= PROBE_ROUND_S:
            break
        jobs = max(1, jobs // 2)
    return jobs


def probe_from(
    model: str,
    one: tuple[float, float, float],
    many: tuple[float, float, float],
    jobs: int,
) -> Probe:
    """A Probe from (elapsed, wall, ideal) of the 1-job and the `jobs`-job workers."""
    elapsed_1, wall_1, _ = one
    elapsed_n, wall_n, ideal_n = many
    start = max(0.0, elapsed_1 - wall_1)
    per_job = max(0.0, wall_n - ideal_n) / jobs
    setup = max(0.0, (elapsed_n - wall_n) - start) / max(1, jobs - 1)
    return Probe(model, jobs, start, per_job, setup)


def point_seconds(
    scenario: Scenario, spec: ModelSpec, probe: Probe, options: EngineOptions
) -> float:
    """The estimated wall-clock time of measuring `spec` on `scenario` (formula above)."""
    jobs = scenario.jobs
    workers = len(options.worker_shares())
    bound = spec.connection_bound(scenario.connections)
    ideal = scenario.queued_wall_s(spec.concurrency(jobs, options.pool_size, bound))
    round_s = ideal + jobs * probe.per_job_s + jobs * scenario.cpu_ms / 1000
    setup = workers * (probe.start_s + jobs * probe.setup_per_job_s)
    return setup + (workers * options.warmup + options.rounds) * round_s


def plan(
    scenarios: Sequence[Scenario],
    specs: Sequence[ModelSpec],
    probes: dict[str, Probe],
    options: EngineOptions,
    budget_s: float,
    memory_bytes: int | None,
) -> list[Point]:
    """Every (size, model) point, sizes ascending (then CPU work), models in the given order; a
    model over the budget (or the memory) at a size is not run there nor at any larger size
    with the same CPU work."""
    stopped: dict[tuple[str, float], str] = {}
    points = []
    for scenario in sorted(scenarios, key=lambda s: (s.jobs, s.cpu_ms)):
        for spec in specs:
            row = row_of(spec)
            probe = probes.get(row)
            estimate = None if probe is None else point_seconds(scenario, spec, probe, options)
            reason = None
            line = (row, scenario.cpu_ms)
            if line in stopped:
                shown = "" if estimate is None else f"would take {duration(estimate)}; "
                reason = f"{shown}not tried, {stopped[line]}"
            elif probe is not None and estimate is not None and estimate > budget_s:
                reason = (
                    f"would take {duration(estimate)} (estimated from a probe at "
                    f"{probe.jobs:,} jobs; budget {budget_s:g} s per point)"
                )
                stopped[line] = f"over the budget from {scenario.jobs:,} jobs"
            elif memory_bytes is not None:
                need = estimate_memory(scenario, [spec], pool_size=options.pool_size)
                if need is not None and need.total_bytes > memory_bytes:
                    reason = (
                        f"would need {size(need.total_bytes)} of memory "
                        f"({size(memory_bytes)} available)"
                    )
                    stopped[line] = f"out of memory from {scenario.jobs:,} jobs"
            points.append(Point(scenario, spec, estimate, reason))
    return points


def check_sizes_fit(
    scenarios: Sequence[Scenario],
    specs: Sequence[ModelSpec],
    pool_size: int | None,
    memory_bytes: int | None,
) -> None:
    """Bad input (one line, before any probe) when a size fits none of the models in memory:
    every point there would be "not run". A size only some models fit runs those."""
    if memory_bytes is None:
        return
    for scenario in sorted(scenarios, key=lambda s: s.jobs):
        needs = [estimate_memory(scenario, [spec], pool_size=pool_size) for spec in specs]
        least = min((n for n in needs if n is not None), key=lambda n: n.total_bytes, default=None)
        if least is not None and least.total_bytes > memory_bytes:
            raise InputError(
                f"`jobs` {scenario.jobs:,} would need about {size(least.total_bytes)} of memory "
                f"even for the leanest model asked for ({least.model}), more than the "
                f"{size(memory_bytes)} available; give smaller --jobs or --ints"
            )
