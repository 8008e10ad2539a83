"""Memory per job against jobs: (peak RSS - RSS before the rounds) / jobs, per model.

A worker's RSS moves in pages and allocator arenas, so at small sizes the per-job figure is
mostly rounding; the slope at large sizes is what a job costs.
"""

from __future__ import annotations

from concurrency_bench.report.figures.series import ScalingGroup, scaling_groups
from concurrency_bench.report.figures.style import (
    EDGE,
    Plot,
    finish,
    legend,
    machine_caption,
    model_style,
    new_figure,
)
from concurrency_bench.results import ResultsFile


def draw_group(group: ScalingGroup, caption: str) -> Plot | None:
    """One figure for one workload; None when no model reported its memory."""
    title = f"Memory per job: {group.name}, {group.sizes[0]:,} to {group.sizes[-1]:,} jobs"
    figure = new_figure(title, height=4.8)
    (axes,) = figure.axes
    drawn = zero = 0
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
        style = model_style(series.model)
        axes.plot(
            [j for j, _ in points],
            [k for _, k in points],
            color=style.colour,
            linestyle=style.linestyle,
            marker=style.marker,
            markersize=5,
            markeredgecolor=EDGE,
            label=series.model,
        )
        drawn += 1
    if not drawn:
        return None
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("jobs (log)")
    axes.set_ylabel("peak RSS growth per job (KiB, log)")
    axes.grid(True, which="major", alpha=0.3)
    legend(figure)
    notes = ["RSS of the median worker process, peak minus before the first round, over jobs"]
    if zero:
        notes.append(f"{zero} point(s) with no growth not drawn on the log axis")
    finish(figure, [*notes, caption])
    return Plot(f"memory-{group.name}", title, caption, figure)


def draw(results: ResultsFile) -> list[Plot]:
    """A memory figure per workload measured at two sizes or more."""
    caption = machine_caption(results)
    plots = [draw_group(group, caption) for group in scaling_groups(results)]
    return [p for p in plots if p is not None]
