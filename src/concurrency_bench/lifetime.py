"""Process lifetime: a child that must not outlive its parent (worker, pool process) says so,
and a parent names what became of its child (exited, killed, stopped) in one wording.

On Linux the kernel sends SIGKILL to the child when its parent dies (PR_SET_PDEATHSIG);
elsewhere this does nothing and the worker relies on noticing its closed channel.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
"""prctl option from <linux/prctl.h>: the signal this process gets when its parent dies."""


def die_with_parent(parent_pid: int | None) -> bool:
    """Ask for SIGKILL when the parent dies; exit now if `parent_pid` is already gone.

    The check after prctl closes the race where the parent died before the call (the
    child was then re-parented, and no parent-death signal will ever come). True when
    the kernel will send the signal. `parent_pid` None skips the check (a forkserver child,
    whose parent is the fork server).
    """
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # orphaned already: nobody will read what this process measures
    return armed


def signal_name(number: int) -> str:
    """SIGTERM for 15; "signal 99" for a number with no name here."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def how_it_ended(returncode: int) -> str:
    """A child's end from its return code: "exited with status 1", "was killed by SIGTERM"."""
    if returncode < 0:
        return f"was killed by {signal_name(-returncode)}"
    return f"exited with status {returncode}"


def stop_signal(pid: int) -> str | None:
    """The signal that has child `pid` stopped now (SIGSTOP, SIGTSTP, ...); None while it runs,
    once it has ended, and where the system cannot tell (no waitid).

    Asked with WNOWAIT, so the child's state is left for whoever waits for it next; a child
    continued (SIGCONT) reads as running again.
    """
    if not hasattr(os, "waitid"):
        return None
    try:
        state = os.waitid(os.P_PID, pid, os.WSTOPPED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:  # reaped already, or not this process's child
        return None
    if state is None or state.si_code != os.CLD_STOPPED:
        return None
    return signal_name(state.si_status)
