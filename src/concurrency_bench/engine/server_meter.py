"""The worker's side of a scenario's I/O: its kind's jobs, its placement, and the server's share
of each round (read before and after the round, never inside it)."""

from __future__ import annotations

from dataclasses import dataclass

from concurrency_bench.kinds.base import IoJobs, Kind, Settings
from concurrency_bench.kinds.servers import (
    Placement,
    ServerAddress,
    ServerCounters,
    busy_fraction,
    pin_client,
)
from concurrency_bench.workload import Scenario


def prepare(
    kind: Kind, server: ServerAddress | None, scenario: Scenario, at_once: int
) -> tuple[IoJobs, Settings]:
    """Before the model starts threads or pool processes: pin this worker to the client CPUs
    (when there is a server), then let the kind open the run's jobs (HostLimit names a host
    limit the jobs would hit); returns the jobs and the settings to record."""
    if server is None:
        return kind.open(None, scenario, at_once)
    pin_client(Placement(None, server.client_cpus))
    jobs, settings = kind.open(server, scenario, at_once)
    return jobs, {**server.settings, **settings}


@dataclass(frozen=True)
class ServerShare:
    """The server's CPU seconds in one round, its busy fraction, and a count that is off."""

    cpu_s: float
    busy: float
    mismatch: str | None


class ServerMeter:
    """Reads the server's counters before a round (`start`) and after it (`share`)."""

    def __init__(self, io: IoJobs, jobs: int) -> None:
        self.io = io
        self.jobs = jobs
        self.before: ServerCounters | None = None

    def start(self) -> None:
        """Note the counters before the round."""
        self.before = self.io.counters()

    def share(self, wall_s: float) -> ServerShare:
        """The round's share, from the counters now minus those at `start`.

        The busy fraction is capped at 1: the counters span a little more than the timed
        region (the reads themselves), and a one-thread server cannot exceed it.
        """
        assert self.before is not None, "ServerMeter.share before start"
        delta = self.io.counters().minus(self.before)
        mismatch = None
        if delta.requests != self.jobs:
            mismatch = f"the server answered {delta.requests} requests for {self.jobs} jobs"
        busy = min(1.0, max(0.0, busy_fraction(delta, wall_s)))
        return ServerShare(max(0.0, delta.cpu_s), busy, mismatch)
