"""The benchmark suite's profiles: which scenarios it measures and on which models.

`default` is what `tox -e bench` runs and what results/baseline.json holds (under three
minutes on a 2-core machine; every round in a worker process of its own); `quick` is a smoke
run of every model in seconds, with all of a model's rounds in one worker (see
SMOKE_PROFILES). The CLI and the docs read these lists, so the suite, the baseline and the
README never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from concurrency_bench.errors import InputError
from concurrency_bench.kinds.registry import get_kind
from concurrency_bench.results import row_label
from concurrency_bench.runners import REGISTRY, ModelSpec
from concurrency_bench.workload import Scenario

SEED_UNIT_MS = 10.0
"""The seed story's 5, 8, 2 units become 50, 80 and 20 ms: the shortest wait is still 20x
the loops' 1 ms timer granularity and the finish times 30 ms apart, and sync's 150 ms per
round keeps the case short (20 ms units took 10 s more of the suite, which the TCP case
needed; the 100 ms default unit would make the seed case alone take a minute)."""


QUEUE_BUDGET_S = 2.0
"""The suite's per-round budget for models that queue jobs: sequential ones and pools smaller
than the job count. It keeps the seed and payload cases' sequential rounds (0.15 and 0.35 s)
and the 61-process pool on 1,000 jobs (0.87 s)."""


HTTP_ROWS = (("asyncio-gather", "aiohttp"), ("threads", "requests"))
"""The default profile's HTTP rows (model, client): the two stacks people choose between."""


@dataclass(frozen=True)
class Case:
    """One scenario of a profile; every model runs on it (the engine reports those it skips)."""

    scenario: Scenario
    why: str = ""
    rows: tuple[tuple[str, str], ...] = ()
    """(model, client) pairs, for a kind with client libraries (http); none: every model."""

    def specs(self) -> list[ModelSpec]:
        """Every model in registry order: unavailable ones and sequential ones over the budget
        included, so the table says why they have no figures instead of leaving them out; a
        case with `rows` has those (model, client) rows only. No client axis otherwise: over
        tcp each model runs its default socket API (asyncio streams, plain sockets), one row
        per model as in the baseline, not one per API."""
        if not self.rows:
            return list(REGISTRY.values())
        clients = {client.name: client for client in get_kind(self.scenario.io).clients}
        return [REGISTRY[model].with_client(clients[client]) for model, client in self.rows]

    def spec(self, row: str) -> ModelSpec:
        """The spec of the row labelled `row` (`threads + requests`); KeyError if none."""
        for spec in self.specs():
            if label(spec) == row:
                return spec
        raise KeyError(row)


def label(spec: ModelSpec) -> str:
    """A suite row's label and test parameter: the model, with its client (`uvloop + aiohttp`)."""
    return row_label(spec.name, None, spec.client_name)


DEFAULT: tuple[Case, ...] = (
    Case(
        Scenario.seed_story(SEED_UNIT_MS),
        why="the seed text's three calls (5, 8, 2 units of 20 ms): order and overlap",
    ),
    Case(
        Scenario.uniform(1_000, 0.050),
        why="1,000 jobs x 50 ms: the usual question; sync and asyncio-await would take "
        "50 s, so the engine reports them not run",
    ),
    Case(
        Scenario.uniform(1_000, 0.050).with_io("tcp"),
        why="1,000 jobs x 50 ms over loopback TCP, a connection per job: each model's own "
        "networking against the ints server (timers hide what real I/O costs); sync and "
        "asyncio-await would take 50 s, so the engine reports them not run",
    ),
    Case(
        Scenario.uniform(1_000, 0.050).with_io("http"),
        why="1,000 GETs x 50 ms to a uvicorn server through the two stacks people pick "
        "between, each with its library's default pool: asyncio with aiohttp, and a thread "
        "per job with requests (about 25 s of the suite; the 5,000-job timer case, 36 s, "
        "made room for it and is left to `run` and `sweep`). Left to `run`: the other "
        "models with aiohttp, httpx.Client and urllib3 (tied with these or between them), "
        "every async model with httpx.AsyncClient (its own 5 s PoolTimeout at 1,000 jobs), "
        "gevent with geventhttpclient (one connection by default: 50 s a round), processes",
        rows=HTTP_ROWS,
    ),
    Case(
        Scenario.uniform(10, 0.020, ints_per_job=1_000_000, name="payload-10x20ms-1000000ints"),
        why="CPU-heavy jobs (~13 ms of summing each, ~135 ms in all against a 20 ms wait): "
        "in-process models serialise on the GIL (wall ~ wait + all the CPU), a pool of 10 "
        "processes sums on every core; few jobs keep the pool small enough for 2 cores, "
        "and sequential models run (0.2 s of delays; 50 ms waits took 8 s more of the suite)",
    ),
)

QUICK: tuple[Case, ...] = (
    Case(
        replace(Scenario.seed_story(5.0), name="seed-5ms"),
        why="the seed story with 5 ms units: order and overlap in milliseconds",
    ),
    Case(
        Scenario.uniform(20, 0.010),
        why="20 jobs x 10 ms: every model, sequential ones included",
    ),
    Case(
        Scenario.uniform(20, 0.010).with_io("tcp"),
        why="20 jobs x 10 ms over loopback TCP: every model's networking, sequential ones included",
    ),
    Case(
        Scenario.uniform(10, 0.010, ints_per_job=50_000, name="payload-10x10ms-50000ints"),
        why="a small CPU-heavy case: the payload path (pickling, summing) of every model",
    ),
)

PROFILES: dict[str, tuple[Case, ...]] = {"default": DEFAULT, "quick": QUICK}
SMOKE_PROFILES = frozenset({"quick"})
"""Smoke runs: each model's rounds run in ONE worker process (rounds_per_process = rounds),
which keeps the quick suite under 20 s; its rounds are not independent samples, so its
figures check that everything works, not how fast it is. Other profiles give every round a
worker of its own."""


def get_profile(name: str) -> tuple[Case, ...]:
    """A profile by name; an unknown name is bad input."""
    try:
        return PROFILES[name]
    except KeyError:
        raise InputError(f"`profile` must be one of: {', '.join(PROFILES)}; got {name!r}") from None
