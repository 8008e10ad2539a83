"""Each client library's HTTP job: GET the job's URL, check the status and length, sum the body.

A client is made when a round's jobs start (`open_blocking`, `open_async`) and closed when they
end, so every round opens its connections as a program's first calls would; what is costly
and not per round (imports, the TLS context) is made before, untimed (`Prepared`). Without
`connections` each library keeps its own default pool (DEFAULTS says what it is); with it,
every library is held to that many connections. A bad status or a short body raises
HttpError naming the job, never a retry.
"""

from __future__ import annotations

import ssl
import sys
import time
from array import array
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

from concurrency_bench.kinds.http.handle import HttpTarget, trusting
from concurrency_bench.kinds.registry import HTTP_CLIENTS
from concurrency_bench.workload import JobRecord

DEFAULTS: dict[str, str] = {
    "requests": "HTTPAdapter pool_maxsize=10, pool_block=False: more are opened",
    "urllib3": "PoolManager maxsize=1, block=False: more are opened",
    "httpx": "httpx.Limits max_connections=100, max_keepalive_connections=20",
    "aiohttp": "TCPConnector limit=100",
    "geventhttpclient": "HTTPClient concurrency=1",
}
"""What sets each client's default pool (its bound, ClientSpec.pool, is in kinds/registry.py)."""
CLOSE = {"Connection": "close"}
"""The request header of `--connections 0`: the server closes each connection after its reply."""

POOL_TIMEOUT = (
    "no connection of the pool free within httpx's default 5 s pool timeout "
    "(httpx.Timeout pool=5.0): jobs queued behind its pool that long"
)
"""What an httpx PoolTimeout says (httpx's own says nothing)."""

BlockingGet = Callable[[str], tuple[int, bytes]]
AsyncGet = Callable[[str], Any]


def default_pool(client: str) -> int | None:
    """How many requests `client`'s default pool lets wait at once (None: no bound)."""
    return next(spec.pool for spec in HTTP_CLIENTS if spec.name == client)


class HttpError(ConnectionError):
    """A job's response was not its ints: a bad status or a body of the wrong size."""


def sum_body(target: HttpTarget, index: int, status: int, body: bytes, count: int) -> int:
    """Check a job's response and sum its little-endian uint16 ints."""
    if status != 200:
        raise HttpError(f"job {index}: HTTP {status} from {target.host}:{target.port}")
    if len(body) != 2 * count:
        raise HttpError(f"job {index}: body of {len(body)} bytes, expected {2 * count}")
    if sys.byteorder == "little":
        return sum(memoryview(body).cast("H"))
    ints = array("H")
    ints.frombytes(body)
    ints.byteswap()
    return sum(ints)


@dataclass(frozen=True)
class Prepared:
    """What a round's client is made from: the library, the connection bound (None: the
    library's default; 0: a new connection per request), the CA file to trust with TLS."""

    client: str
    connections: int | None
    ca_file: str | None = None

    @property
    def close(self) -> bool:
        """Whether each request has a connection of its own (`Connection: close`)."""
        return self.connections == 0

    @property
    def tls(self) -> ssl.SSLContext:
        """The TLS context the clients that take one are given (made once per process)."""
        return trusting(self.ca_file)

    def preload(self) -> None:
        """Import the library and make the TLS context httpx would build per client (untimed,
        in setup: loading the CA bundle takes far longer than a request)."""
        __import__(self.client)
        if self.client == "httpx":  # its first client imports the transport's modules
            import httpx  # noqa: PLC0415

            httpx.Client(verify=self.tls).close()
            httpx.AsyncClient(verify=self.tls)  # made outside a loop: nothing to close
        elif self.ca_file is not None:
            trusting(self.ca_file)


@contextmanager
def open_blocking(
    prepared: Prepared, target: HttpTarget, gevent: bool, at_once: int = 1
) -> Iterator[BlockingGet]:
    """A blocking client for one round: `get(url) -> (status, body)`; closed on exit
    (`at_once`: gevent's pool when each request has its own connection)."""
    limit, ca_file = prepared.connections, prepared.ca_file
    headers = CLOSE if prepared.close else None
    if gevent:
        from geventhttpclient import HTTPClient  # noqa: PLC0415 (the http extra)

        client = HTTPClient(
            target.host,
            target.port,
            headers=headers,
            concurrency=limit or (at_once if prepared.close else 1),
            ssl=ca_file is not None,
            ssl_options={"ca_certs": ca_file} if ca_file else None,
        )
        prefix = target.base.index("/job/")  # the client is bound to its host: paths only

        def gevent_get(url: str) -> tuple[int, bytes]:
            response = client.get(url[prefix:])
            try:
                return int(response.status_code), bytes(response.read())
            finally:
                response.release()

        try:
            yield gevent_get
        finally:
            client.close()
    elif prepared.client == "requests":
        import requests  # noqa: PLC0415
        from requests.adapters import HTTPAdapter  # noqa: PLC0415

        session = requests.Session()
        if limit:
            adapter = HTTPAdapter(pool_maxsize=limit, pool_block=True)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        session.headers.update(headers or {})
        verify = ca_file or True  # per request: REQUESTS_CA_BUNDLE would override the session's

        def requests_get(url: str) -> tuple[int, bytes]:
            response = session.get(url, verify=verify)
            return response.status_code, response.content

        with session:
            yield requests_get
    elif prepared.client == "urllib3":
        import urllib3  # noqa: PLC0415

        options: dict[str, Any] = {"maxsize": limit, "block": True} if limit else {}
        if ca_file:
            options["ssl_context"] = prepared.tls
        manager = urllib3.PoolManager(headers=headers, **options)

        def urllib3_get(url: str) -> tuple[int, bytes]:
            response = manager.request("GET", url, retries=False)
            return response.status, response.data

        try:
            yield urllib3_get
        finally:
            manager.clear()
    else:
        import httpx  # noqa: PLC0415

        limits = _httpx_limits(limit)
        with httpx.Client(limits=limits, verify=prepared.tls, headers=headers) as pooled:

            def httpx_get(url: str) -> tuple[int, bytes]:
                try:
                    response = pooled.get(url)
                except httpx.PoolTimeout as exc:
                    raise httpx.PoolTimeout(POOL_TIMEOUT) from exc
                return response.status_code, response.content

            yield httpx_get


def _httpx_limits(limit: int | None) -> Any:
    import httpx  # noqa: PLC0415

    if limit is None:
        return httpx.Limits(max_connections=100, max_keepalive_connections=20)  # its default
    if limit == 0:
        return httpx.Limits(max_connections=None, max_keepalive_connections=0)
    return httpx.Limits(max_connections=limit, max_keepalive_connections=limit)


@asynccontextmanager
async def open_async(prepared: Prepared) -> AsyncIterator[AsyncGet]:
    """An async client for one round (aiohttp on asyncio, httpx on any backend)."""
    limit = prepared.connections
    headers = CLOSE if prepared.close else None
    if prepared.client == "aiohttp":
        import aiohttp  # noqa: PLC0415

        options: dict[str, Any] = {} if limit is None else {"limit": limit}
        if prepared.close:
            options["force_close"] = True
        if prepared.ca_file:
            options["ssl"] = prepared.tls
        connector = aiohttp.TCPConnector(**options)
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

            async def aiohttp_get(url: str) -> tuple[int, bytes]:
                async with session.get(url) as response:
                    return response.status, await response.read()

            yield aiohttp_get
    else:
        import httpx  # noqa: PLC0415

        limits = _httpx_limits(limit)
        async with httpx.AsyncClient(limits=limits, verify=prepared.tls, headers=headers) as client:

            async def httpx_get(url: str) -> tuple[int, bytes]:
                try:
                    response = await client.get(url)
                except httpx.PoolTimeout as exc:
                    raise httpx.PoolTimeout(POOL_TIMEOUT) from exc
                return response.status_code, response.content

            yield httpx_get


def blocking_job(
    get: BlockingGet, target: HttpTarget, index: int, delay: float, count: int
) -> JobRecord:
    """One blocking GET: the JobRecord of job `index`."""
    start = time.perf_counter_ns()
    status, body = get(target.url(index, delay))
    value = sum_body(target, index, status, body, count)
    return start, time.perf_counter_ns(), value


async def async_job(
    get: AsyncGet, target: HttpTarget, index: int, delay: float, count: int
) -> JobRecord:
    """One async GET: the JobRecord of job `index`."""
    start = time.perf_counter_ns()
    status, body = await get(target.url(index, delay))
    value = sum_body(target, index, status, body, count)
    return start, time.perf_counter_ns(), value


_PROCESS_GET: list[BlockingGet] = []
_PROCESS_CLIENT: list[Any] = []


def open_process_client(prepared: Prepared, target: HttpTarget) -> None:
    """A pool process's initializer: its one client, kept for the pool's life (untimed)."""
    manager = open_blocking(prepared, target, gevent=False)
    _PROCESS_CLIENT.append(manager)
    _PROCESS_GET.append(manager.__enter__())


def process_job(target: HttpTarget, index: int, delay: float, count: int) -> JobRecord:
    """The processes model's job, with its pool process's client."""
    return blocking_job(_PROCESS_GET[0], target, index, delay, count)
