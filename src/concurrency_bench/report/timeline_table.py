"""The `timeline` tables: the seed text's call/start/finish table per model, and its JSON form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from concurrency_bench.report.formatting import settings_text
from concurrency_bench.textsafe import visible
from concurrency_bench.workload import Scenario

if TYPE_CHECKING:
    from concurrency_bench.engine import Measurement, SingleRun


def timeline_dict(outcome: SingleRun) -> dict[str, Any]:
    """The JSON form of one model's timeline (or its failure); `row` is its label, with the
    client library when it has one (`asyncio-gather + aiohttp`)."""
    m = outcome.measurement
    if m is None:
        return {"model": outcome.model, "status": outcome.status, "reason": outcome.reason}
    return {
        "model": m.model,
        "row": outcome.model,
        "status": "ok" if m.sums_ok else "wrong",
        "reason": m.mismatch,
        "wall_s": m.wall_s,
        "ideal_s": m.ideal_s,
        "sums_ok": m.sums_ok,
        "settings": m.settings,
        "jobs": m.jobs_as_dicts(),
    }


def render_text(outcome: SingleRun, scenario: Scenario) -> str:
    """The seed's table for one model: times in scenario units and in milliseconds."""
    m = outcome.measurement
    if m is None:
        return visible(f"{outcome.model}: {outcome.status}: {outcome.reason}")
    heading = _heading(outcome.model, m, scenario)
    return f"{heading}\n{tabulate(_rows(m, scenario), headers=_headers(scenario))}"


def _units(seconds: float, scenario: Scenario) -> str:
    return f"{seconds / scenario.unit_s:.2f}" if scenario.unit_s else ""


def _headers(scenario: Scenario) -> list[str]:
    if scenario.unit_s:
        unit = f"{scenario.unit_s * 1000:g} ms"
        return [
            "call",
            f"delay (x{unit})",
            "start",
            "finish",
            "finish order",
            "start ms",
            "finish ms",
        ]
    return ["call", "delay ms", "start ms", "finish ms", "finish order"]


def _rows(m: Measurement, scenario: Scenario) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for job in m.jobs_as_dicts():
        call = job["index"] + 1
        start_ms, finish_ms = job["start_s"] * 1000, job["finish_s"] * 1000
        if scenario.unit_s:
            rows.append(
                [
                    call,
                    _units(job["delay_s"], scenario),
                    _units(job["start_s"], scenario),
                    _units(job["finish_s"], scenario),
                    job["finish_order"],
                    f"{start_ms:.1f}",
                    f"{finish_ms:.1f}",
                ]
            )
        else:
            rows.append(
                [
                    call,
                    f"{job['delay_s'] * 1000:g}",
                    f"{start_ms:.1f}",
                    f"{finish_ms:.1f}",
                    job["finish_order"],
                ]
            )
    return rows


def _heading(row: str, m: Measurement, scenario: Scenario) -> str:
    """The row's label (its client too), its wall against the ideal, its sums, its settings."""
    wall = f"{m.wall_s * 1000:.1f} ms"
    ideal = f"{m.ideal_s * 1000:.1f} ms"
    if scenario.unit_s:
        wall += f" = {m.wall_s / scenario.unit_s:.2f} units"
        ideal += f" = {m.ideal_s / scenario.unit_s:.2f} units"
    sums = "sums ok" if m.sums_ok else f"WRONG SUMS: {m.mismatch}"
    settings = f", {settings_text(m.settings)}" if m.settings else ""
    return visible(f"{row}: total wall {wall} (ideal {ideal}); {sums}{settings}")
