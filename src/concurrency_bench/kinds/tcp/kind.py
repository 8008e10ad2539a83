"""The tcp kind as the engine and the models see it: the ints server, and each family's jobs.

A TCP job reads its ints from the server (which answers after the delay) and sums what it
read, so the sums are checked against the same expected sums as a timer round. With
`connections` the jobs share that many persistent connections, opened inside the run (a
connection belongs to one event loop); without, each job opens its own. The row's client is
the socket API its jobs use (apis.py): asyncio streams, a Protocol or the loop's sock_* calls
for the asyncio models, a plain socket or makefile for the blocking ones; without one, the
first of each (trio, anyio and gevent have their own networking and no client axis).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from itertools import count, repeat
from typing import Any

from concurrency_bench.kinds.base import (
    STDLIB,
    AsyncJob,
    BlockingJob,
    BlockingRuntime,
    Family,
    HostLimit,
    IoJobs,
    Kind,
    ProcessJobs,
    Settings,
    Structured,
    loop_share,
)
from concurrency_bench.kinds.limits import connections_fit, raise_nofile_limit
from concurrency_bench.kinds.servers import Placement, ServerAddress, ServerCounters
from concurrency_bench.kinds.tcp.apis import (
    ASYNC_OPENERS,
    DESCRIPTIONS,
    MAKEFILE,
    STREAMS,
    blocking_runtime,
    makefile_job,
)
from concurrency_bench.kinds.tcp.clients import (
    SocketPool,
    StreamPool,
    open_process_connections,
    pooled_process_job,
    socket_job,
    stream_job,
)
from concurrency_bench.kinds.tcp.handle import ServerHandle, TcpTarget, query_stats
from concurrency_bench.workload import Scenario

STRUCTURED_CLIENTS = "concurrency_bench.kinds.tcp.structured"
"""The trio and anyio clients: imported by `preload`, as importing them imports both."""


@dataclass(frozen=True)
class TcpJobs(IoJobs):
    """Where the jobs get their ints: the server's target, the shared connections (None:
    one connection per job, the simple client pattern) and the socket API (None: the default
    of each family)."""

    target: TcpTarget
    connections: int | None = None
    client: str | None = None

    def at_most(self, at_once: int) -> int:
        """Connections to open for a model running `at_once` jobs at a time (never more)."""
        if self.connections is None:
            return at_once
        return max(1, min(self.connections, at_once))

    def per_loop(self, loop: int, loops: int) -> IoJobs:
        """Event loop `loop`'s jobs: its part of the shared connections."""
        return replace(self, connections=loop_share(self.connections, loop, loops))

    def counters(self) -> ServerCounters:
        """The ints server's CPU time and requests answered, over a connection of its own."""
        stats = query_stats(self.target.host, self.target.port)
        return ServerCounters(stats.cpu_s, stats.requests)

    def preload(self, family: Family) -> None:
        """Import the trio and anyio clients when a structured model will use them."""
        if family == "structured":
            importlib.import_module(STRUCTURED_CLIENTS)

    @contextmanager
    def blocking_jobs(
        self, at_once: int, runtime: BlockingRuntime = STDLIB
    ) -> Iterator[BlockingJob]:
        """A socket from the runtime (the standard library's, or gevent's cooperative one),
        plain or through makefile as the client says."""
        runtime = blocking_runtime(self.client, runtime)
        if self.connections is None:
            target = self.target
            yield lambda index, delay, ints: socket_job(target, index, delay, len(ints), runtime)
        else:
            with SocketPool(self.target, self.at_most(at_once), runtime) as pool:
                yield lambda index, delay, ints: pool.job(index, delay, len(ints))

    @asynccontextmanager
    async def asyncio_jobs(self, at_once: int) -> AsyncIterator[AsyncJob]:
        """asyncio streams, a Protocol or the loop's sock_* calls, on whichever loop runs them."""
        opener = ASYNC_OPENERS[self.client or STREAMS]
        if self.connections is None:
            target = self.target
            yield lambda index, delay, ints: stream_job(target, index, delay, len(ints), opener)
        else:
            async with StreamPool(self.target, self.at_most(at_once), opener) as pool:
                yield lambda index, delay, ints: pool.job(index, delay, len(ints))

    @asynccontextmanager
    async def structured_jobs(
        self, at_once: int, library: Structured, sleep: Callable[[float], Awaitable[None]]
    ) -> AsyncIterator[AsyncJob]:
        """trio's own streams, or anyio's (imported by `preload`, untimed)."""
        from concurrency_bench.kinds.tcp.structured import (  # noqa: PLC0415 (trio and anyio)
            StructuredPool,
            anyio_job,
            trio_job,
        )

        if self.connections is None:
            target, connect = self.target, trio_job if library == "trio" else anyio_job
            yield lambda index, delay, ints: connect(target, index, delay, len(ints))
        else:
            async with StructuredPool(self.target, self.at_most(at_once), library) as pool:
                yield lambda index, delay, ints: pool.job(index, delay, len(ints))

    def process_jobs(self, at_once: int) -> ProcessJobs:
        """Each job's index, delay and count are pickled (not its ints: it reads them); in the
        pooled mode each pool process opens its one connection in its initializer."""
        runtime = blocking_runtime(self.client)
        if self.connections is None:
            target = self.target

            def per_job(
                delays_s: Sequence[float], payloads: Sequence[Sequence[int]]
            ) -> Iterable[tuple[Any, ...]]:
                return zip(repeat(target), count(), delays_s, map(len, payloads))

            job = makefile_job if self.client == MAKEFILE else socket_job
            return ProcessJobs(job=job, arguments=per_job)
        return ProcessJobs(
            job=pooled_process_job,
            arguments=_pooled_arguments,
            initializer=open_process_connections,
            initargs=(self.target, 1, runtime),
            settings={"connections_opened": "in each pool process's initializer, untimed"},
        )


def _pooled_arguments(
    delays_s: Sequence[float], payloads: Sequence[Sequence[int]]
) -> Iterable[tuple[Any, ...]]:
    """(index, delay, count) per job, for pooled_process_job."""
    return zip(count(), delays_s, map(len, payloads))


@dataclass(frozen=True)
class TcpKind(Kind):
    """The ints server per scenario; the jobs connect to it with `client`'s socket API."""

    client: str | None = None

    def with_client(self, client: str) -> TcpKind:
        """The kind with its jobs on the socket API `client`."""
        if client not in DESCRIPTIONS:
            raise ValueError(f"unknown TCP socket API {client!r}")
        return replace(self, client=client)

    def server(self, placement: Placement) -> ServerHandle:
        """The ints server, on the placement's server CPUs."""
        return ServerHandle(placement=placement)

    def open(
        self, server: ServerAddress | None, scenario: Scenario, at_once: int
    ) -> tuple[TcpJobs, Settings]:
        """Raise this worker's open-file limit and check that the model's sockets fit (HostLimit
        names the limit); the jobs reach the server at `server`. The row records the
        connections the model opens: with `connections`, no more than the `at_once` jobs it
        runs at a time (sync opens one, a pool of 4 threads four), whatever the scenario
        allows."""
        if server is None:
            raise ValueError("tcp jobs need the ints server's address")
        before, after = raise_nofile_limit()
        problem = connections_fit(at_once, connections=scenario.connections)
        if problem is not None:
            raise HostLimit(problem)
        target = TcpTarget(server.host, server.port, server.token)
        jobs = TcpJobs(target, scenario.connections, self.client)
        settings: Settings = {
            "connections": "one per job" if jobs.connections is None else jobs.at_most(at_once)
        }
        if after != before:
            settings["open_files"] = f"soft limit raised from {before} to {after} for the sockets"
        return jobs, settings


KIND = TcpKind()
