"""The cross-interpreter table (`run --python A,B,...`): models as rows, interpreters as columns.

For each interpreter the median wall time, overhead per job and the garbage collector's share
of the wall (so 3.13's and 3.14's collectors are compared on the same footing; "-" where the
rounds did not record it); for each after the first,
the change of overhead per job against the first with the gate's verdict and p-value (its
one-sided rank test on per-process values, analysis/gate.py), so "3.13 is faster" is said
only when the processes support it. Rows that did not run say why under the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabulate import tabulate

from concurrency_bench.analysis.gate import METRICS, ComparedPair, compare_models
from concurrency_bench.report import formatting
from concurrency_bench.results import ModelResult, ResultsFile, ScenarioResults
from concurrency_bench.textsafe import visible

METRIC = METRICS["overhead"]


def interpreter_labels(results: ResultsFile) -> list[str]:
    """The interpreters' labels in the order the file first names them."""
    labels = [m.python.label for _, m in results.models() if m.python is not None]
    return list(dict.fromkeys(labels))


@dataclass(frozen=True)
class Grid:
    """One scenario's rows: model -> interpreter label -> its result."""

    block: ScenarioResults
    labels: list[str]
    rows: dict[str, dict[str, ModelResult]]


def grid(block: ScenarioResults) -> Grid:
    """Arrange a scenario's rows by model, then interpreter (rows without one are left out)."""
    rows: dict[str, dict[str, ModelResult]] = {}
    labels: list[str] = []
    for model in block.models:
        if model.python is None:
            continue
        label = model.python.label
        labels.append(label)
        rows.setdefault(model.model, {})[label] = model
    return Grid(block, list(dict.fromkeys(labels)), rows)


def _figures(model: ModelResult | None) -> list[str]:
    if model is None:
        return ["", "", ""]
    if not model.ranked:
        return [model.status, "", ""]
    wall = formatting.number(model.wall.median * 1e3)
    share = model.gc_share if model.has_gc else None
    gc = "-" if share is None else f"{share:.0%}"
    return [wall, formatting.number(model.overhead_per_job_us.median), gc]


def _change(pair: ComparedPair) -> str:
    if pair.change_pct is None or pair.p_slower is None or pair.p_faster is None:
        return pair.verdict
    p = pair.p_faster if pair.change_pct < 0 else pair.p_slower
    return f"{formatting.percent(pair.change_pct)} p={p:.3f} {pair.verdict}"


def render_grid(table: Grid) -> str:
    """One scenario's table and the reasons of the rows that did not run."""
    first = table.labels[0]
    headers = ["model"]
    for label in table.labels:
        headers += [f"{label} wall ms", f"{label} µs/job", f"{label} GC"]
        if label != first:
            headers.append(f"{label} vs {first}")
    lines: list[list[str]] = []
    reasons: dict[tuple[str, str], list[str]] = {}  # (model, status: reason) -> labels
    for name, by_label in table.rows.items():
        cells = [name]
        base = by_label.get(first)
        for label in table.labels:
            model = by_label.get(label)
            cells += _figures(model)
            if label != first:
                change = ""
                if base is not None and model is not None:
                    scenario = table.block.scenario.name
                    change = _change(compare_models(scenario, base, model, METRIC))
                cells.append(change)
            if model is not None and not model.ranked and model.reason:
                reasons.setdefault((name, f"{model.status}: {model.reason}"), []).append(label)
        lines.append(cells)
    align = ("left", *["right"] * (len(headers) - 1))
    text = tabulate(lines, headers=headers, disable_numparse=True, colalign=align)
    notes = [
        visible(f"{name} ({', '.join(labels)}): {why}") for (name, why), labels in reasons.items()
    ]
    return text + ("\n" + "\n".join(notes) if notes else "")


def builds_line(results: ResultsFile) -> str | None:
    """ "3.13: GIL; 3.14t: free-threaded, GIL disabled", when a free-threaded build is among the
    interpreters (None when none is: every column has a GIL)."""
    infos = {m.python.label: m.python for _, m in results.models() if m.python is not None}
    if not any(info.free_threaded for info in infos.values()):
        return None
    return visible("; ".join(f"{label}: {info.gil or 'GIL'}" for label, info in infos.items()))


def render(results: ResultsFile) -> str:
    """Every scenario's cross-interpreter table with a heading saying what is compared, and
    each interpreter's GIL when a free-threaded build is among them."""
    builds = builds_line(results)
    parts = [builds] if builds else []
    for block in results.scenarios:
        table = grid(block)
        if not table.labels:
            continue
        scenario = block.scenario
        parts.append(
            f"{scenario.name}: median wall (ms), overhead per job (µs) and the collector's "
            "share of the wall (GC) per interpreter; "
            f"change of overhead per job against {table.labels[0]}, one-sided Mann-Whitney U "
            "on the per-process values (the gate's test and verdicts)\n" + render_grid(table)
        )
    return "\n\n".join(parts) + "\n" if len(parts) > bool(builds) else ""
