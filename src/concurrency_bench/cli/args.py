"""The options several commands share, declared once (as asv's common_args), with their types.

Workload (`--scenario`, `--jobs`, ..., `--io`) and models: every command that measures.
Measuring (`--rounds`, `--warmup`, ...): `run` and `ab` (the gate's options are gate_args.py's).
A range the workload or the engine
enforces is its constant, never a copy; the command line's own limits are named below.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from concurrency_bench.engine import MAX_ROUNDS, MAX_ROUNDS_PER_PROCESS, MAX_WARMUP, EngineOptions
from concurrency_bench.errors import InputError
from concurrency_bench.kinds.registry import (
    CONNECTIONS,
    DEFAULT_KIND,
    KINDS,
    TLS,
    get_kind,
    io_help,
    kind_names,
    option_help,
)
from concurrency_bench.runners import REGISTRY, ModelSpec
from concurrency_bench.runners.base import DEFAULT_MAX_PROCESSES
from concurrency_bench.workload import (
    DEFAULT_INTS_PER_JOB,
    DEFAULT_SEED,
    DEFAULT_UNIT_MS,
    MAX_CONNECTIONS,
    MAX_CPU_MS,
    MAX_DELAY_S,
    MAX_INTS_PER_JOB,
    MAX_JOBS,
    MAX_SEED,
    MAX_UNIT_MS,
    Scenario,
)

SCENARIO_KINDS = ("seed", "uniform", "spread", "spread-random")
MAX_POOL_SIZE = 100_000
MAX_SECONDS_OPTION = 1e6
"""The largest timeout or budget, in seconds, an option takes (about 11.6 days)."""


def int_in(name: str, low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high], with an error naming `name`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"`{name}` must be a whole number from {low} to {high}, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"`{name}` must be a whole number from {low} to {high}, got {value}"
            )
        return value

    return parse


def float_in(
    name: str, low: float, high: float, *, low_open: bool = False, high_open: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number in [low, high]; low_open/high_open exclude an end."""
    bound = f"above {low:g}" if low_open else f"from {low:g}"
    if high_open:
        upper = f"and below {high:g}"
    else:
        upper = f"and at most {high:g}" if low_open else f"to {high:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        too_low = value <= low if low_open else value < low
        too_high = value >= high if high_open else value > high
        if not math.isfinite(value) or too_low or too_high:
            raise argparse.ArgumentTypeError(
                f"`{name}` must be a number {bound} {upper}, got {text!r}"
            )
        return value

    return parse


def path_arg(name: str) -> Callable[[str], Path]:
    """An argparse type: a path, refusing an empty or blank one (it would mean the current
    folder), with an error naming `name`."""

    def parse(text: str) -> Path:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"`{name}` must be a path, got {text!r}")
        return Path(text)

    return parse


def delay_ms_range(text: str) -> tuple[float, float]:
    """`D` (one delay) or `A:B` (a range), in milliseconds, each finite and within bounds."""
    parse = float_in("delay-ms", 0.0, MAX_DELAY_S * 1000)
    low_text, sep, high_text = text.partition(":")
    low = parse(low_text)
    high = parse(high_text) if sep else low
    if low > high:
        raise argparse.ArgumentTypeError(f"`delay-ms` range must have A <= B, got {text!r}")
    return low, high


def add_scenario_arguments(
    parser: argparse.ArgumentParser, *, default: str = "uniform", jobs: int = 100
) -> None:
    """The options that describe a workload; `scenario_from_args` turns them into a Scenario."""
    group = parser.add_argument_group("workload")
    group.add_argument(
        "--scenario",
        choices=SCENARIO_KINDS,
        default=default,
        help="seed: the seed text's delays 5, 8, 2 units; uniform: N jobs x one delay; "
        "spread: delays evenly over A:B; spread-random: seeded random over A:B "
        f"(default {default})",
    )
    group.add_argument(
        "--jobs", type=int_in("jobs", 1, MAX_JOBS), default=jobs, help=f"number of jobs ({jobs})"
    )
    group.add_argument(
        "--delay-ms",
        type=delay_ms_range,
        default=(50.0, 50.0),
        metavar="D|A:B",
        help="delay per job in ms, or a range A:B for spread (50)",
    )
    group.add_argument(
        "--ints",
        type=int_in("ints", 0, MAX_INTS_PER_JOB),
        default=DEFAULT_INTS_PER_JOB,
        help=f"random ints each job sums ({DEFAULT_INTS_PER_JOB})",
    )
    group.add_argument(
        "--seed", type=int_in("seed", 0, MAX_SEED), default=DEFAULT_SEED, help="random seed (0)"
    )
    group.add_argument(
        "--unit-ms",
        type=float_in("unit-ms", 0.0, MAX_UNIT_MS, low_open=True),
        default=DEFAULT_UNIT_MS,
        help=f"the seed scenario's time unit in ms ({DEFAULT_UNIT_MS:g})",
    )
    add_io_arguments(group)
    add_cpu_argument(group)


def add_cpu_argument(group: argparse._ActionsContainer) -> None:
    """`--cpu-ms X`: CPU work per job after its wait (workload/cpu.py); `scenario_from_args`
    applies it."""
    group.add_argument(
        "--cpu-ms",
        type=float_in("cpu-ms", 0.0, MAX_CPU_MS),
        default=0.0,
        metavar="X",
        help="ms of CPU work each job does after its wait (a fixed count of integer steps, "
        "calibrated once per run, checked by its result; 0: none)",
    )


def add_io_arguments(group: argparse._ActionsContainer) -> None:
    """`--io KIND` (kinds/registry.py), `--connections N` and `--tls`; `with_io_from_args`
    applies them (the kind's own range is checked there: tcp from 1, http from 0)."""
    group.add_argument("--io", choices=kind_names(), default=DEFAULT_KIND, help=io_help())
    group.add_argument(
        "--connections",
        type=int_in("connections", 0, MAX_CONNECTIONS),
        default=None,
        metavar="N",
        help=option_help(CONNECTIONS),
    )
    group.add_argument("--tls", action="store_true", help=option_help(TLS))
    group.add_argument(
        "--clients",
        type=parse_clients,
        default=None,
        metavar="A,B",
        help="with --io tcp or http: the socket APIs or client libraries, a row per (model, "
        f"client) each model can use: {', '.join(client_names())} (default: every one each "
        "model can use; a model with none, like trio over tcp, keeps its one row)",
    )


def client_names() -> list[str]:
    """Every client library a known kind declares, in the kinds' order."""
    return list(dict.fromkeys(c.name for spec in KINDS.values() for c in spec.clients))


def parse_clients(text: str) -> list[str]:
    """Comma-separated known client names; anything else is bad input."""
    allowed = f"comma-separated names from: {', '.join(client_names())}"
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name not in client_names()]
    if not all(names) or unknown:
        raise argparse.ArgumentTypeError(f"`clients` must be {allowed}; got {text!r}")
    return list(dict.fromkeys(names))


def with_clients(
    specs: Sequence[ModelSpec], io: str, clients: Sequence[str] | None
) -> list[ModelSpec]:
    """A spec per row: each model once per client library it can use over `io` (those of
    `clients` when given), or once as it is when the kind (or the model) has none."""
    kind = get_kind(io)
    if not kind.clients:
        if clients:
            having = [name for name, spec in KINDS.items() if spec.clients]
            raise InputError(f"`clients` needs --io {' or '.join(having)}; got --io {io}")
        return list(specs)
    foreign = [name for name in clients or () if name not in {c.name for c in kind.clients}]
    if foreign:
        allowed = ", ".join(c.name for c in kind.clients)
        raise InputError(f"`clients` with --io {io} must be from: {allowed}; got {foreign[0]}")
    rows = []
    for spec in specs:  # a model no client runs on keeps its row (the kind says if it can run)
        usable = kind.clients_for(spec.name)
        if not usable:
            rows.append(spec)
        rows += [spec.with_client(c) for c in usable if clients is None or c.name in clients]
    if not rows:
        chosen = ", ".join(clients or (c.name for c in kind.clients))
        raise InputError(f"`clients` {chosen}: no chosen model can use them over --io {io}")
    return rows


def with_io_from_args(scenario: Scenario, args: argparse.Namespace) -> Scenario:
    """The scenario waiting on what `--io`, `--connections` and `--tls` say (InputError when
    they clash)."""
    return scenario.with_io(args.io, args.connections, args.tls)


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """Build the Scenario the workload options describe (validation errors are InputError)."""
    return with_io_from_args(_workload(args), args).with_cpu(args.cpu_ms)


def _workload(args: argparse.Namespace) -> Scenario:
    """The scenario's delays and ints, before the io is chosen."""
    low_ms, high_ms = args.delay_ms
    common = {"ints_per_job": args.ints, "seed": args.seed}
    if args.scenario == "seed":
        return Scenario.seed_story(args.unit_ms, **common)
    if args.scenario == "uniform":
        if low_ms != high_ms:
            raise InputError(
                "`delay-ms` must be one value D for --scenario uniform (A:B is spread)"
            )
        return Scenario.uniform(args.jobs, low_ms / 1000, **common)
    return Scenario.spread(
        args.jobs,
        low_ms / 1000,
        high_ms / 1000,
        randomly=args.scenario == "spread-random",
        **common,
    )


class _AddModels(argparse.Action):
    """Append the validated names of `--models A,B|all` (or one `--runner NAME`) to `models`."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        """Parse this occurrence and extend what earlier ones gave."""
        try:
            names = parse_models(str(values))
        except InputError as exc:
            raise argparse.ArgumentError(None, str(exc)) from None
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest) or []), *names])


def parse_models(text: str) -> list[str]:
    """`all` alone, or comma-separated known model names; anything else is bad input."""
    allowed = f"all, or comma-separated names from: {', '.join(REGISTRY)}"
    names = [name.strip() for name in text.split(",")]
    if not any(names):
        raise InputError(f"`models` must be {allowed}; got {text!r}")
    if not all(names):
        raise InputError(f"`models` has an empty name in {text!r}; it must be {allowed}")
    unknown = [name for name in names if name != "all" and name not in REGISTRY]
    if unknown:
        raise InputError(f"`models` must be {allowed}; unknown: {', '.join(unknown)}")
    if "all" in names and len(names) > 1:
        raise InputError(f"`models` takes all alone, not with other names; got {text!r}")
    return list(REGISTRY) if names == ["all"] else list(dict.fromkeys(names))


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """`--models a,b|all` (old spellings `--runners`, repeatable `--runner NAME`) and
    `--pool-size` (old spelling `--max-workers`)."""
    parser.add_argument(
        "--models",
        "--runners",
        "--runner",
        dest="models",
        action=_AddModels,
        default=None,
        metavar="A,B|all",
        help="comma-separated models to run, or all; may be repeated (default: all, "
        "unavailable ones reported); --runners and --runner are old spellings",
    )
    parser.add_argument(
        "--pool-size",
        "--max-workers",
        dest="pool_size",
        type=int_in("pool-size", 1, MAX_POOL_SIZE),
        default=None,
        metavar="N",
        help="pool size for threads, processes and gevent (default: threads and gevent one "
        f"per job, processes one per job up to {DEFAULT_MAX_PROCESSES}), and the threads (each "
        "with its event loop) of asyncio-threads and uvloop-threads (default: one per CPU); "
        "--max-workers is the old spelling",
    )


def specs_from_args(args: argparse.Namespace) -> list[ModelSpec]:
    """The requested rows in registry order: each model (`args.models`, None for all), once
    per client library of `--clients` it can use when `--io` has clients."""
    wanted = set(args.models or REGISTRY)
    specs = [spec for spec in REGISTRY.values() if spec.name in wanted]
    return with_clients(specs, args.io, args.clients)


def add_measuring_arguments(parser: argparse.ArgumentParser, *, rounds: int = 5) -> None:
    """The engine's options (rounds, warm-up, GC, timeout, budget); `engine_options` reads them."""
    group = parser.add_argument_group("measuring")
    group.add_argument(
        "--rounds",
        type=int_in("rounds", 1, MAX_ROUNDS),
        default=rounds,
        metavar="R",
        help=f"measured rounds, the same for every model ({rounds})",
    )
    group.add_argument(
        "--rounds-per-process",
        type=int_in("rounds-per-process", 1, MAX_ROUNDS_PER_PROCESS),
        default=1,
        metavar="N",
        help="measured rounds each fresh worker process runs (1: every round in its own "
        "process, as pyperf does; raise it to trade independence for time)",
    )
    group.add_argument(
        "--warmup",
        type=int_in("warmup", 0, MAX_WARMUP),
        default=1,
        metavar="W",
        help="warm-up rounds each worker runs before its measured ones (1)",
    )
    group.add_argument(
        "--gc", choices=("on", "off"), default="on", help="garbage collector during rounds (on)"
    )
    group.add_argument(
        "--timeout-s",
        type=float_in("timeout-s", 0.0, MAX_SECONDS_OPTION, low_open=True),
        default=None,
        metavar="S",
        help="per-worker timeout in seconds (default: derived from the scenario's ideal time "
        "and the worker's rounds)",
    )
    group.add_argument(
        "--sequential-budget-s",
        type=float_in("sequential-budget-s", 0.0, MAX_SECONDS_OPTION),
        default=10.0,
        metavar="S",
        help="skip models that queue jobs (sequential ones, pools smaller than the job count) "
        "when a round would take longer than this (10)",
    )


def engine_options(args: argparse.Namespace) -> EngineOptions:
    """The engine options the measuring arguments give, by field name (no progress callback)."""
    named = {f.name for f in fields(EngineOptions) if f.name != "progress"}
    return EngineOptions(**{name: getattr(args, name) for name in named})
