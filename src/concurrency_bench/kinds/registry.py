"""The I/O kinds by name: what each declares, with its module imported only when it is used.

A kind is one module (or package) ending in `KIND = <kinds.base.Kind>`; its line below says
what the scenario and the CLI need without importing it: its name, its options and their
limits, and the mark it adds to a scenario's name. This module imports nothing of the package
but `errors`, so workload/scenario.py can ask it which kinds and options exist.

A new kind is its module plus one line in BUILTIN; a kind defined elsewhere (a plugin, a test)
is added with `register`, and reaches the worker processes in the engine's request.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

import msgspec

from concurrency_bench.errors import InputError

if TYPE_CHECKING:  # base imports workload, which imports this module
    from concurrency_bench.kinds.base import Kind


class KindOption(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A scenario field a kind takes: its range, its mark in the scenario's name, its help."""

    name: str
    """The Scenario field (and the CLI option, `--connections`)."""
    low: int
    high: int
    label: str
    """The scenario's name gains `-<label><value>`: `-c100`."""
    help: str


class ClientSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A client library a kind's jobs can use: a row's second axis (`asyncio-gather + aiohttp`)."""

    name: str
    package: str
    """The package it imports (a missing one makes its rows unavailable)."""
    models: tuple[str, ...]
    """The models that can use it, by name."""
    install: str = ""
    """The line that installs it."""
    pool: int | None = None
    """How many requests its default pool lets wait at once (None: no bound): with it the
    time budget and the timeout count the waves a pool-bound row queues in."""


class KindSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A kind's name and declarations; cheap to make, import-free.

    A msgspec Struct so that the engine's request carries it to the worker as it is: a kind
    registered only in the engine (a test's) is known in the worker too.
    """

    name: str
    module: str
    """The module whose `KIND` is the kind's implementation (kinds.base.Kind)."""
    description: str
    """What a job waits on, for `--io`'s help."""
    suffix: str = ""
    """Added to a scenario's name over this kind: `-tcp` (the default kind adds nothing)."""
    options: tuple[KindOption, ...] = ()
    requires: tuple[str, ...] = ()
    """Packages the kind's module needs (a missing one makes the kind unavailable)."""
    clients: tuple[ClientSpec, ...] = ()
    """The client libraries its jobs can use, a row each (none: the kind's own jobs)."""
    own_jobs: bool = True
    """Whether a model no client runs on has the kind's own jobs (tcp: trio's streams); when
    False its row is unavailable, naming the clients there are."""
    check: str = ""
    """`module:function` saying why this host cannot run the kind beyond its packages (a
    server program it needs), or None when it can; imported only when asked."""

    def clients_for(self, model: str) -> tuple[ClientSpec, ...]:
        """The clients `model` can use over this kind, in the kind's order."""
        return tuple(client for client in self.clients if model in client.models)

    def clientless_reason(self, model: str) -> str | None:
        """Why `model` has no jobs over this kind without a client, or None when it has."""
        if self.own_jobs or not self.clients or self.clients_for(model):
            return None
        names = ", ".join(client.name for client in self.clients)
        return f"no --io {self.name} client runs on {model} (clients: {names})"

    def option(self, name: str) -> KindOption | None:
        """The option called `name`, or None when this kind does not take it."""
        return next((option for option in self.options if option.name == name), None)

    def name_suffix(self, **values: int | bool | None) -> str:
        """The scenario name's suffix for these option values: `-tcp`, `-tcp-c100`, and a
        switch's label alone when it is on (`-http-tls`; off or None adds nothing)."""
        marks = []
        for option in self.options:
            value = values.get(option.name)
            if value is True:
                marks.append(f"-{option.label}")
            elif value is not None and value is not False:
                marks.append(f"-{option.label}{value}")
        return self.suffix + "".join(marks)

    def unavailable_reason(self) -> str | None:
        """Why this kind cannot run here, or None when it can."""
        for package in self.requires:
            if importlib.util.find_spec(package) is None:
                return f"--io {self.name} needs package {package} (pip install {package})"
        if self.check:
            module, function = self.check.split(":")
            reason: str | None = getattr(importlib.import_module(module), function)()
            return reason
        return None

    def load(self) -> Kind:
        """Import the kind's module and return its KIND; InputError when it is unavailable."""
        reason = self.unavailable_reason()
        if reason is not None:
            raise InputError(reason)
        kind: Kind = importlib.import_module(self.module).KIND
        return kind


CONNECTIONS = KindOption(
    "connections",
    1,
    100_000,
    "c",
    "N connections the jobs share (default: tcp one per job, http and postgres each "
    "library's own pool; http 0: a new connection per request)",
)
"""Shared connections (keep-alive), for every kind whose jobs open connections."""
HTTP_CONNECTIONS = msgspec.structs.replace(
    CONNECTIONS,
    low=0,
    help="N connections the jobs share (default: each library's own pool; 0: a new "
    "connection per request, `Connection: close`)",
)
"""http's connections: 0 is the other end of the range, no connection kept between requests."""
TLS = KindOption(
    "tls",
    0,
    1,
    "tls",
    "HTTPS, with a certificate made for the run that every client trusts (a handshake per "
    "connection is measured)",
)
"""A switch (`--tls`): the scenario's name gains `-tls`."""

_BLOCKING = ("sync", "threads", "processes")
_ASYNCIO = (
    "asyncio-await",
    "asyncio-gather",
    "asyncio-create-task",
    "asyncio-taskgroup",
    "asyncio-eager",
    "uvloop",
    "asyncio-threads",
    "uvloop-threads",
)
_ON_ASYNCIO = ("anyio-asyncio", "anyio-uvloop")
_HTTP_EXTRA = "pip install 'concurrency-bench[http]'"
HTTP_CLIENTS = (
    ClientSpec("aiohttp", "aiohttp", _ASYNCIO + _ON_ASYNCIO, _HTTP_EXTRA, pool=100),
    ClientSpec(
        "httpx",
        "httpx",
        _BLOCKING + _ASYNCIO + _ON_ASYNCIO + ("trio", "anyio-trio"),
        _HTTP_EXTRA,
        pool=100,
    ),
    ClientSpec("requests", "requests", _BLOCKING, _HTTP_EXTRA),
    ClientSpec("urllib3", "urllib3", _BLOCKING, _HTTP_EXTRA),
    ClientSpec("geventhttpclient", "geventhttpclient", ("gevent",), _HTTP_EXTRA, pool=1),
)
"""The HTTP clients and the models that use each (httpx: httpx.Client for blocking models,
httpx.AsyncClient for the others; gevent's without monkey-patching)."""
_POSTGRES_EXTRA = "pip install 'concurrency-bench[postgres]'"
POSTGRES_CLIENTS = (
    ClientSpec("asyncpg", "asyncpg", _ASYNCIO + _ON_ASYNCIO, _POSTGRES_EXTRA),
    ClientSpec("psycopg-async", "psycopg_pool", _ASYNCIO + _ON_ASYNCIO, _POSTGRES_EXTRA),
    ClientSpec("psycopg", "psycopg_pool", _BLOCKING, _POSTGRES_EXTRA),
)
"""The PostgreSQL drivers, each with its own pool (asyncpg's; psycopg_pool's async and sync
ones); none runs on trio, and psycopg needs gevent's monkey-patching, which the model avoids."""

TCP_CLIENTS = (
    ClientSpec("streams", "asyncio", _ASYNCIO),
    ClientSpec("protocol", "asyncio", _ASYNCIO),
    ClientSpec("loop-sock", "asyncio", _ASYNCIO),
    ClientSpec("socket", "socket", _BLOCKING),
    ClientSpec("makefile", "socket", _BLOCKING),
)
"""The socket APIs over TCP (kinds/tcp/apis.py), the first of each family its default; trio,
anyio and gevent keep their own networking and have no client axis (one row each)."""

POOL_BOUND = "pool-bound"
"""How a row's `note` setting starts when its client's pool, not its model, bounds how many jobs
wait at once (the reports then read its wall against ceil(jobs / pool) x the delay)."""


def pool_bound_note(why: str, limit: int, at_once: int, delay_s: float, remedy: str) -> str:
    """The note of a row whose pool (`why`: "aiohttp's default ...", "--connections 10") lets
    `limit` of `at_once` jobs wait at once; empty when the pool does not bound the row."""
    if limit <= 0 or limit >= at_once or delay_s <= 0:
        return ""
    waves = -(-at_once // limit)
    return (
        f"{POOL_BOUND}: {why} lets {limit} of {at_once} jobs wait at once, so a round takes at "
        f"least {waves} x {delay_s * 1e3:g} ms ({remedy})"
    )


DEFAULT_KIND = "timer"
"""What a job waits on unless told otherwise."""

BUILTIN: tuple[KindSpec, ...] = (
    KindSpec(DEFAULT_KIND, f"{__package__}.timer", "its own sleep"),
    KindSpec(
        "tcp",
        f"{__package__}.tcp.kind",
        "the ints server's reply over loopback TCP, each model with its own networking",
        suffix="-tcp",
        options=(CONNECTIONS,),
        clients=TCP_CLIENTS,
    ),
    KindSpec(
        "http",
        f"{__package__}.http.kind",
        "a GET to a uvicorn server over loopback, through each row's client library",
        suffix="-http",
        options=(HTTP_CONNECTIONS, TLS),
        requires=("uvicorn", "httptools", "uvloop"),
        clients=HTTP_CLIENTS,
        own_jobs=False,
    ),
    KindSpec(
        "postgres",
        f"{__package__}.postgres.kind",
        "a query sleeping on a throwaway PostgreSQL server, through each row's driver",
        suffix="-pg",
        options=(CONNECTIONS,),
        requires=("psycopg",),
        clients=POSTGRES_CLIENTS,
        own_jobs=False,
        check=f"{__package__}.postgres.install:unavailable",
    ),
)
"""The kinds that ship with the package, in `--io`'s order (the published schema lists them)."""

KINDS: dict[str, KindSpec] = {spec.name: spec for spec in BUILTIN}
"""Every kind known to this process: the built-in ones and those `register` added."""


def register(spec: KindSpec) -> None:
    """Add a kind defined outside the package; registering the same spec again does nothing."""
    known = KINDS.get(spec.name)
    if known is not None and known != spec:
        raise ValueError(f"a different kind named {spec.name!r} is registered already")
    KINDS[spec.name] = spec


def unregister(name: str) -> None:
    """Remove a kind `register` added (the built-in ones stay)."""
    if any(spec.name == name for spec in BUILTIN):
        raise ValueError(f"{name!r} is a built-in kind")
    KINDS.pop(name, None)


def kind_names() -> tuple[str, ...]:
    """Every known kind's name, built-in ones first: `--io`'s choices."""
    return tuple(KINDS)


def get_kind(name: str) -> KindSpec:
    """The spec of the kind called `name`; an unknown name is bad input."""
    try:
        return KINDS[name]
    except KeyError:
        raise InputError(f"`io` must be one of: {', '.join(KINDS)}; got {name!r}") from None


def taking(option: str) -> tuple[str, ...]:
    """The kinds that take `option`, by name."""
    return tuple(spec.name for spec in KINDS.values() if spec.option(option) is not None)


def io_help() -> str:
    """`--io`'s help: every kind with what its jobs wait on."""
    kinds = [f"{spec.name} ({spec.description})" for spec in KINDS.values()]
    listed = ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else kinds[0]
    return f"what a job waits on: {listed} ({DEFAULT_KIND})"


def option_help(option: KindOption) -> str:
    """An option's help, naming the kinds that take it: `with --io tcp: N persistent ...`."""
    return f"with --io {' or '.join(taking(option.name))}: {option.help}"
