"""The progress bar `run` and `sweep` draw on a terminal while they measure.

tqdm draws it: one small, pure-Python package with no dependencies of its own, kept up for a
decade, which already knows elapsed time, rate and time left. rich would draw the same bar
but brings pygments and markdown-it along for nothing else here.

One bar for the whole run, counted in worker processes: the engine interleaves the pairs'
workers (worker 1 of every pair, then worker 2, ...), so after the first pass the average
time per worker is a fair estimate of the rest, and the bar's ETA uses that average
(smoothing 0) rather than the last worker, which may be sync's ten seconds or uvloop's one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from tqdm import tqdm

from concurrency_bench.engine import EngineOptions, Progress, not_measured
from concurrency_bench.runners import ModelSpec
from concurrency_bench.textsafe import visible
from concurrency_bench.workload import Scenario

BAR_FORMAT = "{n_fmt}/{total_fmt} workers {bar:20} {elapsed}<{remaining} {desc}"
"""Figures first and a bar of fixed width, so they stay put while the model's name changes."""


def planned_workers(pairs: Sequence[tuple[Scenario, ModelSpec]], options: EngineOptions) -> int:
    """Workers the run will start: those of every pair the engine will not skip (unavailable
    or over the time budget); a pair that fails early takes its rest off as it happens."""
    per_pair = len(options.worker_shares())
    return per_pair * sum(
        1 for scenario, spec in pairs if not_measured(spec, scenario, options) is None
    )


def describe(progress: Progress) -> str:
    """Where the run is: `uvloop [uniform-1000x50ms]: round 2/5` (model 3/12 when several)."""
    if progress.phase == "start":
        where = "starting"
    elif progress.phase == "warmup":
        where = f"warm-up {progress.index}/{progress.of}"
    elif progress.phase == "round":
        where = f"round {progress.index}/{progress.of}"
    else:
        where = progress.status or "done"
    model = f"{progress.model} [{progress.scenario}]"
    if progress.pairs > 1:
        model += f", model {progress.pair}/{progress.pairs}"
    return visible(f"{model}: {where}")


class ProgressBar:
    """One bar on a terminal for a whole run: workers done of planned, elapsed, time left, and
    the model being measured. Callers make one only when stderr is a terminal and not --quiet."""

    def __init__(self, stream: TextIO, total_workers: int) -> None:
        self.total = max(total_workers, 1)
        self.bar = tqdm(
            total=self.total,
            file=stream,
            bar_format=BAR_FORMAT,
            smoothing=0,
            dynamic_ncols=True,
            leave=False,
            mininterval=0.1,
        )
        self.current: tuple[int, int] | None = None
        """(pair, worker) of the worker now running, until it is counted as done."""

    def __call__(self, progress: Progress) -> None:
        """Count finished workers and show where the run is."""
        self.bar.set_description_str(describe(progress), refresh=False)
        if progress.phase == "start":
            self._finish_current()
            self.current = (progress.pair, progress.worker)
        elif progress.phase == "done":
            self._finish_current()
            left = progress.workers - progress.worker  # a failed model starts no more workers
            if left > 0:
                self.total = max(int(self.bar.n), self.total - left)
                self.bar.total = self.total
        self.bar.refresh()

    def _finish_current(self) -> None:
        if self.current is not None:
            self.bar.update(1)
            self.current = None

    def close(self) -> None:
        """Erase the bar (the tables follow on stdout)."""
        self.bar.close()
