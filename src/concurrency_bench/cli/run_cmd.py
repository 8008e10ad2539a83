"""`concurrency-bench run`: measure the models in isolated workers, store the file, show tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from concurrency_bench.cli.args import (
    add_measuring_arguments,
    add_model_arguments,
    add_scenario_arguments,
    engine_options,
    path_arg,
)
from concurrency_bench.cli.measuring import (
    DEFAULT_OUT,
    exit_status,
    latest_dir,
    measure,
    prove_outputs,
    workload,
)
from concurrency_bench.engine import Interpreter, describe, probe_all, protocol_mismatch
from concurrency_bench.errors import InputError
from concurrency_bench.report import pythons_table, render, write_outputs
from concurrency_bench.report.console import emit
from concurrency_bench.results.measured import check_measured
from concurrency_bench.runners import ModelSpec


def add_parser(subparsers: Any) -> None:
    """Attach the `run` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="measure models in isolated workers, store a results file and show the tables",
    )
    add_scenario_arguments(parser)
    add_model_arguments(parser)
    add_measuring_arguments(parser)
    parser.add_argument(
        "--python",
        type=python_list,
        default=None,
        metavar="PY[,PY...]",
        help="run every model's workers under each of these interpreters, interleaved: a "
        "path, a name on PATH, or a version such as 3.12 (this interpreter when it is 3.12, "
        "else PATH's python3.12, else pyenv's); "
        "each needs concurrency-bench's dependencies and the models' packages (default: "
        "this interpreter)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        type=path_arg("out"),
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"folder for the results file ({DEFAULT_OUT}); latest.md, latest.csv and "
        "ci-benchmark.json go to "
        "its parent when it is named 'runs', else into it",
    )
    output.add_argument("--quiet", action="store_true", help="no progress bar, no file note")
    output.add_argument(
        "--json", action="store_true", help="print the results file instead of the table"
    )
    parser.set_defaults(handler=main)


def python_list(text: str) -> list[str]:
    """`--python`'s comma-separated interpreters (found and probed later, before measuring)."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"`python` must be comma-separated interpreters (paths, or versions such as "
            f"3.12); got {text!r}"
        )
    return names


def interpreters(texts: list[str] | None, specs: list[ModelSpec]) -> list[Interpreter]:
    """The `--python` interpreters, probed before anything is measured (bad ones exit 2)."""
    if not texts:
        return []
    found = probe_all(texts, specs)
    for python in found:
        mismatch = protocol_mismatch(python, "`python`")
        if mismatch is not None:
            raise InputError(mismatch)
    return found


def main(args: argparse.Namespace) -> int:
    """Validate everything, measure, write the file (also when interrupted), show the table."""
    scenario, specs = workload(args)
    pythons = interpreters(args.python, specs)  # probed before anything is written
    if not args.quiet:
        for text, python in zip(args.python or (), pythons, strict=True):
            label = python.info.label
            emit(f"--python {text}: {describe(python)}, rows labelled {label}\n", sys.stderr)
    out: Path = args.out
    prove_outputs(out)
    pairs = [(scenario, spec) for spec in specs]
    measured = measure(pairs, engine_options(args), quiet=args.quiet, pythons=pythons)
    results = measured.results
    check_measured(results)  # an empty run replaces no table
    written = write_outputs(results, out, latest_dir(out))
    if args.json:
        if written.results_path is not None:  # else it is on stdout already
            sys.stdout.write(results.to_json())
    else:
        sys.stdout.write(render(results, "text"))
        if len(pythons) > 1:
            sys.stdout.write("\n" + pythons_table.render(results))
    if not args.quiet and written.results_path is not None:
        tables = ", ".join(str(p) for p in written.tables)
        print(f"results: {written.results_path} (tables: {tables})", file=sys.stderr)
    return exit_status(results, measured.received)
