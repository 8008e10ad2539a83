"""The engine: every (model, scenario) measured in a fresh worker process, equal rounds for all.

A worker that raises, hangs past its timeout, is killed or runs out of memory becomes a
`failed` row with the reason, and the run goes on; Ctrl-C stops the current worker and
keeps what finished (the file is marked partial). Spawning the worker and reading its
messages happen outside every timed region: the worker times itself (see worker.py).
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

from concurrency_bench import environment
from concurrency_bench.errors import InputError
from concurrency_bench.measure import Measurement
from concurrency_bench.results import (
    Lateness,
    ModelResult,
    ResultsFile,
    Round,
    RunSettings,
    ScenarioResults,
    Status,
    write_atomic,
)
from concurrency_bench.runners import RunnerSpec
from concurrency_bench.scenario import Scenario
from concurrency_bench.worker import PROTOCOL, MemoryProbe

MAX_ROUNDS = 1000
MAX_WARMUP = 100

# The default per-worker timeout (seconds), from spawn to the worker's last message:
#   TIMEOUT_BASE_S + (warmup + rounds) * (TIMEOUT_IDEAL_FACTOR * ideal
#                                         + jobs * TIMEOUT_PER_JOB_S
#                                         + jobs * ints * TIMEOUT_PER_INT_S)
# where ideal is one round's ideal wall time (max delay, or the sum for sequential models;
# for a model whose settings report a pool of P < jobs threads or processes, sum / P + max).
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
PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class Progress:
    """Where a run is: which model, which round of how many, and for how long."""

    runner: str
    scenario: str
    phase: Literal["start", "warmup", "round", "done"]
    index: int
    of: int
    elapsed_s: float
    status: str | None = None


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
    max_workers: int | None = None
    progress: ProgressCallback | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.rounds <= MAX_ROUNDS:
            raise InputError(f"`rounds` must be from 1 to {MAX_ROUNDS}, got {self.rounds}")
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
        if self.max_workers is not None and self.max_workers < 1:
            raise InputError(f"`max-workers` must be 1 or more, got {self.max_workers}")

    def run_settings(self) -> RunSettings:
        """The part of the options a results file records."""
        return RunSettings(
            rounds=self.rounds,
            warmup=self.warmup,
            gc=self.gc,
            timeout_s=self.timeout_s,
            sequential_budget_s=self.sequential_budget_s,
        )


@dataclass(frozen=True)
class WorkerOutcome:
    """A model's result, plus its last round's per-job columns when they were asked for."""

    result: ModelResult
    last_round: Measurement | None = None
    interrupted: bool = False
    """True when Ctrl-C arrived while this model ran (its result may still be complete)."""


def default_timeout_s(
    scenario: Scenario,
    *,
    concurrent: bool,
    rounds: int,
    warmup: int,
    concurrency: int | None = None,
) -> float:
    """The generous per-worker timeout described at the top of this module."""
    ideal = scenario.ideal_wall_s(concurrent=concurrent)
    if concurrent and concurrency is not None and 0 < concurrency < scenario.jobs:
        ideal = math.fsum(scenario.delays_s) / concurrency + max(scenario.delays_s)
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
    spec: RunnerSpec,
    scenario: Scenario,
    status: Status,
    reason: str | None = None,
    **figures: Any,
) -> ModelResult:
    return ModelResult(
        runner=spec.name,
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
    spec: RunnerSpec,
    scenario: Scenario,
    options: EngineOptions,
    *,
    return_jobs: bool = False,
) -> WorkerOutcome:
    """Measure one model on one scenario in its own worker (or say why it was not run)."""
    reason = spec.unavailable_reason()
    if reason is not None:
        return WorkerOutcome(_result(spec, scenario, "unavailable", reason))
    ideal = scenario.ideal_wall_s(concurrent=spec.concurrent)
    if not spec.concurrent and ideal > options.sequential_budget_s:
        why = (
            f"would take {_seconds(ideal)} s per round (sequential budget "
            f"{_seconds(options.sequential_budget_s)} s)"
        )
        return WorkerOutcome(_result(spec, scenario, "not-run", why))
    return _WorkerSession(spec, scenario, options, return_jobs).run()


def measure_model(spec: RunnerSpec, scenario: Scenario, options: EngineOptions) -> ModelResult:
    """Measure one model on one scenario in its own worker; never raises for the model's faults."""
    return run_model(spec, scenario, options).result


def utc_now() -> str:
    """The current UTC time as the results file writes it: 2024-01-02T03:04:05Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect_environment(options: EngineOptions) -> dict[str, Any]:
    """The environment block of a results file (collected outside every timed region)."""
    env = environment.collect(options.gc)
    env["memory_method"] = (
        f"{MemoryProbe().source}; baseline after payloads and setup, before the first"
        " (warm-up) round; the worker process only, not pool children"
    )
    env["isolation"] = "one fresh worker process per (model, scenario)"
    return env


def measure_all(
    specs: Sequence[RunnerSpec], scenarios: Iterable[Scenario], options: EngineOptions
) -> ResultsFile:
    """Every model on every scenario; Ctrl-C returns what finished, marked partial.

    Models the interrupt kept from starting still get a row (interrupted, not started), so
    the file always says what was asked for and what became of it.
    """
    created = utc_now()
    planned = list(scenarios)
    done: dict[int, list[ModelResult]] = {index: [] for index in range(len(planned))}
    partial = False
    env: dict[str, Any] = {}
    try:
        env = collect_environment(options)
        for index, scenario in enumerate(planned):
            for spec in specs:
                outcome = run_model(spec, scenario, options)
                done[index].append(outcome.result)
                if outcome.interrupted:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        partial = True
    blocks = []
    for index, scenario in enumerate(planned):
        measured = {model.runner for model in done[index]}
        never = [
            _result(spec, scenario, "interrupted", NOT_STARTED)
            for spec in specs
            if spec.name not in measured
        ]
        blocks.append(ScenarioResults(scenario, (*done[index], *never)))
    return ResultsFile(
        created_utc=created,
        settings=options.run_settings(),
        environment=env,
        scenarios=tuple(blocks),
        partial=partial,
    )


def results_name(results: ResultsFile) -> str:
    """The file stem: <UTC yyyymmddThhmmssZ>-<commit7 or nogit>[-dirty]."""
    stamp = results.created_utc.replace("-", "").replace(":", "")
    commit = results.environment.get("git_commit")
    name = f"{stamp}-{commit[:7] if isinstance(commit, str) and commit else 'nogit'}"
    return f"{name}-dirty" if results.environment.get("git_dirty") else name


def write_results(results: ResultsFile, out_dir: Path) -> Path:
    """Write the file atomically under a new name (-2, -3, ... on collision); never overwrites."""
    out_dir = Path(out_dir)
    stem = results_name(results)
    text = results.to_json()
    for attempt in range(1, 10_000):
        path = out_dir / (f"{stem}.json" if attempt == 1 else f"{stem}-{attempt}.json")
        if path.exists():
            continue
        try:
            write_atomic(path, text, overwrite=False)
        except FileExistsError:  # another run took the name between the check and the link
            continue
        return path
    raise FileExistsError(f"{out_dir}: no free name for {stem}.json")


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
        "from concurrency_bench.worker import main; sys.exit(main())"
    )
    return [sys.executable, "-P", "-c", code]


def _read_lines(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    try:
        for line in stream:
            lines.put(line)
    finally:
        lines.put(None)


class _WorkerSession:
    """Spawn one worker, follow its messages, enforce the timeout, turn the answer into a row."""

    def __init__(
        self, spec: RunnerSpec, scenario: Scenario, options: EngineOptions, return_jobs: bool
    ) -> None:
        self.spec = spec
        self.scenario = scenario
        self.options = options
        self.return_jobs = return_jobs
        self.settings: dict[str, int | str] = {}
        self.rounds: list[Round] = []
        self.last_round: dict[str, Any] | None = None
        self.where = "starting the worker"
        self.started = time.monotonic()
        self.timeout_s = options.timeout_s or default_timeout_s(
            scenario, concurrent=spec.concurrent, rounds=options.rounds, warmup=options.warmup
        )
        self.progress_state: tuple[Literal["start", "warmup", "round"], int, int] = (
            "start",
            0,
            0,
        )

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
            "rounds": self.options.rounds,
            "warmup": self.options.warmup,
            "gc": self.options.gc,
            "max_workers": self.options.max_workers,
            "return_jobs": self.return_jobs,
        }

    def run(self) -> WorkerOutcome:
        """The whole life of one worker; a Ctrl-C kills it and marks the outcome interrupted."""
        outcome: WorkerOutcome | None = None
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
                outcome = self._follow(proc, stderr)
                self._reap(proc, grace=True)
                self._emit_done(outcome.result.status)
            except KeyboardInterrupt:
                interrupted = True
            finally:
                if proc is not None:
                    self._reap(proc, grace=False)
        if outcome is None:  # interrupted before the worker answered: keep finished rounds
            reason = f"Ctrl-C {self.where}"
            outcome = WorkerOutcome(self._row("interrupted", reason, keep=True))
        return replace(outcome, interrupted=interrupted)

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

    def _follow(self, proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> WorkerOutcome:
        assert proc.stdout is not None
        lines: queue.Queue[bytes | None] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True)
        reader.start()
        tick = PROGRESS_TICK_S if self.options.progress else None
        while True:
            remaining = self.started + self.timeout_s - time.monotonic()
            if remaining <= 0:
                self._kill(proc)
                reason = f"timed out after {self.timeout_s:.1f} s ({self.where})"
                return WorkerOutcome(self._row("failed", reason))
            try:
                line = lines.get(timeout=min(remaining, tick) if tick else remaining)
            except queue.Empty:
                self._emit(*self.progress_state)
                continue
            if line is None:
                return WorkerOutcome(self._died(proc, stderr))
            try:
                message = json.loads(line)
            except ValueError:
                self._kill(proc)
                text = line[:80].decode(errors="replace").strip()
                return WorkerOutcome(self._row("failed", f"worker sent unreadable data: {text!r}"))
            done = self._handle(message)
            if done is not None:
                return done

    def _handle(self, message: dict[str, Any]) -> WorkerOutcome | None:
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
                    rounds=self.options.rounds,
                    warmup=self.options.warmup,
                    concurrency=pool,
                )
        elif kind == "round":
            self._after_round(message)
        elif kind == "error":
            phase = message.get("phase", "?")
            return WorkerOutcome(self._row("failed", f"{message['reason']} (in {phase})"))
        elif kind == "result":
            return self._finish(message)
        return None

    def _begin_round(self, phase: Literal["warmup", "round"], index: int) -> None:
        of = self.options.warmup if phase == "warmup" else self.options.rounds
        label = "warm-up round" if phase == "warmup" else "round"
        self.where = f"in {label} {index} of {of}"
        self.progress_state = (phase, index, of)
        self._emit(phase, index, of)

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
            self.last_round = message
            if index < self.options.rounds:
                self._begin_round("round", index + 1)
            else:
                self.where = "after the last round"
        elif index < self.options.warmup:
            self._begin_round("warmup", index + 1)
        else:
            self._begin_round("round", 1)

    def _finish(self, message: dict[str, Any]) -> WorkerOutcome:
        rounds = tuple(
            Round(float(r["wall_s"]), float(r["cpu_s"]), float(r["overhead_s"]))
            for r in message["rounds"]
        )
        if len(rounds) != self.options.rounds:
            reason = f"worker returned {len(rounds)} rounds, expected {self.options.rounds}"
            return WorkerOutcome(self._row("failed", reason))
        lateness = message.get("lateness")
        result = _result(
            self.spec,
            self.scenario,
            "ok" if message["status"] == "ok" else "wrong",
            message.get("mismatch"),
            settings=dict(message["settings"]),
            rounds=rounds,
            lateness=Lateness(**lateness) if lateness else None,
            rss_before_bytes=message.get("rss_before_bytes"),
            rss_peak_bytes=message.get("rss_peak_bytes"),
        )
        return WorkerOutcome(result, self._last_measurement(message.get("jobs")))

    def _last_measurement(self, columns: dict[str, Any] | None) -> Measurement | None:
        if columns is None or self.last_round is None:
            return None
        return Measurement(
            runner=self.spec.name,
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

    def _died(self, proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> ModelResult:
        """The worker closed its channel without an answer: say how it ended."""
        try:
            code = proc.wait(timeout=WORKER_EXIT_GRACE_S)
        except subprocess.TimeoutExpired:
            self._kill(proc)
            return self._row("failed", f"worker closed its output and hung ({self.where})")
        if code < 0:
            return self._row("failed", f"killed by {_signal_name(-code)} ({self.where})")
        tail = _tail(stderr)
        detail = f": {tail}" if tail else ""
        return self._row("failed", f"worker exited with status {code} ({self.where}){detail}")

    def _row(self, status: Status, reason: str, *, keep: bool = False) -> ModelResult:
        """A row without a full answer; `keep` keeps the rounds that finished (interrupts)."""
        return _result(
            self.spec,
            self.scenario,
            status,
            reason,
            settings=dict(self.settings),
            rounds=tuple(self.rounds) if keep else (),
        )

    # -- progress ------------------------------------------------------------------------

    def _emit(self, phase: Literal["start", "warmup", "round"], index: int, of: int) -> None:
        if self.options.progress is not None:
            elapsed = time.monotonic() - self.started
            self.options.progress(
                Progress(self.spec.name, self.scenario.name, phase, index, of, elapsed)
            )

    def _emit_done(self, status: str) -> None:
        if self.options.progress is not None:
            elapsed = time.monotonic() - self.started
            self.options.progress(
                Progress(self.spec.name, self.scenario.name, "done", 0, 0, elapsed, status)
            )


def _tail(stderr: IO[bytes]) -> str:
    """The worker's last stderr line, shortened: usually the error that ended it."""
    stderr.seek(0, os.SEEK_END)
    size = stderr.tell()
    stderr.seek(max(0, size - 4096))
    lines = [line.strip() for line in stderr.read().decode(errors="replace").splitlines()]
    last = next((line for line in reversed(lines) if line), "")
    return last[:STDERR_TAIL_CHARS]
