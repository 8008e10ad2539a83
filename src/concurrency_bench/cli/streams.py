"""Standard streams that cannot take what is printed: no traceback, as Unix tools behave.

- A stream that cannot encode a character ("✓", "µ" on an ASCII stdout) gets an ASCII
  stand-in ("ok", "u") instead of a UnicodeEncodeError.
- A closed stdin, stdout or stderr (`cmd >&-`) is pointed at /dev/null, so the command still
  runs (`run` still measures and writes its file) and no later file lands on fd 0, 1 or 2.
- stderr only carries diagnostics: a failing stderr (/dev/full, a closed pipe) is ignored.
- A failing stdout raises `OutputError`, which the entry point turns into an exit status.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys
from typing import TextIO, cast

from concurrency_bench.report.console import ASCII_FALLBACKS as FALLBACKS

ERROR_HANDLER = "concurrency-bench-fallback"


class OutputError(OSError):
    """Writing or flushing stdout failed (a closed pipe, a full disk, /dev/full)."""

    @property
    def broken_pipe(self) -> bool:
        """True when the reader went away (`... | head -1`)."""
        return self.errno == errno.EPIPE


def _fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start : exc.end]
    return "".join(FALLBACKS.get(char, "?") for char in text), exc.end


codecs.register_error(ERROR_HANDLER, _fallback)


class _Stream(io.TextIOBase):
    """A text stream that delegates to `inner`; on an OSError stdout raises OutputError and
    stderr drops the text."""

    def __init__(self, inner: TextIO, *, forgiving: bool) -> None:
        super().__init__()
        self.inner = inner
        self.forgiving = forgiving

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The inner stream's encoding."""
        return self.inner.encoding

    def write(self, text: str) -> int:
        """Write through; see the class docstring for failures."""
        try:
            return self.inner.write(text)
        except OSError as exc:
            return self._failed(exc, len(text))

    def flush(self) -> None:
        """Flush through; see the class docstring for failures."""
        try:
            self.inner.flush()
        except OSError as exc:
            self._failed(exc, 0)

    def _failed(self, exc: OSError, written: int) -> int:
        if self.forgiving:
            return written
        raise OutputError(exc.errno, exc.strerror) from exc

    def isatty(self) -> bool:
        """Whether the inner stream is a terminal (the progress line asks)."""
        try:
            return self.inner.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        """The inner stream's descriptor."""
        return self.inner.fileno()

    def writable(self) -> bool:
        """Always: failures are handled on write."""
        return True


def _reopen_closed_descriptors() -> None:
    """Point any of fd 0, 1, 2 that is closed at /dev/null."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def _text_stream(current: TextIO | None, fd: int) -> TextIO:
    """`current`, or when Python found the descriptor closed at start-up, a new writer on it."""
    if current is not None:
        return current
    return open(fd, "w", buffering=1, encoding="utf-8", closefd=False)


def _set_fallback(stream: TextIO) -> None:
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors=ERROR_HANDLER)


def guard_standard_streams() -> None:
    """Make stdout and stderr safe to print to, as the module docstring describes."""
    _reopen_closed_descriptors()
    stdout = _text_stream(sys.stdout, 1)
    stderr = _text_stream(sys.stderr, 2)
    for stream in (stdout, stderr):
        _set_fallback(stream)
    if not isinstance(stdout, _Stream):
        sys.stdout = cast(TextIO, _Stream(stdout, forgiving=False))
    if not isinstance(stderr, _Stream):
        sys.stderr = cast(TextIO, _Stream(stderr, forgiving=True))


def silence_stdout() -> None:
    """After stdout failed: point fd 1 at /dev/null, so the flush at exit cannot fail again
    (what Python's documentation of SIGPIPE recommends)."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
    finally:
        os.close(null)
