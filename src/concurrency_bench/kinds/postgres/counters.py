"""The cluster's counters, read by the worker between rounds: CPU seconds and jobs answered.

CPU: the postmaster's own time, its reaped children's (backends that have exited), and each
live child's, from /proc (Linux only; elsewhere 0): schedstat's nanoseconds where the kernel
has them, since stat's ticks would round each backend's few milliseconds down to nothing.
Jobs answered: the `answered` sequence, which each job's query advances once, read over one
connection kept for the worker's life (a new one per read would add a backend's start to the
round).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from concurrency_bench.kinds.postgres.drivers import Dsn
from concurrency_bench.kinds.servers import ServerCounters, ServerError

PROC = Path("/proc")
ANSWERED = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM answered"


def _stat(pid: str) -> list[int]:
    """utime, stime, cutime, cstime (clock ticks) and the ppid, from /proc/<pid>/stat."""
    stat = (PROC / pid / "stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return [int(fields[11]), int(fields[12]), int(fields[13]), int(fields[14]), int(fields[1])]


def _run_s(pid: str, stat: list[int]) -> float:
    """CPU seconds process `pid` has run, to the nanosecond from /proc/<pid>/schedstat (a
    backend's share of a round is often under stat's 10 ms tick), else from its ticks."""
    try:
        return int((PROC / pid / "schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return (stat[0] + stat[1]) / os.sysconf("SC_CLK_TCK")


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of process `pid`, of its children that ended, and of those that run."""
    try:
        own = _stat(str(pid))
    except OSError:
        return 0.0
    total = _run_s(str(pid), own) + (own[2] + own[3]) / os.sysconf("SC_CLK_TCK")
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            child = _stat(entry.name)
        except (OSError, ValueError, IndexError):
            continue
        if child[4] == pid:
            total += _run_s(entry.name, child)
    return total


class Counters:
    """Reads a cluster's counters; opens its connection on the first read."""

    def __init__(self, dsn: Dsn, pid: int) -> None:
        self.dsn = dsn
        self.pid = pid
        self.connection: Any = None

    def read(self) -> ServerCounters:
        """CPU seconds and jobs answered now; ServerError when the cluster does not answer."""
        import psycopg  # noqa: PLC0415 (the postgres extra)

        try:
            if self.connection is None or self.connection.closed:
                self.connection = psycopg.connect(
                    self.dsn.conninfo, autocommit=True, connect_timeout=10
                )
            row = self.connection.execute(ANSWERED).fetchone()
        except psycopg.Error as exc:
            raise ServerError(f"PostgreSQL did not answer its counters: {exc}") from exc
        return ServerCounters(tree_cpu_s(self.pid), int(row[0]) if row else 0)
