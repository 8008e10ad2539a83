"""github-action-benchmark input: a results file as `customSmallerIsBetter` entries.

The action reads a JSON list of {name, unit, value, range, extra}; it charts `value` per
name across commits and parses `range` as "± number"; like every output here, that number
is the full IQR of the rounds (formatting.SPREAD_LEGEND). Two entries per ranked row, named
by its key (`seed / asyncio-gather (3.13): wall`, so each interpreter is a series of its own):
the median overhead per job (what the compare gate watches) and the median wall, and a third,
the median time in the garbage collector per round, for rows whose rounds recorded it (its
share of the wall in `extra`).
Models that failed, summed wrong or did not run have no figure worth charting and are left
out; the results file and the tables still say what happened to them.
"""

from __future__ import annotations

import json
from typing import Any

from concurrency_bench.report.formatting import settings_text
from concurrency_bench.results import ModelResult, ResultsFile, keyed_models
from concurrency_bench.summaries import Summary
from concurrency_bench.textsafe import json_text
from concurrency_bench.workload import Scenario

FILE_NAME = "ci-benchmark.json"


def _entry(name: str, unit: str, summary: Summary, extra: str) -> dict[str, Any]:
    return {
        "name": name,
        "unit": unit,
        "value": round(summary.median, 6),
        "range": f"± {summary.iqr:.6g}",
        "extra": extra,
    }


def _extra(scenario: Scenario, model: ModelResult) -> str:
    processes = len(model.process_medians("wall"))
    lines = [
        f"median of {len(model.rounds)} rounds in {processes} worker "
        f"process{'es' if processes > 1 else ''}; range = the IQR (Q3 - Q1) of the rounds, "
        "not an interval around the value",
        f"{scenario.jobs} jobs, ideal {model.ideal_s * 1000:g} ms",
    ]
    if model.settings:
        lines.append(settings_text(model.settings))
    if model.unstable:
        lines.append(f"unstable: {model.unstable}")
    return "\n".join(lines)


def entries(results: ResultsFile) -> list[dict[str, Any]]:
    """One overhead-per-job (µs), one wall-time (ms) and one GC-time (ms) entry per ranked
    row (GC where its rounds recorded it)."""
    out: list[dict[str, Any]] = []
    for scenario, key, model in keyed_models(results):
        if not model.ranked:
            continue
        base = key.title(" / ")
        extra = _extra(scenario, model)
        out.append(_entry(f"{base}: overhead per job", "us", model.overhead_per_job_us, extra))
        out.append(_entry(f"{base}: wall", "ms", model.wall.scaled(1e3), extra))
        if model.has_gc:
            gc = Summary.of(model.values("gc")).scaled(1e3)
            share = f"\nGC {model.gc_share or 0.0:.1%} of the wall (median of the rounds)"
            out.append(_entry(f"{base}: gc", "ms", gc, extra + share))
    return out


def to_json(results: ResultsFile) -> str:
    """The file's text: the entries as a JSON list."""
    return json_text(json.dumps(entries(results), indent=2, ensure_ascii=False)) + "\n"
