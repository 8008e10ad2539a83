"""One timed run of one runner on one scenario, turned into per-job records; no formatting here."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from concurrency_bench.engine.gc_meter import GcMeter
from concurrency_bench.results import GcRound
from concurrency_bench.runners.base import Runner, Settings
from concurrency_bench.workload import Scenario


@dataclass(frozen=True)
class Measurement:
    """One run: wall and CPU time, and per job its start, finish (ns from the run's start) and sum.

    Per-job data is kept as parallel lists (columns) so a million jobs stay cheap to store.
    """

    model: str
    concurrent: bool
    wall_ns: int
    cpu_ns: int
    ideal_s: float
    delays_s: Sequence[float] = field(repr=False)
    starts_ns: list[int] = field(repr=False)
    finishes_ns: list[int] = field(repr=False)
    values: list[int] = field(repr=False)
    sums_ok: bool = True
    mismatch: str | None = None
    settings: Settings = field(default_factory=dict)
    gc: GcRound | None = None
    """The collections inside the timed region (None: not counted)."""

    @property
    def wall_s(self) -> float:
        """Wall time of the timed region in seconds."""
        return self.wall_ns / 1e9

    @property
    def cpu_s(self) -> float:
        """CPU time of this process during the timed region (pool workers not included)."""
        return self.cpu_ns / 1e9

    @property
    def overhead_s(self) -> float:
        """Wall time beyond the ideal: what the model itself costs."""
        return self.wall_s - self.ideal_s

    @property
    def finish_order(self) -> list[int]:
        """Per job, its 1-based rank by finish time (ties keep job order)."""
        order = sorted(range(len(self.finishes_ns)), key=self.finishes_ns.__getitem__)
        ranks = [0] * len(order)
        for rank, index in enumerate(order, start=1):
            ranks[index] = rank
        return ranks

    def lateness_s(self) -> list[float]:
        """Per job, finish - start - delay: how late its timer and the scheduler woke it."""
        return [
            (finish - start) / 1e9 - delay
            for start, finish, delay in zip(self.starts_ns, self.finishes_ns, self.delays_s)
        ]

    def jobs_as_dicts(self) -> list[dict[str, Any]]:
        """The per-job table: index, delay, start, finish, finish order, value (seconds)."""
        return [
            {
                "index": index,
                "delay_s": delay,
                "start_s": start / 1e9,
                "finish_s": finish / 1e9,
                "finish_order": order,
                "value": value,
            }
            for index, (delay, start, finish, order, value) in enumerate(
                zip(
                    self.delays_s,
                    self.starts_ns,
                    self.finishes_ns,
                    self.finish_order,
                    self.values,
                )
            )
        ]


def check_sums(values: Sequence[int], expected: Sequence[int]) -> str | None:
    """None when every sum is right, else a sentence naming the first job that differs."""
    if len(values) != len(expected):
        return f"returned {len(values)} results for {len(expected)} jobs"
    for index, (value, want) in enumerate(zip(values, expected)):
        if value != want:
            return f"job {index} summed to {value}, expected {want}"
    return None


def measure_run(
    runner: Runner,
    name: str,
    concurrent: bool,
    scenario: Scenario,
    payloads: Sequence[Sequence[int]],
    expected: Sequence[int],
    settings: Settings | None = None,
    gc_meter: GcMeter | None = None,
) -> Measurement:
    """Time `runner.run` once; only the run itself sits between the two clock reads.

    `runner.setup` must have been called; its settings are passed through to the record.
    With `gc_meter` (installed) the collector starts from a collection made just before the
    first read, and the record holds the collections between the reads.
    """
    delays = scenario.delays_s
    if gc_meter is not None:
        gc_meter.ready()
    cpu_before = time.process_time_ns()
    start = time.perf_counter_ns()
    records = runner.run(delays, payloads)
    end = time.perf_counter_ns()
    cpu_after = time.process_time_ns()
    gc_figures = gc_meter.figures() if gc_meter is not None else None

    starts = [record[0] - start for record in records]
    finishes = [record[1] - start for record in records]
    values = [record[2] for record in records]
    mismatch = check_sums(values, expected)
    return Measurement(
        model=name,
        concurrent=concurrent,
        wall_ns=end - start,
        cpu_ns=cpu_after - cpu_before,
        ideal_s=scenario.ideal_wall_s(concurrent=concurrent),
        delays_s=delays,
        starts_ns=starts,
        finishes_ns=finishes,
        values=values,
        sums_ok=mismatch is None,
        mismatch=mismatch,
        settings=dict(settings or {}),
        gc=gc_figures,
    )
