"""Every renderer and exporter; they only READ results files and never measure.

Layout: `rows` turns a ResultsFile into ranked comparison rows (the one place that orders,
ranks and computes speed-ups); `formatting` writes every figure (numbers, sizes, settings, the
spread convention); `cells` makes the display strings the human tables share and `columns`
declares each column of the results table once; `text`, `markdown` and `csv_export` are one
exporter each; `ci_benchmark` is github-action-benchmark's JSON, `pyperf_export` pyperf's,
`html` the page and `figures/` the figures. `formats` is the one registry of them all, which
`report`, `run`, `sweep` and the suite use; `outputs` writes every file of a run;
`compare_table`, `timeline_table` and `pythons_table` draw the other commands' tables;
`console` prints to streams that may not take the text.
"""

from __future__ import annotations

from concurrency_bench.report.formats import REGISTRY as FORMATS
from concurrency_bench.report.formats import Format, render
from concurrency_bench.report.outputs import Outputs, write_outputs

__all__ = ["FORMATS", "Format", "Outputs", "render", "write_outputs"]
