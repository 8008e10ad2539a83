"""The worker's side of a TCP scenario: its placement and limits, and the server's share of
each round (read before and after the round, never inside it)."""

from __future__ import annotations

from dataclasses import dataclass

from concurrency_bench.engine.protocol import ServerAddress
from concurrency_bench.kinds.tcp import (
    Placement,
    ServerStats,
    busy_fraction,
    connections_fit,
    pin_client,
    raise_nofile_limit,
)
from concurrency_bench.kinds.tcp.handle import TcpTarget, query_stats
from concurrency_bench.runners import ModelSpec
from concurrency_bench.runners.io_jobs import TcpIo
from concurrency_bench.workload import Scenario


class HostLimit(RuntimeError):
    """The host cannot hold the sockets the model would open at once (files, ports)."""


def prepare(
    server: ServerAddress, spec: ModelSpec, scenario: Scenario, pool_size: int | None
) -> tuple[TcpIo, dict[str, int | str]]:
    """Pin this worker to the client CPUs, raise its open-file limit, check that the model's
    sockets fit; returns the model's io and the settings to record. HostLimit names the limit."""
    pin_client(Placement(None, server.client_cpus))
    before, after = raise_nofile_limit()
    at_once = spec.concurrency(scenario.jobs, pool_size, scenario.connections)
    problem = connections_fit(at_once, connections=scenario.connections)
    if problem is not None:
        raise HostLimit(problem)
    settings = dict(server.settings)
    if after != before:
        settings["open_files"] = f"soft limit raised from {before} to {after} for the sockets"
    io = TcpIo(TcpTarget(server.host, server.port, server.token), scenario.connections)
    return io, settings


@dataclass(frozen=True)
class ServerShare:
    """The server's CPU seconds in one round, its busy fraction, and a count that is off."""

    cpu_s: float
    busy: float
    mismatch: str | None


class ServerMeter:
    """Reads the server's counters before a round (`start`) and after it (`share`)."""

    def __init__(self, server: ServerAddress, jobs: int) -> None:
        self.server = server
        self.jobs = jobs
        self.before: ServerStats | None = None

    def _stats(self) -> ServerStats:
        return query_stats(self.server.host, self.server.port)

    def start(self) -> None:
        """Note the counters before the round."""
        self.before = self._stats()

    def share(self, wall_s: float) -> ServerShare:
        """The round's share, from the counters now minus those at `start`.

        The busy fraction is capped at 1: the counters span a little more than the timed
        region (the stats requests themselves), and a one-thread server cannot exceed it.
        """
        assert self.before is not None, "ServerMeter.share before start"
        delta = self._stats().minus(self.before)
        mismatch = None
        if delta.requests != self.jobs:
            mismatch = f"the server answered {delta.requests} requests for {self.jobs} jobs"
        busy = min(1.0, max(0.0, busy_fraction(delta, wall_s)))
        return ServerShare(max(0.0, delta.cpu_s), busy, mismatch)
