"""The open-file limit: raised (soft up to hard) where the engine or a model needs more.

A low soft limit (`ulimit -Sn`) would otherwise surface as "Too many open files" from deep
inside a spawn or a pool start; a hard limit too low for the engine is one line up front.
"""

from __future__ import annotations

from typing import Any

from concurrency_bench.errors import InputError

ENGINE_OPEN_FILES = 32
"""What the parent needs: its std streams, a worker's request and stderr files and pipes
(spawn uses four at once), the environment's git probes, and room for imports."""
WORKER_OPEN_FILES = 32
"""What a worker needs before its model's own descriptors: std streams, channel, imports."""

_raised: list[str] = []
"""This process's raises, in order (the limit is process state, so the record is too)."""


def _limits() -> tuple[int, int, int] | None:
    """(soft, hard, RLIM_INFINITY), or None where the `resource` module does not exist."""
    try:
        import resource  # noqa: PLC0415 (POSIX only)
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft, hard, resource.RLIM_INFINITY


def ensure_open_files(need: int, who: str) -> str | None:
    """Make the soft open-file limit at least `need`, raising it up to the hard limit.

    Returns a note when it raised the limit, None when it was enough; InputError (one line
    naming the limit) when even the hard limit is below `need`.
    """
    limits = _limits()
    if limits is None:
        return None
    soft, hard, infinity = limits
    if soft == infinity or soft >= need:
        return None
    if hard != infinity and hard < need:
        raise InputError(
            f"the open-file limit (ulimit -n) is {hard}; {who} needs at least {need}: raise it"
        )
    # Imported here: kinds.limits needs `resource`, which _limits found.
    from concurrency_bench.kinds.limits import raise_nofile_limit  # noqa: PLC0415

    _, target = raise_nofile_limit(need)
    if target < need:  # the kernel refused even `need`, below the hard limit
        raise InputError(f"the open-file soft limit (ulimit -Sn) {soft} cannot be raised to {need}")
    note = f"open-file soft limit raised from {soft} to {target} ({who} needs {need})"
    _raised.append(note)
    return note


def describe() -> dict[str, Any]:
    """The limits as they are now, and this process's raises, for the environment block."""
    limits = _limits()
    if limits is None:
        return {"soft": None, "hard": None, "raised": list(_raised)}
    soft, hard, infinity = limits
    return {
        "soft": None if soft == infinity else soft,
        "hard": None if hard == infinity else hard,
        "raised": list(_raised),
    }
