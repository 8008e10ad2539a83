"""Concurrency models: one module per model, each ending in `RUNNER = <Runner subclass>`.

The registry below names every model with what it needs, and imports a model's module
only when it is used, so a missing package reads "model X needs package Y (how to get it)"
(runners/packages.py) and the other models run.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

import msgspec

from concurrency_bench.errors import InputError
from concurrency_bench.kinds.registry import ClientSpec
from concurrency_bench.runners.base import DEFAULT_MAX_PROCESSES, Runner
from concurrency_bench.runners.packages import missing, unusable

if TYPE_CHECKING:
    from concurrency_bench.kinds.base import IoJobs


class ModelSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """A model's name and what it takes to load it; cheap to make, import-free.

    A msgspec Struct so that the engine's request to its worker carries every field as it is
    (engine/protocol.py): adding a field here can never be dropped on the way. Fields at
    their defaults are left out, so a spec without a client reads as before in older workers.
    """

    name: str
    module: str
    description: str
    concurrent: bool = True
    requires: tuple[str, ...] = ()
    min_python: tuple[int, int] = (3, 11)
    pooled: bool = False
    """True when `pool_size` sets how many jobs run at once (threads, processes, gevent)."""
    pool_cap: int | None = None
    """How many jobs a pooled model runs at once when `pool_size` is not given (None: all)."""
    open_files_each: int = 0
    """File descriptors each job running at once keeps open (a pool process's pipes): the
    worker raises its open-file limit for them when it must."""
    threads_each: int = 0
    """OS threads each job running at once starts (a thread per job): the engine does not run
    the model past the threads the machine has room for (engine/thread_room.py)."""
    client: ClientSpec | None = None
    """The client library of the row (`asyncio-gather + aiohttp`), for a kind that has them
    (None: the kind's own jobs); `with_client` makes such a spec."""

    def with_client(self, client: ClientSpec) -> ModelSpec:
        """This model's spec for the row it makes with `client`."""
        return msgspec.structs.replace(self, client=client)

    @property
    def client_name(self) -> str | None:
        """The client library's name (None: no client axis)."""
        return None if self.client is None else self.client.name

    def concurrency(
        self, jobs: int, pool_size: int | None = None, connections: int | None = None
    ) -> int:
        """How many of `jobs` this model runs at once: 1 if sequential, else its pool's size,
        and never more than the `connections` its jobs share (a kind's pooled mode).

        The one pool-size rule: the time budget and the default timeout both use it.
        """
        if not self.concurrent:
            return 1
        at_once = min(jobs, pool_size or self.pool_cap or jobs) if self.pooled else jobs
        return min(at_once, connections) if connections else at_once

    def connection_bound(self, connections: int | None) -> int | None:
        """How many connections its jobs can wait on at once: `--connections` when given (0,
        one per request: no bound), else its client library's default pool (None: no bound).
        The budget and the timeout pass it to `concurrency`: a pool-bound row queues too."""
        if connections is not None:
            return connections or None
        return None if self.client is None else self.client.pool

    def open_files(self, jobs: int, pool_size: int | None = None) -> int:
        """Descriptors the model itself keeps open while it runs `jobs` (beyond the worker's)."""
        return self.open_files_each * self.concurrency(jobs, pool_size)

    def threads(self, jobs: int, pool_size: int | None = None) -> int:
        """OS threads the model itself starts to run `jobs` (beyond the worker's own)."""
        return self.threads_each * self.concurrency(jobs, pool_size)

    def unavailable_reason(self, *, try_import: bool = True) -> str | None:
        """Why this model cannot run here, or None when it can: its Python, and each package
        it needs, found and importable (runners/packages.py)."""
        if sys.version_info < self.min_python:
            wanted = ".".join(map(str, self.min_python))
            return f"model {self.name} needs Python {wanted}+ (this is {sys.version.split()[0]})"
        for package in self.requires:
            why = unusable(package, try_import=try_import)
            if why is not None:
                return f"model {self.name} {why}"
        if self.client is not None and missing(self.client.package):
            install = self.client.install or f"pip install {self.client.package}"
            return f"client {self.client.name} needs package {self.client.package} ({install})"
        return None

    @property
    def available(self) -> bool:
        """Whether `load` can work on this interpreter."""
        return self.unavailable_reason() is None

    def load(self, pool_size: int | None = None, io: IoJobs | None = None) -> Runner:
        """Import the model's module and make a runner; raises InputError when unavailable.

        `io` is the run's jobs, from its I/O kind (None: the timer's).
        """
        reason = self.unavailable_reason(try_import=False)  # the import below tells the rest
        if reason is not None:
            raise InputError(reason)
        runner_class: type[Runner] = importlib.import_module(self.module).RUNNER
        return runner_class(pool_size=pool_size, io=io)


def _spec(name: str, description: str, **kwargs: object) -> ModelSpec:
    module = f"{__name__}.{name.replace('-', '_')}"
    return ModelSpec(name, module, description, **kwargs)  # type: ignore[arg-type]


REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        _spec("sync", "plain blocking calls, one after another", concurrent=False),
        _spec(
            "asyncio-await",
            "asyncio, each job awaited before the next starts (the seed's pitfall)",
            concurrent=False,
        ),
        _spec("asyncio-gather", "asyncio.gather over every job's coroutine"),
        _spec("asyncio-create-task", "asyncio.create_task per job, then await each task"),
        _spec("asyncio-taskgroup", "asyncio.TaskGroup with one task per job"),
        _spec(
            "asyncio-eager",
            "asyncio.gather with the eager task factory",
            min_python=(3, 12),
        ),
        _spec(
            "uvloop",
            "asyncio.gather on a uvloop event loop (loop factory, no global policy)",
            requires=("uvloop",),
        ),
        _spec("trio", "trio nursery with one task per job", requires=("trio",)),
        _spec(
            "anyio-asyncio",
            "anyio task group on the asyncio backend",
            requires=("anyio",),
        ),
        _spec(
            "anyio-uvloop",
            "anyio task group on the asyncio backend, on a uvloop event loop",
            requires=("anyio", "uvloop"),
        ),
        _spec(
            "anyio-trio",
            "anyio task group on the trio backend",
            requires=("anyio", "trio"),
        ),
        _spec(
            "gevent",
            "one greenlet per job (or a gevent pool of pool_size), no monkey-patching",
            pooled=True,
            requires=("gevent",),
        ),
        _spec(
            "threads",
            "one OS thread per job (or a pool of pool_size)",
            pooled=True,
            threads_each=1,
        ),
        _spec(
            "processes",
            f"a process pool, one worker per job up to {DEFAULT_MAX_PROCESSES}",
            pooled=True,
            pool_cap=DEFAULT_MAX_PROCESSES,
            open_files_each=2,
        ),
        # Models added later go last: figures give styles in this order (report/palette.py).
        _spec(
            "asyncio-threads",
            "pool_size threads (default one per CPU), each gathering its share of the jobs "
            "on its own asyncio event loop",
        ),
        _spec(
            "uvloop-threads",
            "asyncio-threads with a uvloop event loop in each thread",
            requires=("uvloop",),
        ),
        _spec(
            "interpreters",
            f"an InterpreterPoolExecutor, one subinterpreter per job up to {DEFAULT_MAX_PROCESSES}",
            min_python=(3, 14),
            pooled=True,
            pool_cap=DEFAULT_MAX_PROCESSES,
        ),
    )
}


def get_spec(name: str) -> ModelSpec:
    """The spec for a model name; an unknown name is bad input."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise InputError(f"`model` must be one of: {known}; got {name!r}") from None


def available_specs() -> list[ModelSpec]:
    """Every model that can run on this interpreter, in registry order."""
    return [spec for spec in REGISTRY.values() if spec.available]
