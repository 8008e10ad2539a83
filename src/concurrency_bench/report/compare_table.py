"""The regression gate's table: one row per (scenario, model), a heading and a summary line."""

from __future__ import annotations

from pathlib import Path

from tabulate import tabulate

from concurrency_bench.analysis.gate import ComparedPair, Comparison
from concurrency_bench.report import formatting
from concurrency_bench.results import ResultsFile
from concurrency_bench.textsafe import visible

DIGITS = 4
"""Significant digits of the medians: one more than the result tables, as changes matter here."""


def heading(comparison: Comparison, *files: tuple[Path, ResultsFile]) -> str:
    """What is compared, between which files, with which test, alpha and threshold."""
    metric = comparison.metric
    described = [visible(f"{path} ({results.created_utc})") for path, results in files]
    return (
        f"{metric.title} ({metric.unit}), median over worker processes (each the median of its "
        f"rounds): {described[0]} -> {described[1]}\n"
        "one-sided Mann-Whitney U on the per-process values (p in the direction of the "
        f"change), alpha {comparison.alpha:g}, threshold {comparison.threshold_pct:g}%"
    )


def render_table(comparison: Comparison) -> str:
    """The comparison table, one row per (scenario, model)."""
    unit = comparison.metric.unit
    headers = ["scenario", "model", f"base {unit}", f"new {unit}", "change", "p", "verdict"]
    rows = [[visible(c) for c in _cells(row, comparison.metric.scale)] for row in comparison.rows]
    return tabulate(
        rows,
        headers=headers,
        disable_numparse=True,
        colalign=("left", "left", "right", "right", "right", "right", "left"),
    )


def _cells(row: ComparedPair, scale: float) -> list[str]:
    p = None
    if row.p_slower is not None and row.p_faster is not None:
        p = row.p_faster if (row.change_pct or 0) < 0 else row.p_slower
    return [
        row.scenario,
        row.model,
        "" if row.base is None else formatting.number(row.base * scale, DIGITS),
        "" if row.new is None else formatting.number(row.new * scale, DIGITS),
        "" if row.change_pct is None else formatting.percent(row.change_pct),
        "" if p is None else f"{p:.3f}",
        row.verdict if row.detail is None else _detail(row),
    ]


def _detail(row: ComparedPair) -> str:
    return f"REGRESSION {row.detail}" if row.verdict == "broke" else str(row.detail)


def summary_line(comparison: Comparison) -> str:
    """'N slower, N faster, N unchanged, N noise', plus the other kinds of rows when present."""
    counts = comparison.counts()
    line = ", ".join(f"{counts[v]} {v}" for v in ("slower", "faster", "unchanged", "noise"))
    extra = [
        f"{counts['broke']} broke (ok in base, failed or wrong in new)" if counts["broke"] else "",
        f"{counts['not compared']} not compared (not ok)" if counts["not compared"] else "",
        f"{counts['only in base']} only in base" if counts["only in base"] else "",
        f"{counts['only in new']} only in new" if counts["only in new"] else "",
    ]
    extra = [part for part in extra if part]
    return line + ("; " + ", ".join(extra) if extra else "")


def gate_line(comparison: Comparison) -> str:
    """The gate's answer: pass, or FAIL naming every regression."""
    regressions = comparison.regressions
    if not regressions:
        return "gate: pass"
    names = visible(", ".join(f"{row.scenario}/{row.model}" for row in regressions))
    return f"gate: FAIL, {len(regressions)} regression(s): {names}"


def render(comparison: Comparison, *files: tuple[Path, ResultsFile]) -> str:
    """Heading, table, summary and gate line: everything `compare` prints on stdout."""
    parts = [heading(comparison, *files), render_table(comparison), summary_line(comparison)]
    return "\n\n".join(parts) + "\n" + gate_line(comparison) + "\n"
