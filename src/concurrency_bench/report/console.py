"""Printing to a stream that may not take the text: ASCII fallbacks, readers that went away.

A stdout in an ASCII locale cannot encode "µ", "±" or "✓"; a pipe whose reader closed early
(`... | head -1`), a closed stdout or /dev/full cannot take anything. None of these is worth a
traceback: the text degrades to ASCII, or the rest of the output is dropped quietly, as Unix
tools do, and the command's exit status still says what it found.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TextIO

from concurrency_bench.textsafe import visible_lines

ASCII_FALLBACKS: dict[str, str] = {
    "µ": "u",
    "±": "+-",
    "✓": "ok",
    "✗": "X",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
}
"""ASCII stand-ins for the non-ASCII characters the outputs use (others become "?"): the one
table, for `emit` and for the standard streams' error handler (cli/streams.py) alike. "+-" is
pyperf's spelling of "±" and one github-action-benchmark reads."""
_TRANSLATION = {ord(char): stand_in for char, stand_in in ASCII_FALLBACKS.items()}


def printable(text: str, encoding: str) -> str:
    """`text` as is when `encoding` takes it, else with ASCII fallbacks (and `?` for the rest)."""
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        ascii_text = text.translate(_TRANSLATION)
        try:
            return ascii_text.encode(encoding, errors="replace").decode(encoding)
        except LookupError:
            return ascii_text.encode("ascii", errors="replace").decode("ascii")
    return text


def emit(text: str, stream: TextIO | None = None) -> bool:
    """Write `text` to `stream` (stdout); False when the stream cannot take it any more.

    A broken pipe is quiet; another write error (a full device) is one line on stderr. Either
    way the stream is pointed at /dev/null so the interpreter's final flush stays quiet too.
    """
    target = sys.stdout if stream is None else stream
    if target is None:  # started with stdout closed
        return False
    try:
        target.write(printable(visible_lines(text), getattr(target, "encoding", None) or "utf-8"))
        target.flush()
    except BrokenPipeError:
        _silence(target)
        return False
    except OSError as exc:
        _silence(target)
        with contextlib.suppress(Exception):
            print(
                f"concurrency-bench: cannot write the output ({exc.strerror or exc})",
                file=sys.stderr,
            )
        return False
    return True


def _silence(stream: TextIO) -> None:
    """Send whatever is still buffered for `stream` to /dev/null."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
