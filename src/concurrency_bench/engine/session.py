"""One worker's life: spawn it with a request, follow its messages, enforce its timeout, kill it.

Knows nothing of the model's other workers: the caller gives the request, the timeout, how
to name this worker, and a callback for progress; it gets back one `WorkerReport`. Spawning
and reading happen outside every timed region: the worker times itself.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import IO, Literal

from concurrency_bench.engine.interpreters import Interpreter, package_root
from concurrency_bench.engine.pooling import merge_lateness
from concurrency_bench.engine.protocol import (
    PROTOCOL_VERSION,
    Error,
    LatenessPoints,
    ProtocolError,
    Ready,
    Request,
    Result,
    RoundDone,
    Warmup,
    WorkerMessage,
    decode_message,
    encode,
)
from concurrency_bench.engine.timing import Measurement
from concurrency_bench.lifetime import signal_name
from concurrency_bench.results import ProcessRun, Round

WORKER_EXIT_GRACE_S = 10.0
"""How long a worker that sent its result may take to exit before it is killed."""
WATCH_TICK_S = 0.5
"""How often, while a worker runs, the progress callback hears about elapsed time and what
lies outside the worker (its scenario's server) is checked: in this process, never the
worker's, so nothing of it lands in a timed region."""
STDERR_TAIL_CHARS = 300
OUTSIDE_GRACE_S = 0.5
"""How long a failed worker's cause outside it is looked for: a killed server's sockets close
(the worker's error) a moment before the kernel reports the process gone."""

Phase = Literal["start", "warmup", "round"]
SessionProgress = Callable[[Phase, int, int], None]
"""Told (phase, index, of) when the worker starts and begins each round."""
Outside = Callable[[], str | None]
"""What outside the worker keeps it from finishing (its scenario's server is down), else None."""


@dataclass(frozen=True)
class WorkerReport:
    """What one worker gave: its status, its process run (pid, warm-ups, rounds, lateness,
    memory) and the lateness points the model merges with its other workers'."""

    status: Literal["ok", "wrong", "failed", "interrupted"]
    reason: str | None
    settings: dict[str, int | str] = field(default_factory=dict)
    run: ProcessRun | None = None
    """None when the worker failed, or stopped before it measured a round."""
    points: LatenessPoints | None = None
    last_round: Measurement | None = None
    interrupted: bool = False
    """True when Ctrl-C arrived during this worker."""


def worker_command(python: Interpreter | None = None) -> list[str]:
    """This interpreter (or `python`) running worker.main with this process's pid (the worker
    dies with it): -P keeps the working directory off sys.path, and the package's own root is
    appended (after the stdlib) so an uninstalled tree works; not for an interpreter with a
    concurrency-bench of its own, which must run its own worker (`ab`'s base commit)."""
    append = python is None or not python.own_package
    code = (
        f"import sys; sys.path.append({package_root()!r}); " if append else "import sys; "
    ) + "from concurrency_bench.engine.worker import main; sys.exit(main())"
    executable = sys.executable if python is None else python.executable
    return [executable, "-P", "-c", code, str(os.getpid())]


def _read_lines(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    try:
        for line in stream:
            lines.put(line)
    finally:
        lines.put(None)


def _tail(stderr: IO[bytes]) -> str:
    """The worker's last stderr line, shortened: usually the error that ended it."""
    stderr.seek(0, os.SEEK_END)
    size = stderr.tell()
    stderr.seek(max(0, size - 4096))
    lines = [line.strip() for line in stderr.read().decode(errors="replace").splitlines()]
    last = next((line for line in reversed(lines) if line), "")
    return last[:STDERR_TAIL_CHARS]


class WorkerSession:
    """Spawn one worker for its share of rounds, follow its messages, enforce its timeout.

    `label` names the worker in reasons ("worker 2 of 3", or "" when it is the model's only
    one); `first_round` and `total_rounds` number its measured rounds across the model's.
    `outside`, when given, is checked every WATCH_TICK_S while the worker runs (once it names
    a cause, the worker is ended at once with that reason) and after the worker fails (the
    likely cause of a connect error, added to its reason).
    """

    def __init__(
        self,
        request: Request,
        *,
        timeout_s: float,
        label: str = "",
        first_round: int = 0,
        total_rounds: int | None = None,
        progress: SessionProgress | None = None,
        python: Interpreter | None = None,
        outside: Outside | None = None,
    ) -> None:
        self.request = request
        self.outside = outside
        self.python = python
        """The interpreter to run the worker under (None: this one)."""
        self.timeout_s = timeout_s
        self.label = label
        self.first_round = first_round
        self.total_rounds = request.rounds if total_rounds is None else total_rounds
        self.progress = progress
        self.pid: int | None = None
        self.settings: dict[str, int | str] = {}
        self.warmups: list[float] = []
        self.values: list[Round] = []
        self.where = f"starting {label}" if label else "starting the worker"
        self.started = time.monotonic()
        self.state: tuple[Phase, int, int] = ("start", 0, 0)

    def _in(self, what: str) -> str:
        """'in round 1 of 2', or with several workers 'in worker 3 of 5, round 1 of 1'."""
        return f"in {self.label}, {what}" if self.label else f"in {what}"

    def _emit(self, phase: Phase, index: int, of: int) -> None:
        self.state = (phase, index, of)
        if self.progress is not None:
            self.progress(phase, index, of)

    # -- the process ------------------------------------------------------------------------

    def run(self) -> WorkerReport:
        """The whole life of one worker; a Ctrl-C kills it and keeps the rounds it finished."""
        report: WorkerReport | None = None
        interrupted = False
        proc: subprocess.Popen[bytes] | None = None
        with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
            try:
                stdin.write(encode(self.request))
                stdin.seek(0)
                self.started = time.monotonic()
                self._emit("start", 0, 0)
                python = self.python
                proc = subprocess.Popen(
                    worker_command() if python is None else worker_command(python),
                    stdin=stdin,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    start_new_session=os.name == "posix",
                )
                report = self._follow(proc, stderr)
                self._reap(proc, grace=True)
            except KeyboardInterrupt:  # Ctrl-C, or a signal handler raising its subclass
                interrupted = True
            finally:
                if proc is not None:
                    self._reap(proc, grace=False)
        if report is None:  # interrupted before the worker answered: keep finished rounds
            report = self._partial(f"Ctrl-C {self.where}")
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

    # -- following the worker ---------------------------------------------------------------

    def _follow(self, proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> WorkerReport:
        assert proc.stdout is not None
        lines: queue.Queue[bytes | None] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True)
        reader.start()
        watched = self.progress is not None or self.outside is not None
        tick = WATCH_TICK_S if watched else None
        while True:
            remaining = self.started + self.timeout_s - time.monotonic()
            if remaining <= 0:
                self._kill(proc)
                return self._failed(f"timed out after {self.timeout_s:.1f} s ({self.where})")
            try:
                line = lines.get(timeout=min(remaining, tick) if tick else remaining)
            except queue.Empty:
                cause = self.outside() if self.outside is not None else None
                if cause is not None:  # the worker cannot finish: end it now
                    self._kill(proc)
                    return WorkerReport("failed", f"{cause} ({self.where})", dict(self.settings))
                self._emit(*self.state)
                continue
            if line is None:
                return self._died(proc, stderr)
            try:
                done = self._handle(decode_message(line))
            except ProtocolError as exc:
                self._kill(proc)
                return self._failed(f"worker sent a malformed message: {exc} ({self.where})")
            if done is not None:
                return done

    def _handle(self, message: WorkerMessage) -> WorkerReport | None:
        """Take in one message; a final answer (result or error) ends the session."""
        if isinstance(message, Error):
            return self._failed(f"{message.reason} ({self._in(message.phase)})")
        if isinstance(message, Ready):
            if message.protocol != PROTOCOL_VERSION:
                raise ProtocolError(
                    f"the worker speaks protocol {message.protocol}, the engine {PROTOCOL_VERSION}"
                )
            self.pid, self.settings = message.pid, dict(message.settings)
            self._begin_round("warmup" if self.request.warmup else "round", 1)
            return None
        if self.pid is None:
            raise ProtocolError(f"`{type(message).__name__}` came before `Ready`")
        if isinstance(message, Warmup):
            self.warmups.append(message.wall_s)
            if message.index < self.request.warmup:
                self._begin_round("warmup", message.index + 1)
            else:
                self._begin_round("round", 1)
        elif isinstance(message, RoundDone):
            self.values.append(message.values)
            if message.index < self.request.rounds:
                self._begin_round("round", message.index + 1)
            else:
                self.where = (
                    self._in("after its last round") if self.label else "after the last round"
                )
        else:
            return self._finish(message)
        return None

    def _begin_round(self, phase: Literal["warmup", "round"], index: int) -> None:
        """Note where the worker is; measured rounds are numbered across the model's workers."""
        if phase == "warmup":
            self.where = self._in(f"warm-up round {index} of {self.request.warmup}")
            self._emit("warmup", index, self.request.warmup)
        else:
            self.where = self._in(f"round {index} of {self.request.rounds}")
            self._emit("round", self.first_round + index, self.total_rounds)

    def _finish(self, message: Result) -> WorkerReport:
        if len(self.values) != self.request.rounds:
            reason = f"worker returned {len(self.values)} rounds, expected {self.request.rounds}"
            return self._failed(f"{reason} ({self.where})")
        mismatch = message.mismatch
        if mismatch and self.label:
            mismatch = f"{self.label}, {mismatch}"
        assert self.pid is not None  # _handle refuses a Result before Ready
        points = message.lateness
        run = ProcessRun(
            pid=self.pid,
            warmups=tuple(self.warmups),
            values=tuple(self.values),
            lateness=merge_lateness([points]) if points is not None else None,
            rss_before_bytes=message.rss_before_bytes,
            rss_peak_bytes=message.rss_peak_bytes,
        )
        return WorkerReport(
            "ok" if message.mismatch is None else "wrong",
            mismatch,
            settings=dict(self.settings),
            run=run,
            points=points,
            last_round=self._last_measurement(message),
        )

    def _last_measurement(self, message: Result) -> Measurement | None:
        columns = message.jobs
        if columns is None:
            return None
        spec, scenario = self.request.spec, self.request.scenario
        return Measurement(
            model=spec.name,
            concurrent=spec.concurrent,
            wall_ns=columns.wall_ns,
            cpu_ns=columns.cpu_ns,
            ideal_s=scenario.ideal_wall_s(concurrent=spec.concurrent),
            delays_s=scenario.delays_s,
            starts_ns=columns.starts_ns,
            finishes_ns=columns.finishes_ns,
            values=columns.values,
            sums_ok=columns.mismatch is None,
            mismatch=columns.mismatch,
            settings=dict(self.settings),
        )

    def _died(self, proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> WorkerReport:
        """The worker closed its channel without an answer: say how it ended."""
        try:
            code = proc.wait(timeout=WORKER_EXIT_GRACE_S)
        except subprocess.TimeoutExpired:
            self._kill(proc)
            return self._failed(f"worker closed its output and hung ({self.where})")
        if code < 0:
            return self._failed(f"killed by {signal_name(-code)} ({self.where})")
        tail = _tail(stderr)
        detail = f": {tail}" if tail else ""
        return self._failed(f"worker exited with status {code} ({self.where}){detail}")

    def _failed(self, reason: str) -> WorkerReport:
        """A worker that ended without a full answer: the model fails with this reason, and
        with the cause outside it when there is one (a server that died under it)."""
        cause = self._outside_cause()
        if cause is not None:
            reason = f"{reason}; {cause}"
        return WorkerReport("failed", reason, settings=dict(self.settings))

    def _outside_cause(self) -> str | None:
        """The cause outside the worker, looked for over OUTSIDE_GRACE_S (None: none found)."""
        if self.outside is None:
            return None
        deadline = time.monotonic() + OUTSIDE_GRACE_S
        while (cause := self.outside()) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return cause

    def _partial(self, reason: str) -> WorkerReport:
        """An interrupted worker: the rounds it finished, as a run without lateness or memory."""
        run = None
        if self.pid is not None and self.values:
            run = ProcessRun(pid=self.pid, warmups=tuple(self.warmups), values=tuple(self.values))
        return WorkerReport("interrupted", reason, settings=dict(self.settings), run=run)
