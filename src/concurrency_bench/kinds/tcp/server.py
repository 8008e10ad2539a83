"""The ints server process: answers each job's request with its seeded ints after the job's delay.

Run by ServerHandle (handle.py) as `python -m concurrency_bench.kinds.tcp.server`; it prints one
JSON line {"port", "pid", "loop", "cpus", "nofile"} on stdout once it listens, and stops when
its stdin closes (its parent's way: status 0) or when its parent dies. SIGTERM and SIGINT end
it by their default action, so its parent reads which signal it was (a clean stop on them left
a thread reading stdin at interpreter shutdown, and the server died of SIGABRT). One process,
one thread, an asyncio Protocol (on uvloop when available): the cheapest server Python has, so
that the models' clients and not the server set the figures; the STATS request lets any client
read its CPU time between rounds to show that.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import cast

from concurrency_bench.kinds.limits import raise_nofile_limit
from concurrency_bench.kinds.tcp.protocol import (
    KEEP_ALIVE,
    KNOWN_FLAGS,
    REQUEST,
    STATS,
    STATS_FLAG,
    encode_reply,
    refused_reply,
    scenario_token,
)
from concurrency_bench.lifetime import die_with_parent
from concurrency_bench.workload.payloads import seeded_bytes

DEFAULT_BACKLOG = 4096
"""listen() backlog; the kernel caps it at net.core.somaxconn. Thousands of jobs connect at
once, and a short queue turns into SYN retries a second apart, which would look like lateness."""


class ServerState:
    """What every connection shares: the payload bytes and the counters STATS reports."""

    def __init__(self, seed: int, jobs: int, ints_per_job: int) -> None:
        self.stream = seeded_bytes(seed, jobs * ints_per_job)
        self.token = scenario_token(seed, jobs, ints_per_job)
        self.jobs = jobs
        self.job_bytes = 2 * ints_per_job
        self.handler_ns = 0
        self.requests = 0
        self.connections = 0
        self.refused = 0

    def reply_for(self, index: int) -> bytes:
        """Job `index`'s framed reply: its slice of the stream, as build_payloads cuts it."""
        size = self.job_bytes
        return encode_reply(self.stream[index * size : (index + 1) * size])

    def stats_reply(self) -> bytes:
        """The STATS body, framed."""
        body = STATS.pack(
            time.process_time(),
            self.handler_ns / 1e9,
            self.requests,
            self.connections,
            self.refused,
        )
        return encode_reply(body)


class JobProtocol(asyncio.Protocol):
    """One client connection: requests in, each answered on its own timer.

    A client sends its next request only after reading the previous reply, so replies never
    need reordering. Without KEEP_ALIVE the server closes right after the reply: the server is
    then the side that closes first, so TIME_WAIT lands on its one listening port and not on
    the client's ephemeral ports (handle.py says why that matters).
    """

    def __init__(self, state: ServerState, loop: asyncio.AbstractEventLoop) -> None:
        self.state = state
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.timers: list[asyncio.TimerHandle] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Count the connection."""
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)
        self.state.connections += 1

    def data_received(self, data: bytes) -> None:
        """Decode every whole request in the buffer and schedule its answer."""
        began = time.perf_counter_ns()
        buffer = self.buffer + data if self.buffer else data
        size = REQUEST.size
        offset = 0
        while len(buffer) - offset >= size:
            token, index, flags, delay_ns = REQUEST.unpack_from(buffer, offset)
            offset += size
            self._handle(token, index, flags, delay_ns)
        self.buffer = buffer[offset:]
        self.state.handler_ns += time.perf_counter_ns() - began

    def _handle(self, token: int, index: int, flags: int, delay_ns: int) -> None:
        state = self.state
        transport = self.transport
        assert transport is not None
        if flags & STATS_FLAG:
            transport.write(state.stats_reply())
            return
        if token != state.token or index >= state.jobs or flags & ~KNOWN_FLAGS:
            state.refused += 1
            transport.write(refused_reply())
            transport.close()
            return
        keep = bool(flags & KEEP_ALIVE)
        if delay_ns == 0:
            self._answer(index, keep)
            return
        self.timers.append(self.loop.call_later(delay_ns / 1e9, self._answer, index, keep))

    def _answer(self, index: int, keep: bool) -> None:
        began = time.perf_counter_ns()
        if self.timers:
            # Timers fire in order on one connection (one request at a time): drop the oldest.
            self.timers.pop(0)
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.write(self.state.reply_for(index))
            self.state.requests += 1
            if not keep:
                transport.close()
        self.state.handler_ns += time.perf_counter_ns() - began

    def connection_lost(self, exc: Exception | None) -> None:
        """Cancel answers still waiting: their client is gone."""
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        self.transport = None


def new_loop(kind: str) -> asyncio.AbstractEventLoop:
    """A uvloop loop for "uvloop" (or "auto" when installed), else the default asyncio loop."""
    if kind in ("uvloop", "auto"):
        try:
            import uvloop  # noqa: PLC0415 (optional dependency)
        except ImportError:
            if kind == "uvloop":
                raise
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Stop the loop when stdin reaches EOF: the parent closed it or died."""
    with contextlib.suppress(OSError, ValueError):
        while sys.stdin.buffer.read(4096):
            pass
    with contextlib.suppress(RuntimeError):  # the loop may be closed already
        loop.call_soon_threadsafe(stop.set)


async def serve(args: argparse.Namespace, loop: asyncio.AbstractEventLoop) -> None:
    """Listen, announce the port, serve until told to stop."""
    state = ServerState(args.seed, args.jobs, args.ints)
    server = await loop.create_server(
        lambda: JobProtocol(state, loop), "127.0.0.1", 0, backlog=args.backlog
    )
    stop = asyncio.Event()
    threading.Thread(target=_watch_stdin, args=(loop, stop), daemon=True).start()
    port = server.sockets[0].getsockname()[1]
    ready = {
        "port": port,
        "pid": os.getpid(),
        "loop": type(loop).__module__.split(".")[0],
        "cpus": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "nofile": args.nofile,
    }
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    await stop.wait()
    server.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the scenario, place and prepare the process, and serve."""
    parser = argparse.ArgumentParser(prog="concurrency_bench.kinds.tcp.server")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--ints", type=int, required=True)
    parser.add_argument("--loop", choices=("auto", "uvloop", "asyncio"), default="auto")
    parser.add_argument("--cpus", default="", help="comma-separated CPUs to pin to (empty: any)")
    parser.add_argument("--parent", type=int, default=0, help="exit if this is not our parent")
    parser.add_argument("--backlog", type=int, default=DEFAULT_BACKLOG)
    args = parser.parse_args(argv)
    die_with_parent(args.parent or None)  # exits if the parent died before this armed it
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # SIGTERM's is the default already
    if args.cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(cpu) for cpu in args.cpus.split(",")})
    args.nofile = raise_nofile_limit()[1]
    loop = new_loop(args.loop)
    try:
        loop.run_until_complete(serve(args, loop))
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
