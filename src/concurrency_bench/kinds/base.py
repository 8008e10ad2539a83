"""What an I/O kind gives the engine and the models: the job function of each model family.

A model asks its run's `IoJobs` (made by the kind in the worker, before setup) for a job
function `job(index, delay_s, ints) -> JobRecord` and schedules it as it always does; only
the job changes with the kind. The families, each with its own factory:

- blocking: sync, threads, and gevent with its own sleep and sockets (a BlockingRuntime);
- asyncio: every asyncio model, on any loop;
- structured: trio and the anyio models, each with its library's streams and sleep;
- processes: a picklable top-level job, its arguments per job, and a pool-process initializer.

A factory opens what the jobs share (pooled connections) when the run enters it, inside the
timed region, as a real program that starts up would; whatever can be done before (imports)
is done by `preload`, which the worker calls during setup.
"""

from __future__ import annotations

import queue
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from concurrency_bench.workload import JobRecord, Scenario

if TYPE_CHECKING:  # the server side is imported only by kinds that have a server
    from concurrency_bench.kinds.servers import Placement, Server, ServerAddress, ServerCounters

Family = Literal["blocking", "asyncio", "structured", "processes"]
"""How a model runs its jobs, which decides the job function its kind gives it."""
Structured = Literal["trio", "anyio"]
"""Whose streams a structured model uses: trio's own, or anyio's (on either backend)."""
Settings = dict[str, int | str]
"""What is recorded about how a model ran: part of its row."""

BlockingJob = Callable[[int, float, Sequence[int]], JobRecord]
AsyncJob = Callable[[int, float, Sequence[int]], Coroutine[Any, Any, JobRecord]]
"""A coroutine function, so that every task API (create_task too) takes what it returns."""


class HostLimit(RuntimeError):
    """The host cannot hold what the model's jobs would open at once (files, ports)."""


class Connection(Protocol):
    """What the blocking-style jobs use of a connected socket (the standard library's or
    gevent's, which is not a subclass of it)."""

    def setsockopt(self, level: int, option: int, value: int, /) -> None: ...

    def sendall(self, data: bytes, /) -> None: ...

    def recv_into(self, buffer: memoryview, /) -> int: ...

    def close(self) -> None: ...


class FreeConnections(Protocol):
    """A pool's queue of free connections; `get` waits until one is free."""

    def get(self) -> Connection: ...

    def put(self, item: Connection, /) -> None: ...


@dataclass(frozen=True)
class BlockingRuntime:
    """What a blocking-style model waits with: the standard library's sleep and sockets, whose
    waits block the thread, or gevent's, whose waits switch to another greenlet. The job code
    is the same for both."""

    name: str = "stdlib"
    """Whose primitives these are ("gevent"): a kind whose clients differ per runtime (a
    gevent-native HTTP client) chooses by it."""
    sleep: Callable[[float], None] = time.sleep
    connect: Callable[[tuple[str, int]], Connection] = socket.create_connection
    free_queue: Callable[[], FreeConnections] = queue.SimpleQueue


STDLIB = BlockingRuntime()
"""The standard library's sleep and sockets (sync, threads)."""


@dataclass(frozen=True)
class ProcessJobs:
    """The processes model's jobs: `job` (a top-level function, so a pool can pickle it) is
    submitted once per tuple of `arguments(delays_s, payloads)`; `initializer(*initargs)`
    runs in each pool process when the pool starts, untimed."""

    job: Callable[..., JobRecord]
    arguments: Callable[[Sequence[float], Sequence[Sequence[int]]], Iterable[tuple[Any, ...]]]
    initializer: Callable[..., None] | None = None
    initargs: tuple[Any, ...] = ()
    settings: Settings = field(default_factory=dict)


class IoJobs(ABC):
    """The job functions one kind gives each model family, for one run of one scenario."""

    def preload(self, family: Family) -> None:
        """Import what `family`'s jobs will use, in the model's setup: an import inside the
        first round would be on the clock."""

    def at_most(self, at_once: int) -> int:
        """How many of `at_once` jobs can run at once over this I/O (shared connections cap
        it); the processes model starts no more pool processes than that."""
        return at_once

    def per_loop(self, loop: int, loops: int) -> IoJobs:
        """The jobs of event loop `loop` of `loops` that share this run (asyncio-threads): a
        kind whose jobs share connections gives each loop its part of them (`loop_share`)."""
        return self

    def counters(self) -> ServerCounters:
        """The kind's server's counters now (read between rounds, never inside one)."""
        raise NotImplementedError(f"{type(self).__name__} has no server to read")

    @abstractmethod
    def blocking_jobs(
        self, at_once: int, runtime: BlockingRuntime = STDLIB
    ) -> AbstractContextManager[BlockingJob]:
        """The job of a model written in blocking style, running `at_once` jobs at a time."""

    @abstractmethod
    def asyncio_jobs(self, at_once: int) -> AbstractAsyncContextManager[AsyncJob]:
        """The job of an asyncio model (any loop), entered inside the running loop."""

    @abstractmethod
    def structured_jobs(
        self, at_once: int, library: Structured, sleep: Callable[[float], Awaitable[None]]
    ) -> AbstractAsyncContextManager[AsyncJob]:
        """The job of a trio or anyio model, entered inside the run."""

    @abstractmethod
    def process_jobs(self, at_once: int) -> ProcessJobs:
        """The processes model's job, for a pool of `at_once` processes (asked in setup)."""


def loop_share(connections: int | None, loop: int, loops: int) -> int | None:
    """Loop `loop`'s part of `connections` split between `loops` event loops: the parts add up
    to `connections`, but each loop has at least one (None, no bound, stays None)."""
    if connections is None:
        return None
    return max(1, connections // loops + (loop < connections % loops))


class Kind(ABC):
    """An I/O kind's implementation (a module's `KIND`): its server, if any, and its jobs."""

    def with_client(self, client: str) -> Kind:
        """The kind with its jobs on the client library `client` (a row's second axis); only a
        kind that declares clients (KindSpec.clients) takes one."""
        raise ValueError(f"{type(self).__name__} takes no client library")

    def server(self, placement: Placement) -> Server | None:
        """A new, not yet started server for one scenario (None: the kind needs none)."""
        return None

    @abstractmethod
    def open(
        self, server: ServerAddress | None, scenario: Scenario, at_once: int
    ) -> tuple[IoJobs, Settings]:
        """In the worker, before the model loads: the run's jobs and the settings to record.

        `server` is where the scenario's server listens (None without one); `at_once` is how
        many jobs the model runs at a time. Raises HostLimit when the host cannot hold them.
        """
