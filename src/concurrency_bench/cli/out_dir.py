"""Proof, before anything is measured, that an output folder (or file path) can take a file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from concurrency_bench.errors import InputError

PROBE_PREFIX = ".concurrency-bench-probe-"


def prove_writable(directory: Path, name: str = "out") -> None:
    """Create `directory` if needed, then write and remove a probe file in it; any failure
    (a dangling symlink or a loop, a name too long, a read-only or pseudo file system) is
    bad input naming `name`, so no measurement is made whose results could not be kept."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=PROBE_PREFIX, dir=directory)
        try:
            os.write(handle, b"probe")
        finally:
            os.close(handle)
            os.unlink(probe)
    except FileExistsError:
        raise InputError(
            f"`{name}` must be a folder, but {directory} is (or leads through) something else:"
            f" {_kind(directory)}"
        ) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"`{name}` folder {directory} cannot take a file: {reason}") from None


def check_file_name(path: Path, name: str) -> None:
    """Refuse a path that names no file of its own (., .., /), naming `name`."""
    if path.name in ("", ".", ".."):
        raise InputError(f"`{name}` must be a file's path, got {str(path)!r}, a folder")


def prove_file_writable(path: Path, name: str) -> None:
    """Refuse a file path whose file cannot be written or replaced: no file name, or something
    there other than a regular file (a folder; a device such as /dev/null or a FIFO, which
    replacing would destroy, or writing would block on); then prove its folder."""
    check_file_name(path, name)
    try:
        mode = path.stat().st_mode
    except OSError:  # nothing there yet, or a path the folder's proof explains
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise InputError(f"`{name}` must be a regular file's path; {path} is {what}")
    prove_writable(path.parent, name)


def _kind(path: Path) -> str:
    """What sits at `path` (or at its first non-folder ancestor), for the error message."""
    for candidate in (path, *path.parents):
        try:
            if candidate.is_symlink() and not candidate.exists():
                return f"{candidate} is a symlink to nothing (dangling, or a loop)"
            if candidate.exists() and not candidate.is_dir():
                return f"{candidate} is not a directory"
        except OSError:
            continue
    return "not a directory"
