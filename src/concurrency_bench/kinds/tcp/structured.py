"""The trio and anyio TCP jobs and connection pool, mirroring clients.stream_job and StreamPool."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import anyio
import trio

from concurrency_bench.kinds.tcp.clients import connect_error, read_error
from concurrency_bench.kinds.tcp.handle import TcpTarget
from concurrency_bench.kinds.tcp.protocol import (
    check_cut_reply,
    encode_request,
    reply_size,
    sum_reply,
)
from concurrency_bench.workload import JobRecord

Job = Callable[[TcpTarget, int, float, int], Coroutine[Any, Any, JobRecord]]
"""A one-connection job: (target, index, delay_s, ints per job) -> its record."""


async def _connect(library: str, target: TcpTarget) -> Any:
    """A new stream to the server: trio's own (TCP_NODELAY is its default) or anyio's."""
    try:
        if library == "trio":
            return await trio.open_tcp_stream(target.host, target.port)
        return await anyio.connect_tcp(target.host, target.port)
    except OSError as exc:
        raise connect_error(target, exc) from exc


async def _exchange(
    library: str, stream: Any, target: TcpTarget, index: int, request: bytes, want: int
) -> bytes:
    """Send `request` on `stream` and read its `want`-byte reply."""
    try:
        if library == "trio":
            await stream.send_all(request)
            return await _receive_exactly(stream.receive_some, target, index, want)
        await stream.send(request)
        return await _receive_exactly(stream.receive, target, index, want)
    except (trio.BrokenResourceError, anyio.BrokenResourceError) as exc:
        raise read_error(target, index, 0, want, exc.__cause__ or exc) from exc


def _one_connection_job(library: str) -> Job:
    """The job that opens its own connection, asks once and closes, for `library`'s streams."""

    async def job(target: TcpTarget, index: int, delay_s: float, count: int) -> JobRecord:
        start = time.perf_counter_ns()
        stream = await _connect(library, target)
        want = reply_size(count)
        request = encode_request(target.token, index, delay_s)
        async with stream:
            reply = await _exchange(library, stream, target, index, request, want)
        return start, time.perf_counter_ns(), sum_reply(reply, count)

    return job


trio_job = _one_connection_job("trio")
"""One job over trio.open_tcp_stream."""
anyio_job = _one_connection_job("anyio")
"""One job over anyio.connect_tcp, on whichever backend runs it."""


async def _receive_exactly(
    receive: Callable[[int], Awaitable[bytes]], target: TcpTarget, index: int, want: int
) -> bytes:
    """Read `want` bytes; EOF first (trio: b"", anyio: EndOfStream) means the server quit."""
    chunks: list[bytes] = []
    got = 0
    while got < want:
        try:
            chunk = await receive(want - got)
        except anyio.EndOfStream:
            chunk = b""
        if not chunk:
            check_cut_reply(b"".join(chunks))
            raise read_error(target, index, got, want)
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


class StructuredPool:
    """N persistent connections shared by trio or anyio tasks; a job waits for a free one.

    `library` is "trio" (trio's own streams, for the trio model) or "anyio" (anyio.connect_tcp,
    for the anyio models on either backend). Opened inside the run, like clients.StreamPool.
    """

    def __init__(self, target: TcpTarget, size: int, library: str) -> None:
        if library not in ("trio", "anyio"):
            raise ValueError(f"library must be trio or anyio, got {library!r}")
        self.target = target
        self.size = size
        self.library = library
        self.streams: list[Any] = []
        self.free: list[Any] = []
        self.ready: Any = None

    async def __aenter__(self) -> StructuredPool:
        for _ in range(self.size):
            self.streams.append(await _connect(self.library, self.target))
        self.free = list(self.streams)
        # Made inside the run: an anyio semaphore binds to the running backend.
        semaphore = anyio.Semaphore if self.library == "anyio" else trio.Semaphore
        self.ready = semaphore(self.size)
        return self

    async def job(self, index: int, delay_s: float, count: int) -> JobRecord:
        """One job on the next free connection (the wait for it is part of the job)."""
        start = time.perf_counter_ns()
        await self.ready.acquire()
        stream = self.free.pop()
        want = reply_size(count)
        request = encode_request(self.target.token, index, delay_s, keep_alive=True)
        try:
            reply = await _exchange(self.library, stream, self.target, index, request, want)
        finally:
            self.free.append(stream)
            self.ready.release()
        return start, time.perf_counter_ns(), sum_reply(reply, count)

    async def __aexit__(self, *exc: object) -> None:
        for stream in self.streams:
            await stream.aclose()
