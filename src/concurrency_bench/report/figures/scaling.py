"""Scaling: overhead per job and total wall against jobs, log-log, one line per model.

The band is the IQR of the rounds (the tables' spread); a hollow marker is a size at which
the model's pool ran fewer jobs at once than there were jobs (saturated: jobs queue).
"""

from __future__ import annotations

from matplotlib.axes import Axes

from concurrency_bench.report.figures.series import Band, ScalingGroup, Series, scaling_groups
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


def _line(axes: Axes, series: Series, values: list[tuple[int, Band, bool]]) -> int:
    """Draw (jobs, band, saturated) points a log axis can show; how many were dropped."""
    style = model_style(series.model)
    shown = [v for v in values if v[1].median > 0]
    if not shown:
        return len(values)
    axes.plot(
        [jobs for jobs, _, _ in shown],
        [band.median for _, band, _ in shown],
        color=style.colour,
        linestyle=style.linestyle,
        marker=style.marker,
        markersize=5,
        markeredgecolor=EDGE,
        markeredgewidth=0.5,
        label=series.model,
    )
    banded = [(jobs, band) for jobs, band, _ in shown if band.q1 > 0]
    if len(banded) >= 2:
        axes.fill_between(
            [jobs for jobs, _ in banded],
            [band.q1 for _, band in banded],
            [band.q3 for _, band in banded],
            color=style.colour,
            alpha=0.18,
            linewidth=0,
        )
    saturated = [(jobs, band.median) for jobs, band, full in shown if full]
    if saturated:
        axes.plot(
            [jobs for jobs, _ in saturated],
            [median for _, median in saturated],
            marker="o",
            markersize=11,
            markerfacecolor="none",
            markeredgecolor=style.colour,
            linestyle="none",
        )
    return len(values) - len(shown)


def _notes(group: ScalingGroup, dropped: int) -> list[str]:
    """What the lines do not show by themselves: saturated pools, dropped and missing points."""
    notes = []
    saturated = []
    for series in group.series:
        pools = sorted({p.pool for p in series.points if p.pool is not None})
        if pools:
            saturated.append(f"{series.model} (pool of {', '.join(map(str, pools))})")
    if saturated:
        notes.append("circled: the pool is saturated, jobs queue: " + "; ".join(saturated))
    if dropped:
        notes.append(f"{dropped} point(s) with overhead <= 0 not drawn on the log axis")
    missing = [_missing(s, group.sizes) for s in group.series if s.missing]
    if missing:
        notes.append("no figures (not run, failed): " + "; ".join(missing))
    return notes


def _missing(series: Series, sizes: list[int]) -> str:
    """`sync at every size`, or `processes at 10,000 (not-run: would take ...)`."""
    at = [jobs for jobs, _ in series.missing]
    if at == sizes and len({why for _, why in series.missing}) == 1:
        return f"{series.model} at every size ({series.missing[0][1][:60]})"
    return f"{series.model} at {', '.join(f'{j:,}' for j in at)} ({series.missing[0][1][:60]})"


def draw_group(group: ScalingGroup, caption: str) -> Plot:
    """One figure for one workload: overhead per job (left) and wall (right) against jobs."""
    sizes = group.sizes
    title = f"Scaling: {group.name}, {sizes[0]:,} to {sizes[-1]:,} jobs"
    figure = new_figure(title, cols=2, height=5.6)
    overhead_axes, wall_axes = figure.axes
    dropped = 0
    for series in group.series:
        if not series.points:
            continue
        saturated = [p.pool is not None for p in series.points]
        overhead = [(p.jobs, p.overhead_per_job_us, s) for p, s in zip(series.points, saturated)]
        dropped += _line(overhead_axes, series, overhead)
        _line(wall_axes, series, [(p.jobs, p.wall_s, s) for p, s in zip(series.points, saturated)])
    for axes, label in (
        (overhead_axes, "overhead per job (µs, log)"),
        (wall_axes, "wall time per round (s, log)"),
    ):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("jobs (log)")
        axes.set_ylabel(label)
        axes.grid(True, which="major", alpha=0.3)
    overhead_axes.set_title("overhead (wall - ideal) per job; band: IQR", fontsize=9)
    wall_axes.set_title("wall time of one round; band: IQR", fontsize=9)
    legend(figure)
    finish(figure, [*_notes(group, dropped), caption])
    return Plot(f"scaling-{group.name}", title, caption, figure)


def draw(results: ResultsFile) -> list[Plot]:
    """A scaling figure per workload measured at two sizes or more."""
    caption = machine_caption(results)
    return [draw_group(group, caption) for group in scaling_groups(results)]
