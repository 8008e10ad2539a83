"""Which models of a scenario are fastest, which cannot be told apart, and what parts the rest.

The judgement behind the line under each table. Models are ordered as the table orders them
(median wall over the rounds), so the verdict never contradicts it; whether two models
differ is decided by the gate's test: the one-sided Mann-Whitney U on the per-process wall
times (`ModelResult.process_medians("wall")`, the independent samples) at the gate's alpha,
with its noise floor (medians closer than NOISE_FLOOR_S per round are never called apart).

The order is `ranked`'s, the one ranked order: the tables (report.rows) take it from here.

Models are put in tiers: the first tier is the fastest model and every model not
significantly slower than it; the next tier is led by the fastest model left, and so on.
Members of a tier are ties and are shown as ties, not ranked by noise. A pair whose samples
are too small for the test ever to reach alpha (fewer than 3 worker processes a side, say)
cannot be told apart: it is a tie too, and the verdict says the test had too few values.

Where rows are (model, client) pairs (the socket APIs over TCP), `api_weight` says when the
client matters more than the model: the widest spread between the clients on one model exceeds
the widest spread between the models on one client.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from concurrency_bench.analysis.gate import DEFAULT_ALPHA, NOISE_FLOOR_S
from concurrency_bench.analysis.ranktest import mann_whitney_u
from concurrency_bench.results import ModelResult
from concurrency_bench.results.identity import interpreter_of, order_key, row_label
from concurrency_bench.summaries import Summary


@dataclass(frozen=True)
class Standing:
    """One ranked model in the verdict: its median wall and how it compares with the fastest."""

    model: str
    median_s: float
    """Median wall over the rounds (the table's figure), in seconds."""
    ratio: float
    """median_s / the fastest model's median_s (1.0 for the fastest)."""
    extra_per_job_s: float
    """(median_s - the fastest's median_s) / jobs: what this model costs per job more."""
    p_slower: float | None
    """One-sided p of "slower than" the leader it was last tested against: its tier's leader
    for a member, the previous tier's leader for a leader; None for the fastest (or untested)."""
    testable: bool = True
    """False when the samples were too small for the test to reach alpha against the leader."""
    gc_s: float | None = None
    """Median seconds per round in the garbage collector; None when the rounds lack it."""

    @property
    def outside_gc_s(self) -> float | None:
        """The median wall less the median time in collections."""
        return None if self.gc_s is None else self.median_s - self.gc_s


@dataclass(frozen=True)
class Tier:
    """Models not significantly slower than the tier's leader (its first member)."""

    members: tuple[Standing, ...]

    @property
    def leader(self) -> Standing:
        """The tier's fastest model by median."""
        return self.members[0]

    @property
    def tied(self) -> bool:
        """True when the tier holds more than one model."""
        return len(self.members) > 1


@dataclass(frozen=True)
class Spread:
    """How far apart the median walls along one axis are, the other axis held."""

    held: str
    """The model (a spread between its clients) or the client (between its models)."""
    fastest: str
    slowest: str
    ratio: float
    """The slowest's median / the fastest's."""


@dataclass(frozen=True)
class ApiWeight:
    """The client outweighs the model: `clients` is wider than `models`."""

    clients: Spread
    """The widest spread between the clients on one model."""
    models: Spread
    """The widest spread between the models on one client."""


def _widest(groups: dict[str, dict[str, float]]) -> Spread | None:
    """The group whose members' medians are furthest apart (as a ratio), of those with two."""
    spreads = []
    for held, medians in groups.items():
        if len(medians) < 2:
            continue
        fastest, slowest = (
            min(medians, key=medians.__getitem__),
            max(medians, key=medians.__getitem__),
        )
        low, high = medians[fastest], medians[slowest]
        spreads.append(Spread(held, fastest, slowest, high / low if low > 0 else math.inf))
    return max(spreads, key=lambda spread: spread.ratio, default=None)


def api_weight(rows: Iterable[tuple[str, str | None, float]]) -> ApiWeight | None:
    """Given (model, client, median wall) of ranked rows: the widest spreads when the clients
    on one model spread wider than the models on one client (None otherwise, or when there is
    no spread on either axis to compare). Rows without a client take no part."""
    by_model: dict[str, dict[str, float]] = defaultdict(dict)
    by_client: dict[str, dict[str, float]] = defaultdict(dict)
    for model, client, median in rows:
        if client is not None:
            by_model[model][client] = median
            by_client[client][model] = median
    clients, models = _widest(by_model), _widest(by_client)
    if clients is None or models is None or clients.ratio <= models.ratio:
        return None
    return ApiWeight(clients, models)


@dataclass(frozen=True)
class Verdict:
    """A scenario's tiers, fastest first, and the test's settings."""

    tiers: tuple[Tier, ...]
    alpha: float
    jobs: int
    api: ApiWeight | None = None
    """Set when the client (the socket API) matters more than the model (see api_weight)."""

    @property
    def fastest(self) -> Standing:
        """The model with the lowest median wall."""
        return self.tiers[0].leader

    @property
    def untestable(self) -> tuple[str, ...]:
        """Models put in a tier only because the test had too few values to separate them."""
        return tuple(s.model for t in self.tiers for s in t.members if not s.testable)


def smallest_p(n: int, m: int) -> float:
    """The smallest one-sided p the exact test can give for samples of n and m values."""
    return 1 / math.comb(n + m, n)


def separable(n: int, m: int, alpha: float = DEFAULT_ALPHA) -> bool:
    """True when samples of n and m values can ever be significant at alpha."""
    return n > 0 and m > 0 and smallest_p(n, m) <= alpha


def rank_key(model: ModelResult) -> tuple[float, float, tuple[str, str, str]]:
    """Median wall, then median overhead, then the row's axes (so equal figures keep one
    order whatever order the file lists them in)."""
    return (model.wall.median, model.overhead.median, order_key(model))


def ranked(models: Iterable[ModelResult]) -> list[ModelResult]:
    """The ranked models (ok, measured) of one scenario, fastest first: the one ranked order.

    By median wall: models with the same ideal (every concurrent one) thus stand in overhead
    order, while a sequential model, whose overhead is measured against the sum of delays,
    cannot outrank a concurrent one that finishes sooner.
    """
    return sorted((m for m in models if m.ranked), key=rank_key)


def judge(
    models: Iterable[ModelResult], *, alpha: float = DEFAULT_ALPHA, floor_s: float = NOISE_FLOOR_S
) -> Verdict | None:
    """The verdict over a scenario's ranked models (ok, measured), taken in `ranked` order
    whatever order they come in (a table's rows are in it already); None when none is ranked."""
    ranked_models = ranked(models)
    if not ranked_models:
        return None
    fastest = ranked_models[0].wall.median
    jobs = ranked_models[0].jobs
    tiers: list[Tier] = []
    left = list(ranked_models)
    last_p: dict[str, float | None] = {}
    while left:
        leader, rest = left[0], left[1:]
        members = [_standing(leader, fastest, last_p.get(leader.row_name), testable=True)]
        kept = []
        for model in rest:
            tied, p, testable = _tied(leader, model, alpha, floor_s)
            last_p[model.row_name] = p
            if tied:
                members.append(_standing(model, fastest, p, testable=testable))
            else:
                kept.append(model)
        tiers.append(Tier(tuple(members)))
        left = kept
    api = api_weight(
        (row_label(m.model, interpreter_of(m)), m.client, m.wall.median) for m in ranked_models
    )
    return Verdict(tuple(tiers), alpha, jobs, api)


def _tied(
    leader: ModelResult, model: ModelResult, alpha: float, floor_s: float
) -> tuple[bool, float | None, bool]:
    """(not significantly slower, p, whether the test could separate them at all)."""
    base, new = leader.process_medians("wall"), model.process_medians("wall")
    if not separable(len(base), len(new), alpha):
        return True, None, False
    p = mann_whitney_u(new, base, "greater").p
    close = abs(model.wall.median - leader.wall.median) < floor_s
    return close or p > alpha, p, True


def _standing(model: ModelResult, fastest_s: float, p: float | None, *, testable: bool) -> Standing:
    median = model.wall.median
    ratio = median / fastest_s if fastest_s > 0 else math.inf
    if median == fastest_s:  # the fastest itself, also when its median is 0
        ratio = 1.0
    gc_s = Summary.of(model.values("gc")).median if model.has_gc else None
    extra = (median - fastest_s) / model.jobs
    return Standing(model.row_name, median, ratio, extra, p, testable, gc_s)


def gc_decided(verdict: Verdict) -> list[tuple[Standing, Standing]]:
    """(faster, slower) tier leaders, one tier after the other, that the garbage collector
    puts in this order: their walls less their time in collections stand the other way."""
    leaders = [tier.leader for tier in verdict.tiers]
    decided = []
    for faster, slower in itertools.pairwise(leaders):
        if faster.outside_gc_s is None or slower.outside_gc_s is None:
            continue
        if slower.outside_gc_s < faster.outside_gc_s:
            decided.append((faster, slower))
    return decided


def ordered_models(verdict: Verdict) -> Sequence[str]:
    """Every model of the verdict, tier by tier."""
    return [s.model for t in verdict.tiers for s in t.members]
