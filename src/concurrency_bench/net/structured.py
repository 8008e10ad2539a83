"""The trio and anyio TCP jobs and connection pool, mirroring clients.stream_job and StreamPool."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import trio

from concurrency_bench.net.clients import connect_error, read_error
from concurrency_bench.net.handle import TcpTarget
from concurrency_bench.net.protocol import check_cut_reply, encode_request, reply_size, sum_reply
from concurrency_bench.workload import JobRecord


async def trio_job(target: TcpTarget, index: int, delay_s: float, count: int) -> JobRecord:
    """One job over trio.open_tcp_stream (TCP_NODELAY is trio's default)."""
    start = time.perf_counter_ns()
    try:
        stream = await trio.open_tcp_stream(target.host, target.port)
    except OSError as exc:
        raise connect_error(target, exc) from exc
    want = reply_size(count)
    async with stream:
        try:
            await stream.send_all(encode_request(target.token, index, delay_s))
            reply = await _receive_exactly(stream.receive_some, target, index, want)
        except trio.BrokenResourceError as exc:
            raise read_error(target, index, 0, want, exc.__cause__ or exc) from exc
    return start, time.perf_counter_ns(), sum_reply(reply, count)


async def anyio_job(target: TcpTarget, index: int, delay_s: float, count: int) -> JobRecord:
    """One job over anyio.connect_tcp, on whichever backend runs it."""
    start = time.perf_counter_ns()
    try:
        stream = await anyio.connect_tcp(target.host, target.port)
    except OSError as exc:
        raise connect_error(target, exc) from exc
    want = reply_size(count)
    async with stream:
        try:
            await stream.send(encode_request(target.token, index, delay_s))
            reply = await _receive_exactly(stream.receive, target, index, want)
        except anyio.BrokenResourceError as exc:
            raise read_error(target, index, 0, want, exc.__cause__ or exc) from exc
    return start, time.perf_counter_ns(), sum_reply(reply, count)


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

    `kind` is "trio" (trio's own streams, for the trio model) or "anyio" (anyio.connect_tcp,
    for the anyio models on either backend). Opened inside the run, like clients.StreamPool.
    """

    def __init__(self, target: TcpTarget, size: int, kind: str) -> None:
        if kind not in ("trio", "anyio"):
            raise ValueError(f"kind must be trio or anyio, got {kind!r}")
        self.target = target
        self.size = size
        self.kind = kind
        self.streams: list[Any] = []
        self.free: list[Any] = []
        self.ready: Any = None

    async def _open(self) -> Any:
        try:
            if self.kind == "trio":
                return await trio.open_tcp_stream(self.target.host, self.target.port)
            return await anyio.connect_tcp(self.target.host, self.target.port)
        except OSError as exc:
            raise connect_error(self.target, exc) from exc

    async def __aenter__(self) -> StructuredPool:
        for _ in range(self.size):
            self.streams.append(await self._open())
        self.free = list(self.streams)
        # Made inside the run: an anyio semaphore binds to the running backend.
        semaphore = anyio.Semaphore if self.kind == "anyio" else trio.Semaphore
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
            if self.kind == "trio":
                await stream.send_all(request)
                reply = await _receive_exactly(stream.receive_some, self.target, index, want)
            else:
                await stream.send(request)
                reply = await _receive_exactly(stream.receive, self.target, index, want)
        except (trio.BrokenResourceError, anyio.BrokenResourceError) as exc:
            raise read_error(self.target, index, 0, want, exc.__cause__ or exc) from exc
        finally:
            self.free.append(stream)
            self.ready.release()
        return start, time.perf_counter_ns(), sum_reply(reply, count)

    async def __aexit__(self, *exc: object) -> None:
        for stream in self.streams:
            await stream.aclose()
