"""The seed's story as a picture: per model, one bar per job from its start to its finish.

The darker part of a bar is the job's delay, the rest is what the model added (summing, and
waiting its turn); the number at a bar's end is the job's finish order. Sequential models
show the staircase, concurrent ones the overlap: the seed's two tables, measured. Drawn by
`timeline --plot` from its own runs (per-job start and finish times are not in results files).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from concurrency_bench.report.figures.style import (
    PLAIN,
    Plot,
    clip,
    finish,
    model_style,
    new_figure,
    slug,
)
from concurrency_bench.textsafe import visible
from concurrency_bench.workload import Scenario

if TYPE_CHECKING:
    from concurrency_bench.engine import SingleRun

ROW_IN = 0.16
"""Height of one job's bar row, in inches."""


def _scale(scenario: Scenario) -> tuple[float, str]:
    """Factor from seconds and the axis unit: the seed's units when it has them, else ms."""
    if scenario.unit_s:
        return 1 / scenario.unit_s, f"time (units of {scenario.unit_s * 1e3:g} ms)"
    return 1e3, "time since the round started (ms)"


def draw_timeline(outcomes: Sequence[SingleRun], scenario: Scenario, caption: str) -> Plot:
    """One row of axes per model, sharing the time axis."""
    factor, unit = _scale(scenario)
    jobs = scenario.jobs
    height = 1.2 + len(outcomes) * (0.35 + ROW_IN * jobs)
    title = f"Timeline: {scenario.name}, when each job started and finished, per model"
    figure = new_figure(title, rows=len(outcomes), height=height)
    axes_list = figure.axes
    for axes in axes_list[1:]:
        axes.sharex(axes_list[0])
    for axes, outcome in zip(axes_list, outcomes):
        style = model_style(outcome.model)
        axes.set_ylabel(visible(outcome.model), rotation=0, ha="right", va="center", fontsize=8,
                        **PLAIN)  # fmt: skip
        axes.set_yticks([])
        m = outcome.measurement
        if m is None:
            axes.text(0.01, 0.5, clip(visible(f"{outcome.status}: {outcome.reason or ''}"), 120),
                      transform=axes.transAxes, fontsize=8, va="center", **PLAIN)  # fmt: skip
            continue
        for job in m.jobs_as_dicts():
            y = jobs - job["index"]  # call 1 on top, as the seed's table reads
            start, end = job["start_s"] * factor, job["finish_s"] * factor
            delay = min(job["delay_s"] * factor, end - start)
            axes.barh(y, end - start, left=start, height=0.7, color=style.colour, alpha=0.35,
                      edgecolor=style.colour)  # fmt: skip
            axes.barh(y, delay, left=start, height=0.7, color=style.colour)
            if jobs <= 20:
                axes.text(end, y, f" {job['finish_order']}", va="center", fontsize=7)
        axes.set_ylim(0.4, jobs + 0.6)
        sums = "" if m.sums_ok else ", WRONG SUMS"
        axes.set_title(visible(f"{outcome.model}: wall {m.wall_s * 1e3:.1f} ms{sums}"),
                       fontsize=8, loc="right", **PLAIN)  # fmt: skip
    for axes in axes_list[:-1]:
        axes.tick_params(labelbottom=False)
    axes_list[0].set_xlim(left=0)
    axes_list[-1].set_xlabel(unit)
    note = (
        "bar: a job from start to finish (call 1 on top); dark part: its delay; "
        "number: finish order"
    )
    finish(figure, [note, caption])
    return Plot(f"timeline-{slug(scenario.name)}", title, caption, figure)
