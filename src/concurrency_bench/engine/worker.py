"""The worker process: measures one model on one scenario for its share of rounds, then exits.

Run by the engine only (session.py), which spreads a model's measured rounds over fresh
workers: each does its own setup and warm-up, then the `rounds` it is given. It reads one
`protocol.Request` on stdin and answers with protocol messages on a private stdout: before
loading the model it moves fd 1 onto stderr and keeps the original stdout as its channel,
so nothing a model or a library prints can corrupt the answer.

It never outlives the engine: on Linux the kernel kills it when the engine dies (parent-death
signal), and everywhere a watcher thread, blocked until the channel's reader is gone, kills
its process group (itself and its model's pool processes).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import select
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import BinaryIO

from concurrency_bench.engine import limits
from concurrency_bench.engine.gc_meter import GcMeter
from concurrency_bench.engine.probes import LatenessPool, MemoryProbe
from concurrency_bench.engine.protocol import (
    PROTOCOL_VERSION,
    Error,
    JobColumns,
    Message,
    Ready,
    Request,
    Result,
    RoundDone,
    Warmup,
    decode_request,
    encode,
)
from concurrency_bench.engine.python_probe import gil_state
from concurrency_bench.engine.server_meter import ServerMeter, ServerShare, prepare
from concurrency_bench.engine.timing import Measurement, measure_run
from concurrency_bench.kinds.cpu import CpuJobs
from concurrency_bench.kinds.registry import get_kind
from concurrency_bench.lifetime import die_with_parent
from concurrency_bench.results import Round
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import Scenario, build_payloads, expected_sums, expected_values


class Channel:
    """The private stdout: one message per line, flushed at once."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def send(self, message: Message) -> None:
        """Write one message."""
        self.stream.write(encode(message))
        self.stream.flush()


def _private_stdout() -> Channel:
    """Keep stdout for the protocol and point fd 1 (and sys.stdout) at stderr."""
    sys.stdout.flush()
    private = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    return Channel(private)


def _watch_channel(channel: Channel) -> None:
    """Kill this worker's process group once nobody reads the channel (the engine is gone).

    The thread sleeps in poll() on the channel's write end, which reports an error only when
    the last reader closes: no wake-ups, so nothing lands in a timed round.
    """
    if not hasattr(select, "poll"):
        return
    poller = select.poll()
    poller.register(channel.stream.fileno(), 0)  # errors and hang-ups are always reported

    def watch() -> None:
        while True:
            with contextlib.suppress(InterruptedError):
                if poller.poll():
                    break
        with contextlib.suppress(OSError):
            if os.getpgrp() == os.getpid():  # the engine gave this worker a group of its own
                os.killpg(os.getpid(), signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, name="channel-watch", daemon=True).start()


def _columns(m: Measurement) -> JobColumns:
    return JobColumns(
        wall_ns=m.wall_ns,
        cpu_ns=m.cpu_ns,
        starts_ns=m.starts_ns,
        finishes_ns=m.finishes_ns,
        values=m.values,
        mismatch=m.mismatch,
    )


def _figures(m: Measurement, server: ServerShare | None = None) -> Round:
    """The round's record; the server's share only with a server (None: the field's default)."""
    return Round(
        wall_s=m.wall_s,
        cpu_s=m.cpu_s,
        overhead_s=m.overhead_s,
        server_cpu_s=None if server is None else server.cpu_s,
        server_busy=None if server is None else server.busy,
        gc=m.gc,
    )


def _freeze_harness() -> None:
    """Move every object alive now (the interpreter's, the harness's, the model's modules)
    out of the collector's sight, before the workload's payloads exist: a round's full
    collections then scan the workload's objects only, and how many a round makes, which
    depends on the heap it starts with, no longer changes with the harness's own size."""
    gc.collect()
    gc.freeze()


class Worker:
    """One request's measurement; `phase` says where a failure happened."""

    def __init__(self, request: Request, channel: Channel) -> None:
        self.request = request
        self.channel = channel
        self.phase = "load"

    def run(self) -> Result:
        """Load, set up, warm up, measure; returns the result message."""
        request = self.request
        for entry in request.sys_path:
            if entry not in sys.path:
                sys.path.append(entry)
        spec, scenario = request.spec, request.scenario
        self.phase = "limits"  # the kind's jobs first: before the model starts threads or pools
        at_once = spec.concurrency(scenario.jobs, request.pool_size, scenario.connections)
        kind = request.kind or get_kind(scenario.io)
        loaded = kind.load()
        if spec.client is not None:  # the row's client library (KindSpec.clients)
            loaded = loaded.with_client(spec.client.name)
        io, io_settings = prepare(loaded, request.server, scenario, at_once)
        cpu = request.cpu_iterations
        if cpu:  # every job's CPU work after its wait, whatever the kind and the family
            io, io_settings = CpuJobs(io, cpu), {**io_settings, "cpu_iterations": cpu}
        self.phase = "load"
        runner = spec.load(pool_size=request.pool_size, io=io)
        if runner.family is not None:  # what the jobs import, imported untimed (frozen below)
            io.preload(runner.family)

        self.phase = "payloads"
        _freeze_harness()
        payloads = build_payloads(scenario)
        expected = expected_values(expected_sums(payloads), cpu)
        try:
            self.phase = "setup"
            need = limits.WORKER_OPEN_FILES + spec.open_files(scenario.jobs, request.pool_size)
            raised = limits.ensure_open_files(need, f"model {spec.name}")
            settings = {**io_settings, **runner.setup(scenario.jobs)}
            if raised is not None:
                settings = {**settings, "open_files": raised}
            gil = gil_state()
            if gil["free_threaded"]:  # an extension module without free-threading re-enables it
                settings = {**settings, "gil": "enabled" if gil["gil_enabled"] else "disabled"}
            self.channel.send(Ready(protocol=PROTOCOL_VERSION, pid=os.getpid(), settings=settings))
            result = self._rounds(runner, scenario, payloads, expected, settings)
        except BaseException:
            with contextlib.suppress(Exception):  # the first failure is the one to report
                runner.close()
            raise
        self.phase = "close"
        runner.close()
        return result

    def _rounds(
        self,
        runner: Runner,
        scenario: Scenario,
        payloads: Sequence[Sequence[int]],
        expected: Sequence[int],
        settings: dict[str, int | str],
    ) -> Result:
        request = self.request
        rounds, warmup, spec = request.rounds, request.warmup, request.spec
        gc_off = request.gc == "off"
        mismatch: str | None = None
        pool = LatenessPool(scenario.jobs, rounds)
        probe = MemoryProbe()
        last: Measurement | None = None
        rss_peak: int | None = None
        meter = ServerMeter(runner.io, scenario.jobs) if request.server is not None else None

        gc_meter = GcMeter()

        def one_round() -> Measurement:
            return measure_run(
                runner,
                spec.name,
                spec.concurrent,
                scenario,
                payloads,
                expected,
                settings,
                gc_meter,
            )

        # The baseline is taken before the warm-up: memory the allocator keeps after a
        # warm-up round and reuses in the measured rounds is still the model's memory
        # (measured after the warm-up, 1,000 asyncio jobs looked like ~50 bytes each).
        gc.collect()
        rss_before = probe.current()
        if gc_off:
            gc.disable()
        gc_meter.install()
        try:
            for index in range(1, warmup + 1):
                self.phase = f"warm-up round {index} of {warmup}"
                m = one_round()
                if not m.sums_ok and mismatch is None:
                    mismatch = f"warm-up round {index}: {m.mismatch}"
                self.channel.send(Warmup(index=index, wall_s=m.wall_s))
                del m
            for index in range(1, rounds + 1):
                self.phase = f"round {index} of {rounds}"
                if probe.resettable:
                    probe.reset()
                if meter is not None:  # the server's counters, read outside the timed region
                    meter.start()
                m = one_round()
                share = meter.share(m.wall_s) if meter is not None else None
                peak = probe.peak()
                if peak is not None:
                    rss_peak = peak if rss_peak is None else max(rss_peak, peak)
                wrong = m.mismatch or (share.mismatch if share is not None else None)
                if wrong is not None and mismatch is None:
                    mismatch = f"round {index} of {rounds}: {wrong}"
                pool.add(m)
                self.channel.send(RoundDone(index=index, values=_figures(m, share)))
                last = m if index == rounds and request.return_jobs else None
                del m
        finally:
            gc_meter.remove()
            if gc_off:
                gc.enable()
        self.phase = "summary"
        return Result(
            mismatch=mismatch,
            lateness=pool.summary(),
            rss_before_bytes=rss_before,
            rss_peak_bytes=rss_peak,
            jobs=_columns(last) if last is not None else None,
        )


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside `exc`'s groups, depth first; just `exc` when it is no group."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _reason(exc: BaseException) -> str:
    """A failure as its row says it: the exception's type and message; for a group (a trio
    nursery's, an anyio or asyncio task group's) its first leaf's, with the count when there
    are several; an exhausted open-file limit names the limit."""
    leaves = _leaves(exc)
    first = leaves[0]
    message = str(first)
    reason = f"{type(first).__name__}: {message}" if message else type(first).__name__
    if isinstance(first, OSError) and first.errno == errno.EMFILE:
        reason += f" (open-file limit {limits.describe()['soft']})"
    if len(leaves) > 1:
        reason += f" (the first of {len(leaves)} errors)"
    return reason


def main(argv: Sequence[str] | None = None) -> int:
    """Read the request, measure, answer; exit 1 after reporting a failure.

    `argv` (default sys.argv[1:]) holds the engine's pid: the worker dies with it.
    """
    args = sys.argv[1:] if argv is None else argv
    if args:
        die_with_parent(int(args[0]))
    channel = _private_stdout()
    _watch_channel(channel)
    worker: Worker | None = None
    try:
        request = decode_request(sys.stdin.buffer.read())
        worker = Worker(request, channel)
        result = worker.run()
    except BaseException as exc:  # every failure, MemoryError included, is the model's row
        phase = worker.phase if worker is not None else "request"
        reason = _reason(exc)
        with contextlib.suppress(Exception):  # the traceback is for a human reading stderr
            traceback.print_exc()
        del exc  # let the frames (payloads, records) go before the last message
        with contextlib.suppress(OSError):  # nobody may be listening any more
            channel.send(Error(phase=phase, reason=reason))
        return 1
    try:
        channel.send(result)
    except OSError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
