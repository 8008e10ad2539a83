"""Reading and writing results files: safe validated loads, atomic never-overwriting writes, names.

`load` trusts nothing in the file: it opens regular files only (a FIFO would block, a device
never end), reads at most MAX_FILE_BYTES, and turns every way the bytes can be wrong into one
ResultsError line naming the file and the field.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Final

import msgspec

from concurrency_bench.results.legacy import LEGACY_VERSION, upgrade
from concurrency_bench.results.schema import (
    FILE_MODE,
    NAME_PATTERN,
    SCHEMA_VERSION,
    ResultsError,
    ResultsFile,
    decode,
)
from concurrency_bench.textsafe import visible
from concurrency_bench.workload import Scenario

MAX_FILE_BYTES: Final = 512 * 1024**2
"""The largest results file `load` reads (512 MiB).

The largest legitimate file is a 10,000,000-job run (the scenario limit). Its size is the
scenario's `delays_s`, one number per job, and nothing else that grows with the jobs (the
models' rounds grow with rounds and models only). A delay is written in at most 22
characters plus a comma (shortest round-trip repr, e.g. 1.2345678901234567e-05, for random
spread delays), so the delays take at most about 230 MB; uniform delays (0.05,) about 50 MB.
Twice the worst case, rounded up to a power of two, leaves room for the other fields and for
a format that writes a little more; anything larger is not a results file.
"""
NAME_EXPECTED = (
    "Expected a name: a non-empty line of plain text (no control, format or line separator "
    "character)"
)
"""What a name's regular expression means, said instead of the expression in messages."""
MESSAGE_CHARS = 300
"""Longest excerpt of the file's content quoted in an error message."""
_SCENARIO_FIELDS = tuple(field.name for field in dataclasses.fields(Scenario))


class _Head(msgspec.Struct):
    """Just the version, so the right reader is chosen before anything else is validated."""

    schema_version: Any = None


# Scenario is a dataclass, whose unknown fields msgspec ignores: this shape refuses them
# (values are left raw, so checking it costs a scan, not a second parse of the delays).
_ScenarioShape = msgspec.defstruct(
    "_ScenarioShape",
    [(name, msgspec.Raw, msgspec.Raw()) for name in _SCENARIO_FIELDS],
    forbid_unknown_fields=True,
)
_BlockShape = msgspec.defstruct("_BlockShape", [("scenario", _ScenarioShape)])
_FileShape = msgspec.defstruct(
    "_FileShape",
    [("scenarios", list[_BlockShape])],  # type: ignore[valid-type]  # built, not declared
)


def load(path: str | os.PathLike[str]) -> ResultsFile:
    """Read and validate a results file; every failure is one ResultsError line."""
    source = _one_line(os.fspath(path))
    return parse_bytes(_read(os.fspath(path), source), source)


def _read(path: str, source: str) -> bytes:
    """The file's bytes, refusing anything but a regular file within MAX_FILE_BYTES."""
    try:
        info = os.stat(path)  # before opening: opening a FIFO blocks, a tape device rewinds
        _check_kind(info, source)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            _check_kind(os.fstat(handle.fileno()), source)  # replaced since the stat?
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ResultsError(f"{source}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ResultsError(_too_big(source))
    return data


def _check_kind(info: os.stat_result, source: str) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise ResultsError(f"{source}: is a directory, not a results file")
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
        raise ResultsError(f"{source}: is {kind}, not a regular file; give a results file")
    if info.st_size > MAX_FILE_BYTES:
        raise ResultsError(_too_big(source, info.st_size))


def _too_big(source: str, size: int | None = None) -> str:
    what = f"{size:,} bytes" if size is not None else "larger than that"
    return (
        f"{source}: is {what}, over the {MAX_FILE_BYTES:,}-byte limit of a results file "
        "(a 10,000,000-job run is well under it)"
    )


def parse_bytes(data: bytes, source: str = "results") -> ResultsFile:
    """Validate a results file's bytes of a known version; errors are one line naming `source`."""
    if not data.isascii():  # the fast path: ASCII is UTF-8; else find the first bad byte
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ResultsError(f"{source}: not UTF-8 text (byte {exc.start:,})") from None
    try:
        version = msgspec.json.decode(data, type=_Head).schema_version
        if version == SCHEMA_VERSION and type(version) is int:
            msgspec.json.decode(data, type=_FileShape)  # unknown scenario fields
            return decode(data)
        if version == LEGACY_VERSION and type(version) is int:
            upgraded = msgspec.json.encode(upgrade(msgspec.json.decode(data)))
            msgspec.json.decode(upgraded, type=_FileShape)
            return decode(upgraded)
    except msgspec.ValidationError as exc:  # a DecodeError too: first
        raise ResultsError(_malformed(source, exc)) from None
    except msgspec.DecodeError as exc:
        detail = _one_line(str(exc).removeprefix("JSON is malformed: "))
        raise ResultsError(f"{source}: not valid JSON ({detail})") from None
    except RecursionError:
        raise ResultsError(f"{source}: malformed results file (nested too deeply)") from None
    except (ValueError, TypeError, ArithmeticError) as exc:  # the schema-1 converter's checks
        raise ResultsError(f"{source}: malformed results file ({_one_line(str(exc))})") from None
    shown = _one_line(repr(version))
    raise ResultsError(
        f"{source}: schema_version {shown} is not supported (this version reads "
        f"{LEGACY_VERSION} and {SCHEMA_VERSION})"
    )


def parse(data: Any, source: str = "results") -> ResultsFile:
    """Validate already-parsed JSON data as a results file (tests); see `parse_bytes`."""
    try:
        text = msgspec.json.encode(data)
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise ResultsError(f"{source}: not JSON data ({_one_line(str(exc))})") from None
    return parse_bytes(text, source)


def _malformed(source: str, exc: msgspec.ValidationError) -> str:
    text = str(exc)
    if text.startswith("Expected `object`, got") and " - at `" not in text:  # the top level
        return f"{source}: not a concurrency-bench results file (not a JSON object)"
    text = text.replace(f"Expected `str` matching regex {NAME_PATTERN!r}", NAME_EXPECTED)
    return f"{source}: malformed results file ({_one_line(text)})"


def _one_line(text: str) -> str:
    """`text` without line breaks or other control characters, and not too long."""
    flat = visible(text[: MESSAGE_CHARS * 2])
    return flat if len(flat) <= MESSAGE_CHARS else flat[: MESSAGE_CHARS - 3] + "..."


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
    if not (isinstance(commit, str) and commit.isascii() and commit.isalnum()):  # not a path
        commit = "nogit"
    name = f"{stamp}-{commit[:7]}"
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
