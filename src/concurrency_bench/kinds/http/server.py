"""The HTTP server process: uvicorn (httptools on uvloop) serving a bare ASGI app.

Run by HttpServer (handle.py) as `python -m concurrency_bench.kinds.http.server`; like the tcp
ints server it prints one JSON line {"port", "pid", "loop", "cpus", "nofile", "server"} once it
listens, and stops when its stdin closes, on SIGTERM, or when its parent dies. Given
`--certfile` and `--keyfile` it serves HTTPS.

`GET /job/<token>/<index>/<delay_ns>` waits the delay and answers job `index`'s seeded ints
(workload/payloads.seeded_bytes, little-endian uint16, as the tcp server slices them);
`GET /stats` answers {"cpu_s", "requests", "connections"} (connections: the client addresses
seen), read between rounds. A bare ASGI app and no
framework, so that the clients and not the server set the figures.

FAULT_ENV (tests only) makes the server misbehave at job FAULT_JOB: `status` (a 503), `short`
(a Content-Length larger than the body, then a close), `stall` (never answers), `die` (the
process exits).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from concurrency_bench.kinds.limits import raise_nofile_limit
from concurrency_bench.kinds.tcp.protocol import scenario_token
from concurrency_bench.lifetime import die_with_parent
from concurrency_bench.workload.payloads import seeded_bytes

FAULT_ENV = "CONCURRENCY_BENCH_HTTP_FAULT"
"""Tests only: `status`, `short`, `stall` or `die` at job FAULT_JOB."""
FAULT_JOB = 3
DEFAULT_BACKLOG = 4096

Scope = MutableMapping[str, Any]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


class JobApp:
    """The ASGI app: each job's reply after its delay, and the counters."""

    def __init__(self, seed: int, jobs: int, ints_per_job: int, fault: str = "") -> None:
        self.stream = seeded_bytes(seed, jobs * ints_per_job)
        self.token = str(scenario_token(seed, jobs, ints_per_job))
        self.jobs = jobs
        self.job_bytes = 2 * ints_per_job
        self.requests = 0
        self.peers: set[object] = set()
        """The clients' addresses seen: how many connections they opened (for the tests)."""
        self.fault = fault

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request (lifespan is off: only http scopes arrive)."""
        parts = scope["path"].split("/")
        if parts[1:] == ["stats"]:
            counters = {"requests": self.requests, "connections": len(self.peers)}
            body = json.dumps({"cpu_s": time.process_time(), **counters})
            await _answer(send, 200, body.encode())
            return
        if len(parts) != 5 or parts[1] != "job" or parts[2] != self.token:
            await _answer(send, 404, b"unknown scenario or path")
            return
        index, delay_ns = int(parts[3]), int(parts[4])
        if not 0 <= index < self.jobs:
            await _answer(send, 404, b"job index out of range")
            return
        if delay_ns:
            await asyncio.sleep(delay_ns / 1e9)
        if self.fault and index == FAULT_JOB:
            await self._misbehave(send)
            return
        size = self.job_bytes
        await _answer(send, 200, self.stream[index * size : (index + 1) * size])
        self.requests += 1
        self.peers.add(scope["client"])

    async def _misbehave(self, send: Send) -> None:
        if self.fault == "die":
            os._exit(3)
        if self.fault == "stall":
            await asyncio.sleep(3600)
        if self.fault == "short":
            headers = [(b"content-length", str(self.job_bytes).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"\0", "more_body": True})
            raise RuntimeError("short body on purpose")  # uvicorn closes the connection
        await _answer(send, 503, b"unavailable on purpose")


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [
        (b"content-type", b"application/octet-stream"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _watch_stdin(stop: Callable[[], None]) -> None:
    """Stop when stdin reaches EOF: the parent closed it or died."""
    with contextlib.suppress(OSError, ValueError):
        while sys.stdin.buffer.read(4096):
            pass
    stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the scenario, place the process, listen, announce the port, serve."""
    import uvicorn  # noqa: PLC0415 (the http extra)
    import uvloop  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="concurrency_bench.kinds.http.server")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--ints", type=int, required=True)
    parser.add_argument("--loop", default="auto")
    parser.add_argument("--cpus", default="")
    parser.add_argument("--parent", type=int, default=0)
    parser.add_argument("--backlog", type=int, default=DEFAULT_BACKLOG)
    parser.add_argument("--certfile", default=None, help="with --keyfile: serve HTTPS")
    parser.add_argument("--keyfile", default=None)
    args = parser.parse_args(argv)
    die_with_parent(args.parent or None)
    if args.cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(cpu) for cpu in args.cpus.split(",")})
    nofile = raise_nofile_limit()[1]
    app = JobApp(args.seed, args.jobs, args.ints, os.environ.get(FAULT_ENV, ""))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(args.backlog)
    config = uvicorn.Config(
        app,
        loop="none",
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
        backlog=args.backlog,
        timeout_keep_alive=60,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
    )
    server = uvicorn.Server(config)
    ready = {
        "port": sock.getsockname()[1],
        "pid": os.getpid(),
        "loop": "uvloop",
        "cpus": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "nofile": nofile,
        "server": f"uvicorn {uvicorn.__version__} (httptools)",
    }

    def stop() -> None:
        server.should_exit = True

    threading.Thread(target=_watch_stdin, args=(stop,), daemon=True).start()
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    uvloop.run(server.serve(sockets=[sock]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
