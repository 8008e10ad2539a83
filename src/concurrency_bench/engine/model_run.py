"""One model on one scenario: its rounds over fresh workers, run one at a time, merged into a row.

A model's R rounds are spread over ceil(R / rounds_per_process) workers, each with its own
setup and warm-up (pyperf's design): a process differs from the next by several percent
(memory layout, hash seeds, what the machine is doing), so the process is the unit of
repetition and each worker becomes one `ProcessRun` of the row.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from concurrency_bench.engine.interpreters import Interpreter
from concurrency_bench.engine.policy import (
    EngineOptions,
    Progress,
    model_row,
    not_measured,
    not_started,
)
from concurrency_bench.engine.pooling import median_memory, merge_lateness
from concurrency_bench.engine.protocol import PROTOCOL_VERSION, Request
from concurrency_bench.engine.servers import ScenarioServers
from concurrency_bench.engine.session import Phase, WorkerReport, WorkerSession
from concurrency_bench.engine.timing import Measurement
from concurrency_bench.kinds.registry import BUILTIN, get_kind, pool_bound_note
from concurrency_bench.kinds.servers import ServerAddress
from concurrency_bench.results import ModelResult, Status, row_label
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario


@dataclass(frozen=True)
class Outcome:
    """A model's row, plus its last round's per-job columns when they were asked for."""

    result: ModelResult
    last_round: Measurement | None = None
    interrupted: bool = False
    """True when Ctrl-C arrived while this model ran (its result may still be complete)."""


class ModelRun:
    """A model's workers, run one `step` at a time, merged into one row.

    Runs are kept in worker order; settings are the first worker's (a later worker that
    reports others is named in the row's reason); lateness is pooled from every worker's
    quantile points; memory is the median worker's. A failed worker fails the model and
    ends it; a wrong sum in any worker makes it wrong (all workers still run).
    """

    def __init__(
        self,
        spec: ModelSpec,
        scenario: Scenario,
        options: EngineOptions,
        *,
        return_jobs: bool = False,
        pair: int = 1,
        pairs: int = 1,
        servers: ScenarioServers,
        python: Interpreter | None = None,
        cpu_iterations: int = 0,
    ) -> None:
        self.spec = spec
        self.cpu_iterations = cpu_iterations
        """Steps of CPU work per job (the scenario's cpu_ms as calibrated for the run)."""
        self.python = python
        """The interpreter the workers run under (None: the engine's own)."""
        self.scenario = scenario
        self.options = options
        self.return_jobs = return_jobs
        self.pair = pair
        self.pairs = pairs
        self.servers = servers
        """The run's servers (one per scenario whose kind needs one)."""
        self.shares = options.worker_shares()
        self.reports: list[WorkerReport] = []
        self.done: Outcome | None = None
        """The row once the model has one: skipped, failed, or every worker finished."""
        self.started = time.monotonic()

    @property
    def workers(self) -> int:
        """How many workers the model's rounds are spread over."""
        return len(self.shares)

    def request(
        self, share: int, *, return_jobs: bool, server: ServerAddress | None = None
    ) -> Request:
        """The request of a worker that runs `share` measured rounds."""
        kind = get_kind(self.scenario.io)
        return Request(
            protocol=PROTOCOL_VERSION,
            spec=self.spec,
            sys_path=tuple(sys.path) if self.python is None else self.python.worker_path(),
            scenario=self.scenario,
            rounds=share,
            warmup=self.options.warmup,
            gc=self.options.gc,
            pool_size=self.options.pool_size,
            return_jobs=return_jobs,
            server=server,
            kind=None if kind in BUILTIN else kind,  # the worker's registry has the built-in
            cpu_iterations=self.cpu_iterations,
        )

    def _server(self) -> tuple[ServerAddress | None, str | None]:
        """The scenario's server address (started on first use; None when its kind needs no
        server), or why there is none."""
        address = self.servers.address(self.scenario)
        return address, self.servers.down(self.scenario) if address is None else None

    def step(self) -> bool:
        """Run the model's next worker (first checking that it runs here at all); sets `done`
        when the model has its row. False when Ctrl-C arrived during the worker."""
        if not self.reports:
            skipped = not_measured(self.spec, self.scenario, self.options, self.python)
            if skipped is not None:
                self.done = Outcome(skipped)
                return True
        number = len(self.reports) + 1
        share = self.shares[number - 1]
        last = number == self.workers
        self.started = time.monotonic()
        server, down = self._server()
        if down is not None:  # the scenario's server did not start or died: no worker
            self.done = Outcome(self._row("failed", down))
            self.emit("done", 0, 0, worker=number, status="failed")
            return True

        def progress(phase: Phase, index: int, of: int) -> None:
            self.emit(phase, index, of, worker=number)

        session = WorkerSession(
            self.request(share, return_jobs=self.return_jobs and last, server=server),
            timeout_s=self.options.timeout_for(self.spec, self.scenario, share),
            label=f"worker {number} of {self.workers}" if self.workers > 1 else "",
            first_round=sum(self.shares[: number - 1]),
            total_rounds=self.options.rounds,
            progress=progress if self.options.progress is not None else None,
            python=self.python,
            outside=None if server is None else lambda: self.servers.down(self.scenario),
        )
        report = session.run()
        self.reports.append(report)
        if report.interrupted:
            return False
        if last or report.status == "failed":
            self.done = self._merge(self.reports)
            self.emit("done", 0, 0, worker=len(self.reports), status=self.done.result.status)
        return True

    def outcome(self) -> Outcome:
        """The model's row: finished, or what it had when the run stopped (Ctrl-C)."""
        if self.done is not None:
            return self.done
        if not self.reports:
            return Outcome(not_started(self.scenario, self.spec, self.python), interrupted=True)
        return self._merge(self.reports)

    def _merge(self, reports: Sequence[WorkerReport]) -> Outcome:
        last = reports[-1]
        interrupted = any(r.interrupted for r in reports)
        settings = dict(next((r.settings for r in reports if r.settings), {}))
        if last.status == "failed":
            failed = self._row("failed", last.reason, settings=settings)
            return Outcome(failed, interrupted=interrupted)
        runs = tuple(r.run for r in reports if r.run is not None)
        if len(reports) < self.workers or last.status == "interrupted":
            reason = last.reason
            if last.status != "interrupted":
                reason = f"Ctrl-C after worker {len(reports)} of {self.workers}"
            stopped = self._row("interrupted", reason, settings=settings, runs=runs)
            return Outcome(stopped, interrupted=True)
        wrong = next((r for r in reports if r.status == "wrong"), None)
        notes = [wrong.reason or "wrong sums"] if wrong is not None else []
        notes += self._settings_notes(reports, settings)
        settings.setdefault("note", self._connections_note())
        if settings["note"]:  # what the kind found about the row (a pool that bounds it)
            notes.append(str(settings["note"]))
        else:
            del settings["note"]
        before, peak = median_memory([(run.rss_before_bytes, run.rss_peak_bytes) for run in runs])
        result = self._row(
            "wrong" if wrong is not None else "ok",
            "; ".join(notes) or None,
            settings=settings,
            runs=runs,
            lateness=merge_lateness([r.points for r in reports if r.points is not None]),
            rss_before_bytes=before,
            rss_peak_bytes=peak,
        )
        return Outcome(result, last.last_round, interrupted)

    def _connections_note(self) -> str:
        """The pool-bound note of a row whose `--connections N` makes its jobs queue (the kinds
        note their own default pools; N is the engine's to note), else empty."""
        bound, delays = self.scenario.connections, self.scenario.delays_s
        if not bound or not delays:
            return ""
        free = self.spec.concurrency(self.scenario.jobs, self.options.pool_size)
        remedy = "a larger --connections lets more wait at once"
        return pool_bound_note(f"--connections {bound}", bound, free, max(delays), remedy)

    def _row(self, status: Status, reason: str | None = None, **figures: Any) -> ModelResult:
        """The model's row, marked with its interpreter when it has one."""
        python = self.python.info if self.python is not None else None
        return model_row(self.spec, self.scenario, status, reason, python=python, **figures)

    def _settings_notes(
        self, reports: Sequence[WorkerReport], settings: dict[str, int | str]
    ) -> list[str]:
        """Later workers whose settings differ from the first's (those are the row's)."""
        return [
            f"worker {number} of {self.workers} reported other settings "
            f"({', '.join(f'{k}={v}' for k, v in report.settings.items())}); the first "
            "worker's are shown"
            for number, report in enumerate(reports, start=1)
            if report.settings and report.settings != settings
        ]

    def emit(
        self,
        phase: Literal["start", "warmup", "round", "done"],
        index: int,
        of: int,
        *,
        worker: int = 1,
        status: str | None = None,
    ) -> None:
        """Tell the progress callback (if any) where the model is."""
        if self.options.progress is not None:
            name = row_label(self.spec.name, client=self.spec.client_name)
            if self.python is not None:
                name = f"{name} ({self.python.info.label})"
            self.options.progress(
                Progress(
                    name,
                    self.scenario.name,
                    phase,
                    index,
                    of,
                    time.monotonic() - self.started,
                    status,
                    worker=worker,
                    workers=self.workers,
                    pair=self.pair,
                    pairs=self.pairs,
                )
            )


def interleave(runs: Sequence[ModelRun]) -> bool:
    """Run worker k of every model still going before worker k + 1 of any; True after Ctrl-C.

    Each model's rounds then spread over the whole run, so the machine's drift (minutes, on a
    shared VM) becomes within-model spread instead of a difference between models.
    """
    try:
        for _ in range(max((run.workers for run in runs), default=0)):
            for run in runs:
                if run.done is None and not run.step():
                    return True
    except KeyboardInterrupt:  # between two workers
        return True
    return False
