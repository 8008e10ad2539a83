"""Reading and writing results files: validated loads, atomic never-overwriting writes, names."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import msgspec

from concurrency_bench.results.legacy import LEGACY_VERSION, upgrade
from concurrency_bench.results.schema import (
    FILE_MODE,
    SCHEMA_VERSION,
    ResultsError,
    ResultsFile,
    convert,
)


def load(path: str | os.PathLike[str]) -> ResultsFile:
    """Read and validate a results file; every failure is one ResultsError line."""
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise ResultsError(f"{source}: cannot read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    return parse(data, source)


def parse(data: Any, source: str = "results") -> ResultsFile:
    """Validate parsed JSON as a results file of a known version; errors name `source`."""
    if not isinstance(data, dict):
        raise ResultsError(f"{source}: not a concurrency-bench results file")
    version = data.get("schema_version")
    if version == LEGACY_VERSION:
        data = upgrade(data)
    elif version != SCHEMA_VERSION:
        raise ResultsError(
            f"{source}: schema_version {version!r} is not supported (this version reads "
            f"{LEGACY_VERSION} and {SCHEMA_VERSION})"
        )
    try:
        return convert(data)
    except msgspec.ValidationError as exc:
        raise ResultsError(f"{source}: malformed results file ({exc})") from None


def write_atomic(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Write `text` to `path` through a temp file and a rename, so readers never see half a file.

    With overwrite=False an existing file is never replaced (os.link fails instead).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    if hasattr(os, "fchmod"):
        os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600; results are meant to be read by others
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temp_name, path)
        else:
            os.link(temp_name, path)  # FileExistsError rather than replacing another run
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)


def results_name(results: ResultsFile) -> str:
    """The file stem: <UTC yyyymmddThhmmssZ>-<commit7 or nogit>[-dirty]."""
    stamp = results.created_utc.replace("-", "").replace(":", "")
    commit = results.environment.get("git_commit")
    name = f"{stamp}-{commit[:7] if isinstance(commit, str) and commit else 'nogit'}"
    return f"{name}-dirty" if results.environment.get("git_dirty") else name


def write_results(results: ResultsFile, out_dir: Path) -> Path:
    """Write the file atomically under a new name (-2, -3, ... on collision); never overwrites."""
    out_dir = Path(out_dir)
    stem = results_name(results)
    text = results.to_json()
    for attempt in range(1, 10_000):
        path = out_dir / (f"{stem}.json" if attempt == 1 else f"{stem}-{attempt}.json")
        if path.exists():
            continue
        try:
            write_atomic(path, text, overwrite=False)
        except FileExistsError:  # another run took the name between the check and the link
            continue
        return path
    raise FileExistsError(f"{out_dir}: no free name for {stem}.json")
