"""SIGTERM and SIGHUP handled like Ctrl-C: a KeyboardInterrupt that carries its signal.

The engine already turns a KeyboardInterrupt into "stop, keep what finished, mark the file
partial"; raising a subclass for SIGTERM (a CI cancel, `timeout`) and SIGHUP (a closed
terminal) gives them the same path, and the command exits 128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SIGNAL_EXIT_BASE = 128
"""A command stopped by signal N exits 128 + N, as the shell reports a process killed by N."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP arrived; `signum` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Received:
    """The handled signals' state for one command: the first one that arrived, and whether
    they still interrupt (`hold` makes them only noted, e.g. while the results are written)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.holding = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: note the signal, then interrupt unless holding."""
        if self.signum is None:
            self.signum = signum
        if not self.holding:
            raise Interrupted(signum)

    def hold(self) -> None:
        """From now on only note the signals: a second Ctrl-C must not cost the file."""
        self.holding = True

    def exit_status(self) -> int:
        """128 + the signal that arrived (Ctrl-C when the interrupt came another way)."""
        return SIGNAL_EXIT_BASE + (self.signum or signal.SIGINT)


def exit_status_for(exc: KeyboardInterrupt) -> int:
    """128 + the signal behind a KeyboardInterrupt (a plain one is Ctrl-C, SIGINT)."""
    return SIGNAL_EXIT_BASE + (exc.signum if isinstance(exc, Interrupted) else signal.SIGINT)


def interrupt_signals() -> Received:
    """Make SIGINT, SIGTERM and SIGHUP raise `Interrupted` for the rest of the command (the
    entry point's `signal_scope` restores the previous handlers). Signals deliberately
    ignored when the process started (nohup, `cmd &`) stay ignored."""
    received = Received()
    if threading.current_thread() is threading.main_thread():
        for number in HANDLED:
            if signal.getsignal(number) is not signal.SIG_IGN:
                signal.signal(number, received.handle)
    return received


@contextlib.contextmanager
def signal_scope() -> Iterator[None]:
    """Restore the handled signals' handlers on the way out, whatever a command installed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in HANDLED}
    try:
        yield
    finally:
        for number, handler in previous.items():
            if handler is not None:
                signal.signal(number, handler)
