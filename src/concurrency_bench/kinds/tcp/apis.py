"""The socket APIs besides the default ones, as a TCP row's client (`asyncio-gather + protocol`).

Each gives the shapes the default jobs already take (clients.py), so the job, the pool and the
error handling stay one piece of code and only the calls on the connection change:

- asyncio (every asyncio model, uvloop): `protocol`, an asyncio.Protocol over
  loop.create_connection, and `loop-sock`, the loop's sock_connect/sock_sendall/sock_recv_into
  on a non-blocking socket; each is its own (reader, writer) pair for clients.stream_job and
  StreamPool, beside asyncio streams (`streams`, the default);
- blocking (sync, threads, processes): `makefile`, socket.create_connection with
  makefile("rwb"), buffered writes and reads; a BlockingRuntime whose `connect` gives it, for
  clients.socket_job and SocketPool, beside the plain socket (`socket`, the default).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable
from dataclasses import replace
from typing import cast

from concurrency_bench.kinds.base import STDLIB, BlockingRuntime
from concurrency_bench.kinds.tcp.clients import Opener, connect_error, open_streams, socket_job
from concurrency_bench.kinds.tcp.handle import TcpTarget
from concurrency_bench.workload import JobRecord

STREAMS, PROTOCOL, LOOP_SOCK = "streams", "protocol", "loop-sock"
SOCKET, MAKEFILE = "socket", "makefile"

DESCRIPTIONS = {
    STREAMS: "asyncio.open_connection: StreamWriter.write, StreamReader.readexactly",
    PROTOCOL: "loop.create_connection with an asyncio.Protocol: transport.write, data_received",
    LOOP_SOCK: "loop.sock_connect, sock_sendall, sock_recv_into on a non-blocking socket",
    SOCKET: "socket.create_connection: sendall, recv_into",
    MAKEFILE: "socket.create_connection with makefile('rwb'): write, flush, readinto",
}
"""What each API's job calls (the README's TCP section says the same), by client name."""


class ReplyProtocol(asyncio.Protocol):
    """A connection read through data_received; `readexactly` waits for what it needs."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: Exception | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.closed: asyncio.Future[None] = loop.create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport (uvloop's implement asyncio.Transport without subclassing it)."""
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        """Buffer the bytes and wake the reader."""
        self.buffer += data
        self._wake()

    def eof_received(self) -> None:
        """The server closed (after its reply, per job): wake the reader; the transport closes."""
        self.eof = True
        self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        """Note a reset, wake the reader, and let `wait_closed` return."""
        self.eof = True
        self.error = exc
        self._wake()
        if not self.closed.done():
            self.closed.set_result(None)

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def write(self, data: bytes) -> None:
        """Send a request."""
        assert self.transport is not None
        self.transport.write(data)

    async def readexactly(self, n: int) -> bytes:
        """The next `n` bytes; IncompleteReadError (or the reset) when the server closes first."""
        while len(self.buffer) < n:
            if self.error is not None:
                raise self.error
            if self.eof:
                raise asyncio.IncompleteReadError(bytes(self.buffer), n)
            self.waiter = self.loop.create_future()
            await self.waiter
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def close(self) -> None:
        """Close the transport (its connection_lost follows)."""
        if self.transport is not None:
            self.transport.close()

    async def wait_closed(self) -> None:
        """Wait for connection_lost, as StreamWriter.wait_closed does."""
        await self.closed


async def open_protocol(target: TcpTarget) -> tuple[ReplyProtocol, ReplyProtocol]:
    """A ReplyProtocol connection: its own reader and writer."""
    loop = asyncio.get_running_loop()
    try:
        _, protocol = await loop.create_connection(
            lambda: ReplyProtocol(loop), target.host, target.port
        )
    except OSError as exc:
        raise connect_error(target, exc) from exc
    return protocol, protocol


class LoopSocket:
    """A non-blocking socket driven by the running loop's sock_* calls."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
        self.loop = loop
        self.sock = sock

    def write(self, data: bytes) -> Awaitable[None]:
        """loop.sock_sendall: the job awaits it."""
        return self.loop.sock_sendall(self.sock, data)

    async def readexactly(self, n: int) -> bytearray:
        """loop.sock_recv_into until `n` bytes; IncompleteReadError when the server closes first."""
        buffer = bytearray(n)
        view = memoryview(buffer)
        got = 0
        while got < n:
            count = await self.loop.sock_recv_into(self.sock, view[got:])
            if count == 0:
                raise asyncio.IncompleteReadError(bytes(view[:got]), n)
            got += count
        return buffer

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()

    async def wait_closed(self) -> None:
        """Nothing to wait for: a socket closes at once."""


async def open_loop_socket(target: TcpTarget) -> tuple[LoopSocket, LoopSocket]:
    """A connected LoopSocket (TCP_NODELAY, as asyncio's transports set it)."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        await loop.sock_connect(sock, (target.host, target.port))
    except OSError as exc:
        sock.close()
        raise connect_error(target, exc) from exc
    connection = LoopSocket(loop, sock)
    return connection, connection


ASYNC_OPENERS: dict[str, Opener] = {
    STREAMS: open_streams,
    PROTOCOL: open_protocol,
    LOOP_SOCK: open_loop_socket,
}
"""How each asyncio API opens a connection."""


class FileConnection:
    """A connected socket read and written through its makefile("rwb") buffered file."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.file = sock.makefile("rwb")

    def setsockopt(self, level: int, option: int, value: int, /) -> None:
        """On the socket."""
        self.sock.setsockopt(level, option, value)

    def sendall(self, data: bytes, /) -> None:
        """Write and flush the file."""
        self.file.write(data)
        self.file.flush()

    def recv_into(self, buffer: memoryview, /) -> int:
        """The file's readinto: up to len(buffer) bytes, fewer only at EOF."""
        return self.file.readinto(buffer)

    def close(self) -> None:
        """Close the file and the socket."""
        self.file.close()
        self.sock.close()


def connect_makefile(address: tuple[str, int]) -> FileConnection:
    """socket.create_connection, then makefile("rwb")."""
    return FileConnection(socket.create_connection(address))


def blocking_runtime(client: str | None, runtime: BlockingRuntime = STDLIB) -> BlockingRuntime:
    """`runtime` with the sockets of `client` (None or `socket`: the runtime's own)."""
    if client == MAKEFILE:
        return replace(runtime, connect=connect_makefile)
    return runtime


MAKEFILE_SOCKETS = blocking_runtime(MAKEFILE)
"""The standard library's runtime, connecting through makefile."""


def makefile_job(target: TcpTarget, index: int, delay_s: float, count: int) -> JobRecord:
    """clients.socket_job through makefile: the processes model's picklable job."""
    return socket_job(target, index, delay_s, count, MAKEFILE_SOCKETS)
