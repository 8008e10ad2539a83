"""The postgres kind as the engine and the models see it: the cluster, and each family's jobs.

A job is one query that sleeps its delay on the server and returns its ints; the job sums them,
so the sums are checked against the same expected sums as a timer round. The driver is the
row's second axis (`with_client`): asyncpg and psycopg's async API on the asyncio models (and
anyio on asyncio), psycopg's sync API on the blocking ones. No driver runs on trio, and psycopg
cooperates with gevent only once gevent has monkey-patched `select`, which the gevent model
does not do: those models have no postgres rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
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
)
from concurrency_bench.kinds.limits import connections_fit, raise_nofile_limit
from concurrency_bench.kinds.postgres import drivers
from concurrency_bench.kinds.postgres.counters import Counters
from concurrency_bench.kinds.postgres.server import PostgresServer
from concurrency_bench.kinds.registry import pool_bound_note
from concurrency_bench.kinds.servers import Placement, ServerAddress, ServerCounters
from concurrency_bench.workload import Scenario


def pool_note(client: str, size: int, at_once: int, scenario: Scenario) -> str:
    """Why a row's wall is at least ceil(at_once / pool) x the delay, when the driver's default
    pool bounds it (empty when it does not; a bound set by --connections is the engine's note)."""
    if scenario.connections is not None or not scenario.delays_s:
        return ""
    why = f"{client}'s default pool of {size}"
    return pool_bound_note(
        why, size, at_once, max(scenario.delays_s), "--connections N sets the pool"
    )


@dataclass(frozen=True)
class PostgresJobs(IoJobs):
    """Where the jobs query, with which driver, in pools of which size."""

    dsn: drivers.Dsn
    client: str
    connections: int | None
    meter: Counters = field(compare=False)

    def counters(self) -> ServerCounters:
        """The cluster's CPU time and jobs answered."""
        return self.meter.read()

    def preload(self, family: Family) -> None:
        """Import the driver the jobs will use."""
        drivers.preload(self.client)

    def at_most(self, at_once: int) -> int:
        """Pool processes to start: never more than the connections."""
        return min(at_once, self.connections) if self.connections else at_once

    @contextmanager
    def blocking_jobs(
        self, at_once: int, runtime: BlockingRuntime = STDLIB
    ) -> Iterator[BlockingJob]:
        """psycopg's ConnectionPool (the standard library's threads and sockets only)."""
        if runtime is not STDLIB or self.client != "psycopg":
            raise ValueError(f"{self.client} has no blocking jobs on {runtime.name}")
        with drivers.open_blocking(self.dsn, self.connections) as fetch:
            yield lambda index, delay, ints: drivers.blocking_job(fetch, index, delay)

    @asynccontextmanager
    async def asyncio_jobs(self, at_once: int) -> AsyncIterator[AsyncJob]:
        """asyncpg's pool or psycopg's AsyncConnectionPool, on whichever loop runs them."""
        async with drivers.open_async(self.client, self.dsn, self.connections) as fetch:
            yield lambda index, delay, ints: drivers.async_job(fetch, index, delay)

    @asynccontextmanager
    async def structured_jobs(
        self, at_once: int, library: Structured, sleep: Callable[[float], Awaitable[None]]
    ) -> AsyncIterator[AsyncJob]:
        """anyio on asyncio: the asyncio drivers as they are (none runs on trio)."""
        async with self.asyncio_jobs(at_once) as job:
            yield job

    def process_jobs(self, at_once: int) -> ProcessJobs:
        """Each pool process opens its one connection in its initializer, untimed."""

        def per_job(
            delays_s: Sequence[float], payloads: Sequence[Sequence[int]]
        ) -> Iterable[tuple[Any, ...]]:
            return zip(range(len(delays_s)), delays_s, strict=True)

        return ProcessJobs(
            job=drivers.process_job,
            arguments=per_job,
            initializer=drivers.open_process_connection,
            initargs=(self.dsn,),
            settings={  # over open's: the pool processes, not psycopg's pool, bound the row
                "client_made": "one connection per pool process, in its initializer",
                "client_pool": f"{at_once} connections, one per pool process (psycopg.connect)",
                "pool_size": at_once,
                "note": f"one connection per pool process ({at_once}): psycopg's pool unused",
            },
        )


@dataclass(frozen=True)
class PostgresKind(Kind):
    """A cluster per scenario; the jobs query it with `client`."""

    client: str | None = None

    def with_client(self, client: str) -> PostgresKind:
        """The kind with its jobs on `client`."""
        if client not in drivers.DEFAULTS:
            raise ValueError(f"unknown PostgreSQL driver {client!r}")
        return replace(self, client=client)

    def server(self, placement: Placement) -> PostgresServer:
        """A throwaway cluster, on the placement's server CPUs."""
        return PostgresServer(placement)

    def open(
        self, server: ServerAddress | None, scenario: Scenario, at_once: int
    ) -> tuple[PostgresJobs, Settings]:
        """Check the sockets fit; record the driver, its pool and whether the pool bounds it."""
        if server is None:
            raise ValueError("postgres jobs need the cluster's address")
        if self.client is None:
            raise ValueError("postgres jobs need a driver (a row's client)")
        before, after = raise_nofile_limit()
        size = drivers.pool_size(self.client, scenario.connections)
        problem = connections_fit(min(at_once, size))
        if problem is not None:
            raise HostLimit(problem)
        settings: Settings = {"client": self.client}
        if after != before:
            settings["open_files"] = f"soft limit raised from {before} to {after} for the sockets"
        settings["client_pool"] = (
            f"{size} connections (--connections)"
            if scenario.connections
            else f"{drivers.DEFAULTS[self.client][1]} (the library's default)"
        )
        settings["pool_size"] = size
        note = pool_note(self.client, size, at_once, scenario)
        if note:
            settings["note"] = note
        user, database = str(server.extra["user"]), str(server.extra["database"])
        dsn = drivers.Dsn(server.host, server.port, user, database)
        meter = Counters(dsn, int(server.extra["pid"]))
        return PostgresJobs(dsn, self.client, scenario.connections, meter), settings


KIND = PostgresKind()
