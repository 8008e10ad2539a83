"""Crossover: wall time against the CPU share of a job (`sweep --cpu-ms`), one line per model.

As each job's CPU work grows, models that run every job's CPU work on one core (every
in-process model under the GIL) meet the dashed line of that work done one job after another,
while a process pool spreads it over the cores: where the lines cross is where the choice of
model changes. The band is the IQR of the rounds.
"""

from __future__ import annotations

from matplotlib.axes import Axes

from concurrency_bench.report.cells import wall_unit_of
from concurrency_bench.report.figures.series import CpuSeries, CrossoverGroup, crossover_groups
from concurrency_bench.report.figures.style import (
    PLAIN,
    Plot,
    clip,
    each_drawn,
    finish,
    interpreters_of,
    legend,
    model_line,
    new_figure,
    row_style,
)
from concurrency_bench.report.figures.ticks import plain_log_ticks
from concurrency_bench.results import ResultsFile

REASON_CHARS = 90
"""The most characters of a reason in the notes (cut at a word, with an ellipsis)."""
ONE_CORE = "#555555"


def share(cpu_ms: float, delay_s: float) -> float:
    """The CPU share of a job: its CPU work over its delay plus that work."""
    total = delay_s * 1000 + cpu_ms
    return cpu_ms / total if total > 0 else 0.0


def _line(axes: Axes, series: CpuSeries, factor: float, interpreters: list[str | None]) -> None:
    """The row's median walls and their IQR band."""
    xs = [p.cpu_ms for p in series.points]
    model_line(axes, series, xs, [p.wall_s.median * factor for p in series.points],
               interpreters=interpreters)  # fmt: skip
    if len(series.points) >= 2:
        axes.fill_between(xs, [p.wall_s.q1 * factor for p in series.points],
                          [p.wall_s.q3 * factor for p in series.points],
                          color=row_style(series, interpreters).colour, alpha=0.18,
                          linewidth=0)  # fmt: skip


def _notes(group: CrossoverGroup) -> list[str]:
    """The rows with no figures at some CPU works, and why."""
    missing = [
        f"{s.label} at {', '.join(f'{ms:g} ms' for ms, _ in s.missing)} "
        f"({clip(s.missing[0][1], REASON_CHARS)})"
        for s in group.series
        if s.missing
    ]
    return ["no figures (not run, failed): " + "; ".join(missing)] if missing else []


def draw_group(group: CrossoverGroup, caption: str) -> Plot | None:
    """One figure for one workload: wall against CPU work per job (symlog x, log y)."""
    drawn = [s for s in group.series if s.points]
    if not drawn:
        return None
    first = group.scenarios[0]
    jobs, shortest = first.jobs, min(first.delays_s)
    works = group.cpu_ms
    title = f"CPU share: {group.name}, {works[0]:g} to {works[-1]:g} ms of CPU per job"
    figure = new_figure(title, height=5.6)
    (axes,) = figure.axes
    interpreters = interpreters_of(drawn)
    walls = [p.wall_s.median for s in drawn for p in s.points]
    floors = [shortest + jobs * ms / 1000 for ms in works]
    unit, factor = wall_unit_of(walls)
    for series in drawn:
        _line(axes, series, factor, interpreters)
    axes.plot(works, [f * factor for f in floors], color=ONE_CORE, linestyle="--", linewidth=1,
              label=visible_floor(jobs))  # fmt: skip
    nonzero = [ms for ms in works if ms > 0]
    axes.set_xscale("symlog", linthresh=min(nonzero), linscale=0.5)
    axes.set_xticks(works)
    axes.set_xticklabels([f"{ms:g}\n{share(ms, shortest):.1%}" for ms in works], **PLAIN)
    axes.set_xlabel("CPU work per job, ms (symlog); below it, the CPU share of a job", **PLAIN)
    axes.set_yscale("log")
    plain_log_ticks(axes.yaxis)
    axes.set_ylabel(f"wall time per round ({unit}, log)", **PLAIN)
    axes.grid(True, which="major", alpha=0.3)
    axes.set_title("wall time of one round; band: IQR; dashed: all CPU work on one core",
                   fontsize=9)  # fmt: skip
    legend(figure)
    finish(figure, [*_notes(group), caption])
    return Plot(f"crossover-{group.name}", title, caption, figure)


def visible_floor(jobs: int) -> str:
    """The dashed line's legend entry."""
    return f"one core: delay + {jobs:,} x CPU"


def draw(results: ResultsFile) -> list[Plot]:
    """A crossover figure per workload measured at two CPU works or more."""
    return each_drawn(results, crossover_groups(results), draw_group)
