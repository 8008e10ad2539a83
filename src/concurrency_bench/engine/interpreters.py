"""Other interpreters for the workers (`run --python`, `ab`): find them, probe them, label them.

An interpreter is a path, a name on PATH, or a version such as 3.12 (the interpreter running
concurrency-bench when it is that version, else PATH's python3.12, else pyenv's newest
3.12.x). Each is probed once, before anything is measured, by running python_probe.py under
it: its version and build, whether it has concurrency-bench and its dependencies, its
protocol version, and which models it can run, decided there. The probe's answer is decoded
with its types, as a results file is: an answer of another shape is one line naming the
interpreter.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated

import msgspec

from concurrency_bench.engine.protocol import PROTOCOL_VERSION
from concurrency_bench.errors import InputError
from concurrency_bench.results import PythonInfo
from concurrency_bench.results.store import _one_line as shown
from concurrency_bench.runners import ModelSpec

PROBE_SCRIPT = Path(__file__).with_name("python_probe.py")
PACKAGE = Path(__file__).resolve().parents[1]
"""This concurrency_bench package's directory (in src/, or in an environment's site-packages)."""
PROBE_TIMEOUT_S = 60.0
VERSION = re.compile(r"^[0-9]+\.[0-9]+(\.[0-9]+)?t?$")
"""3.12, 3.12.1, and with a final t a free-threaded build: 3.14t, 3.14.0t."""
WHAT = (
    "an interpreter's path, a name on PATH, or a version such as 3.12 or 3.14t (this "
    "interpreter, PATH or pyenv)"
)


ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*\Z"
"""Text without control characters (not even a final newline), as a results file holds it."""


class ProbeAnswer(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What python_probe.py prints, field by field (see its `probe`)."""

    executable: str
    version: Annotated[str, msgspec.Meta(pattern=r"^[0-9]+\.[0-9]+[0-9A-Za-z.+]*\Z")]
    implementation: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z][A-Za-z0-9 ._+-]*\Z")]
    build: Annotated[str, msgspec.Meta(pattern=ONE_LINE)]
    protocol: Annotated[int, msgspec.Meta(ge=0)] | None
    own_package: bool
    lacks: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\Z")] | None
    """The top-level module a worker imports that this interpreter lacks."""
    unavailable: dict[str, Annotated[str, msgspec.Meta(pattern=ONE_LINE)]]
    """Model name -> why it cannot run there (a row's reason)."""
    too_old: bool = False
    old_package: str | None = None
    free_threaded: bool = False
    gil_enabled: bool = True


@functools.cache
def package_root() -> str:
    """A folder whose only import is this package, for a worker's sys.path: src/ for a source
    tree; for an installed package a private folder linking to it, because appending an
    environment's site-packages would hand another interpreter this one's compiled packages."""
    if PACKAGE.parent.name not in ("site-packages", "dist-packages"):
        return str(PACKAGE.parent)
    private = Path(tempfile.mkdtemp(prefix="concurrency-bench-path-"))
    (private / PACKAGE.name).symlink_to(PACKAGE, target_is_directory=True)
    atexit.register(shutil.rmtree, private, ignore_errors=True)
    return str(private)


@dataclass(frozen=True)
class Interpreter:
    """A probed interpreter: how to start it, what its rows record, what it cannot run."""

    executable: str
    info: PythonInfo
    own_package: bool = True
    """False: it has no concurrency-bench of its own, so the engine's tree is appended."""
    protocol: int | None = PROTOCOL_VERSION
    unavailable: Mapping[str, str] = field(default_factory=dict)
    """Model name -> why it cannot run under this interpreter (decided there)."""
    lacks: str | None = None
    """Why no model runs here at all (a dependency of concurrency-bench is missing)."""

    def reason(self, spec: ModelSpec) -> str | None:
        """Why `spec` is unavailable under this interpreter, or None."""
        return self.lacks or self.unavailable.get(spec.name)

    def worker_path(self) -> tuple[str, ...]:
        """The engine's sys.path entries a worker under this interpreter may append: none of
        the engine's own installation (stdlib, site-packages, its package), so every model
        package comes from the interpreter's environment; the rest (test models) stays."""
        own = {
            os.path.realpath(p)
            for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)
        }
        own |= {os.path.realpath(p) for p in sysconfig.get_paths().values()}
        own.add(os.path.realpath(PACKAGE.parent))
        kept = []
        for entry in sys.path:
            real = os.path.realpath(entry) if entry else ""
            if real and not any(real == o or real.startswith(o + os.sep) for o in own):
                kept.append(entry)
        return tuple(kept)


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def _on_path(name: str) -> str | None:
    """`name` on PATH, skipping pyenv's shims (they fail for versions pyenv has not selected)."""
    shims = _pyenv_root() / "shims"
    entries = [p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != shims]
    return shutil.which(name, path=os.pathsep.join(entries))


def _version_key(path: Path) -> tuple[int, ...]:
    numbers = re.findall(r"[0-9]+", path.parents[1].name)
    return tuple(int(n) for n in numbers)


def running_is(version: str) -> bool:
    """Whether the interpreter running concurrency-bench is `version` (3.12 or 3.12.1, 3.14t
    for a free-threaded build): its environment has the dependencies, where the system's
    python3.12 may have none."""
    running = platform.python_version()
    mark = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    names = (running + mark, short_version(running) + mark)
    return bool(sys.executable) and version in names


def resolve(text: str) -> str:
    """The interpreter `text` names, as an absolute path (not resolving links: a virtual
    environment's python must stay itself); InputError naming `python` when none is found."""
    text = text.strip()
    if not text:
        raise InputError(f"`python` must be {WHAT}; got an empty name")
    if VERSION.match(text):
        if running_is(text):
            return os.path.abspath(sys.executable)
        number, mark = text.removesuffix("t"), "t" if text.endswith("t") else ""
        major_minor = ".".join(number.split(".")[:2])
        if number == major_minor:
            found = _on_path(f"python{text}")
            if found:
                return os.path.abspath(found)
        candidates = [  # pyenv names a free-threaded build 3.14t or 3.14.0t
            p
            for p in (_pyenv_root() / "versions").glob(f"{number}*/bin/python")
            if re.fullmatch(rf"{re.escape(number)}(\.[0-9]+)?{mark}", p.parents[1].name)
        ]
        if candidates:
            return str(max(candidates, key=_version_key))
        raise InputError(
            f"`python` {text}: no python{major_minor}{mark} on PATH and no "
            f"{_pyenv_root() / 'versions' / text}* from pyenv; give {WHAT}"
        )
    path = text if os.sep in text else _on_path(text)
    if path is None or not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise InputError(f"`python` must be {WHAT}; {text!r} is not an executable file")
    return os.path.abspath(path)


def _models(specs: Sequence[ModelSpec]) -> str:
    return json.dumps(
        [
            {
                "name": s.name,
                "module": s.module,
                "min_python": list(s.min_python),
                "requires": list(s.requires),
            }
            for s in specs
        ]
    )


def _run_probe(executable: str, specs: Sequence[ModelSpec]) -> ProbeAnswer:
    """Run python_probe.py under `executable` and decode its answer (InputError if it cannot
    be run, answers no JSON, or answers JSON of another shape)."""
    try:
        done = subprocess.run(
            [executable, "-P", str(PROBE_SCRIPT), package_root()],
            input=_models(specs),
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"`python` {executable} could not be run: {exc}") from None
    lines = done.stdout.strip().splitlines()
    try:
        found = msgspec.json.decode(lines[-1] if lines else "", type=ProbeAnswer)
    except msgspec.ValidationError as exc:
        raise InputError(
            f"`python` {executable} answered the interpreter probe with JSON of another shape "
            f"({shown(str(exc))}); is it a Python 3.11+ interpreter?"
        ) from None
    except msgspec.DecodeError:
        tail = (done.stderr.strip().splitlines() or ["nothing on stderr"])[-1][:200]
        raise InputError(
            f"`python` {executable} is not a Python 3.11+ interpreter: the interpreter probe "
            f"got no JSON answer (exit status {done.returncode}: {shown(tail)})"
        ) from None
    if found.too_old:
        raise InputError(
            f"`python` {executable} is Python {found.version}; concurrency-bench needs 3.11+"
        )
    return found


def probe(executable: str, specs: Sequence[ModelSpec], label: str) -> Interpreter:
    """Probe one interpreter (outside every timed region) for the models of a run."""
    found = _run_probe(executable, specs)
    identity = {"label": label, "executable": executable, "version": found.version,
                "implementation": found.implementation, "build": found.build,
                "free_threaded": found.free_threaded, "gil_enabled": found.gil_enabled}  # fmt: skip
    try:  # the record the rows will carry, held to the results file's rules
        info = msgspec.convert(identity, PythonInfo)
    except msgspec.ValidationError as exc:
        raise InputError(
            f"`python` {executable} describes itself in a way a results file cannot hold "
            f"({shown(str(exc))})"
        ) from None
    lacks = found.lacks
    return Interpreter(
        executable=executable,
        info=info,
        own_package=found.own_package,
        protocol=found.protocol,
        unavailable=found.unavailable,
        lacks=f"{executable} lacks {lacks} (fix: {executable} -m pip install {lacks})"
        if lacks
        else None,
    )


def short_version(version: str) -> str:
    """3.12.1 -> 3.12."""
    return ".".join(version.split(".")[:2])


def version_label(info: PythonInfo, *, short: bool = True) -> str:
    """3.12 (or 3.12.1 when not `short`), with a t for a free-threaded build: 3.14t."""
    version = short_version(info.version) if short else info.version
    return version + ("t" if info.free_threaded else "")


def probe_all(texts: Sequence[str], specs: Sequence[ModelSpec]) -> list[Interpreter]:
    """Resolve and probe every `--python` value, labelled by short version (the full
    version, then the path, when two share it); the same interpreter twice is bad input."""
    paths = [resolve(text) for text in texts]
    for index, path in enumerate(paths):
        if path in paths[:index]:
            raise InputError(f"`python` names {path} twice ({', '.join(texts)})")
    probed = [probe(path, specs, label=path) for path in paths]
    labels = [version_label(p.info) for p in probed]
    if len(set(labels)) < len(labels):
        labels = [version_label(p.info, short=False) for p in probed]
    if len(set(labels)) < len(labels):
        labels = [f"{version_label(p.info, short=False)} {p.executable}" for p in probed]
    return [relabel(p, label) for p, label in zip(probed, labels, strict=True)]


def describe(interpreter: Interpreter) -> str:
    """ "/path/bin/python (CPython 3.12.1)": which interpreter was chosen, with its GIL when the
    build is free-threaded ("CPython 3.14.0, free-threaded, GIL disabled")."""
    info = interpreter.info
    gil = f", {info.gil}" if info.gil else ""
    return f"{info.executable} ({info.implementation} {info.version}{gil})"


def relabel(interpreter: Interpreter, label: str) -> Interpreter:
    """The same interpreter, its rows labelled `label` (base/new in `ab`)."""
    return replace(interpreter, info=msgspec.structs.replace(interpreter.info, label=label))


def protocol_mismatch(interpreter: Interpreter, role: str) -> str | None:
    """One line when the interpreter's concurrency-bench speaks another protocol, else None."""
    if interpreter.lacks is not None or interpreter.protocol == PROTOCOL_VERSION:
        return None
    theirs = (
        f"protocol {interpreter.protocol}"
        if interpreter.protocol is not None
        else "no protocol version (it predates them)"
    )
    return (
        f"{role} {interpreter.executable} has a concurrency-bench whose worker speaks "
        f"{theirs}, this engine protocol {PROTOCOL_VERSION}: build its environment from a "
        f"commit whose engine speaks protocol {PROTOCOL_VERSION}"
    )
