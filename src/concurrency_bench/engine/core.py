"""The engine: every (model, scenario) measured in fresh worker processes, equal rounds for all.

A model's R rounds are spread over ceil(R / rounds_per_process) workers, each with its own
setup and warm-up (pyperf's design): a process differs from the next by several percent
(memory layout, hash seeds, what the machine is doing), so rounds from one process are not
independent samples, and the process is the unit of repetition. The workers of a run are
interleaved: worker 1 of every (scenario, model), then worker 2 of every one, and so on, so
each model's rounds spread over the whole run and the machine's drift (minutes, on a shared
VM) becomes within-model spread instead of a difference between models or between runs.
A worker that raises, hangs past its timeout, is killed or runs out of memory makes the
model a `failed` row naming the worker, its later workers are not started, and the run goes
on; Ctrl-C stops the current worker and keeps every model's finished rounds (the file is
marked partial). Spawning workers and reading their messages happen outside every timed
region: each worker times itself (see worker.py).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from concurrency_bench.engine import environment
from concurrency_bench.engine.pooling import LatenessPoints, median_memory, merge_lateness
from concurrency_bench.engine.probes import MemoryProbe
from concurrency_bench.engine.timing import Measurement
from concurrency_bench.engine.worker import PROTOCOL
from concurrency_bench.errors import InputError
from concurrency_bench.results import (
    ModelResult,
    ResultsFile,
    Round,
    RunSettings,
    ScenarioResults,
    Status,
)
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario

MAX_ROUNDS = 1000
MAX_WARMUP = 100
MAX_ROUNDS_PER_PROCESS = 1000

# The default per-worker timeout (seconds), from spawn to the worker's last message:
#   TIMEOUT_BASE_S + (warmup + rounds) * (TIMEOUT_IDEAL_FACTOR * ideal
#                                         + jobs * TIMEOUT_PER_JOB_S
#                                         + jobs * ints * TIMEOUT_PER_INT_S)
# where rounds is the worker's own share of the measured rounds and ideal is one round's
# ideal wall time (max delay, or the sum for sequential models; for a model whose settings
# report a pool of P < jobs threads or processes, sum / P + max).
# The base pays for interpreter start, imports, payloads and pool start-up; the per-job
# term is ~10x what the slowest in-process model costs per job on a 2-core machine.
TIMEOUT_BASE_S = 60.0
TIMEOUT_IDEAL_FACTOR = 3.0
TIMEOUT_PER_JOB_S = 250e-6
TIMEOUT_PER_INT_S = 50e-9
POOL_SETTINGS = ("processes", "threads")
"""Settings keys that give a model's concurrency limit (the timeout allows for the queue)."""

WORKER_EXIT_GRACE_S = 10.0
"""How long a worker that sent its result may take to exit before it is killed."""
PROGRESS_TICK_S = 0.5
"""How often the progress callback hears about elapsed time while a round runs."""
STDERR_TAIL_CHARS = 300
NOT_STARTED = "not started: the run was interrupted first"
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class Progress:
    """Where a run is: which model (pair n of the run's N), which round, in which worker.

    Measured rounds count across the model's workers (round 3 of 5 may be worker 3's only
    one); warm-up rounds count within the worker; `worker` k of `workers` is also the run's
    pass (worker k of every pair runs before worker k + 1 of any); elapsed time is since
    this worker started (for `done`, since the model's last worker started).
    """

    model: str
    scenario: str
    phase: Literal["start", "warmup", "round", "done"]
    index: int
    of: int
    elapsed_s: float
    status: str | None = None
    worker: int = 1
    workers: int = 1
    pair: int = 1
    pairs: int = 1


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class EngineOptions:
    """How to measure: the same rounds, warm-up, GC setting and budgets for every model."""

    rounds: int = 5
    warmup: int = 1
    gc: Literal["on", "off"] = "on"
    timeout_s: float | None = None
    """Per-worker timeout; None derives it from the scenario (see `default_timeout_s`)."""
    sequential_budget_s: float = 10.0
    """Sequential models whose sum of delays exceeds this are not run."""
    pool_size: int | None = None
    rounds_per_process: int = 1
    """Measured rounds each fresh worker runs (after its own setup and warm-up); 1 gives
    every round a process of its own, so rounds are independent samples."""
    progress: ProgressCallback | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.rounds <= MAX_ROUNDS:
            raise InputError(f"`rounds` must be from 1 to {MAX_ROUNDS}, got {self.rounds}")
        if not 1 <= self.rounds_per_process <= MAX_ROUNDS_PER_PROCESS:
            raise InputError(
                f"`rounds-per-process` must be from 1 to {MAX_ROUNDS_PER_PROCESS}, "
                f"got {self.rounds_per_process}"
            )
        if not 0 <= self.warmup <= MAX_WARMUP:
            raise InputError(f"`warmup` must be from 0 to {MAX_WARMUP}, got {self.warmup}")
        if self.gc not in ("on", "off"):
            raise InputError(f"`gc` must be on or off, got {self.gc!r}")
        if self.timeout_s is not None and not (
            math.isfinite(self.timeout_s) and self.timeout_s > 0
        ):
            raise InputError(f"`timeout-s` must be a number above 0, got {self.timeout_s!r}")
        if math.isnan(self.sequential_budget_s) or self.sequential_budget_s < 0:
            raise InputError(
                f"`sequential-budget-s` must be 0 or more, got {self.sequential_budget_s!r}"
            )
        if self.pool_size is not None and self.pool_size < 1:
            raise InputError(f"`pool-size` must be 1 or more, got {self.pool_size}")

    def run_settings(self) -> RunSettings:
        """The part of the options a results file records."""
        return RunSettings(
            rounds=self.rounds,
            warmup=self.warmup,
            gc=self.gc,
            timeout_s=self.timeout_s,
            sequential_budget_s=self.sequential_budget_s,
            rounds_per_process=self.rounds_per_process,
        )

    def worker_shares(self) -> list[int]:
        """Measured rounds per worker, in order: rounds_per_process each, the last one the rest."""
        step = self.rounds_per_process
        return [min(step, self.rounds - start) for start in range(0, self.rounds, step)]


@dataclass(frozen=True)
class WorkerOutcome:
    """A model's result, plus its last round's per-job columns when they were asked for."""

    result: ModelResult
    last_round: Measurement | None = None
    interrupted: bool = False
    """True when Ctrl-C arrived while this model ran (its result may still be complete)."""
    round_pids: tuple[int, ...] = ()
    """The worker process id behind each measured round of `result`, in order."""


def default_timeout_s(
    scenario: Scenario,
    *,
    concurrent: bool,
    rounds: int,
    warmup: int,
    concurrency: int | None = None,
) -> float:
    """The generous per-worker timeout described at the top of this module (`rounds`: the
    worker's own share)."""
    ideal = scenario.ideal_wall_s(concurrent=concurrent)
    if concurrent and concurrency is not None and 0 < concurrency < scenario.jobs:
        ideal = scenario.queued_wall_s(concurrency)
    jobs = scenario.jobs
    per_round = (
        TIMEOUT_IDEAL_FACTOR * ideal
        + jobs * TIMEOUT_PER_JOB_S
        + jobs * scenario.ints_per_job * TIMEOUT_PER_INT_S
    )
    return TIMEOUT_BASE_S + (warmup + rounds) * per_round


def _pool_size(settings: dict[str, Any]) -> int | None:
    for key in POOL_SETTINGS:
        value = settings.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _result(
    spec: ModelSpec,
    scenario: Scenario,
    status: Status,
    reason: str | None = None,
    **figures: Any,
) -> ModelResult:
    return ModelResult(
        model=spec.name,
        status=status,
        concurrent=spec.concurrent,
        ideal_s=scenario.ideal_wall_s(concurrent=spec.concurrent),
        jobs=scenario.jobs,
        reason=reason,
        **figures,
    )


def _seconds(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def run_model(
    spec: ModelSpec,
    scenario: Scenario,
    options: EngineOptions,
    *,
    return_jobs: bool = False,
) -> WorkerOutcome:
    """Measure one model on one scenario in its fresh workers (or say why it was not run).

    `return_jobs` returns the last round's per-job columns (from the last worker).
    """
    run = _ModelRun(spec, scenario, options, return_jobs)
    interrupted = _interleave([run])
    outcome = run.outcome()
    return replace(outcome, interrupted=True) if interrupted else outcome


def _not_measured(
    spec: ModelSpec, scenario: Scenario, options: EngineOptions
) -> ModelResult | None:
    """The row of a model that spawns no worker here (unavailable, or over the budget)."""
    reason = spec.unavailable_reason()
    if reason is not None:
        return _result(spec, scenario, "unavailable", reason)
    at_once = spec.concurrency(scenario.jobs, options.pool_size)
    estimate = scenario.queued_wall_s(at_once)
    if at_once < scenario.jobs and estimate > options.sequential_budget_s:
        how = "one job at a time" if at_once == 1 else f"{at_once} jobs at a time"
        why = (
            f"would take {_seconds(estimate)} s per round, {how} "
            f"(budget {_seconds(options.sequential_budget_s)} s)"
        )
        return _result(spec, scenario, "not-run", why)
    return None


@dataclass(frozen=True)
class Measured:
    """The rows of `measure_pairs`, one per pair in the pairs' order, and whether Ctrl-C came."""

    results: tuple[ModelResult, ...]
    interrupted: bool = False


def measure_pairs(pairs: Sequence[tuple[Scenario, ModelSpec]], options: EngineOptions) -> Measured:
    """Measure every (scenario, model) pair, interleaved: worker 1 of each, then worker 2, ...

    A pair that failed starts no more workers; after a Ctrl-C every pair keeps the rounds
    it finished (status interrupted unless it was complete), and pairs never reached are
    rows too (interrupted, not started).
    """
    runs = [
        _ModelRun(spec, scenario, options, pair=number, pairs=len(pairs))
        for number, (scenario, spec) in enumerate(pairs, start=1)
    ]
    interrupted = _interleave(runs)
    return Measured(tuple(run.outcome().result for run in runs), interrupted)


def _interleave(runs: Sequence[_ModelRun]) -> bool:
    """Run worker k of every pair still going before worker k + 1 of any; True after Ctrl-C."""
    try:
        for _ in range(max((run.workers for run in runs), default=0)):
            for run in runs:
                if run.done is None and not run.step():
                    return True
    except KeyboardInterrupt:  # between two workers
        return True
    return False


def measure_model(spec: ModelSpec, scenario: Scenario, options: EngineOptions) -> ModelResult:
    """Measure one model on one scenario in its workers; never raises for the model's faults."""
    return run_model(spec, scenario, options).result


def utc_now() -> str:
    """The current UTC time as the results file writes it: 2024-01-02T03:04:05Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect_environment(options: EngineOptions) -> dict[str, Any]:
    """The environment block of a results file (collected outside every timed region)."""
    env = environment.collect(options.gc)
    env["memory_method"] = (
        f"{MemoryProbe().source}; baseline after payloads and setup, before the first"
        " (warm-up) round; the worker process only, not pool children; of a model's"
        " workers, the one whose growth is the median"
    )
    env["isolation"] = (
        "fresh worker processes per (model, scenario), interleaved across them (worker 1 of"
        " every pair, then worker 2 of every one, ...), each with its own setup and warm-up,"
        " running settings.rounds_per_process of the measured rounds"
    )
    return env


def measure_all(
    specs: Sequence[ModelSpec], scenarios: Iterable[Scenario], options: EngineOptions
) -> ResultsFile:
    """Every model on every scenario, interleaved (measure_pairs); Ctrl-C returns what
    finished, marked partial.

    Models the interrupt kept from starting still get a row (interrupted, not started), so
    the file always says what was asked for and what became of it.
    """
    created = utc_now()
    pairs = [(scenario, spec) for scenario in scenarios for spec in specs]
    env: dict[str, Any] = {}
    try:
        env = collect_environment(options)
    except KeyboardInterrupt:
        measured = Measured(tuple(not_started(s, spec) for s, spec in pairs), interrupted=True)
    else:
        measured = measure_pairs(pairs, options)
    return results_file(
        pairs,
        measured.results,
        options,
        created_utc=created,
        environment=env,
        partial=measured.interrupted,
    )


def not_started(scenario: Scenario, spec: ModelSpec) -> ModelResult:
    """The row of a model that a Ctrl-C kept from starting: asked for, so never dropped."""
    return _result(spec, scenario, "interrupted", NOT_STARTED)


def results_file(
    pairs: Sequence[tuple[Scenario, ModelSpec]],
    results: Sequence[ModelResult],
    options: EngineOptions,
    *,
    created_utc: str,
    environment: dict[str, Any],
    partial: bool,
) -> ResultsFile:
    """The results file of measured pairs: one block per scenario, in run order."""
    blocks: dict[str, tuple[Scenario, list[ModelResult]]] = {}
    for (scenario, _), result in zip(pairs, results, strict=True):
        blocks.setdefault(scenario.name, (scenario, []))[1].append(result)
    return ResultsFile(
        created_utc=created_utc,
        settings=options.run_settings(),
        environment=environment,
        scenarios=tuple(ScenarioResults(s, tuple(models)) for s, models in blocks.values()),
        partial=partial,
    )


# -- one model, over its workers -----------------------------------------------------------


@dataclass(frozen=True)
class _WorkerReport:
    """What one worker gave: its share of rounds and figures, or how it ended without them."""

    status: Literal["ok", "wrong", "failed", "interrupted"]
    reason: str | None = None
    """The failure or interrupt (with where it happened), or the wrong sum."""
    settings: dict[str, int | str] = field(default_factory=dict)
    rounds: tuple[Round, ...] = ()
    pids: tuple[int, ...] = ()
    lateness: LatenessPoints | None = None
    rss_before_bytes: int | None = None
    rss_peak_bytes: int | None = None
    last_round: Measurement | None = None
    interrupted: bool = False


class _ModelRun:
    """A model's rounds over fresh workers, run one `step` at a time, merged into one row.

    Rounds are concatenated in worker order; settings are the first worker's (a later worker
    that reports others is named in the row's reason); lateness is pooled from every
    worker's quantile points (pooling.merge_lateness); memory is the median worker's
    (pooling.median_memory). A failed worker fails the model and ends it; a wrong sum in
    any worker makes it wrong (all workers still run, as all rounds did in one worker).
    """

    def __init__(
        self,
        spec: ModelSpec,
        scenario: Scenario,
        options: EngineOptions,
        return_jobs: bool = False,
        *,
        pair: int = 1,
        pairs: int = 1,
    ) -> None:
        self.spec = spec
        self.scenario = scenario
        self.options = options
        self.return_jobs = return_jobs
        self.pair = pair
        self.pairs = pairs
        self.shares = options.worker_shares()
        self.reports: list[_WorkerReport] = []
        self.done: WorkerOutcome | None = None
        """The row once the model has one: skipped, failed, or every worker finished."""
        self.started = time.monotonic()

    @property
    def workers(self) -> int:
        """How many workers the model's rounds are spread over."""
        return len(self.shares)

    def step(self) -> bool:
        """Run the model's next worker (first checking that it runs here at all); sets `done`
        when the model has its row. False when Ctrl-C arrived during the worker."""
        if not self.reports:
            skipped = _not_measured(self.spec, self.scenario, self.options)
            if skipped is not None:
                self.done = WorkerOutcome(skipped)
                return True
        number = len(self.reports) + 1
        first_round = sum(self.shares[: number - 1])
        last = number == self.workers
        self.started = time.monotonic()
        session = _WorkerSession(
            self, number, self.shares[number - 1], first_round, self.return_jobs and last
        )
        report = session.run()
        self.reports.append(report)
        if report.interrupted:
            return False
        if last or report.status == "failed":
            self.done = self._merge(self.reports)
            self._emit_done(self.done.result.status)
        return True

    def outcome(self) -> WorkerOutcome:
        """The model's row: finished, or what it had when the run stopped (Ctrl-C)."""
        if self.done is not None:
            return self.done
        if not self.reports:
            return WorkerOutcome(not_started(self.scenario, self.spec), interrupted=True)
        return self._merge(self.reports)

    def _between_workers(self, done: int) -> _WorkerReport:
        return _WorkerReport(
            "interrupted", f"Ctrl-C after worker {done} of {self.workers}", interrupted=True
        )

    def _merge(self, reports: Sequence[_WorkerReport]) -> WorkerOutcome:
        last = reports[-1]
        interrupted = any(r.interrupted for r in reports)
        settings = next((r.settings for r in reports if r.settings), {})
        if last.status == "failed":
            failed = _result(
                self.spec, self.scenario, "failed", last.reason, settings=dict(settings)
            )
            return WorkerOutcome(failed, interrupted=interrupted)
        rounds = tuple(r for report in reports for r in report.rounds)
        pids = tuple(pid for report in reports for pid in report.pids)
        if len(reports) < self.workers or last.status == "interrupted":
            if last.status != "interrupted":
                last = self._between_workers(len(reports))
            stopped = _result(
                self.spec,
                self.scenario,
                "interrupted",
                last.reason,
                settings=dict(settings),
                rounds=rounds,
            )
            return WorkerOutcome(stopped, interrupted=True, round_pids=pids)
        wrong = next((r for r in reports if r.status == "wrong"), None)
        notes = [wrong.reason or "wrong sums"] if wrong is not None else []
        notes += self._settings_notes(reports, settings)
        before, peak = median_memory([(r.rss_before_bytes, r.rss_peak_bytes) for r in reports])
        result = _result(
            self.spec,
            self.scenario,
            "wrong" if wrong is not None else "ok",
            "; ".join(notes) or None,
            settings=dict(settings),
            rounds=rounds,
            lateness=merge_lateness([r.lateness for r in reports if r.lateness is not None]),
            rss_before_bytes=before,
            rss_peak_bytes=peak,
        )
        return WorkerOutcome(result, last.last_round, interrupted, pids)

    def _settings_notes(
        self, reports: Sequence[_WorkerReport], settings: dict[str, int | str]
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
            elapsed = time.monotonic() - self.started
            self.options.progress(
                Progress(
                    self.spec.name,
                    self.scenario.name,
                    phase,
                    index,
                    of,
                    elapsed,
                    status,
                    worker=worker,
                    workers=self.workers,
                    pair=self.pair,
                    pairs=self.pairs,
                )
            )

    def _emit_done(self, status: str) -> None:
        self.emit("done", 0, 0, worker=len(self.reports), status=status)


# -- one worker --------------------------------------------------------------------------


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def worker_command() -> list[str]:
    """This interpreter running worker.main: -P keeps the working directory off sys.path,
    and the package's own root is appended (after the stdlib) so an uninstalled tree works."""
    code = (
        f"import sys; sys.path.append({PACKAGE_ROOT!r}); "
        "from concurrency_bench.engine.worker import main; sys.exit(main())"
    )
    return [sys.executable, "-P", "-c", code]


def _read_lines(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    try:
        for line in stream:
            lines.put(line)
    finally:
        lines.put(None)


class _WorkerSession:
    """Spawn one worker for its share of rounds, follow its messages, enforce its timeout."""

    def __init__(
        self, model: _ModelRun, number: int, share: int, first_round: int, return_jobs: bool
    ) -> None:
        self.model = model
        self.spec = model.spec
        self.scenario = model.scenario
        self.options = model.options
        self.number = number
        self.share = share
        self.first_round = first_round
        self.return_jobs = return_jobs
        self.label = f"worker {number} of {model.workers}" if model.workers > 1 else ""
        self.settings: dict[str, int | str] = {}
        self.rounds: list[Round] = []
        self.pids: list[int] = []
        self.last_round: dict[str, Any] | None = None
        self.where = f"starting {self.label}" if self.label else "starting the worker"
        self.started = time.monotonic()
        self.timeout_s = self.options.timeout_s or default_timeout_s(
            self.scenario,
            concurrent=self.spec.concurrent,
            rounds=share,
            warmup=self.options.warmup,
        )
        self.progress_state: tuple[Literal["start", "warmup", "round"], int, int] = (
            "start",
            0,
            0,
        )

    def _in(self, what: str) -> str:
        """'in round 1 of 2', or with several workers 'in worker 3 of 5, round 1 of 1'."""
        return f"in {self.label}, {what}" if self.label else f"in {what}"

    # -- the request and the process ------------------------------------------------------

    def request(self) -> dict[str, Any]:
        """The JSON request (see worker.py for the protocol)."""
        spec = self.spec
        return {
            "protocol": PROTOCOL,
            "spec": {
                "name": spec.name,
                "module": spec.module,
                "description": spec.description,
                "concurrent": spec.concurrent,
                "requires": list(spec.requires),
                "min_python": list(spec.min_python),
            },
            "sys_path": list(sys.path),
            "scenario": self.scenario.to_dict(),
            "rounds": self.share,
            "warmup": self.options.warmup,
            "gc": self.options.gc,
            "max_workers": self.options.pool_size,
            "return_jobs": self.return_jobs,
        }

    def run(self) -> _WorkerReport:
        """The whole life of one worker; a Ctrl-C kills it and marks the report interrupted."""
        report: _WorkerReport | None = None
        interrupted = False
        proc: subprocess.Popen[bytes] | None = None
        with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
            try:
                stdin.write(json.dumps(self.request()).encode())
                stdin.seek(0)
                self._emit("start", 0, 0)
                proc = subprocess.Popen(
                    worker_command(),
                    stdin=stdin,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    start_new_session=os.name == "posix",
                )
                report = self._follow(proc, stderr)
                self._reap(proc, grace=True)
            except KeyboardInterrupt:
                interrupted = True
            finally:
                if proc is not None:
                    self._reap(proc, grace=False)
        if report is None:  # interrupted before the worker answered: keep finished rounds
            report = _WorkerReport(
                "interrupted",
                f"Ctrl-C {self.where}",
                settings=dict(self.settings),
                rounds=tuple(self.rounds),
                pids=tuple(self.pids),
            )
        return replace(report, interrupted=interrupted)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        """Kill the worker and everything it started (its session), ignoring the already-gone."""
        try:
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        except (ProcessLookupError, PermissionError):
            pass

    def _reap(self, proc: subprocess.Popen[bytes], *, grace: bool) -> None:
        """Wait for the worker (a little, with `grace`), then kill whatever is left of it."""
        if grace and proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=WORKER_EXIT_GRACE_S)
        self._kill(proc)  # also pool children a killed worker left behind
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    # -- following the worker -------------------------------------------------------------

    def _follow(self, proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> _WorkerReport:
        assert proc.stdout is not None
        lines: queue.Queue[bytes | None] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True)
        reader.start()
        tick = PROGRESS_TICK_S if self.options.progress else None
        while True:
            remaining = self.started + self.timeout_s - time.monotonic()
            if remaining <= 0:
                self._kill(proc)
                return self._failed(f"timed out after {self.timeout_s:.1f} s ({self.where})")
            try:
                line = lines.get(timeout=min(remaining, tick) if tick else remaining)
            except queue.Empty:
                self._emit(*self.progress_state)
                continue
            if line is None:
                return self._died(proc, stderr)
            try:
                message = json.loads(line)
            except ValueError:
                self._kill(proc)
                text = line[:80].decode(errors="replace").strip()
                return self._failed(f"worker sent unreadable data: {text!r} ({self.where})")
            done = self._handle(message)
            if done is not None:
                return done

    def _handle(self, message: dict[str, Any]) -> _WorkerReport | None:
        """Take in one message; a final answer (result or error) ends the session."""
        kind = message.get("type")
        if kind == "ready":
            self.settings = dict(message["settings"])
            self._begin_round("warmup" if self.options.warmup else "round", 1)
            pool = _pool_size(self.settings)
            if self.options.timeout_s is None and pool is not None:
                self.timeout_s = default_timeout_s(
                    self.scenario,
                    concurrent=self.spec.concurrent,
                    rounds=self.share,
                    warmup=self.options.warmup,
                    concurrency=pool,
                )
        elif kind == "round":
            self._after_round(message)
        elif kind == "error":
            phase = str(message.get("phase", "?"))
            return self._failed(f"{message['reason']} ({self._in(phase)})")
        elif kind == "result":
            return self._finish(message)
        return None

    def _begin_round(self, phase: Literal["warmup", "round"], index: int) -> None:
        """Note where the worker is; measured rounds are numbered across the model's workers."""
        if phase == "warmup":
            self.where = self._in(f"warm-up round {index} of {self.options.warmup}")
            self.progress_state = ("warmup", index, self.options.warmup)
        else:
            self.where = self._in(f"round {index} of {self.share}")
            self.progress_state = ("round", self.first_round + index, self.options.rounds)
        self._emit(*self.progress_state)

    def _after_round(self, message: dict[str, Any]) -> None:
        index = int(message["index"])
        if message["phase"] == "measured":
            self.rounds.append(
                Round(
                    float(message["wall_s"]),
                    float(message["cpu_s"]),
                    float(message["overhead_s"]),
                )
            )
            self.pids.append(int(message["pid"]))
            self.last_round = message
            if index < self.share:
                self._begin_round("round", index + 1)
            else:
                self.where = (
                    self._in("after its last round") if self.label else "after the last round"
                )
        elif index < self.options.warmup:
            self._begin_round("warmup", index + 1)
        else:
            self._begin_round("round", 1)

    def _finish(self, message: dict[str, Any]) -> _WorkerReport:
        rounds = tuple(
            Round(float(r["wall_s"]), float(r["cpu_s"]), float(r["overhead_s"]))
            for r in message["rounds"]
        )
        if len(rounds) != self.share:
            reason = f"worker returned {len(rounds)} rounds, expected {self.share}"
            return self._failed(f"{reason} ({self.where})")
        pids = self.pids if len(self.pids) == len(rounds) else [int(message["pid"])] * len(rounds)
        mismatch = message.get("mismatch")
        if mismatch and self.label:
            mismatch = f"{self.label}, {mismatch}"
        lateness = message.get("lateness")
        return _WorkerReport(
            "ok" if message["status"] == "ok" else "wrong",
            mismatch,
            settings=dict(message["settings"]),
            rounds=rounds,
            pids=tuple(pids),
            lateness=LatenessPoints.from_message(lateness) if lateness else None,
            rss_before_bytes=message.get("rss_before_bytes"),
            rss_peak_bytes=message.get("rss_peak_bytes"),
            last_round=self._last_measurement(message.get("jobs")),
        )

    def _last_measurement(self, columns: dict[str, Any] | None) -> Measurement | None:
        if columns is None or self.last_round is None:
            return None
        return Measurement(
            model=self.spec.name,
            concurrent=self.spec.concurrent,
            wall_ns=int(columns["wall_ns"]),
            cpu_ns=int(columns["cpu_ns"]),
            ideal_s=self.scenario.ideal_wall_s(concurrent=self.spec.concurrent),
            delays_s=self.scenario.delays_s,
            starts_ns=list(columns["starts_ns"]),
            finishes_ns=list(columns["finishes_ns"]),
            values=list(columns["values"]),
            sums_ok=bool(self.last_round["sums_ok"]),
            mismatch=self.last_round.get("mismatch"),
            settings=dict(self.settings),
        )

    def _died(self, proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> _WorkerReport:
        """The worker closed its channel without an answer: say how it ended."""
        try:
            code = proc.wait(timeout=WORKER_EXIT_GRACE_S)
        except subprocess.TimeoutExpired:
            self._kill(proc)
            return self._failed(f"worker closed its output and hung ({self.where})")
        if code < 0:
            return self._failed(f"killed by {_signal_name(-code)} ({self.where})")
        tail = _tail(stderr)
        detail = f": {tail}" if tail else ""
        return self._failed(f"worker exited with status {code} ({self.where}){detail}")

    def _failed(self, reason: str) -> _WorkerReport:
        """A worker that ended without a full answer: the model fails with this reason."""
        return _WorkerReport("failed", reason, settings=dict(self.settings))

    def _emit(self, phase: Literal["start", "warmup", "round"], index: int, of: int) -> None:
        self.model.emit(phase, index, of, worker=self.number)


def _tail(stderr: IO[bytes]) -> str:
    """The worker's last stderr line, shortened: usually the error that ended it."""
    stderr.seek(0, os.SEEK_END)
    size = stderr.tell()
    stderr.seek(max(0, size - 4096))
    lines = [line.strip() for line in stderr.read().decode(errors="replace").splitlines()]
    last = next((line for line in reversed(lines) if line), "")
    return last[:STDERR_TAIL_CHARS]
