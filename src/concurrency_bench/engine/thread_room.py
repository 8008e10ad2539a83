"""How many more OS threads a worker could start here, so that a thread-per-job model asked for
more is a row "not run" with the limit named, not a worker failing after thousands of threads.

A thread takes a kernel task id (under kernel.pid_max and kernel.threads-max, shared by every
process of the machine), counts against the user's process limit (RLIMIT_NPROC) and maps its
stack and guard page in the worker (two of vm.max_map_count's mappings). The room is the
smallest of these less what is already in use (the tasks /proc/loadavg counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
MAPS_PER_THREAD = 2
"""A thread's stack and its guard page: two mappings of the worker's vm.max_map_count."""
WORKER_MAPS = 1_000
"""The mappings a worker has before its threads (interpreter, libraries, heap arenas)."""


@dataclass(frozen=True)
class ThreadRoom:
    """How many more threads fit, and the limit that sets it (`kernel.pid_max 32768`)."""

    threads: int
    limit: str


def _number(path: Path) -> int | None:
    """The first whole number of a /proc file, None where it cannot be read."""
    try:
        first = path.read_text(encoding="ascii").split()[0]
    except (OSError, UnicodeDecodeError, IndexError):
        return None
    return int(first) if first.isdigit() else None


def _tasks_in_use(proc: Path) -> int:
    """Every task (thread) of the machine now: /proc/loadavg's `running/total` field."""
    try:
        field = (proc / "loadavg").read_text(encoding="ascii").split()[3]
        return int(field.partition("/")[2])
    except (OSError, UnicodeDecodeError, IndexError, ValueError):
        return 0


def _nproc() -> int | None:
    """The soft RLIMIT_NPROC, None where unlimited or unknown."""
    try:
        import resource  # noqa: PLC0415 (POSIX only)
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    return None if soft == resource.RLIM_INFINITY else soft


def thread_room(proc: Path = PROC) -> ThreadRoom | None:
    """The threads a worker could still start; None where no limit can be read (not Linux)."""
    used = _tasks_in_use(proc)
    rooms = []
    for name in ("pid_max", "threads-max"):
        value = _number(proc / "sys" / "kernel" / name)
        if value is not None:
            rooms.append(ThreadRoom(max(0, value - used), f"kernel.{name} {value:,}"))
    nproc = _nproc()
    if nproc is not None:
        rooms.append(ThreadRoom(max(0, nproc - used), f"ulimit -u {nproc:,}"))
    maps = _number(proc / "sys" / "vm" / "max_map_count")
    if maps is not None:
        threads = max(0, maps - WORKER_MAPS) // MAPS_PER_THREAD
        rooms.append(ThreadRoom(threads, f"vm.max_map_count {maps:,}"))
    return min(rooms, key=lambda room: room.threads) if rooms else None
