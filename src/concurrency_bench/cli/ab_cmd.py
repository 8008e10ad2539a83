"""`concurrency-bench ab --base PY --new PY`: the regression gate, both sides measured here, now.

Worker k of every model runs under the base interpreter next to worker k under the new one
(the engine's interleaving), so the machine's drift lands on both sides alike instead of
looking like a change, as it does against a baseline from another time or machine. Each
interpreter is typically an environment built from another commit: its workers run its own
installed concurrency-bench, which must speak this engine's protocol (checked before
measuring). The results file holds both sides (rows labelled base and new); the table,
verdict and exit status are `compare`'s: 0 pass, 1 a regression, 2 bad input, 3 internal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import msgspec

from concurrency_bench.analysis.gate import compare
from concurrency_bench.cli.args import (
    add_measuring_arguments,
    add_model_arguments,
    add_scenario_arguments,
    engine_options,
    path_arg,
)
from concurrency_bench.cli.gate_args import EXIT_OK, EXIT_REGRESSION, add_gate_arguments
from concurrency_bench.cli.measuring import exit_status, measure, prove_outputs, workload
from concurrency_bench.engine import Interpreter, describe, probe, protocol_mismatch, resolve
from concurrency_bench.errors import InputError
from concurrency_bench.report import compare_table
from concurrency_bench.report.console import emit
from concurrency_bench.results import ResultsFile, ScenarioResults, write_results
from concurrency_bench.results.measured import check_measured
from concurrency_bench.textsafe import visible

DEFAULT_OUT = Path("results") / "ab"
SIDES = ("base", "new")
AB_JOBS = 1000
AB_ROUNDS = 8
"""The default workload: every model on 1,000 jobs x 50 ms, 8 workers a side (a few minutes
on a 2-core machine; 8 against 8 values can reach p = 1/12,870)."""


def add_parser(subparsers: Any) -> None:
    """Attach the `ab` subcommand."""
    parser = subparsers.add_parser(
        "ab",
        help="gate two interpreters (environments) measured here, interleaved worker by worker",
        description="Run every model under --base and under --new, worker k of each side next "
        "to worker k of the other, then gate as `compare` does: exit 1 when a model is "
        "significantly slower on the new side, or was ok and now fails or sums wrong; 0 "
        "otherwise; 2 for bad input; 3 for an internal error. Each side's environment must "
        "have concurrency-bench (of a commit whose engine speaks this protocol version) and "
        "the models' packages.",
    )
    parser.add_argument("--base", required=True, metavar="PY", help="the base interpreter")
    parser.add_argument("--new", required=True, metavar="PY", help="the new interpreter")
    add_scenario_arguments(parser, jobs=AB_JOBS)
    add_model_arguments(parser)
    add_measuring_arguments(parser, rounds=AB_ROUNDS)
    add_gate_arguments(parser)
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        type=path_arg("out"),
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"folder for the results file with both sides ({DEFAULT_OUT})",
    )
    output.add_argument("--quiet", action="store_true", help="no progress line, no file note")
    parser.set_defaults(handler=main)


def side_file(results: ResultsFile, side: str) -> ResultsFile:
    """The rows of one side as a file of their own, their interpreter label dropped so that
    the gate pairs base and new rows by (scenario, model)."""
    blocks = tuple(
        ScenarioResults(
            scenario=block.scenario,
            models=tuple(
                msgspec.structs.replace(model, python=None)
                for model in block.models
                if model.python is not None and model.python.label == side
            ),
        )
        for block in results.scenarios
    )
    return msgspec.structs.replace(results, scenarios=blocks)


def sides(args: argparse.Namespace, specs: list[Any]) -> list[Interpreter]:
    """Probe both interpreters; one that speaks another protocol, or lacks what every worker
    needs, is bad input (one line): a gate that compares nothing must not pass."""
    found = []
    for side in SIDES:
        try:
            python = probe(resolve(getattr(args, side)), specs, label=side)
        except InputError as exc:
            raise InputError(f"--{side}: {exc}") from None
        if python.lacks is not None:
            raise InputError(f"--{side}: {python.lacks}")
        mismatch = protocol_mismatch(python, f"--{side}")
        if mismatch is not None:
            raise InputError(mismatch)
        found.append(python)
    return found


def main(args: argparse.Namespace) -> int:
    """Probe, measure both sides interleaved, write the file, print the gate; 1 on a regression."""
    scenario, specs = workload(args)
    pythons = sides(args, specs)
    out: Path = args.out
    prove_outputs(out, tables=False)
    pairs = [(scenario, spec) for spec in specs]
    measured = measure(pairs, engine_options(args), quiet=args.quiet, pythons=pythons)
    results, received = measured.results, measured.received
    check_measured(results)  # a gate that compared nothing must not pass
    path = write_results(results, out)
    if results.partial:
        return exit_status(results, received)
    base, new = (side_file(results, side) for side in SIDES)
    comparison = compare(
        base, new, metric=args.metric, threshold_pct=args.threshold, alpha=args.alpha
    )
    for warning in comparison.warnings:
        emit(f"concurrency-bench: warning: {visible(warning)}\n", sys.stderr)
    emit(
        "A/B, both sides interleaved worker by worker on this machine: "
        + "; ".join(f"{p.info.label}: {describe(p)}" for p in pythons)
        + "\n"
        + compare_table.render(comparison, (Path("base"), base), (Path("new"), new))
    )
    if not args.quiet:
        print(f"results: {path}", file=sys.stderr)
    if received.signum is not None:
        return received.exit_status()
    return EXIT_REGRESSION if comparison.regressions else EXIT_OK
