"""What a model's jobs wait on: their own timer (the default), or the ints server over TCP.

Every model asks one of the factories below for its job function, `job(index, delay, ints)`,
and schedules it as it always does; only the job changes. A TCP job reads its ints from the
server (which answers after the delay) and sums what it read, so the sums are checked
against the same expected sums as a timer round. With `connections` the jobs share that many
persistent connections, opened inside the run (a connection belongs to one event loop).
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from concurrency_bench.kinds.tcp.clients import (
    STDLIB_SOCKETS,
    BlockingSockets,
    SocketPool,
    StreamPool,
    socket_job,
    stream_job,
)
from concurrency_bench.kinds.tcp.handle import TcpTarget
from concurrency_bench.workload import JobRecord, async_job, sync_job

BlockingJob = Callable[[int, float, Sequence[int]], JobRecord]
AsyncJob = Callable[[int, float, Sequence[int]], Coroutine[Any, Any, JobRecord]]
"""A coroutine function, so that every task API (create_task too) takes what it returns."""


@dataclass(frozen=True)
class TcpIo:
    """Where the jobs get their ints: the server's target, and the shared connections (None:
    one connection per job, the simple client pattern)."""

    target: TcpTarget
    connections: int | None = None

    def pool_size(self, at_once: int) -> int:
        """Connections to open for a model running `at_once` jobs at a time (never more)."""
        assert self.connections is not None
        return max(1, min(self.connections, at_once))


@contextmanager
def blocking_jobs(
    io: TcpIo | None,
    at_once: int,
    sleep: Callable[[float], None] = time.sleep,
    sockets: BlockingSockets = STDLIB_SOCKETS,
) -> Iterator[BlockingJob]:
    """The job of a model written in blocking style: `sleep`, or a socket from `sockets`.

    sync and threads block their thread (time.sleep, the standard library's sockets); gevent
    passes gevent.sleep and its cooperative sockets, whose waits switch greenlets instead.
    """
    if io is None:
        yield lambda index, delay, ints: sync_job(delay, ints, sleep)
    elif io.connections is None:
        target = io.target
        yield lambda index, delay, ints: socket_job(target, index, delay, len(ints), sockets)
    else:
        with SocketPool(io.target, io.pool_size(at_once), sockets) as pool:
            yield lambda index, delay, ints: pool.job(index, delay, len(ints))


@asynccontextmanager
async def asyncio_jobs(io: TcpIo | None, at_once: int) -> AsyncIterator[AsyncJob]:
    """The job of an asyncio model (any loop): asyncio.sleep, or asyncio streams."""
    if io is None:
        yield lambda index, delay, ints: async_job(delay, ints, asyncio.sleep)
    elif io.connections is None:
        target = io.target
        yield lambda index, delay, ints: stream_job(target, index, delay, len(ints))
    else:
        async with StreamPool(io.target, io.pool_size(at_once)) as pool:
            yield lambda index, delay, ints: pool.job(index, delay, len(ints))


def preload_structured(io: TcpIo | None) -> None:
    """Import the trio and anyio TCP clients in a model's `setup` when its jobs will use them:
    `structured_jobs` imports them (trio and anyio both) lazily, which would be on the clock."""
    if io is not None:
        importlib.import_module("concurrency_bench.kinds.tcp.structured")


@asynccontextmanager
async def structured_jobs(
    io: TcpIo | None,
    at_once: int,
    kind: Literal["trio", "anyio"],
    sleep: Callable[[float], Awaitable[None]],
) -> AsyncIterator[AsyncJob]:
    """The job of a trio or anyio model: its sleep, or its own TCP streams."""
    if io is None:
        yield lambda index, delay, ints: async_job(delay, ints, sleep)
        return
    from concurrency_bench.kinds.tcp.structured import (  # noqa: PLC0415 (imports trio and anyio)
        StructuredPool,
        anyio_job,
        trio_job,
    )

    if io.connections is None:
        target, connect = io.target, trio_job if kind == "trio" else anyio_job
        yield lambda index, delay, ints: connect(target, index, delay, len(ints))
    else:
        async with StructuredPool(io.target, io.pool_size(at_once), kind) as pool:
            yield lambda index, delay, ints: pool.job(index, delay, len(ints))
