"""Rounds: every measured round's wall time per model, as a box with the rounds drawn over it.

So the spread and any outlier are visible, not only the median the tables show. The axis is
each round against its own model's median (in %), so a model at 50 ms and one at 50 s show
their spread on the same scale; the medians are in the labels.
"""

from __future__ import annotations

import random
import statistics

from concurrency_bench.report import formatting
from concurrency_bench.report.cells import wall_unit
from concurrency_bench.report.figures.style import (
    PLAIN,
    Plot,
    each_drawn,
    finish,
    interpreters_of,
    model_style,
    row_figure,
    row_style,
    slug,
)
from concurrency_bench.report.rows import build_table
from concurrency_bench.results import ResultsFile, ScenarioResults
from concurrency_bench.textsafe import visible

JITTER = 0.12
"""How far a round's dot may move off its model's line, so equal values stay visible."""


def draw_block(block: ScenarioResults, caption: str) -> Plot | None:
    """One figure for one scenario; None when no model has rounds."""
    table = build_table(block)
    rows = [row for row in table.rows if row.result.measured]  # ranked first, slowest last
    if not rows:
        return None
    unit, factor = wall_unit(table)  # the medians in the labels read as the table's
    models = [row.result for row in rows]
    interpreters = interpreters_of(row.key for row in rows)
    name = block.scenario.name
    title = f"Rounds: {name}, wall time of every measured round (median in the label)"
    figure, axes, positions = row_figure(title, len(models))  # the fastest at the top
    jitter = random.Random(0)  # the same dots every time the file is drawn
    values_pct = [_relative(m.values("wall")) for m in models]
    boxes = axes.boxplot(
        values_pct, positions=positions, orientation="horizontal", widths=0.55,
        showfliers=False, patch_artist=True, medianprops={"color": "#222222"},
    )  # fmt: skip
    for patch, model in zip(boxes["boxes"], models):
        patch.set_facecolor(model_style(model.model).colour)
        patch.set_alpha(0.25)
    for y, row, values in zip(positions, rows, values_pct):
        style = row_style(row.key, interpreters)
        ys = [y + jitter.uniform(-JITTER, JITTER) for _ in values]
        face = style.colour if style.filled else "white"
        axes.plot(values, ys, linestyle="none", marker=style.marker, markersize=4,
                  color=style.colour, markerfacecolor=face, markeredgecolor="#222222",
                  markeredgewidth=0.4)  # fmt: skip
    labels = [
        f"{r.key.label}{'' if r.result.ranked else f' ({r.result.status})'}  "
        f"{formatting.number(r.result.wall.median * factor)} {unit}"
        for r in rows
    ]
    axes.set_yticks(positions, [visible(label) for label in labels], **PLAIN)
    axes.axvline(0, color="#888888", linewidth=0.8)
    axes.set_xlabel("wall time per round, against the model's median (%)")
    axes.grid(True, axis="x", alpha=0.3)
    rounds = {len(m.rounds) for m in models}
    note = (
        f"each dot is one round ({', '.join(map(str, sorted(rounds)))} per model); box: "
        "quartiles and median, whiskers to 1.5 IQR"
    )
    finish(figure, [note, caption])
    return Plot(f"rounds-{slug(name)}", title, caption, figure)


def _relative(values: list[float]) -> list[float]:
    """Each value's difference from the median of `values`, in percent of it."""
    middle = statistics.median(values)
    return [(v - middle) / middle * 100 if middle > 0 else 0.0 for v in values]


def draw(results: ResultsFile) -> list[Plot]:
    """A rounds figure per scenario that has measured models."""
    return each_drawn(results, results.scenarios, draw_block)
