"""The ints servers of a run's TCP scenarios (kinds/tcp/): one per scenario, shared by its models.

A scenario's server starts when its first model is about to start a worker and stays up until
the run ends: the engine interleaves workers across (scenario, model) pairs, so a scenario's
models come back to it again and again. Starting, checking and stopping a server all happen
between workers, outside every timed region. A server that does not start, or dies, is the
reason every model of its scenario still to run fails.
"""

from __future__ import annotations

from types import TracebackType

from concurrency_bench.engine.protocol import ServerAddress
from concurrency_bench.kinds.tcp import Placement, ServerError, ServerHandle, default_placement
from concurrency_bench.workload import Scenario


class ScenarioServers:
    """Started on demand (`address`), checked between workers (`down`), stopped on exit."""

    def __init__(self, placement: Placement | None = None) -> None:
        self.placement = placement if placement is not None else default_placement()
        self.handles: dict[str, ServerHandle] = {}
        self.errors: dict[str, str] = {}

    def address(self, scenario: Scenario) -> ServerAddress | None:
        """Where `scenario`'s server listens, starting it if needed; None for timer scenarios
        and when the server could not start (then `down` says why)."""
        if scenario.io != "tcp" or scenario.name in self.errors:
            return None
        handle = self.handles.get(scenario.name)
        if handle is None:
            handle = ServerHandle(placement=self.placement)
            try:
                handle.start(scenario)
            except (ServerError, OSError) as exc:
                self.errors[scenario.name] = f"the ints server did not start: {exc}"
                return None
            self.handles[scenario.name] = handle
        if not handle.alive():
            return None
        target = handle.target
        return ServerAddress(
            host=target.host,
            port=target.port,
            token=target.token,
            client_cpus=self.placement.client_cpus,
            settings=self.settings(handle, scenario),
        )

    def settings(self, handle: ServerHandle, scenario: Scenario) -> dict[str, int | str]:
        """What a TCP row records: the connections, and the server (its loop, its CPUs and the
        client's, its open-file limit) in one short text."""
        info, placed = handle.info, self.placement.settings()
        server = (
            f"{info.get('loop', '?')} loop on cpus {placed['server_cpus']} "
            f"(client on {placed['client_cpus']}), open files {info.get('nofile', '?')}"
        )
        return {"connections": scenario.connections or "one per job", "tcp_server": server}

    def down(self, scenario: Scenario) -> str | None:
        """Why `scenario`'s server cannot serve (did not start, or died), else None."""
        if scenario.name in self.errors:
            return self.errors[scenario.name]
        handle = self.handles.get(scenario.name)
        if handle is not None and not handle.alive():
            return f"the ints server died: {handle.failure()}"
        return None

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
