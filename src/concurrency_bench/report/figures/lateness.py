"""Lateness: how late jobs finished (finish - start - delay), per model and worker process.

The results file keeps p50, p99 and max per worker process (and pooled), not every job's
lateness, so this draws those three markers per process, honestly; a full distribution
(CDF) needs per-job data, which only `timeline` measures.
"""

from __future__ import annotations

from concurrency_bench.report.figures.style import (
    PLAIN,
    Plot,
    each_drawn,
    finish,
    model_style,
    row_figure,
    slug,
)
from concurrency_bench.report.figures.ticks import plain_log_ticks
from concurrency_bench.report.rows import TableRow, build_table
from concurrency_bench.results import Lateness, ModelResult, ResultsFile, ScenarioResults
from concurrency_bench.textsafe import visible

MARKS = (("p50_s", "o", "p50"), ("p99_s", "^", "p99"), ("max_s", "x", "max"))
SYMLOG_FROM_RATIO = 50.0
"""A log axis once the largest lateness is this many times the smallest positive one."""
NOTE = (
    "per worker process: p50 (o), p99 (^), max (x) of its jobs' lateness; the file keeps no "
    "per-job values, so no full distribution (CDF) is drawn"
)


def _with_lateness(block: ScenarioResults) -> list[TableRow]:
    return [r for r in build_table(block).rows if _lateness(r.result)]


def _lateness(model: ModelResult) -> list[Lateness]:
    """Each worker process's lateness, or the pooled one when the processes' were not kept
    (files converted from schema 1)."""
    per_process = [run.lateness for run in model.runs if run.lateness is not None]
    if per_process:
        return per_process
    return [model.lateness] if model.lateness is not None and model.measured else []


def draw_block(block: ScenarioResults, caption: str) -> Plot | None:
    """One figure for one scenario; None when no model recorded lateness."""
    rows = _with_lateness(block)
    if not rows:
        return None
    name = block.scenario.name
    title = f"Lateness: {name}, finish - start - delay per job"
    figure, axes, positions = row_figure(title, len(rows))
    everything = []
    for y, row in zip(positions, rows):
        style = model_style(row.key.model)
        runs = _lateness(row.result)
        for offset, late in zip(_offsets(len(runs)), runs):
            for field, marker, _ in MARKS:
                value = getattr(late, field) * 1e3
                everything.append(value)
                axes.plot(value, y + offset, marker=marker, color=style.colour,
                          markersize=5, linestyle="none")  # fmt: skip
    axes.set_yticks(positions, [visible(r.key.label) for r in rows], **PLAIN)
    positive = [v for v in everything if v > 0]
    wide = bool(positive) and max(positive) / min(positive) >= SYMLOG_FROM_RATIO
    scale = ")"
    if wide and len(positive) == len(everything):
        axes.set_xscale("log")
        axes.set_xlim(min(positive) / 1.5, max(positive) * 1.5)
        plain_log_ticks(axes.xaxis)
        scale = ", log)"
    elif wide:  # some jobs finished early (timers that fire before their delay): symmetric log
        axes.set_xscale("symlog", linthresh=max(min(positive), 1e-3))
        plain_log_ticks(axes.xaxis)
        axes.set_xlim(min(everything) * 1.5, max(everything) * 1.5)
        scale = ", symmetric log)"
    axes.set_xlabel("lateness (ms" + scale)
    axes.grid(True, axis="x", alpha=0.3)
    finish(figure, [NOTE, caption])
    return Plot(f"lateness-{slug(name)}", title, caption, figure)


def _offsets(count: int) -> list[float]:
    """Small vertical offsets so each process's markers sit on a line of their own."""
    if count <= 1:
        return [0.0] * count
    step = 0.6 / (count - 1)
    return [-0.3 + step * i for i in range(count)]


def draw(results: ResultsFile) -> list[Plot]:
    """A lateness figure per scenario whose models recorded lateness."""
    return each_drawn(results, results.scenarios, draw_block)
