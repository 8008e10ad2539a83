"""Run as a script under another interpreter: what it is, and which models it can run there.

The engine runs this file (`python -P python_probe.py PACKAGE_ROOT`) once per `--python`
interpreter, before measuring. It uses only the standard library until it has found
concurrency-bench, because the interpreter may lack it or its dependencies. It reads the
models as JSON on stdin ([{name, module, min_python, requires}, ...]) and prints one JSON
object: the interpreter's identity and GIL (its build flag and state), whether it has its own
concurrency-bench (else the engine's tree is appended to its path), that package's protocol
version, what it lacks, and why each model is unavailable there, asked of that environment's
own registry.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import platform
import sys
import sysconfig
from typing import Any

MIN_PYTHON = (3, 11)


def identity() -> dict[str, Any]:
    """The interpreter's executable, version, implementation and build."""
    build = " ".join(platform.python_build())
    return {
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "build": f"{build} {platform.python_compiler()}".strip(),
        **gil_state(),
    }


def gil_state() -> dict[str, bool]:
    """Whether this is a free-threaded build (Py_GIL_DISABLED) and whether the GIL is on now
    (sys._is_gil_enabled, 3.13+; before, always on). engine/environment.py reads it too."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return {
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil_enabled": bool(is_enabled()) if callable(is_enabled) else True,
    }


def lacking(package: str) -> str:
    """The reason of a row whose interpreter lacks `package`, with the command that fixes it."""
    return f"{sys.executable} lacks {package} (fix: {sys.executable} -m pip install {package})"


def _import_package(root: str) -> tuple[bool, str | None]:
    """Import what a worker imports: (own package, missing module); the root is appended
    (as the engine's worker command does) only when the interpreter has no package of its own."""
    own = importlib.util.find_spec("concurrency_bench") is not None
    if not own:
        sys.path.append(root)
    try:
        importlib.import_module("concurrency_bench.engine.worker")
    except ModuleNotFoundError as exc:
        return own, exc.name or "a module"
    return own, None


def model_reason(model: dict[str, Any], registry: dict[str, Any]) -> str | None:
    """Why `model` cannot run here: this environment's registry decides the models it knows
    (a package it lacks is named with its fix); models it does not know are checked by the
    Python version and packages the engine sent."""
    requires = [str(p) for p in model.get("requires", ())]
    missing = [p for p in requires if importlib.util.find_spec(p) is None]
    spec = registry.get(model["name"])
    if spec is not None:
        reason: str | None = spec.unavailable_reason()
        if reason is None:
            return None
        return lacking(missing[0]) if missing else reason
    if str(model.get("module", "")).startswith("concurrency_bench."):
        return f"the concurrency-bench of {sys.executable} has no model {model['name']}"
    wanted = tuple(model.get("min_python", MIN_PYTHON))
    if sys.version_info[:2] < wanted:
        needed = ".".join(map(str, wanted))
        this = platform.python_version()
        return f"model {model['name']} needs Python {needed}+ ({sys.executable} is {this})"
    return lacking(missing[0]) if missing else None


def probe(root: str, models: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything the engine needs to know about this interpreter (see the module docstring)."""
    found: dict[str, Any] = {**identity(), "protocol": None, "own_package": False, "lacks": None}
    found["unavailable"] = {}
    if sys.version_info[:2] < MIN_PYTHON:
        found["too_old"] = True
        return found
    own, missing = _import_package(root)
    found["own_package"] = own
    if missing is not None and missing.startswith("concurrency_bench"):
        found["old_package"] = missing  # a concurrency-bench from before the protocol
        return found
    if missing is not None:
        found["lacks"] = missing.split(".")[0]
        return found
    protocol = importlib.import_module("concurrency_bench.engine.protocol")
    found["protocol"] = protocol.PROTOCOL_VERSION
    registry = importlib.import_module("concurrency_bench.runners").REGISTRY
    found["unavailable"] = {
        model["name"]: reason
        for model in models
        if (reason := model_reason(model, registry)) is not None
    }
    return found


def main() -> int:
    """Read the models on stdin, print the probe's JSON on stdout."""
    models = json.loads(sys.stdin.read() or "[]")
    print(json.dumps(probe(sys.argv[1], models)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
