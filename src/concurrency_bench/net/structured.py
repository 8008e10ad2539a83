"""The trio and anyio TCP jobs (structured-concurrency models), mirroring clients.stream_job."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

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
