"""The pins: every dependency the package, its extras and tox's environments name is pinned in
requirements/constraints.txt, and tox installs through it, so a new release cannot change a
test's outcome until someone refreshes the pins on purpose (`tox -e lock`)."""

from __future__ import annotations

import configparser
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"


def _name(requirement: str) -> str:
    """A requirement's project name, normalised as PEP 503 does."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _pinned() -> set[str]:
    pins = set()
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.match(r"[a-z0-9-]+==[^\s;]+( ; .+)?$", line), f"not an exact pin: {line}"
            pins.add(_name(line))
    return pins


def _named() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra if not r.startswith(project["name"])}
    tools = (ROOT / "requirements" / "tools.in").read_text(encoding="utf-8").splitlines()
    names |= {_name(line) for line in tools if line.strip() and not line.startswith("#")}
    return names


def test_every_named_dependency_is_pinned() -> None:
    missing = _named() - _pinned()
    assert not missing, f"not in requirements/constraints.txt (run `tox -e lock`): {missing}"


def test_every_tox_environment_installs_through_the_pins() -> None:
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini", encoding="utf-8")
    assert "PIP_CONSTRAINT = {toxinidir}/requirements/constraints.txt" in tox["testenv"]["set_env"]
    tox_deps: set[str] = set()
    for section in tox.sections():
        for dep in tox[section].get("deps", "").split("\n"):
            if dep.strip():
                # A version written in tox.ini would be a second pin that drifts from the lock.
                assert not re.search(r"[=<>~!]", dep), f"[{section}] pins {dep!r} itself"
                tox_deps.add(_name(dep))
    assert tox_deps <= _pinned()


def test_ci_installs_tox_through_the_pins() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-c requirements/constraints.txt tox" in script
