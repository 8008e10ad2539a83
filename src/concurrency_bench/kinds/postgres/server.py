"""The engine's side of the postgres kind: the cluster as a `Server` (kinds/servers.py)."""

from __future__ import annotations

from concurrency_bench.kinds.postgres.cluster import DATABASE, HOST, USER, Cluster
from concurrency_bench.kinds.servers import Placement, Server, ServerAddress, ServerError
from concurrency_bench.workload import Scenario


class PostgresServer(Server):
    """One throwaway cluster for one scenario, on the placement's server CPUs."""

    name = "the PostgreSQL server"

    def __init__(self, placement: Placement) -> None:
        self.placement = placement
        self.cluster = Cluster(placement.server_cpus)

    def start(self, scenario: Scenario) -> None:
        """initdb, start and load; on any failure the cluster is stopped and removed."""
        try:
            self.cluster.start(scenario)
        except BaseException:
            self.cluster.stop()
            raise

    def fault(self) -> str | None:
        """What ended or stopped the postmaster; None while it serves."""
        return self.cluster.fault()

    def address(self, scenario: Scenario) -> ServerAddress:
        """Where the jobs connect, the postmaster's pid (for its CPU time), and what a row
        records of the server."""
        cluster = self.cluster
        if cluster.process is None:
            raise ServerError("the PostgreSQL server is not running")
        placed = self.placement.settings()
        server = (
            f"{cluster.version.removeprefix('postgres (PostgreSQL) ')} as user {cluster.user}, "
            f"max_connections {cluster.max_connections}, cpus {placed['server_cpus']} "
            f"(client on {placed['client_cpus']})"
        )
        return ServerAddress(
            host=HOST,
            port=cluster.port,
            token=0,
            client_cpus=self.placement.client_cpus,
            settings={"postgres_server": server},
            extra={"pid": cluster.process.pid, "user": USER, "database": DATABASE},
        )

    def stop(self) -> None:
        """Stop the cluster and remove its folder."""
        self.cluster.stop()
