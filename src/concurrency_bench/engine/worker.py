"""The worker process: measures one model on one scenario for its share of rounds, then exits.

Run by the engine only, which spreads a model's measured rounds over fresh workers (see
engine.py): each does its own setup and warm-up, then the `rounds` it is given. Protocol
(PROTOCOL = 2). The engine starts this interpreter on `worker.main` (see
engine.worker_command) in a session of its own and gives it one JSON request on stdin, from
a file so that a large scenario never blocks a pipe:

    {"protocol": 2, "spec": {name, module, description, concurrent, requires, min_python},
     "sys_path": [...], "scenario": Scenario.to_dict(), "rounds": R, "warmup": W,
     "gc": "on"|"off", "max_workers": int|null, "return_jobs": bool}

The worker answers with JSON lines on its stdout. Before loading the model it moves fd 1
onto stderr and keeps the original stdout as a private channel, so nothing a model or a
library prints can corrupt the answer. Messages, in order:

    {"type": "ready", "settings": {...}, "pid": p}           model loaded, setup done
    {"type": "round", "phase": "warmup"|"measured", "index": k, "of": n, "pid": p,
     "wall_s", "cpu_s", "overhead_s", "sums_ok", "mismatch"}   after every round
    {"type": "result", "status": "ok"|"wrong", "mismatch", "settings", "pid", "rounds": [...],
     "lateness": {"points": [1001 quantiles at q = i/1000], "count", "max_s"} | null,
     "lateness_stride", "rss_before_bytes", "rss_peak_bytes", "rss_source", "gc",
     "jobs": last round's columns | null}
    or {"type": "error", "phase": "...", "reason": "Type: message"}

Lateness goes out as quantile points rather than p50/p99 so that the engine can pool the
workers of a model (pooling.merge_lateness). Every message is written between rounds, never
inside one. Lines rather than one reply let the engine show progress and keep the rounds of
a model interrupted midway.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import IO, Any

from concurrency_bench.engine.probes import LatenessPool, MemoryProbe
from concurrency_bench.engine.timing import Measurement, measure_run
from concurrency_bench.runners import ModelSpec
from concurrency_bench.runners.base import Runner
from concurrency_bench.workload import Scenario, build_payloads, expected_sums

PROTOCOL = 2


class Channel:
    """The private stdout: one JSON object per line, flushed at once."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def send(self, message: dict[str, Any]) -> None:
        """Write one message."""
        self.stream.write(json.dumps(message, separators=(",", ":")) + "\n")
        self.stream.flush()


def _private_stdout() -> Channel:
    """Keep stdout for the protocol and point fd 1 (and sys.stdout) at stderr."""
    sys.stdout.flush()
    private = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return Channel(private)


def _spec(data: dict[str, Any]) -> ModelSpec:
    return ModelSpec(
        name=data["name"],
        module=data["module"],
        description=data.get("description", ""),
        concurrent=bool(data["concurrent"]),
        requires=tuple(data.get("requires", ())),
        min_python=(int(data["min_python"][0]), int(data["min_python"][1])),
    )


def _round_message(phase: str, index: int, of: int, m: Measurement) -> dict[str, Any]:
    return {
        "type": "round",
        "phase": phase,
        "index": index,
        "of": of,
        "pid": os.getpid(),
        "wall_s": m.wall_s,
        "cpu_s": m.cpu_s,
        "overhead_s": m.overhead_s,
        "sums_ok": m.sums_ok,
        "mismatch": m.mismatch,
    }


def _columns(m: Measurement) -> dict[str, Any]:
    return {
        "wall_ns": m.wall_ns,
        "cpu_ns": m.cpu_ns,
        "starts_ns": m.starts_ns,
        "finishes_ns": m.finishes_ns,
        "values": m.values,
    }


class Worker:
    """One request's measurement; `phase` says where a failure happened."""

    def __init__(self, request: dict[str, Any], channel: Channel) -> None:
        self.request = request
        self.channel = channel
        self.phase = "load"

    def run(self) -> dict[str, Any]:
        """Load, set up, warm up, measure; returns the result message."""
        request = self.request
        for entry in request.get("sys_path", ()):
            if entry not in sys.path:
                sys.path.append(entry)
        spec = _spec(request["spec"])
        scenario = Scenario.from_dict(request["scenario"])
        runner = spec.load(max_workers=request.get("max_workers"))

        self.phase = "payloads"
        payloads = build_payloads(scenario)
        expected = expected_sums(payloads)
        try:
            self.phase = "setup"
            settings = runner.setup(scenario.jobs)
            self.channel.send({"type": "ready", "settings": settings, "pid": os.getpid()})
            result = self._rounds(runner, spec, scenario, payloads, expected, settings)
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
        spec: ModelSpec,
        scenario: Scenario,
        payloads: Sequence[Sequence[int]],
        expected: Sequence[int],
        settings: dict[str, int | str],
    ) -> dict[str, Any]:
        rounds, warmup = int(self.request["rounds"]), int(self.request["warmup"])
        gc_off = self.request["gc"] == "off"
        mismatch: str | None = None
        figures: list[dict[str, float]] = []
        pool = LatenessPool(scenario.jobs, rounds)
        probe = MemoryProbe()
        last: Measurement | None = None
        rss_peak: int | None = None

        def one_round() -> Measurement:
            return measure_run(
                runner, spec.name, spec.concurrent, scenario, payloads, expected, settings
            )

        # The baseline is taken before the warm-up: memory the allocator keeps after a
        # warm-up round and reuses in the measured rounds is still the model's memory
        # (measured after the warm-up, 1,000 asyncio jobs looked like ~50 bytes each).
        gc.collect()
        rss_before = probe.current()
        if gc_off:
            gc.disable()
        try:
            for index in range(1, warmup + 1):
                self.phase = f"warm-up round {index} of {warmup}"
                gc.collect()
                m = one_round()
                if not m.sums_ok and mismatch is None:
                    mismatch = f"warm-up round {index}: {m.mismatch}"
                self.channel.send(_round_message("warmup", index, warmup, m))
                del m
            for index in range(1, rounds + 1):
                self.phase = f"round {index} of {rounds}"
                gc.collect()
                if probe.resettable:
                    probe.reset()
                m = one_round()
                peak = probe.peak()
                if peak is not None:
                    rss_peak = peak if rss_peak is None else max(rss_peak, peak)
                if not m.sums_ok and mismatch is None:
                    mismatch = f"round {index} of {rounds}: {m.mismatch}"
                figures.append({"wall_s": m.wall_s, "cpu_s": m.cpu_s, "overhead_s": m.overhead_s})
                pool.add(m)
                self.channel.send(_round_message("measured", index, rounds, m))
                last = m if index == rounds and self.request.get("return_jobs") else None
                del m
        finally:
            if gc_off:
                gc.enable()
        self.phase = "summary"
        lateness = pool.summary()
        return {
            "type": "result",
            "status": "ok" if mismatch is None else "wrong",
            "mismatch": mismatch,
            "settings": settings,
            "pid": os.getpid(),
            "rounds": figures,
            "lateness": lateness.to_message() if lateness is not None else None,
            "lateness_stride": pool.stride,
            "rss_before_bytes": rss_before,
            "rss_peak_bytes": rss_peak,
            "rss_source": probe.source,
            "gc": "off" if gc_off else "on",
            "jobs": _columns(last) if last is not None else None,
        }


def main() -> int:
    """Read the request, measure, answer; exit 1 after reporting a failure."""
    channel = _private_stdout()
    worker: Worker | None = None
    try:
        request = json.load(sys.stdin)
        if request.get("protocol") != PROTOCOL:
            raise ValueError(f"protocol {request.get('protocol')!r} is not {PROTOCOL}")
        worker = Worker(request, channel)
        result = worker.run()
    except BaseException as exc:  # every failure, MemoryError included, is the model's row
        phase = worker.phase if worker is not None else "request"
        message = str(exc)
        reason = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
        with contextlib.suppress(Exception):  # the traceback is for a human reading stderr
            traceback.print_exc()
        del exc  # let the frames (payloads, records) go before the last message
        channel.send({"type": "error", "phase": phase, "reason": reason})
        return 1
    channel.send(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
