"""The parent's side of the ints server: start it for a scenario, read its counters, stop it.

Placement (kinds/servers.py): the server pinned to the last CPU this process may use, the
client to the others. Who closes first: the server, right after a per-job reply (see
JobProtocol), so TIME_WAIT sits on the server's side, whose one listening port cannot run out,
while the client's ephemeral ports are free again at once.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Annotated

import msgspec

import concurrency_bench
from concurrency_bench.kinds.servers import (
    Placement,
    Server,
    ServerAddress,
    ServerError,
    default_placement,
    process_fault,
)
from concurrency_bench.kinds.tcp.protocol import (
    REPLY_HEADER,
    STATS,
    ServerStats,
    decode_stats,
    stats_request,
    token_of,
)
from concurrency_bench.lifetime import stop_signal
from concurrency_bench.workload import Scenario

HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
"""Building a large scenario's payload bytes happens before the server listens."""


class Ready(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The line a server prints once it listens (tcp/server.py, http/server.py), decoded with
    its types; `server` names the HTTP server's software (the TCP server is our own)."""

    port: Annotated[int, msgspec.Meta(ge=1, le=65535)]
    pid: int
    loop: str
    cpus: list[int] | None
    nofile: int
    server: str | None = None


_ready_decoder = msgspec.json.Decoder(Ready)


@dataclass(frozen=True)
class TcpTarget:
    """Where a model's clients connect and the token their requests carry; picklable."""

    host: str
    port: int
    token: int


def query_stats(host: str, port: int, timeout_s: float = 5.0) -> ServerStats:
    """Ask a server for its counters over a fresh connection (between rounds, never inside)."""
    want = REPLY_HEADER.size + STATS.size
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            sock.sendall(stats_request())
            reply = b""
            while len(reply) < want:
                chunk = sock.recv(want - len(reply))
                if not chunk:
                    raise ServerError(f"server at {host}:{port} closed before its stats")
                reply += chunk
    except OSError as exc:
        raise ServerError(f"server at {host}:{port} did not answer stats: {exc}") from exc
    return decode_stats(reply)


def _package_root() -> str:
    return str(Path(concurrency_bench.__file__).resolve().parent.parent)


class ServerHandle(Server):
    """One server process for one scenario: `start`, `stats` between rounds, `stop`."""

    name = "the ints server"
    module = "concurrency_bench.kinds.tcp.server"
    """The server's module, run as `python -m` (the http kind's server takes the same options)."""

    def __init__(
        self,
        *,
        loop: str = "auto",
        placement: Placement | None = None,
        backlog: int | None = None,
    ) -> None:
        self.loop = loop
        self.placement = placement if placement is not None else default_placement()
        self.backlog = backlog
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, object] = {}
        self.port = 0
        self.token = 0
        self._stderr: IO[bytes] | None = None

    def start(self, scenario: Scenario) -> None:
        """Start the server for `scenario` and wait until it listens (`port` says where)."""
        if self.process is not None:
            raise ServerError("server already started")
        command = [
            sys.executable,
            "-m",
            self.module,
            f"--seed={scenario.seed}",
            f"--jobs={scenario.jobs}",
            f"--ints={scenario.ints_per_job}",
            f"--loop={self.loop}",
            f"--parent={os.getpid()}",
        ]
        if self.placement.server_cpus:
            command.append("--cpus=" + ",".join(map(str, self.placement.server_cpus)))
        if self.backlog:
            command.append(f"--backlog={self.backlog}")
        command += self.options(scenario)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            part for part in (_package_root(), env.get("PYTHONPATH", "")) if part
        )
        # stderr goes to a file: a pipe nobody reads could fill and stall the server.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            start_new_session=True,  # a Ctrl-C meant for the engine reaches it through stop()
            bufsize=0,  # unbuffered: select() then sees every line not yet read
        )
        ready = self._read_ready()
        self.info = msgspec.structs.asdict(ready)
        self.port = ready.port
        self.token = token_of(scenario)

    def _read_ready(self) -> Ready:
        """The server's ready line; other lines on its stdout (a sitecustomize's print) are
        skipped, and the last one is named if the server never says it is ready."""
        process = self.process
        assert process is not None and process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        other, wrong = b"", ""
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while True:
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    self.stop()
                    raise ServerError(f"server did not start within {START_TIMEOUT_S:g} s")
                line = process.stdout.readline()
                if not line:
                    break
                try:
                    return _ready_decoder.decode(line)
                except msgspec.DecodeError as exc:  # a wrong shape too: ValidationError is one
                    other, wrong = line, repr(str(exc))[1:-1]
        process.wait(timeout=5)
        reason = self.fault()
        self.stop()
        printed = f" (it printed {other.strip()[:100]!r}, not its ready line: {wrong})"
        raise ServerError(f"server failed to start: it {reason}{printed if other else ''}")

    def options(self, scenario: Scenario) -> list[str]:
        """More of the server's command line for `scenario` (the HTTP server's certificate)."""
        return []

    @property
    def target(self) -> TcpTarget:
        """What a model's clients need to reach this server."""
        return TcpTarget(HOST, self.port, self.token)

    def address(self, scenario: Scenario) -> ServerAddress:
        """The target for a worker, and what a TCP row records of the server: its loop, its
        CPUs and the client's, its open-file limit, in one short text (the connections a model
        opens are the kind's to record, kind.py)."""
        info, placed = self.info, self.placement.settings()
        server = (
            f"{info.get('loop', '?')} loop on cpus {placed['server_cpus']} "
            f"(client on {placed['client_cpus']}), open files {info.get('nofile', '?')}"
        )
        return ServerAddress(
            host=HOST,
            port=self.port,
            token=self.token,
            client_cpus=self.placement.client_cpus,
            settings={"tcp_server": server},
        )

    def fault(self) -> str | None:
        """What ended or stopped the server process (with its last stderr line when it ended);
        None while it runs."""
        process = self.process
        if process is None:
            return "is not running"
        fault = process_fault(process)
        if fault is None or process.returncode is None or self._stderr is None:
            return fault
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        return f"{fault}: {lines[-1]}" if lines else fault

    def stats(self) -> ServerStats:
        """The server's counters now; raises ServerError naming the cause when it is gone."""
        fault = self.fault()
        if fault is not None:
            raise ServerError(f"the server {fault}")
        return query_stats(HOST, self.port)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Close the server's stdin (its signal to stop), wait, then kill it if it lingers; a
        stopped server (SIGSTOP) is killed at once, as it would never read its stdin's end."""
        process = self.process
        if process is None:
            return
        if process.poll() is None and stop_signal(process.pid) is not None:
            process.kill()
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self.process = None

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
