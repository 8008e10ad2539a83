"""Each driver's job: one query that waits the job's delay on the server and returns its ints.

A round opens its driver's pool when its jobs start and closes it when they end (inside the
timed region, as a program that starts up would); the imports are made before, untimed
(`preload`). Without `connections` each pool has the library's default size (DEFAULTS); with
it, exactly that many. psycopg runs in autocommit, as asyncpg does by default: a read needs no
transaction, and the pool would otherwise add a COMMIT round trip per job.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

from concurrency_bench.workload import JobRecord

QUERY = "SELECT pg_sleep({delay}), nextval('answered'), ints FROM payload WHERE job = {job}"
"""The job's query: the sleep, the server's count of answered jobs, then the ints."""
DEFAULTS: dict[str, tuple[int, str]] = {
    "asyncpg": (10, "asyncpg.create_pool min_size=10, max_size=10"),
    "psycopg-async": (4, "psycopg_pool.AsyncConnectionPool min_size=4, max_size=min_size"),
    "psycopg": (4, "psycopg_pool.ConnectionPool min_size=4, max_size=min_size"),
}
"""Each driver's default pool size and what sets it."""
PACKAGES = {"asyncpg": "asyncpg", "psycopg-async": "psycopg_pool", "psycopg": "psycopg_pool"}

Fetch = Callable[[int, float], Any]
"""`fetch(job, delay_s)`: the job's ints (a coroutine for the async drivers)."""


class QueryError(RuntimeError):
    """A job's query returned no row: the table does not hold the job."""


@dataclass(frozen=True)
class Dsn:
    """Where the cluster listens and whom to log in as; picklable (the processes model)."""

    host: str
    port: int
    user: str
    database: str

    @property
    def conninfo(self) -> str:
        """libpq's connection string (psycopg)."""
        return f"host={self.host} port={self.port} user={self.user} dbname={self.database}"


def pool_size(client: str, connections: int | None) -> int:
    """The pool's size: `connections` when given, else the driver's default."""
    return connections or DEFAULTS[client][0]


def preload(client: str) -> None:
    """Import the driver (untimed, in the model's setup)."""
    __import__(PACKAGES[client])
    __import__("psycopg" if client != "asyncpg" else "asyncpg")


def summed(index: int, row: Sequence[Any] | None) -> int:
    """The sum of a job's ints, from its row."""
    if row is None:
        raise QueryError(f"job {index}: the payload table has no row for it")
    return sum(row[2])


@asynccontextmanager
async def open_async(client: str, dsn: Dsn, connections: int | None) -> AsyncIterator[Fetch]:
    """An async driver's pool for one round: `await fetch(job, delay_s)` -> the job's row."""
    if client == "asyncpg":
        import asyncpg  # noqa: PLC0415 (the postgres extra)

        sized = {"min_size": connections, "max_size": connections} if connections else {}
        pool = await asyncpg.create_pool(
            host=dsn.host, port=dsn.port, user=dsn.user, database=dsn.database, **sized
        )
        query = QUERY.format(delay="$1", job="$2")
        try:

            async def asyncpg_fetch(index: int, delay_s: float) -> Any:
                return await pool.fetchrow(query, delay_s, index)

            yield asyncpg_fetch
        finally:
            await pool.close()
        return
    from psycopg_pool import AsyncConnectionPool  # noqa: PLC0415

    size = pool_size(client, connections)  # max_size defaults to min_size
    query = QUERY.format(delay="%s", job="%s")
    async with AsyncConnectionPool(
        dsn.conninfo, kwargs={"autocommit": True}, open=False, min_size=size
    ) as async_pool:
        await async_pool.open(wait=True)

        async def psycopg_fetch(index: int, delay_s: float) -> Any:
            async with async_pool.connection() as connection:
                cursor = await connection.execute(query, (delay_s, index))
                return await cursor.fetchone()

        yield psycopg_fetch


@contextmanager
def open_blocking(dsn: Dsn, connections: int | None) -> Iterator[Fetch]:
    """psycopg's ConnectionPool for one round: `fetch(job, delay_s)` -> the job's row."""
    from psycopg_pool import ConnectionPool  # noqa: PLC0415 (the postgres extra)

    size = pool_size("psycopg", connections)  # max_size defaults to min_size
    query = QUERY.format(delay="%s", job="%s")
    autocommit = {"autocommit": True}
    with ConnectionPool(dsn.conninfo, kwargs=autocommit, open=False, min_size=size) as pool:
        pool.open(wait=True)

        def fetch(index: int, delay_s: float) -> Any:
            with pool.connection() as connection:
                return connection.execute(query, (delay_s, index)).fetchone()

        yield fetch


def blocking_job(fetch: Fetch, index: int, delay_s: float) -> JobRecord:
    """One blocking query: the JobRecord of job `index`."""
    start = time.perf_counter_ns()
    value = summed(index, fetch(index, delay_s))
    return start, time.perf_counter_ns(), value


async def async_job(fetch: Fetch, index: int, delay_s: float) -> JobRecord:
    """One async query: the JobRecord of job `index`."""
    start = time.perf_counter_ns()
    value = summed(index, await fetch(index, delay_s))
    return start, time.perf_counter_ns(), value


_PROCESS_CONNECTION: list[Any] = []


def open_process_connection(dsn: Dsn) -> None:
    """A pool process's initializer: its one connection, kept for the pool's life (untimed)."""
    import psycopg  # noqa: PLC0415

    _PROCESS_CONNECTION.append(psycopg.connect(dsn.conninfo, autocommit=True))


def process_job(index: int, delay_s: float) -> JobRecord:
    """The processes model's job, on its pool process's connection."""
    query = QUERY.format(delay="%s", job="%s")

    def fetch(job: int, delay: float) -> Any:
        return _PROCESS_CONNECTION[0].execute(query, (delay, job)).fetchone()

    return blocking_job(fetch, index, delay_s)
