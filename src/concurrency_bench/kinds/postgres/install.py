"""Where PostgreSQL's server programs are, and the reason a host cannot run `--io postgres`.

Imported by the registry's availability check, for every row, so it uses the standard library
only and asks `pg_config` once per process. The lookup: `$CONCURRENCY_BENCH_PG_BINDIR` when set
(tests point it at an empty folder to play a host without PostgreSQL), else `pg_config
--bindir`, else Debian's `/usr/lib/postgresql/<version>/bin`, newest version first.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

BINDIR_ENV = "CONCURRENCY_BENCH_PG_BINDIR"
"""A folder holding initdb and postgres, instead of looking for them."""
DEBIAN_ROOT = Path("/usr/lib/postgresql")
INSTALL = "apt-get install postgresql"
"""The install line a row without PostgreSQL names (Debian and Ubuntu)."""
PROGRAMS = ("initdb", "postgres", "psql")
"""What the kind runs: initdb for the cluster, postgres to serve it, psql to load it."""


def _has_programs(folder: Path) -> bool:
    return all(os.access(folder / name, os.X_OK) for name in PROGRAMS)


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        done = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(done.stdout.strip())


def _version_key(folder: Path) -> tuple[int, ...]:
    digits = folder.parent.name.split(".")
    return tuple(int(part) for part in digits if part.isdigit())


@functools.cache
def _lookup(override: str | None) -> Path | None:
    if override is not None:
        return Path(override) if _has_programs(Path(override)) else None
    found = _pg_config_bindir()
    candidates = [found] if found is not None else []
    candidates += sorted(DEBIAN_ROOT.glob("*/bin"), key=_version_key, reverse=True)
    return next((folder for folder in candidates if _has_programs(folder)), None)


def find_bindir() -> Path | None:
    """The folder with PostgreSQL's initdb, postgres and psql, or None when not installed."""
    return _lookup(os.environ.get(BINDIR_ENV))


def unavailable() -> str | None:
    """Why this host cannot run a PostgreSQL server for the jobs, or None when it can."""
    if find_bindir() is not None:
        return None
    where = os.environ.get(BINDIR_ENV) or f"pg_config --bindir or {DEBIAN_ROOT}/<version>/bin"
    return f"--io postgres needs the PostgreSQL server, not found in {where} ({INSTALL})"
