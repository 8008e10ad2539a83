"""The http kind as the engine and the models see it: the uvicorn server, and each family's jobs.

An HTTP job GETs its ints from the server (which answers after the delay) through its row's
client library and sums the body, so the sums are checked against the same expected sums as a
timer round. The client is the row's second axis (`with_client`); without one, each family
uses its usual pick (blocking: requests, asyncio: aiohttp, trio and anyio: httpx, gevent:
geventhttpclient).
"""

from __future__ import annotations

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
from concurrency_bench.kinds.http.clients import (
    DEFAULTS,
    Prepared,
    async_job,
    blocking_job,
    default_pool,
    open_async,
    open_blocking,
    open_process_client,
    process_job,
)
from concurrency_bench.kinds.http.handle import HttpServer, HttpTarget, query_counters
from concurrency_bench.kinds.limits import connections_fit, raise_nofile_limit
from concurrency_bench.kinds.registry import pool_bound_note
from concurrency_bench.kinds.servers import Placement, ServerAddress, ServerCounters
from concurrency_bench.workload import Scenario

FAMILY_DEFAULT = {"blocking": "requests", "gevent": "geventhttpclient", "asyncio": "aiohttp"}
"""The client a family uses when its row names none (structured models: httpx)."""


def pool_note(client: str, at_once: int, scenario: Scenario) -> str:
    """Why a row's wall is at least ceil(at_once / pool) x the delay, when the library's default
    pool bounds it (empty when it does not; a bound set by --connections is the engine's note)."""
    limit = default_pool(client)
    if not limit or not scenario.delays_s:
        return ""
    why = f"{client}'s default {DEFAULTS[client]}"
    remedy = "--connections N sets every library's limit"
    return pool_bound_note(why, limit, at_once, max(scenario.delays_s), remedy)


@dataclass(frozen=True)
class HttpJobs(IoJobs):
    """Where the jobs send their GETs, with which client, under which connection bound."""

    target: HttpTarget
    host: str
    port: int
    client: str | None
    connections: int | None

    def _prepared(self, family: str) -> Prepared:
        client = self.client or FAMILY_DEFAULT.get(family, "httpx")
        return Prepared(client, self.connections, self.target.ca_file)

    def at_most(self, at_once: int) -> int:
        """Pool processes to start: never more than the connections."""
        return min(at_once, self.connections) if self.connections else at_once

    def per_loop(self, loop: int, loops: int) -> IoJobs:
        """Event loop `loop`'s jobs: its part of the shared connections."""
        return replace(self, connections=loop_share(self.connections, loop, loops))

    def counters(self) -> ServerCounters:
        """The server's CPU time and jobs answered (GET /stats)."""
        return query_counters(self.host, self.port, ca_file=self.target.ca_file)

    def preload(self, family: Family) -> None:
        """Import the client library the family's jobs will use."""
        self._prepared("blocking" if family == "processes" else family).preload()

    @contextmanager
    def blocking_jobs(
        self, at_once: int, runtime: BlockingRuntime = STDLIB
    ) -> Iterator[BlockingJob]:
        """requests, urllib3 or httpx.Client; geventhttpclient under gevent."""
        gevent = runtime.name == "gevent"
        prepared = self._prepared("gevent" if gevent else "blocking")
        target = self.target
        with open_blocking(prepared, target, gevent, at_once) as get:
            yield lambda index, delay, ints: blocking_job(get, target, index, delay, len(ints))

    @asynccontextmanager
    async def asyncio_jobs(self, at_once: int) -> AsyncIterator[AsyncJob]:
        """aiohttp or httpx.AsyncClient, on whichever loop runs them."""
        target = self.target
        async with open_async(self._prepared("asyncio")) as get:
            yield lambda index, delay, ints: async_job(get, target, index, delay, len(ints))

    @asynccontextmanager
    async def structured_jobs(
        self, at_once: int, library: Structured, sleep: Callable[[float], Awaitable[None]]
    ) -> AsyncIterator[AsyncJob]:
        """httpx.AsyncClient on trio or anyio; aiohttp where anyio runs on asyncio."""
        target = self.target
        async with open_async(self._prepared("structured")) as get:
            yield lambda index, delay, ints: async_job(get, target, index, delay, len(ints))

    def process_jobs(self, at_once: int) -> ProcessJobs:
        """Each pool process makes its one client in its initializer, untimed."""
        target = self.target

        def per_job(
            delays_s: Sequence[float], payloads: Sequence[Sequence[int]]
        ) -> Iterable[tuple[Any, ...]]:
            return zip(repeat(target), count(), delays_s, map(len, payloads))

        return ProcessJobs(
            job=process_job,
            arguments=per_job,
            initializer=open_process_client,
            initargs=(self._prepared("blocking"), target),
            settings={"client_made": "in each pool process's initializer, untimed"},
        )


@dataclass(frozen=True)
class HttpKind(Kind):
    """The uvicorn server per scenario; the jobs GET from it with `client`."""

    client: str | None = None

    def with_client(self, client: str) -> HttpKind:
        """The kind with its jobs on `client`."""
        if client not in DEFAULTS:
            raise ValueError(f"unknown HTTP client {client!r}")
        return replace(self, client=client)

    def server(self, placement: Placement) -> HttpServer:
        """uvicorn, on the placement's server CPUs."""
        return HttpServer(placement=placement)

    def open(
        self, server: ServerAddress | None, scenario: Scenario, at_once: int
    ) -> tuple[HttpJobs, Settings]:
        """Raise the open-file limit and check the sockets fit; record the client and its pool."""
        if server is None:
            raise ValueError("http jobs need the HTTP server's address")
        before, after = raise_nofile_limit()
        problem = connections_fit(at_once, connections=scenario.connections)
        if problem is not None:
            raise HostLimit(problem)
        settings: Settings = {}
        if after != before:
            settings["open_files"] = f"soft limit raised from {before} to {after} for the sockets"
        if self.client is not None:
            settings["client"] = self.client
            settings["client_pool"] = (
                f"{DEFAULTS[self.client]} (the library's default)"
                if scenario.connections is None
                else "a new connection per request, Connection: close (--connections 0)"
                if scenario.connections == 0
                else f"{scenario.connections} connections (--connections)"
            )
            note = pool_note(self.client, at_once, scenario) if scenario.connections is None else ""
            if note:
                settings["note"] = note
        ca = server.extra.get("ca_file")
        ca_file, scheme = (None, "http") if ca is None else (str(ca), "https")
        base = f"{scheme}://{server.host}:{server.port}/job/{server.token}/"
        target = HttpTarget(base, server.host, server.port, ca_file)
        return HttpJobs(
            target, server.host, server.port, self.client, scenario.connections
        ), settings


KIND = HttpKind()
