"""`concurrency-bench history DIR`: each tracked metric over the stored runs, per row (the
scenario's full definition, model, interpreter) and machine, with the points the gate would
fail against the run before; as text, an HTML page (--output) and figures (--figures)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from concurrency_bench import results
from concurrency_bench.analysis.history import Run, Track, breaks, panels, runs_of, tracks
from concurrency_bench.cli.args import path_arg
from concurrency_bench.cli.gate_args import add_significance_arguments
from concurrency_bench.cli.out_dir import prove_file_writable, prove_writable
from concurrency_bench.errors import InputError
from concurrency_bench.report import figures, formats, formatting, history_page
from concurrency_bench.report.console import emit
from concurrency_bench.textsafe import visible


def add_parser(subparsers: Any) -> None:
    """Attach the `history` subcommand."""
    parser = subparsers.add_parser(
        "history", help="tracked metrics over stored runs, marking what the gate would flag"
    )
    parser.add_argument("directory", type=path_arg("directory"), metavar="DIR",
                        help="e.g. results/runs")  # fmt: skip
    parser.add_argument("--output", type=path_arg("output"), default=None, metavar="PATH",
                        help="write the HTML page to PATH")  # fmt: skip
    parser.add_argument("--figures", type=path_arg("figures"), default=None, metavar="DIR",
                        help="write one SVG and PNG per (scenario, metric) into DIR")  # fmt: skip
    add_significance_arguments(parser)
    parser.set_defaults(handler=main)


def load_runs(directory: Path) -> list[Run]:
    """Every results file in `directory`, oldest first; one that cannot be read is skipped
    with a warning line (a history outlives the files' format), the tool's own latest outputs
    (ci-benchmark.json, which `run --out DIR` writes beside its results files) silently."""
    if not directory.is_dir():
        raise InputError(f"`directory` must be a folder of results files, got {directory}")
    loaded = []
    for path in sorted(directory.glob("*.json")):
        if path.name in formats.LATEST_NAMES:
            continue
        try:
            loaded.append((str(path), results.load(path)))
        except results.ResultsError as exc:
            emit(f"concurrency-bench: warning: skipped {visible(str(path))}: {exc}\n", sys.stderr)
    if not loaded:
        raise InputError(f"`directory` has no readable results file: {directory}")
    return runs_of(loaded)


def text_summary(runs: list[Run], found: list[Track]) -> str:
    """How many runs and tracks, where a series starts anew (a scenario defined differently,
    another machine), then one line per point the gate would fail on."""
    lines = [f"{len(runs)} runs, {runs[0].label} to {runs[-1].label}; {len(found)} tracks"]
    lines += [f"  {line}" for line in breaks(runs)]
    flagged_from = len(lines)
    titles = {panel.series: panel.title for panel in panels(found)}
    for track in found:
        for point in track.points:
            if point.flagged:
                change = "" if point.change_pct is None else formatting.percent(point.change_pct)
                lines.append(
                    f"  {runs[point.run].label}: {titles[track.series]} / {track.model} "
                    f"{track.metric}: {point.verdict} {change}".rstrip()
                )
    if len(lines) == flagged_from:
        lines.append("  no point the gate would fail on")
    return "\n".join(visible(line) for line in lines) + "\n"


def main(args: argparse.Namespace) -> int:
    """Load, track, then print the summary and write what was asked for."""
    if args.output is not None:
        prove_file_writable(args.output, "output")
    if args.figures is not None:
        prove_writable(args.figures, "figures")
    if args.figures is not None and not figures.available():
        raise InputError(f"`figures` {figures.MISSING}")
    runs = load_runs(args.directory)
    found = tracks(runs, threshold_pct=args.threshold, alpha=args.alpha)
    emit(text_summary(runs, found))
    if args.output is not None:
        results.write_atomic(args.output, history_page.render(runs, found), overwrite=True)
    if args.figures is not None:
        from concurrency_bench.report.figures import history, style  # noqa: PLC0415

        for panel in panels(found):
            for metric in dict.fromkeys(t.metric for t in found if t.series == panel.series):
                plot = history.draw(runs, found, panel, metric)
                style.save(plot, args.figures)
                style.close(plot)
    return 0
