"""Display strings for the human tables (text, markdown, the page): units, precision,
headings, notes. Which column shows which is report.columns'."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from concurrency_bench.report import formatting
from concurrency_bench.report.formatting import NONE
from concurrency_bench.report.rows import Table, TableRow
from concurrency_bench.results import ModelResult, ResultsFile, RunSettings
from concurrency_bench.results.records import gil_words
from concurrency_bench.textsafe import visible

MARK = "*"
SECONDS_FROM = 10.0
"""Wall times are shown in ms, or in s for the whole table once one median reaches 10 s."""
RSS_STEP_BYTES = 1024**2
"""How coarsely a worker's RSS grows: by an allocator arena (CPython's are 1 MiB) or an event
loop's set-up at a time, whatever the jobs cost."""
MEMORY_MIN_STEPS = 4
"""memory/job is shown only when the worker's RSS grew by this many steps or more, so that one
step is at most a quarter of the figure (over 3 jobs, one step alone reads as 341 KiB a job)."""
LEGEND = (
    "overhead = wall - ideal (ideal: the longest delay for concurrent models, the sum of delays "
    "for sequential ones; with --cpu-ms, each delay plus its job's CPU work); ranked by "
    "median wall (for concurrent models, the overhead order); "
    "unranked rows last. " + formatting.SPREAD_LEGEND
)


def wall_unit(table: Table) -> tuple[str, float]:
    """The table's wall unit and its factor from seconds: ms, or s when a median is >= 10 s."""
    return wall_unit_of([r.result.wall.median for r in table.rows if r.result.rounds])


def wall_unit_of(medians: Sequence[float]) -> tuple[str, float]:
    """The unit (and its factor from seconds) the tables write these median walls in, so a
    figure of them reads as the tables do."""
    return ("s", 1.0) if medians and max(medians) >= SECONDS_FROM else ("ms", 1e3)


def _wall_decimals(table: Table, factor: float) -> int:
    """Enough decimals that the smallest median keeps ~3 significant digits (1 to 3)."""
    if factor == 1.0:
        return 3  # whole seconds with millisecond resolution
    medians = [abs(r.result.wall.median) * factor for r in table.rows if r.result.rounds]
    smallest = min((m for m in medians if m > 0), default=1.0)
    return max(1, formatting.decimals(smallest))


def wall_cells(table: Table) -> list[str]:
    """Per row, "median ± IQR" of the wall time in the table's unit."""
    _, factor = wall_unit(table)
    places = _wall_decimals(table, factor)
    out = []
    for row in table.rows:
        if not row.result.rounds:
            out.append(NONE)
            continue
        wall = row.result.wall.scaled(factor)
        out.append(f"{wall.median:.{places}f} ± {wall.iqr:.{places}f}")
    return out


def overhead_cell(row: TableRow) -> str:
    """Median overhead per job in microseconds."""
    return formatting.number(row.result.overhead_per_job_us.median) if row.result.rounds else NONE


def speedup_cell(row: TableRow, mark: str = MARK) -> str:
    """Speed-up as `12.3x`, marked when it is against the sum of delays, not a measured sync."""
    if row.speedup is None:
        return NONE
    return f"{formatting.ratio(row.speedup)}x" + (mark if row.baseline == "sum-of-delays" else "")


def ratio_cell(row: TableRow) -> str:
    """Median wall over the fastest ranked median wall; 1.00 for the fastest."""
    return NONE if row.ratio is None else formatting.ratio(row.ratio)


def memory_per_job(per_job: float | None, jobs: int) -> float | None:
    """A peak RSS growth per job (ModelResult.memory_per_job_bytes) where it means something:
    when the RSS grew by MEMORY_MIN_STEPS steps or more over the jobs; None below that, or
    when the worker could not read it. The tables and the memory figure show it by this."""
    if per_job is None or per_job * jobs < MEMORY_MIN_STEPS * RSS_STEP_BYTES:
        return None
    return per_job


def memory_shown(result: ModelResult) -> float | None:
    """The row's memory per job where it means something (memory_per_job)."""
    return memory_per_job(result.memory_per_job_bytes, result.jobs)


def memory_cell(row: TableRow) -> str:
    """Peak RSS growth per job, in B, KiB or MiB; NONE where it means nothing (memory_per_job)."""
    size = memory_shown(row.result)
    return NONE if size is None else formatting.size(size)


def memory_note(table: Table) -> str | None:
    """Why some measured memory/job cells show NONE (memory_per_job); None when none does."""
    hidden = [
        r for r in table.rows
        if r.result.rounds and r.result.memory_per_job_bytes is not None
        and memory_shown(r.result) is None
    ]  # fmt: skip
    if not hidden:
        return None
    least = MEMORY_MIN_STEPS * RSS_STEP_BYTES
    jobs = table.scenario.jobs
    return (
        f"memory/job {NONE}: the worker's RSS grew by less than {formatting.size(least, 1)}, "
        f"under {formatting.size(least / jobs)} a job over {jobs:,} job{'s' if jobs > 1 else ''}; "
        f"it grows in steps of up to {formatting.size(RSS_STEP_BYTES, 1)}, so a growth that "
        "small is mostly one step, not the jobs' cost"
    )


def lateness_cell(row: TableRow) -> str:
    """p99 of per-job lateness in milliseconds."""
    late = lateness_p99_s(row)
    return NONE if late is None else f"{late * 1e3:.2f}"


def lateness_p99_s(row: TableRow) -> float | None:
    """p99 of per-job lateness in seconds, the figure the lateness cell shows (None: none)."""
    late = row.result.lateness
    return None if late is None or not row.result.rounds else late.p99_s


def sums_cell(row: TableRow) -> str:
    """✓ or ✗; blank when the sums were never checked."""
    return {True: "✓", False: "✗", None: ""}[row.result.sums_ok]


def delays_text(table: Table) -> str:
    """The delays as `delay 50 ms` or `delays 10-100 ms` (in s from 1 s up)."""
    delays = table.scenario.delays_s
    low, high = min(delays), max(delays)
    unit, factor = ("s", 1.0) if high >= 1.0 else ("ms", 1e3)
    if low == high:
        return f"delay {low * factor:g} {unit}"
    return f"delays {low * factor:g}-{high * factor:g} {unit}"


def facts(table: Table, settings: RunSettings) -> str:
    """The scenario and how it was measured: jobs, delays, ints per job, rounds, GC."""
    s = table.scenario
    workers = -(-settings.rounds // settings.rounds_per_process)
    each = " each" if workers > 1 else ""
    warmup = f", +{settings.warmup} warm-up{each}" if settings.warmup else ""
    return (
        f"{s.jobs:,} jobs, {delays_text(table)}, {s.ints_per_job:,} ints/job, "
        f"{settings.rounds} round{'s' if settings.rounds > 1 else ''} in {workers} "
        f"worker{'s' if workers > 1 else ''}{warmup}, "
        f"GC {settings.gc}"
    )


def heading(table: Table, settings: RunSettings) -> str:
    """The scenario's name and facts in one line."""
    return f"{visible(table.scenario.name)}: {facts(table, settings)}"


def footnotes(table: Table) -> list[str]:
    """The notes under a table: what its marks and NONE cells mean (none when nothing needs
    one)."""
    return [note for note in (footnote(table), memory_note(table)) if note is not None]


def footnote(table: Table) -> str | None:
    """The footnote for marked speed-ups, or for speed-ups with nothing to divide (no sync,
    and the delays sum to zero); None when neither."""
    if table.marked:
        shown = formatting.duration(table.baseline_wall_s)
        return f"{MARK} vs the sum of delays ({shown}); {table.baseline_note}"
    if table.no_speedup:
        return (
            f"speed-up {NONE}: {table.baseline_note} and the delays sum to zero, so there is "
            "nothing to compare with"
        )
    return None


def environment_line(results: ResultsFile) -> str:
    """Where and when the run was measured, in one short line."""
    return environment_text(results.environment, results.created_utc)


def environment_text(env: dict[str, Any], created_utc: str) -> str:
    """An environment block (as `environment.collect()` writes it) and a time, in one line."""
    parts = [
        _first(env, "cpu_model"),
        _cores(env),
        _memory(env),
        " ".join(p for p in (_first(env, "os"), _first(env, "kernel")) if p),
        _python(env),
        _commit(env),
        created_utc,
    ]
    return visible(", ".join(p for p in parts if p))


def _memory(env: dict[str, Any]) -> str:
    size = env.get("memory_total_bytes")
    return formatting.size(size, digits=2) if isinstance(size, int | float) and size > 0 else ""


def _first(env: dict[str, Any], key: str) -> str:
    """A field of `environment.collect()` as text; empty when absent (older or foreign files)."""
    value = env.get(key)
    return "" if value is None else str(value)


def _cores(env: dict[str, Any]) -> str:
    cores = _first(env, "logical_cores")
    return f"{cores} cores" if cores else ""


def _python(env: dict[str, Any]) -> str:
    version = _first(env, "python_version")
    if not version:
        return ""
    implementation = _first(env, "python_implementation")
    free_threaded = env.get("python_free_threaded") is True
    gil = gil_words(free_threaded, env.get("python_gil_enabled") is not False)
    return f"{implementation or 'Python'} {version.split()[0]}" + (f" ({gil})" if gil else "")


def _commit(env: dict[str, Any]) -> str:
    commit = _first(env, "git_commit")
    if not commit:
        return ""
    dirty = env.get("git_dirty")
    return f"commit {commit[:10]}" + (" (dirty)" if dirty else "")


def partial_line(results: ResultsFile) -> str | None:
    """The visible marker of a run cut short by Ctrl-C."""
    if not results.partial:
        return None
    return "PARTIAL: interrupted (Ctrl-C) before every model was measured."


def notes_text(row: TableRow, separator: str = "; ") -> str:
    """A row's notes joined into one cell."""
    return visible(separator.join(row.notes))


def join_lines(lines: Sequence[str | None]) -> str:
    """Lines without the absent ones."""
    return "\n".join(line for line in lines if line is not None)
