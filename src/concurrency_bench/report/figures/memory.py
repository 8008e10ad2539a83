"""Memory per job against jobs: (peak RSS - RSS before the rounds) / jobs, per model.

A worker's RSS moves in pages and allocator arenas, so at small sizes the per-job figure is
mostly rounding; the slope at large sizes is what a job costs.
"""

from __future__ import annotations

from concurrency_bench.report.figures.series import ScalingGroup, scaling_groups
from concurrency_bench.report.figures.style import (
    Plot,
    each_drawn,
    finish,
    interpreters_of,
    legend,
    log_log,
    model_line,
    new_figure,
)
from concurrency_bench.results import ResultsFile


def draw_group(group: ScalingGroup, caption: str) -> Plot | None:
    """One figure for one workload; None when no model reported its memory."""
    title = f"Memory per job: {group.name}, {group.sizes[0]:,} to {group.sizes[-1]:,} jobs"
    figure = new_figure(title, height=4.8)
    (axes,) = figure.axes
    drawn = zero = 0
    interpreters = interpreters_of(group.series)
    for series in group.series:
        points = [
            (p.jobs, p.memory_per_job_bytes / 1024)
            for p in series.points
            if p.memory_per_job_bytes is not None
        ]
        zero += sum(1 for _, kib in points if kib <= 0)
        points = [(jobs, kib) for jobs, kib in points if kib > 0]
        if not points:
            continue
        xs, ys = [j for j, _ in points], [k for _, k in points]
        model_line(axes, series, xs, ys, interpreters=interpreters, edge_width=None)
        drawn += 1
    if not drawn:
        return None
    log_log(axes, "peak RSS growth per job (KiB, log)")
    legend(figure)
    notes = ["RSS of the median worker process, peak minus before the first round, over jobs"]
    if zero:
        notes.append(f"{zero} point(s) with no growth not drawn on the log axis")
    finish(figure, [*notes, caption])
    return Plot(f"memory-{group.name}", title, caption, figure)


def draw(results: ResultsFile) -> list[Plot]:
    """A memory figure per workload measured at two sizes or more."""
    return each_drawn(results, scaling_groups(results), draw_group)
