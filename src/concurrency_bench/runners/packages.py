"""Whether a model's package can be used here, and the line that installs it.

gevent and uvloop are compiled, so a Python or platform may have no build of them (gevent:
none for free-threaded 3.14t, often none yet for a new release). They are extras, never
needed for concurrency-bench to install; a model whose package is missing, or installed but
failing to import (a build for another Python), is unavailable with the line that fixes it.
The harness never imports a model's package itself: the import is tried in a fresh
interpreter, once per process.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import subprocess
import sys

OPTIONAL_PACKAGES: dict[str, frozenset[str]] = {
    "uvloop": frozenset({"win32"}),
    "gevent": frozenset(),
}
"""The models' compiled packages, which `pip install concurrency-bench` leaves out: each is
the extra of its name in pyproject.toml (`models` takes them all), mapped to the sys.platform
values its extra's marker rules out."""
IMPORT_TIMEOUT_S = 60.0
IMPORT_CHECK = """
import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failed))
"""
"""Run as `python -P -c IMPORT_CHECK PACKAGE...`: prints {package: error} for those that fail."""


def install_line(package: str) -> str:
    """How to get `package` for this Python: its extra, else pip; or why it cannot be had."""
    if sys.platform in OPTIONAL_PACKAGES.get(package, frozenset()):
        return f"{package} has no build for {sys.platform}"
    if package in OPTIONAL_PACKAGES:
        return f"pip install 'concurrency-bench[{package}]'"
    return f"pip install {package}"


def missing(package: str) -> bool:
    """True when `package` cannot be found here, without importing it (a finder that fails,
    or a package set to None in sys.modules, counts as missing)."""
    try:
        return importlib.util.find_spec(package) is None
    except (ImportError, ValueError):
        return True


@functools.cache
def import_failures() -> dict[str, str]:
    """The optional packages found here that fail to import, each with its error: asked once
    of a fresh interpreter (this one's, -P as the workers). A check that cannot run says
    nothing: a worker whose import fails still reports it."""
    found = [package for package in OPTIONAL_PACKAGES if not missing(package)]
    if not found:
        return {}
    try:
        done = subprocess.run(
            [sys.executable, "-P", "-c", IMPORT_CHECK, *found],
            capture_output=True,
            text=True,
            timeout=IMPORT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if done.returncode != 0:  # an import that kills the interpreter is a broken build too
        return dict.fromkeys(found, f"importing it ends Python with status {done.returncode}")
    try:
        failed = json.loads(done.stdout)
    except ValueError:
        return {}
    return {str(name): str(error) for name, error in failed.items()}


def unusable(package: str, *, try_import: bool = True) -> str | None:
    """Why `package` cannot be used here, with the line that fixes it, or None.

    `try_import=False` only looks for it (a worker, which imports it next anyway)."""
    if missing(package):
        return f"needs package {package} ({install_line(package)})"
    failure = import_failures().get(package) if try_import else None
    if failure is not None:
        return f"cannot import {package}: {failure} ({install_line(package)})"
    return None
