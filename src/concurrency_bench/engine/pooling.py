"""Workers' figures merged: pooled lateness quantiles, the median worker's memory.

The engine spreads a model's rounds over several fresh workers (the process is the unit of
repetition, as in pyperf); each worker reports its own share, and these merge the shares
(one worker's own p50/p99 is the merge of that worker alone).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from concurrency_bench.engine.protocol import LatenessPoints
from concurrency_bench.results import Lateness
from concurrency_bench.summaries import merged_quantile


def merge_lateness(parts: Sequence[LatenessPoints]) -> Lateness | None:
    """p50 and p99 of every worker's lateness pooled (weighted by count), max exact; None if none.

    Accuracy (see stats.merged_quantile): with 1001 points per worker, p50 and p99 lie between
    the exact pooled quantiles 0.1 percentile ranks (plus about one value) either side; with
    one worker they are that worker's own p50 and p99.
    """
    parts = [part for part in parts if part.count > 0 and part.points]
    if not parts:
        return None
    weighted = [(part.points, float(part.count)) for part in parts]
    return Lateness(
        p50_s=merged_quantile(weighted, 0.50),
        p99_s=merged_quantile(weighted, 0.99),
        max_s=max(part.max_s for part in parts),
    )


def median_memory(
    workers: Sequence[tuple[int | None, int | None]],
) -> tuple[int | None, int | None]:
    """(RSS before, peak RSS) of the worker whose growth (peak - before) is the median.

    One worker's pair, never a mix of two, so memory per job stays a figure some process had;
    with an even count the lower of the two middle growths is taken (statistics.median_low).
    Workers that could not read their RSS are left out; (None, None) when none could.
    """
    known = [(before, peak) for before, peak in workers if before is not None and peak is not None]
    if not known:
        return None, None
    growths = [peak - before for before, peak in known]
    middle = statistics.median_low(growths)
    return known[growths.index(middle)]
