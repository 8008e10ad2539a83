"""History: one tracked metric of one series (a scenario's definition on one machine) over the
stored runs, one line per row, the points the gate would fail on circled."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.analysis.history import Panel, Run, Track
from concurrency_bench.report.figures.style import (
    PLAIN,
    Plot,
    finish,
    interpreters_of,
    legend,
    model_line,
    new_figure,
    slug,
)
from concurrency_bench.textsafe import visible

FLAG_COLOUR = "#D55E00"
"""The ring around a point the gate would fail on (vermillion: reads as a warning)."""


def draw(runs: Sequence[Run], tracks: Sequence[Track], panel: Panel, metric: str) -> Plot:
    """The figure of `metric` for one series: x is the run (date and commit), y the value."""
    chosen = [t for t in tracks if t.series == panel.series and t.metric == metric]
    unit = chosen[0].unit if chosen else ""
    title = f"History: {panel.title}, {metric} ({unit}) over {len(runs)} stored runs"
    figure = new_figure(title, height=5.2)
    (axes,) = figure.axes
    flagged = 0
    interpreters = interpreters_of(t.row for t in chosen)
    for track in chosen:
        shown = [(p, p.value) for p in track.points if p.value is not None]
        if not shown:
            continue
        xs, ys = [p.run for p, _ in shown], [value for _, value in shown]
        model_line(axes, track.row, xs, ys, interpreters=interpreters)
        rings = [(p, value) for p, value in shown if p.flagged]
        flagged += len(rings)
        if rings:
            axes.plot(
                [p.run for p, _ in rings],
                [value for _, value in rings],
                linestyle="none",
                marker="o",
                markersize=14,
                markerfacecolor="none",
                markeredgecolor=FLAG_COLOUR,
                markeredgewidth=2,
            )
    axes.set_xticks(range(len(runs)), [visible(run.label) for run in runs], rotation=35,
                    ha="right", fontsize=7, **PLAIN)  # fmt: skip
    axes.set_xlabel("run (UTC start, commit; + = uncommitted changes)")
    axes.set_ylabel(f"{metric} ({unit}), median of the worker processes")
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    legend(figure)
    note = (
        f"circled ({flagged}): the gate would fail against the run before (slower beyond its "
        "threshold and significant, or broke)"
    )
    finish(figure, [note])
    return Plot(f"history-{slug(panel.title)}-{metric}", title, note, figure)
