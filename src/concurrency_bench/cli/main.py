"""The `concurrency-bench` command: one subcommand module each under `cli/`.

Every command gets the same treatment of the world around it here: bad input is one line
and exit 2, Ctrl-C/SIGTERM/SIGHUP exit 128 + the signal, a stdout whose reader went away
exits 141 quietly (128 + SIGPIPE, as a Unix tool killed by SIGPIPE), a stdout that cannot be
written (/dev/full) is one line and exit 2, and anything unexpected is one line and exit 3.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from concurrency_bench.cli.signals import SIGNAL_EXIT_BASE, exit_status_for, signal_scope
from concurrency_bench.cli.streams import OutputError, guard_standard_streams, silence_stdout
from concurrency_bench.errors import InputError
from concurrency_bench.textsafe import visible

COMMANDS = ("list", "timeline", "run", "sweep", "report", "compare", "ab", "history", "schema")
"""Subcommand names; `cli/<name>_cmd.py` defines `add_parser(subparsers)` and `main(args)`."""

EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3
EXIT_BROKEN_PIPE = SIGNAL_EXIT_BASE + signal.SIGPIPE


class OneLineParser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage dump), exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print `prog: error: message` alone and exit 2."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand attached."""
    parser = OneLineParser(
        prog="concurrency-bench",
        description="Measure Python concurrency models on delayed random sums.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name in COMMANDS:
        module = importlib.import_module(f"concurrency_bench.cli.{name}_cmd")
        module.add_parser(subparsers)
    return parser


def _say(message: str) -> None:
    """One line on stderr (newlines in `message` folded, so it stays one line; the rest of
    what could command a terminal shown escaped)."""
    print(f"concurrency-bench: {visible(' '.join(message.split()))}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand with the exit statuses the module docstring lists."""
    guard_standard_streams()
    try:
        args = build_parser().parse_args(argv)
        with signal_scope():
            status: int = args.handler(args)
        sys.stdout.flush()
    except InputError as exc:
        _say(f"error: {exc}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        return exit_status_for(exc)
    except OutputError as exc:
        silence_stdout()
        if exc.broken_pipe:
            return EXIT_BROKEN_PIPE
        _say(f"error: cannot write to stdout: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    except Exception as exc:  # one line, never a traceback, never status 1
        _say(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_INTERNAL_ERROR
    return status


if __name__ == "__main__":
    sys.exit(main())
