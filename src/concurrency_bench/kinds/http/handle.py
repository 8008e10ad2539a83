"""The parent's side of the HTTP server: the tcp kind's process handle, running uvicorn instead.

Started, checked and stopped as the ints server is (kinds/tcp/handle.py), outside every timed
region and pinned the same way; its counters come from `GET /stats` over a connection of its
own, between rounds.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass

from concurrency_bench.kinds.servers import ServerAddress, ServerCounters, ServerError
from concurrency_bench.kinds.tcp.handle import HOST, ServerHandle
from concurrency_bench.workload import Scenario


@dataclass(frozen=True)
class HttpTarget:
    """Where a model's clients send their GETs; picklable (the processes model's jobs)."""

    base: str
    """`http://127.0.0.1:<port>/job/<token>/`: a job appends `<index>/<delay_ns>`."""
    host: str
    port: int

    def url(self, index: int, delay_s: float) -> str:
        """Job `index`'s URL."""
        return f"{self.base}{index}/{round(delay_s * 1e9)}"

    def path(self, index: int, delay_s: float) -> str:
        """Job `index`'s path (for clients bound to one host)."""
        return self.url(index, delay_s)[len(f"http://{self.host}:{self.port}") :]


def query_counters(host: str, port: int, timeout_s: float = 5.0) -> ServerCounters:
    """The server's CPU seconds and jobs answered, over a fresh connection."""
    try:
        connection = http.client.HTTPConnection(host, port, timeout=timeout_s)
        try:
            connection.request("GET", "/stats")
            stats = json.loads(connection.getresponse().read())
        finally:
            connection.close()
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise ServerError(f"HTTP server at {host}:{port} did not answer stats: {exc}") from exc
    return ServerCounters(float(stats["cpu_s"]), int(stats["requests"]))


class HttpServer(ServerHandle):
    """One uvicorn process for one scenario."""

    name = "the HTTP server"
    module = "concurrency_bench.kinds.http.server"

    def address(self, scenario: Scenario) -> ServerAddress:
        """Where the jobs send their GETs, and what an HTTP row records about the server."""
        info, placed = self.info, self.placement.settings()
        server = (
            f"{info.get('server', 'uvicorn')} on {info.get('loop', '?')}, cpus "
            f"{placed['server_cpus']} (client on {placed['client_cpus']}), "
            f"open files {info.get('nofile', '?')}"
        )
        return ServerAddress(
            host=HOST,
            port=self.port,
            token=self.token,
            client_cpus=self.placement.client_cpus,
            settings={"http_server": server},
        )
