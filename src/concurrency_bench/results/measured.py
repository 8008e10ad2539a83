"""Whether a run measured anything: one with no row measured must not pass for a run.

A run whose every row is unavailable (an interpreter without the dependencies) or not run
(over the time budget) holds no figure. `run`, `sweep` and `ab` refuse it in one line
(exit 2) before writing, so it never replaces the latest tables nor passes a gate.
"""

from __future__ import annotations

from concurrency_bench.errors import InputError
from concurrency_bench.results.schema import UNMEASURED_STATUSES, ResultsFile

SHOWN = {"unavailable": "unavailable", "not-run": "not run"}


def nothing_measured(results: ResultsFile) -> str | None:
    """One line saying why no row of `results` was measured, or None when one was (or was
    tried: a failed row is news), or when the run was interrupted (its own exit status)."""
    rows = [(block.name, model) for block, model in results.models()]
    if results.partial or any(row.status not in UNMEASURED_STATUSES for _, row in rows):
        return None
    parts = []
    for status, shown in SHOWN.items():
        alike = [(scenario, row) for scenario, row in rows if row.status == status]
        if alike:
            scenario, first = alike[0]
            rows_word = "row" if len(alike) == 1 else "rows"
            parts.append(
                f"{len(alike)} {rows_word} {shown} (first: {first.row_name} on {scenario}: "
                f"{first.reason or 'no reason given'})"
            )
    return "nothing could be measured: " + ("; ".join(parts) or "no model was asked for")


def check_measured(results: ResultsFile) -> None:
    """InputError (exit 2, nothing written) when `results` measured nothing."""
    why = nothing_measured(results)
    if why is not None:
        raise InputError(f"{why}; nothing was written")
