"""Each model family's TCP job, mirroring workload/jobs.py: connect, request, read, sum, close.

Every job function notes the clock, fetches job `index`'s ints from the server (which waits
the job's delay before answering), sums them and notes the clock; it returns the same
JobRecord (start_ns, finish_ns, value) as the timer jobs. The client never closes first in
per-job mode: it reads its reply, which the server sends and then closes, and closes after.
A connection or read failure raises NetError naming the cause, never a retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import encodings.idna  # noqa: F401 (a connect's first getaddrinfo imports it: not on the clock)
import errno
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from concurrency_bench.kinds.base import STDLIB, BlockingRuntime, Connection
from concurrency_bench.kinds.tcp.handle import TcpTarget
from concurrency_bench.kinds.tcp.protocol import (
    check_cut_reply,
    encode_request,
    reply_size,
    sum_reply,
)
from concurrency_bench.workload import JobRecord

_HINTS = {
    errno.EADDRNOTAVAIL: "ephemeral ports exhausted?",
    errno.ECONNREFUSED: "server not running?",
    errno.EMFILE: "open-file limit reached: raise `ulimit -n` or use --connections",
    errno.ENFILE: "system open-file table full",
    errno.ECONNRESET: "server died or reset the connection?",
}


class NetError(ConnectionError):
    """A job could not reach the server or read its reply; the message says where and why."""


def _errno_error(exc: BaseException) -> BaseException:
    """The OSError carrying an errno: `exc` itself, or the first one trio wrapped in its cause."""
    if getattr(exc, "errno", None) is not None:
        return exc
    cause = exc.__cause__
    if isinstance(cause, BaseExceptionGroup):
        cause = next((e for e in cause.exceptions if getattr(e, "errno", None)), None)
    return cause if cause is not None and getattr(cause, "errno", None) else exc


def connect_error(target: TcpTarget, exc: BaseException) -> NetError:
    """A NetError for a failed connect, with a hint for the usual causes."""
    error = _errno_error(exc)
    hint = _HINTS.get(getattr(error, "errno", None) or 0)
    suffix = f" ({hint})" if hint else ""
    return NetError(f"connect to {target.host}:{target.port} failed: {error}{suffix}")


def read_error(target: TcpTarget, index: int, got: int, want: int, exc: object = None) -> NetError:
    """A NetError for a reply cut short: the server died or closed early."""
    why = f": {exc}" if exc else ""
    return NetError(
        f"job {index}: {target.host}:{target.port} closed after {got} of {want} reply "
        f"bytes (server died?){why}"
    )


# -- blocking sockets: sync, threads, processes, gevent ------------------------------


def _recv_exactly(sock: Connection, target: TcpTarget, index: int, want: int) -> bytearray:
    buffer = bytearray(want)
    view = memoryview(buffer)
    got = 0
    while got < want:
        try:
            count = sock.recv_into(view[got:])
        except OSError as exc:
            raise read_error(target, index, got, want, exc) from exc
        if count == 0:
            check_cut_reply(view[:got])
            raise read_error(target, index, got, want)
        got += count
    return buffer


def _open_socket(target: TcpTarget, sockets: BlockingRuntime) -> Connection:
    try:
        sock = sockets.connect((target.host, target.port))
    except OSError as exc:
        raise connect_error(target, exc) from exc
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _ask(sock: Connection, target: TcpTarget, index: int, request: bytes, count: int) -> int:
    try:
        sock.sendall(request)
    except OSError as exc:
        raise read_error(target, index, 0, reply_size(count), exc) from exc
    return sum_reply(_recv_exactly(sock, target, index, reply_size(count)), count)


def socket_job(
    target: TcpTarget,
    index: int,
    delay_s: float,
    count: int,
    sockets: BlockingRuntime = STDLIB,
) -> JobRecord:
    """One job over its own connection (sync, threads, processes: a picklable function; gevent
    passes its sockets)."""
    start = time.perf_counter_ns()
    sock = _open_socket(target, sockets)
    try:
        value = _ask(sock, target, index, encode_request(target.token, index, delay_s), count)
    finally:
        sock.close()
    return start, time.perf_counter_ns(), value


class SocketPool:
    """N persistent connections shared by threads (or greenlets); a job waits for a free one."""

    def __init__(self, target: TcpTarget, size: int, sockets: BlockingRuntime = STDLIB) -> None:
        self.target = target
        self.free = sockets.free_queue()
        self.sockets = [_open_socket(target, sockets) for _ in range(size)]
        for sock in self.sockets:
            self.free.put(sock)

    def job(self, index: int, delay_s: float, count: int) -> JobRecord:
        """One job on the next free connection (the wait for it is part of the job)."""
        start = time.perf_counter_ns()
        sock = self.free.get()
        try:
            request = encode_request(self.target.token, index, delay_s, keep_alive=True)
            value = _ask(sock, self.target, index, request, count)
        finally:
            self.free.put(sock)
        return start, time.perf_counter_ns(), value

    def close(self) -> None:
        """Close every connection (the client closes first here: one TIME_WAIT per connection)."""
        for sock in self.sockets:
            sock.close()

    def __enter__(self) -> SocketPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_PROCESS_CONNECTIONS: dict[str, SocketPool] = {}
"""This pool process's own connections, opened by `open_process_connections`."""


def open_process_connections(
    target: TcpTarget, size: int = 1, sockets: BlockingRuntime = STDLIB
) -> None:
    """ProcessPoolExecutor initializer for the pooled mode: this process's persistent connections.

    A pool process runs one job at a time, so one connection each is enough: N shared
    connections among processes means a pool of min(N, processes) processes.
    """
    _PROCESS_CONNECTIONS["pool"] = SocketPool(target, size, sockets)


def pooled_process_job(index: int, delay_s: float, count: int) -> JobRecord:
    """One job on this pool process's persistent connection (see open_process_connections)."""
    pool = _PROCESS_CONNECTIONS.get("pool")
    if pool is None:
        raise RuntimeError("pooled_process_job needs open_process_connections as initializer")
    return pool.job(index, delay_s, count)


# -- asyncio: asyncio-await/gather/create-task/taskgroup/eager, uvloop ------------------


class Reader(Protocol):
    """What a job reads a reply with: a StreamReader, or one of apis.py's connections."""

    async def readexactly(self, n: int, /) -> bytes | bytearray: ...


class Writer(Protocol):
    """What a job sends and closes with: a StreamWriter, or one of apis.py's connections
    (whose `write` may return what the job awaits: loop.sock_sendall)."""

    def write(self, data: bytes, /) -> Awaitable[None] | None: ...

    def close(self) -> None: ...

    async def wait_closed(self) -> None: ...


Opener = Callable[[TcpTarget], Awaitable[tuple[Reader, Writer]]]
"""How a socket API opens a connection (NetError when it cannot): streams by default."""


async def _stream_ask(
    reader: Reader,
    writer: Writer,
    target: TcpTarget,
    index: int,
    request: bytes,
    count: int,
) -> int:
    want = reply_size(count)
    sent = writer.write(request)
    try:
        if sent is not None:
            await sent
        reply = await reader.readexactly(want)
    except asyncio.IncompleteReadError as exc:
        check_cut_reply(exc.partial)
        raise read_error(target, index, len(exc.partial), want) from exc
    except OSError as exc:
        raise read_error(target, index, 0, want, exc) from exc
    return sum_reply(reply, count)


async def open_streams(target: TcpTarget) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """asyncio streams to the server (the default asyncio API)."""
    try:
        return await asyncio.open_connection(target.host, target.port)
    except OSError as exc:
        raise connect_error(target, exc) from exc


async def stream_job(
    target: TcpTarget, index: int, delay_s: float, count: int, opener: Opener = open_streams
) -> JobRecord:
    """One job over its own connection (asyncio streams unless `opener` says another API),
    closed the documented way."""
    start = time.perf_counter_ns()
    reader, writer = await opener(target)
    try:
        request = encode_request(target.token, index, delay_s)
        value = await _stream_ask(reader, writer, target, index, request, count)
    finally:
        writer.close()
    await writer.wait_closed()
    return start, time.perf_counter_ns(), value


class StreamPool:
    """N persistent connections shared by tasks (asyncio streams unless `opener` says another
    API); opened inside the run.

    A connection belongs to one event loop and every round runs a new loop, so opening the
    N connections is part of each round, as in a real program that starts up.
    """

    def __init__(self, target: TcpTarget, size: int, opener: Opener = open_streams) -> None:
        self.target = target
        self.size = size
        self.opener = opener
        self.free: asyncio.Queue[tuple[Reader, Writer]] = asyncio.Queue()
        self.writers: list[Writer] = []

    async def __aenter__(self) -> StreamPool:
        pairs = await asyncio.gather(*(self.opener(self.target) for _ in range(self.size)))
        for pair in pairs:
            self.writers.append(pair[1])
            self.free.put_nowait(pair)
        return self

    async def job(self, index: int, delay_s: float, count: int) -> JobRecord:
        """One job on the next free connection (the wait for it is part of the job)."""
        start = time.perf_counter_ns()
        reader, writer = await self.free.get()
        try:
            request = encode_request(self.target.token, index, delay_s, keep_alive=True)
            value = await _stream_ask(reader, writer, self.target, index, request, count)
        finally:
            self.free.put_nowait((reader, writer))
        return start, time.perf_counter_ns(), value

    async def __aexit__(self, *exc: object) -> None:
        for writer in self.writers:
            writer.close()
        for writer in self.writers:
            with contextlib.suppress(OSError):  # a reset connection is closed all the same
                await writer.wait_closed()
