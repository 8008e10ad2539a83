"""What every kind's server shares: its lifecycle, where it runs, how it is metered.

A kind that needs a server (tcp: the ints server) gives the engine a `Server` for each
scenario: started before the scenario's first worker, checked between workers and while one
runs (from the engine's process), stopped after the run or as soon as it is found exited,
killed or stopped, all outside every timed region (engine/servers.py). The worker reads the server's
counters before and after each round (engine/server_meter.py); the rule for calling a round
server-bound is here, next to the figure it judges.

Placement on a small machine: the server is pinned to the last CPU this process may use and
the client (the measuring worker) to the others, so that server and client never compete for
one core; with one CPU nothing is pinned.
"""

from __future__ import annotations

import os
import subprocess
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol

import msgspec

from concurrency_bench.lifetime import how_it_ended, stop_signal
from concurrency_bench.workload import Scenario


def process_fault(process: subprocess.Popen[bytes]) -> str | None:
    """What ended or halted a server that is a child process, in `Server.fault`'s words."""
    code = process.poll()
    if code is not None:
        return how_it_ended(code)
    stopped = stop_signal(process.pid)
    return None if stopped is None else f"was stopped by {stopped}"


class ServerError(RuntimeError):
    """A server failed to start, died, or stopped answering; the message says which."""


@dataclass(frozen=True)
class Placement:
    """Which CPUs the server and the client may run on (None: wherever the kernel likes)."""

    server_cpus: tuple[int, ...] | None
    client_cpus: tuple[int, ...] | None

    def settings(self) -> dict[str, str]:
        """The placement as record settings."""

        def show(cpus: tuple[int, ...] | None) -> str:
            return ",".join(map(str, cpus)) if cpus else "any"

        return {"server_cpus": show(self.server_cpus), "client_cpus": show(self.client_cpus)}


def default_placement() -> Placement:
    """Server on the last allowed CPU, client on the rest; unpinned with one CPU."""
    if not hasattr(os, "sched_getaffinity"):
        return Placement(None, None)
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return Placement(None, None)
    return Placement((cpus[-1],), tuple(cpus[:-1]))


def server_only_placement() -> Placement:
    """Server on the last allowed CPU, the client free to run anywhere (the server's CPU too)."""
    return Placement(default_placement().server_cpus, None)


def unpinned() -> Placement:
    """No pinning at all."""
    return Placement(None, None)


def pin_client(placement: Placement) -> None:
    """Pin the calling process (the measuring worker) to the placement's client CPUs."""
    if placement.client_cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(placement.client_cpus))


class ServerAddress(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """What the engine tells a worker about its scenario's server: where it listens, the token
    its requests carry (the server refuses another scenario's; 0: none), the CPUs the worker
    pins itself to (None: any), the settings the model's row records, and whatever else the
    kind's jobs need (`extra`, left out of the message when empty)."""

    host: str
    port: int
    token: int
    client_cpus: tuple[int, ...] | None
    settings: dict[str, int | str]
    extra: dict[str, int | str] = {}


class Server(ABC):
    """One scenario's server, as the engine runs it: `start`, `alive`, `address`, `stop`."""

    name = "the server"
    """How messages name it: "the ints server did not start: ..."."""

    @abstractmethod
    def start(self, scenario: Scenario) -> None:
        """Start serving `scenario` and wait until it listens; ServerError or OSError if not."""

    @abstractmethod
    def fault(self) -> str | None:
        """What keeps the started server from serving, said after its name ("was killed by
        SIGTERM", "was stopped by SIGSTOP", "exited with status 1: its last words"); None while
        it serves. The engine asks between workers and while one runs (engine/servers.py)."""

    @abstractmethod
    def address(self, scenario: Scenario) -> ServerAddress:
        """What a worker of `scenario` needs to reach the server, and the row's settings."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the server (a short wait, then a kill); stopping twice does nothing."""


@dataclass(frozen=True)
class ServerCounters:
    """A server's CPU seconds and requests answered at one moment; a round's share is the
    difference of two."""

    cpu_s: float
    requests: int

    def minus(self, earlier: ServerCounters) -> ServerCounters:
        """What happened between `earlier` and this snapshot."""
        return ServerCounters(self.cpu_s - earlier.cpu_s, self.requests - earlier.requests)


class CpuSeconds(Protocol):
    """Anything that says how much CPU a server used (ServerCounters, tcp's ServerStats)."""

    @property
    def cpu_s(self) -> float: ...


def busy_fraction(delta: CpuSeconds, wall_s: float) -> float:
    """The share of a round's wall time the server spent on the CPU (one thread: at most ~1);
    above SERVER_BOUND_FRACTION the round is server-bound."""
    return delta.cpu_s / wall_s if wall_s > 0 else 0.0
