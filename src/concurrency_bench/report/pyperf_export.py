"""pyperf's JSON (format version 1.0): one benchmark per (row, metric), named by the row's key
(`seed asyncio-gather (3.13) wall`, so interpreters never share a name), one pyperf run per
worker process with its warm-ups and values, so `python -m pyperf show`,
`compare_to`, `stats` and `hist` read a results file.

pyperf insists that every value is above zero. Wall and CPU times always are; overhead per
job can be zero or negative (timers that fire early), and a model with such a round has no
overhead benchmark: `skipped` names it instead of bending the figure. Warm-ups are wall
times, so the wall benchmark has them as they are and the overhead one as wall - ideal; the
CPU one has none (the worker does not time a warm-up's CPU). Metadata is flattened to
pyperf's one-level mapping of non-empty one-line strings and numbers, with pyperf's own
names where it has one (cpu_model_name, cpu_count, python_version, platform, date, ...).
The garbage collector's figures (rows whose rounds recorded them) are metadata, not a
benchmark, since a round without a collection has a time of zero: per run `gc_median_s` and
`gc_collections` (every generation, over its rounds), per benchmark `gc_share` (the median
share of the wall).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from concurrency_bench.results import ModelResult, ProcessRun, ResultsFile, RowKey, keyed_models
from concurrency_bench.textsafe import json_text
from concurrency_bench.workload import Scenario

FORMAT_VERSION = "1.0"
METRICS = ("wall", "overhead", "cpu")
PYPERF_NAMES = {
    "cpu_model": "cpu_model_name",
    "logical_cores": "cpu_count",
    "python_implementation": "python_implementation",
    "python_version": "python_version",
    "platform": "platform",
    "hostname": "hostname",
}
"""Our environment keys that pyperf knows under a name of its own."""

Metadata = dict[str, str | int | float]


@dataclass
class Export:
    """The JSON document and the benchmarks left out (with why)."""

    document: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


def _plain(value: Any) -> str | int | float | None:
    """A metadata value pyperf accepts, or None to leave the key out."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    text = " ".join(str(value).split())  # one line: pyperf refuses newlines
    return text or None


def flatten(data: Mapping[str, Any], prefix: str = "") -> Metadata:
    """Nested mappings as `outer_inner` keys; empty values left out."""
    flat: Metadata = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}_"))
            continue
        plain = _plain(value)
        if plain is not None:
            flat[PYPERF_NAMES.get(name, name)] = plain
    return flat


def suite_metadata(results: ResultsFile) -> Metadata:
    """The environment and run settings, flattened, with pyperf's `date`."""
    metadata = flatten(results.environment)
    metadata.update(flatten(msgspec_settings(results), "settings_"))
    metadata["date"] = results.created_utc.replace("T", " ").removesuffix("Z")
    metadata["loops"] = 1
    return metadata


def msgspec_settings(results: ResultsFile) -> dict[str, Any]:
    """The run settings as a plain mapping."""
    s = results.settings
    return {
        "rounds": s.rounds,
        "warmup": s.warmup,
        "gc": s.gc,
        "timeout_s": s.timeout_s,
        "sequential_budget_s": s.sequential_budget_s,
        "rounds_per_process": s.rounds_per_process,
    }


def _values(model: ModelResult, run: ProcessRun, metric: str) -> tuple[list[float], list[float]]:
    """(warm-ups, values) of one worker process for `metric`, in seconds (per job for
    overhead)."""
    if metric == "wall":
        return list(run.warmups), [r.wall_s for r in run.values]
    if metric == "cpu":
        return [], [r.cpu_s for r in run.values]
    per_job = 1 / model.jobs
    warmups = [(w - model.ideal_s) * per_job for w in run.warmups]
    return [w for w in warmups if w >= 0], [r.overhead_s * per_job for r in run.values]


def _gc_metadata(run: ProcessRun) -> Metadata:
    """A worker's collections over its measured rounds (none when they were not recorded)."""
    figures = [r.gc for r in run.values]
    if not figures or any(f is None for f in figures):
        return {}
    recorded = [f for f in figures if f is not None]
    return {
        "gc_median_s": statistics.median(f.total_s for f in recorded),
        "gc_collections": sum(sum(f.collections) for f in recorded),
    }


def benchmark(
    scenario: Scenario, key: RowKey, model: ModelResult, metric: str
) -> tuple[dict[str, Any] | None, str | None]:
    """One pyperf benchmark, or None and why it cannot be one."""
    name = f"{key.title(' ')} {metric}"
    runs = []
    for run in model.runs:
        warmups, values = _values(model, run, metric)
        if not values:
            continue
        if any(v <= 0 for v in values):
            return None, f"{name}: a value is <= 0, which pyperf refuses"
        data: dict[str, Any] = {"values": values}
        if warmups:
            data["warmups"] = [[1, w] for w in warmups]
        metadata: Metadata = {}
        if run.pid is not None:
            metadata["worker_pid"] = run.pid
        if run.rss_peak_bytes is not None:
            metadata["mem_max_rss"] = run.rss_peak_bytes
        metadata.update(_gc_metadata(run))
        if metadata:
            data["metadata"] = metadata
        runs.append(data)
    if not runs:
        return None, f"{name}: no measured rounds"
    metadata = {
        "name": name,
        "unit": "second",
        "description": _description(scenario, key, metric),
        "scenario": scenario.name,
        "model": model.model,
        "metric": metric,
        "jobs": scenario.jobs,
    }
    if key.interpreter is not None:
        metadata["interpreter"] = key.interpreter
    if model.has_gc and model.gc_share is not None:
        metadata["gc_share"] = model.gc_share
    metadata.update(flatten(dict(model.settings), "model_"))
    return {"metadata": metadata, "runs": runs}, None


def _description(scenario: Scenario, key: RowKey, metric: str) -> str:
    what = {
        "wall": "wall time of one round",
        "overhead": "overhead per job (wall - ideal) / jobs",
        "cpu": "CPU time of the worker process in one round",
    }[metric]
    return f"{key.label} on {scenario.name}: {what}"


def export(results: ResultsFile) -> Export:
    """The pyperf document of `results` (ranked models only: the others have no figures)."""
    benchmarks, skipped = [], []
    for scenario, key, model in keyed_models(results):
        if not model.ranked:
            skipped.append(f"{key.title(' ')}: {model.status}")
            continue
        for metric in METRICS:
            found, why = benchmark(scenario, key, model, metric)
            if found is not None:
                benchmarks.append(found)
            elif why is not None:
                skipped.append(why)
    document = {
        "version": FORMAT_VERSION,
        "metadata": suite_metadata(results),
        "benchmarks": benchmarks,
    }
    return Export(document, skipped)


def to_json(results: ResultsFile) -> str:
    """The pyperf file's text."""
    return json_text(json.dumps(export(results).document, indent=1, ensure_ascii=False)) + "\n"
