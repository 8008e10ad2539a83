"""Scaling: overhead per job and total wall against jobs, log-log, one line per model.

The band is the IQR of the rounds (the tables' spread); a hollow marker is a size at which
the model's pool ran fewer jobs at once than there were jobs (saturated: jobs queue).
"""

from __future__ import annotations

from matplotlib.axes import Axes

from concurrency_bench.report.cells import wall_unit_of
from concurrency_bench.report.figures.series import Band, ScalingGroup, Series, scaling_groups
from concurrency_bench.report.figures.style import (
    Plot,
    clip,
    each_drawn,
    finish,
    interpreters_of,
    legend,
    log_log,
    model_line,
    new_figure,
    row_style,
)
from concurrency_bench.report.saturation import first_cpu_bound
from concurrency_bench.results import ResultsFile

REASON_CHARS = 90
"""The most characters of a reason in the notes (cut at a word, with an ellipsis)."""


def _line(
    axes: Axes,
    series: Series,
    values: list[tuple[int, Band, bool]],
    interpreters: list[str | None],
) -> int:
    """Draw (jobs, band, saturated) points a log axis can show; how many were dropped."""
    style = row_style(series, interpreters)
    shown = [v for v in values if v[1].median > 0]
    if not shown:
        return len(values)
    xs, ys = [j for j, _, _ in shown], [b.median for _, b, _ in shown]
    model_line(axes, series, xs, ys, interpreters=interpreters)
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
            saturated.append(f"{series.label} (pool of {', '.join(map(str, pools))})")
    if saturated:
        notes.append("circled: the pool is saturated, jobs queue: " + "; ".join(saturated))
    bound = [(s.label, first_cpu_bound(s)) for s in group.series]
    froms = [f"{label} from {p.jobs:,} jobs" for label, p in bound if p is not None]
    if froms:
        notes.append("CPU-bound (CPU per round above the ideal): " + "; ".join(froms))
    if dropped:
        notes.append(f"{dropped} point(s) with overhead <= 0 not drawn on the log axis")
    missing = [_missing(s, group.sizes) for s in group.series if s.missing]
    if missing:
        notes.append("no figures (not run, failed): " + "; ".join(missing))
    return notes


def _missing(series: Series, sizes: list[int]) -> str:
    """`sync at every size`, or `processes at 10,000 (not run: would take ...)`."""
    at = [jobs for jobs, _ in series.missing]
    reason = clip(series.missing[0][1], REASON_CHARS)
    if at == sizes and len({why for _, why in series.missing}) == 1:
        return f"{series.label} at every size ({reason})"
    return f"{series.label} at {', '.join(f'{j:,}' for j in at)} ({reason})"


def draw_group(group: ScalingGroup, caption: str) -> Plot:
    """One figure for one workload: overhead per job (left) and wall (right) against jobs."""
    sizes = group.sizes
    title = f"Scaling: {group.name}, {sizes[0]:,} to {sizes[-1]:,} jobs"
    figure = new_figure(title, cols=2, height=5.6)
    overhead_axes, wall_axes = figure.axes
    dropped = 0
    interpreters = interpreters_of(group.series)
    unit, factor = wall_unit_of([p.wall_s.median for s in group.series for p in s.points])
    for series in group.series:
        if not series.points:
            continue
        saturated = [p.pool is not None for p in series.points]
        overhead = [(p.jobs, p.overhead_per_job_us, s) for p, s in zip(series.points, saturated)]
        dropped += _line(overhead_axes, series, overhead, interpreters)
        walls = [(p.jobs, p.wall_s.scaled(factor), s) for p, s in zip(series.points, saturated)]
        _line(wall_axes, series, walls, interpreters)
    for axes, label in (
        (overhead_axes, "overhead per job (µs, log)"),
        (wall_axes, f"wall time per round ({unit}, log)"),
    ):
        log_log(axes, label)
    overhead_axes.set_title("overhead (wall - ideal) per job; band: IQR", fontsize=9)
    wall_axes.set_title("wall time of one round; band: IQR", fontsize=9)
    legend(figure)
    finish(figure, [*_notes(group, dropped), caption])
    return Plot(f"scaling-{group.name}", title, caption, figure)


def draw(results: ResultsFile) -> list[Plot]:
    """A scaling figure per workload measured at two sizes or more."""
    return each_drawn(results, scaling_groups(results), draw_group)
