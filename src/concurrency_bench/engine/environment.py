"""Where a run was measured: machine, OS, Python build, package versions, git state, timer.

Collected once per run by the parent process, never inside a timed region, and stored
with every results file so that two runs can be told apart (the compare gate warns on it).
"""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from concurrency_bench.engine.python_probe import gil_state

PACKAGES = (
    "uvloop",
    "trio",
    "anyio",
    "gevent",
    "greenlet",
    "uvicorn",
    "httptools",
    "aiohttp",
    "httpx",
    "httpcore",
    "requests",
    "urllib3",
    "geventhttpclient",
    "trustme",
    "pytest-benchmark",
    "tabulate",
    "concurrency-bench",
)
"""Distributions whose versions change results (runtimes) or their presentation; one that is
not installed (gevent on a Python it has no build for) is left out of the file."""
GIT_TIMEOUT_S = 10.0
PACKAGE_DIR = Path(__file__).resolve().parent.parent
MEMINFO = Path("/proc/meminfo")


def collect(gc_setting: str) -> dict[str, Any]:
    """The environment as flat JSON-ready data; `gc_setting` is the engine's --gc choice."""
    commit, dirty = git_state()
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_total_bytes": memory_total_bytes(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "os": platform.system(),
        "kernel": platform.release(),
        "os_version": platform.version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "python_build": " ".join(platform.python_build()),
        "python_compiler": platform.python_compiler(),
        "python_debug_build": hasattr(sys, "gettotalrefcount"),
        **{f"python_{key}": value for key, value in gil_state().items()},
        "packages": package_versions(),
        "git_commit": commit,
        "git_dirty": dirty,
        "timer": clock_info("perf_counter"),
        "cpu_timer": clock_info("process_time"),
        "gc": {"setting": gc_setting, "thresholds": list(gc.get_threshold())},
    }


def cpu_model() -> str:
    """The CPU's marketing name (Linux /proc/cpuinfo), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Hardware", "cpu model") and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def meminfo(path: Path | None = None) -> dict[str, int]:
    """/proc/meminfo's figures by name (MemTotal, MemAvailable, ...), in bytes where the file
    gives kB; empty where it cannot be read (not Linux). The one reader of that file."""
    try:
        text = (path or MEMINFO).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return {}
    found = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        parts = value.split()
        if parts and parts[0].isdigit():
            found[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return found


def memory_total_bytes() -> int | None:
    """Physical memory: /proc/meminfo's MemTotal, else sysconf pages, else None."""
    total = meminfo().get("MemTotal")
    if total is not None:
        return total
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def package_versions() -> dict[str, str]:
    """The version of each of PACKAGES that is installed; the others are left out."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def clock_info(name: Literal["perf_counter", "process_time"]) -> dict[str, Any]:
    """time.get_clock_info as data: implementation, resolution (s), monotonic."""
    info = time.get_clock_info(name)
    return {
        "implementation": info.implementation,
        "resolution_s": info.resolution,
        "monotonic": info.monotonic,
    }


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(PACKAGE_DIR), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state() -> tuple[str | None, bool | None]:
    """(commit, dirty) of the repository this package's code comes from, or (None, None).

    Only a repository that tracks this very package counts, so an installed copy in a
    venv inside some other project reports no commit. Dirty means a tracked file differs
    from the commit or an untracked file sits in the package directory (code that ran).
    """
    if _git("ls-files", "--error-unmatch", "__init__.py") is None:
        return None, None
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return None, None
    tracked = _git(
        "status", "--porcelain", "--untracked-files=no", "--", ":(top)", ":(top,exclude)results"
    )
    untracked = _git("ls-files", "--others", "--exclude-standard", ".")
    if tracked is None or untracked is None:
        return commit.strip(), None
    return commit.strip(), bool(tracked.strip() or untracked.strip())
