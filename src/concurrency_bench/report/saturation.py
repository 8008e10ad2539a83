"""Where each model stops being I/O-bound: over a workload measured at several sizes (a sweep),
the largest size at which its rounds still waited and the first at which CPU set the wall.

One line per row of each scaling workload (figures/series.py), for the text and markdown
reports and the scaling figure's notes.
"""

from __future__ import annotations

from concurrency_bench.quantities import duration
from concurrency_bench.report.figures.series import Point, ScalingGroup, Series, scaling_groups
from concurrency_bench.results import ResultsFile

HEADING = (
    "Where each model stops being I/O-bound (CPU-bound: the worker's CPU time per round is at "
    "least the ideal round, so the round lasts as long as its CPU work and lateness grows "
    "with the jobs)"
)


def _cpu(point: Point) -> str:
    per_job = duration(point.cpu_s / point.jobs)
    return f"{duration(point.cpu_s)} CPU/round, {per_job}/job"


def first_cpu_bound(series: Series) -> Point | None:
    """The smallest size at which the row was CPU-bound, None when it never was."""
    return next((p for p in series.points if p.cpu_bound), None)


def series_line(series: Series) -> str | None:
    """`asyncio-gather: I/O-bound to 1,000 jobs (9 ms CPU/round ...); CPU-bound from 10,000
    (96 ms CPU/round ...)`; None for a row without figures."""
    if not series.points:
        return None
    first = first_cpu_bound(series)
    below = [p for p in series.points if first is None or p.jobs < first.jobs]
    parts = []
    if below:
        last = below[-1]
        to = "at every size measured, to" if first is None else "to"
        parts.append(f"I/O-bound {to} {last.jobs:,} jobs ({_cpu(last)})")
    if first is not None:
        ideal = duration(first.ideal_s)
        parts.append(f"CPU-bound from {first.jobs:,} jobs ({_cpu(first)} vs {ideal} ideal)")
        parts.append(f"its CPU per job fills the {ideal} wait at about {crossing(first):,} jobs")
    return f"{series.label}: " + "; ".join(parts)


def crossing(point: Point) -> int:
    """The job count at which `point`'s CPU time per job adds up to its ideal round: where
    the loop saturates, at that per-job cost (ideal / CPU per job, to 2 significant digits)."""
    jobs = point.ideal_s / (point.cpu_s / point.jobs) if point.cpu_s > 0 else 0.0
    return int(float(f"{jobs:.2g}"))


def group_lines(group: ScalingGroup) -> list[str]:
    """One line per row of the workload that has figures."""
    return [line for line in map(series_line, group.series) if line is not None]


def lines(results: ResultsFile) -> list[tuple[str, list[str]]]:
    """(workload name, its rows' lines) for every workload measured at two sizes or more."""
    found = [(group.name, group_lines(group)) for group in scaling_groups(results)]
    return [(name, rows) for name, rows in found if rows]
