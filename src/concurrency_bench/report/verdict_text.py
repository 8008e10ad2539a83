"""The verdict under each table in words: who is fastest, who ties, and what parts the rest.

The judgement is analysis.verdict's; this module only words it, for the text, markdown and
HTML outputs alike.
"""

from __future__ import annotations

from concurrency_bench.analysis.verdict import (
    ApiWeight,
    Standing,
    Tier,
    Verdict,
    gc_decided,
    judge,
)
from concurrency_bench.report import formatting
from concurrency_bench.report.rows import Table
from concurrency_bench.textsafe import visible

TITLE = "verdict"


def verdict_of(table: Table) -> Verdict | None:
    """The verdict over a table's ranked rows (None when no row is ranked)."""
    return judge(row.result for row in table.rows)


def method(verdict: Verdict) -> str:
    """How the verdict was reached, in one clause."""
    return (
        "by median wall; a tie is not significantly slower than its tier's fastest: one-sided "
        f"Mann-Whitney U on per-process wall times, alpha {verdict.alpha:g}, as the gate"
    )


def _gap(s: Standing, *, first: bool) -> str:
    """`4.70x the fastest, +185 µs per job` (the long form first in a line, then short)."""
    ratio = f"{formatting.ratio(s.ratio)}x" + (" the fastest" if first else "")
    return f"{ratio}, +{formatting.duration(s.extra_per_job_s)} per job"


def _tier_line(tier: Tier, number: int) -> str:
    if number == 0:
        leader = tier.leader
        line = f"fastest: {leader.model} ({formatting.duration(leader.median_s)})"
        if tier.tied:
            others = ", ".join(
                f"{s.model} ({formatting.ratio(s.ratio)}x)" for s in tier.members[1:]
            )
            line += f", tied with {others}: not significantly different"
        return line
    parts = [f"{s.model} {_gap(s, first=index == 0)}" for index, s in enumerate(tier.members)]
    if tier.tied:
        return "then, tied: " + "; ".join(parts)
    return f"then: {tier.leader.model}: {_gap(tier.leader, first=True)}"


def _share(s: Standing) -> str:
    return f"{(s.gc_s or 0.0) / s.median_s:.0%}" if s.median_s > 0 else "-"


def _gc_line(faster: Standing, slower: Standing) -> str:
    """The line saying that collections decide the order of two tiers' leaders."""
    return (
        f"GC decides {faster.model} before {slower.model}: outside collections "
        f"{slower.model} is the faster (GC {_share(slower)} of its wall, {faster.model} "
        f"{_share(faster)}); try --gc off or gc.freeze()"
    )


def _api_line(api: ApiWeight) -> str:
    """The line saying that the client (socket API or library) matters more than the model."""
    clients, models = api.clients, api.models
    return (
        f"the client matters more than the model: on {clients.held} the clients span "
        f"{formatting.ratio(clients.ratio)}x ({clients.fastest} fastest, {clients.slowest} "
        f"slowest), on any one client the models at most {formatting.ratio(models.ratio)}x "
        f"({models.held}: {models.fastest} to {models.slowest}), by median wall"
    )


def lines(verdict: Verdict) -> list[str]:
    """One line per tier, fastest first, and a note when the test had too few values."""
    out = [_tier_line(tier, number) for number, tier in enumerate(verdict.tiers)]
    out += [_gc_line(faster, slower) for faster, slower in gc_decided(verdict)]
    if verdict.api is not None:
        out.append(_api_line(verdict.api))
    if verdict.untestable:
        out.append(
            f"cannot tell apart: {', '.join(verdict.untestable)} (too few worker processes "
            f"for the test to reach alpha {verdict.alpha:g}; run more rounds with "
            "--rounds-per-process 1)"
        )
    return [visible(line) for line in out]


def heading(verdict: Verdict) -> str:
    """The verdict's first line: its name and how it was reached."""
    return f"{TITLE} ({method(verdict)}):"


def text_block(table: Table) -> str | None:
    """The verdict as indented lines for the terminal; None when no row is ranked."""
    verdict = verdict_of(table)
    if verdict is None:
        return None
    return "\n".join([heading(verdict), *(f"  {line}" for line in lines(verdict))])
