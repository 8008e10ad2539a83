"""The progress line `run` draws on a terminal while it measures."""

from __future__ import annotations

from typing import TextIO

from concurrency_bench.engine import Progress


class ProgressLine:
    """One carriage-return line on a terminal: model (n/N of the run), round k/R (worker
    w/W: the run's pass, as workers are interleaved across models), the worker's elapsed time."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, progress: Progress) -> None:
        """Redraw the line for this event."""
        if progress.phase == "done":
            self.clear()
            return
        worker = f"worker {progress.worker}/{progress.workers}" if progress.workers > 1 else ""
        if progress.phase == "start":
            where = f"starting {worker}" if worker else "starting"
        elif progress.phase == "warmup":
            where = f"warm-up {progress.index}/{progress.of}"
        else:
            where = f"round {progress.index}/{progress.of}"
        if worker and progress.phase != "start":
            where += f" ({worker})"
        model = f"{progress.model} [{progress.scenario}]"
        if progress.pairs > 1:
            model += f", model {progress.pair}/{progress.pairs}"
        text = f"{model}: {where}, {progress.elapsed_s:.1f} s"
        self.stream.write(f"\r\x1b[K{text}")
        self.stream.flush()

    def clear(self) -> None:
        """Erase the line."""
        self.stream.write("\r\x1b[K")
        self.stream.flush()
