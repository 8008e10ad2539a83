"""The host limits every kind whose jobs open sockets runs into (tcp): open files, ephemeral ports.

Both are checked before a model starts (by the kind's `open`, in the worker), so that a job
count the host cannot hold fails with a reason naming the limit instead of an EMFILE or
EADDRNOTAVAIL halfway through a round. The engine raises its own open-file limit here too.
"""

from __future__ import annotations

import resource
from pathlib import Path

DESCRIPTOR_HEADROOM = 64
"""Files a worker holds besides its sockets: the interpreter, pipes, the event loop's own fds."""

PORT_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def nofile_limits() -> tuple[int, int]:
    """The (soft, hard) open-file limits of this process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft, hard


def raise_nofile_limit(need: int | None = None) -> tuple[int, int]:
    """Raise the open-file soft limit to the hard limit, or to `need` where the hard limit is
    infinite or the kernel refuses it; returns (old soft, new soft), equal when not raised."""
    soft, hard = nofile_limits()
    # An infinite hard limit is refused by some kernels as a soft value, so it is never tried.
    for target in (hard, need):
        if target is None or target == resource.RLIM_INFINITY or target <= soft:
            continue
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):  # a hard limit above the kernel's nr_open
            continue
        return soft, target
    return soft, soft


def ephemeral_ports() -> int | None:
    """How many local ports the kernel hands out to outgoing connections (None: unknown)."""
    try:
        low, high = (int(part) for part in PORT_RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        return None
    return high - low + 1


def connections_fit(open_at_once: int, *, connections: int | None = None) -> str | None:
    """None when `open_at_once` client sockets fit this process's limits, else why not.

    `open_at_once` is how many jobs a model runs at once (its concurrency); with
    `connections` (the pooled mode) only that many sockets are open, whatever the job count.
    The server holds the other end of each socket under the same hard limit.
    """
    sockets = min(open_at_once, connections) if connections else open_at_once
    soft, hard = nofile_limits()
    need = sockets + DESCRIPTOR_HEADROOM
    one = sockets == 1
    count = f"{sockets:,} connection{'' if one else 's'} open at once"
    fewer = "" if one else " or share fewer connections with --connections N"
    if soft != resource.RLIM_INFINITY and need > soft:
        return (
            f"{count} need{'s' if one else ''} about {need:,} open files ({sockets:,} for the "
            f"socket{'' if one else 's'}, {DESCRIPTOR_HEADROOM} for the worker's own), but "
            f"the open-file limit (RLIMIT_NOFILE) is {soft:,} (hard limit {hard:,}); raise it "
            f"with `ulimit -n`{fewer}"
        )
    ports = ephemeral_ports()
    if ports is not None and sockets > ports:
        return (
            f"{count} exceed the {ports:,} ephemeral ports of net.ipv4.ip_local_port_range; "
            "share fewer connections with --connections N"
        )
    return None
