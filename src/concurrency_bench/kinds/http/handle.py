"""The parent's side of the HTTP server: the tcp kind's process handle, running uvicorn instead.

Started, checked and stopped as the ints server is (kinds/tcp/handle.py), outside every timed
region and pinned the same way; its counters come from `GET /stats` over a connection of its
own, between rounds. With `--tls` a certificate authority is made for the scenario (trustme),
the server is given a certificate for 127.0.0.1 from it, and the clients trust its CA file
(`ServerAddress.extra["ca_file"]`); the files live as long as the server.
"""

from __future__ import annotations

import functools
import http.client
import json
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from concurrency_bench.kinds.servers import ServerAddress, ServerCounters, ServerError
from concurrency_bench.kinds.tcp.handle import HOST, ServerHandle
from concurrency_bench.workload import Scenario


@dataclass(frozen=True)
class HttpTarget:
    """Where a model's clients send their GETs; picklable (the processes model's jobs)."""

    base: str
    """`http://127.0.0.1:<port>/job/<token>/` (`https` with TLS): a job appends
    `<index>/<delay_ns>`."""
    host: str
    port: int
    ca_file: str | None = None
    """The CA the server's certificate is from, with TLS (None: plain HTTP)."""

    def url(self, index: int, delay_s: float) -> str:
        """Job `index`'s URL."""
        return f"{self.base}{index}/{round(delay_s * 1e9)}"


@functools.cache
def trusting(ca_file: str | None) -> ssl.SSLContext:
    """A client TLS context that trusts `ca_file` (None: the system's CAs), made once per
    process: loading a CA bundle takes far longer than a request."""
    return ssl.create_default_context(cafile=ca_file)


def query_counters(
    host: str, port: int, timeout_s: float = 5.0, ca_file: str | None = None
) -> ServerCounters:
    """The server's CPU seconds and jobs answered, over a fresh connection (TLS with a CA)."""
    try:
        connection = (
            http.client.HTTPSConnection(host, port, timeout=timeout_s, context=trusting(ca_file))
            if ca_file
            else http.client.HTTPConnection(host, port, timeout=timeout_s)
        )
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
    certificates: Path | None = None
    """With TLS: the folder of the run's CA and the server's key and certificate."""

    def options(self, scenario: Scenario) -> list[str]:
        """With TLS, a CA made for this scenario and the server's certificate from it."""
        if not scenario.tls:
            return []
        import trustme  # noqa: PLC0415 (the http extra; only --tls needs it)

        folder = Path(tempfile.mkdtemp(prefix="concurrency-bench-tls-"))
        self.certificates = folder
        authority = trustme.CA()
        authority.cert_pem.write_to_path(str(folder / "ca.pem"))
        leaf = authority.issue_cert(HOST)
        leaf.private_key_pem.write_to_path(str(folder / "key.pem"))
        for pem in leaf.cert_chain_pems:
            pem.write_to_path(str(folder / "cert.pem"), append=True)
        return [f"--certfile={folder / 'cert.pem'}", f"--keyfile={folder / 'key.pem'}"]

    @property
    def ca_file(self) -> str | None:
        """The CA file clients trust (None without TLS)."""
        return None if self.certificates is None else str(self.certificates / "ca.pem")

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the server, then remove the run's certificates."""
        super().stop(timeout_s)
        if self.certificates is not None:
            shutil.rmtree(self.certificates, ignore_errors=True)
            self.certificates = None

    def address(self, scenario: Scenario) -> ServerAddress:
        """Where the jobs send their GETs, and what an HTTP row records about the server."""
        info, placed = self.info, self.placement.settings()
        server = (
            f"{info.get('server', 'uvicorn')} on {info.get('loop', '?')}, cpus "
            f"{placed['server_cpus']} (client on {placed['client_cpus']}), "
            f"open files {info.get('nofile', '?')}"
        )
        settings: dict[str, int | str] = {"http_server": server}
        extra: dict[str, int | str] = {}
        if self.ca_file is not None:
            settings["tls"] = (
                f"a certificate for {HOST} from a CA made for the run (trustme); a handshake "
                "per new connection, inside the round"
            )
            extra["ca_file"] = self.ca_file
        return ServerAddress(
            host=HOST,
            port=self.port,
            token=self.token,
            client_cpus=self.placement.client_cpus,
            settings=settings,
            extra=extra,
        )
