"""The servers of a run's scenarios: one per scenario whose I/O kind needs one, for all its models.

A scenario's server starts when its first model is about to start a worker and stays up until
the run ends: the engine interleaves workers across (scenario, model) pairs, so a scenario's
models come back to it again and again. Starting and stopping a server happen between workers,
checking it also while one runs (engine/session.py), all in the engine's process, outside every
timed region. A server that does not start, exits, is killed or is stopped (SIGSTOP) is the
reason the model then running and every model of its scenario still to run fail at once.
What the server is, and how it starts and stops, is the kind's (kinds/servers.py); this
module only keeps their lifecycles.
"""

from __future__ import annotations

from types import TracebackType

from concurrency_bench.kinds.registry import get_kind
from concurrency_bench.kinds.servers import (
    Placement,
    Server,
    ServerAddress,
    ServerError,
    default_placement,
)
from concurrency_bench.workload import Scenario


class ScenarioServers:
    """Started on demand (`address`), checked (`down`), stopped on exit or once found down."""

    def __init__(self, placement: Placement | None = None) -> None:
        self.placement = placement if placement is not None else default_placement()
        self.handles: dict[str, Server] = {}
        self.errors: dict[str, str] = {}

    def address(self, scenario: Scenario) -> ServerAddress | None:
        """Where `scenario`'s server listens, starting it if needed; None when its kind needs
        no server, and when the server could not start or is down (then `down` says why)."""
        if scenario.name in self.errors:
            return None
        handle = self.handles.get(scenario.name)
        if handle is None:
            handle = get_kind(scenario.io).load().server(self.placement)
            if handle is None:
                return None
            try:
                handle.start(scenario)
            except (ServerError, OSError) as exc:
                handle.stop()
                self.errors[scenario.name] = f"{handle.name} did not start: {exc}"
                return None
            self.handles[scenario.name] = handle
        if self.down(scenario) is not None:
            return None
        return handle.address(scenario)

    def down(self, scenario: Scenario) -> str | None:
        """Why `scenario`'s server cannot serve (it did not start, exited, was killed or is
        stopped), else None. A server found so is stopped at once (a stopped one is killed)
        and its reason kept: every model of the scenario still to run fails with it."""
        if scenario.name in self.errors:
            return self.errors[scenario.name]
        handle = self.handles.get(scenario.name)
        fault = handle.fault() if handle is not None else None
        if handle is None or fault is None:
            return None
        self.errors[scenario.name] = f"{handle.name} {fault}"
        del self.handles[scenario.name]
        handle.stop()
        return self.errors[scenario.name]

    def stop(self) -> None:
        """Stop every server (each waits a little, then is killed)."""
        for handle in self.handles.values():
            handle.stop()
        self.handles.clear()

    def __enter__(self) -> ScenarioServers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
