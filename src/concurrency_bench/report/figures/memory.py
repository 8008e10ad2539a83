"""Memory per job against jobs: (peak RSS - RSS before the rounds) / jobs, per model.

A worker's RSS moves in pages and allocator arenas, so at small sizes the per-job figure is
mostly rounding: a point is drawn only where the tables show it (cells.memory_per_job); the
slope at large sizes is what a job costs.
"""

from __future__ import annotations

from concurrency_bench.quantities import size
from concurrency_bench.report.cells import MEMORY_MIN_STEPS, RSS_STEP_BYTES, memory_per_job
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
from concurrency_bench.report.formatting import NONE
from concurrency_bench.results import ResultsFile


def draw_group(group: ScalingGroup, caption: str) -> Plot | None:
    """One figure for one workload; None when no model reported its memory."""
    title = f"Memory per job: {group.name}, {group.sizes[0]:,} to {group.sizes[-1]:,} jobs"
    figure = new_figure(title, height=4.8)
    (axes,) = figure.axes
    drawn = 0
    small: dict[int, list[str]] = {}
    interpreters = interpreters_of(group.series)
    for series in group.series:
        points = []
        for p in series.points:
            shown = memory_per_job(p.memory_per_job_bytes, p.jobs)
            if shown is not None:
                points.append((p.jobs, shown / 1024))
            elif p.memory_per_job_bytes is not None:
                small.setdefault(p.jobs, []).append(series.label)
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
    if small:
        least = MEMORY_MIN_STEPS * RSS_STEP_BYTES
        where = "; ".join(
            f"at {jobs:,}: {', '.join(labels)}" for jobs, labels in sorted(small.items())
        )
        notes.append(
            f"not drawn, as the tables show {NONE} there (the RSS grew by less than "
            f"{size(least, 1)}; it grows in steps of up to {size(RSS_STEP_BYTES, 1)}): {where}"
        )
    finish(figure, [*notes, caption])
    return Plot(f"memory-{group.name}", title, caption, figure)


def draw(results: ResultsFile) -> list[Plot]:
    """A memory figure per workload measured at two sizes or more."""
    return each_drawn(results, scaling_groups(results), draw_group)
