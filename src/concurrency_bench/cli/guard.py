"""Exit status 3 for internal errors: one line, never a traceback, never a gate's 1 or 2.

`compare` exits 1 for a regression and 2 for bad input, so a bug in this code must not exit
with either (a CI job would read it as a verdict). Bad input (InputError) passes through to
the entry point, which prints it and exits 2.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
from collections.abc import Callable

from concurrency_bench.errors import InputError

EXIT_INTERNAL = 3
Handler = Callable[[argparse.Namespace], int]


def internal_error_line(exc: BaseException) -> str:
    """The one line printed for an unexpected exception."""
    text = " ".join(str(exc).split())
    return f"concurrency-bench: internal error: {type(exc).__name__}" + (
        f": {text}" if text else ""
    )


def exits_3_on_internal_error(handler: Handler) -> Handler:
    """Wrap a command's `main` so that an unexpected exception is one line and exit 3."""

    @functools.wraps(handler)
    def guarded(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except InputError:
            raise
        except Exception as exc:  # anything else is a bug in this code, reported as one
            with contextlib.suppress(Exception):  # stderr gone: the status still says it
                print(internal_error_line(exc), file=sys.stderr)
            return EXIT_INTERNAL

    return guarded
