"""Figures drawn from results files (matplotlib, Agg): one module per figure, SVG and PNG.

`scaling` and `memory` need a workload measured at two sizes or more (a `sweep`), `crossover`
one measured at two CPU works per job or more (`sweep --cpu-ms`); `rounds`
and `lateness` draw each scenario; `seed` draws `timeline`'s own runs. `style` keeps one
colour per model across every figure. matplotlib is an optional dependency (the `plots`
extra): `available()` says whether it is installed, and callers say so when it is not.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from concurrency_bench.results import ResultsFile

if TYPE_CHECKING:
    from concurrency_bench.report.figures.style import Plot

TIMELINE_MAX_JOBS = 100
"""More bars than this per model are unreadable; `timeline --plot` refuses larger scenarios."""
MISSING = "figures need matplotlib: pip install 'concurrency-bench[plots]'"


def available() -> bool:
    """Whether matplotlib can be imported."""
    return importlib.util.find_spec("matplotlib") is not None


def draw_all(results: ResultsFile) -> list[Plot]:
    """Every figure that applies to `results`, in page order (matplotlib must be installed)."""
    from concurrency_bench.report.figures import (  # noqa: PLC0415 (matplotlib is optional)
        crossover,
        lateness,
        memory,
        rounds,
        scaling,
    )

    drawers: list[Callable[[ResultsFile], list[Plot]]] = [
        scaling.draw,
        crossover.draw,
        memory.draw,
        rounds.draw,
        lateness.draw,
    ]
    return [plot for draw in drawers for plot in draw(results)]


def write_all(results: ResultsFile, directory: Path) -> list[Path]:
    """Every figure of `results` as SVG and PNG in `directory`; the paths written."""
    from concurrency_bench.report.figures.style import close, save  # noqa: PLC0415

    paths: list[Path] = []
    for plot in draw_all(results):
        paths += save(plot, directory)
        close(plot)
    return paths
