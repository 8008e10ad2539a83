"""The package's imports point down, as the README's "How it is built" states.

Every module's imports are read with ast (a lazy import inside a function counts too) and held
to three rules: a layer imports only the layers below it (LOWER); no module imports a command
(cli.main finds each by name; the commands share cli/args.py, cli/gate_args.py and
cli/measuring.py instead);
outside engine/, the engine is used through the names `concurrency_bench.engine` exports. An
import under `if TYPE_CHECKING:` is an annotation's, not a dependency at run time: it is held
to the third rule only (the timeline's report names the engine's SingleRun in annotations).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import concurrency_bench
from concurrency_bench import engine

PACKAGE = Path(concurrency_bench.__file__).parent
ROOT = "concurrency_bench"
BASE_MODULES = frozenset({"errors", "lifetime", "quantities", "summaries", "textsafe"})
"""Top-level modules below every layer: they import nothing of the package but each other."""
IO = frozenset({"net", "kinds"})
"""The I/O layer: the loopback TCP server and clients (net/, to become the I/O kinds)."""
LOWER: dict[str, frozenset[str]] = {
    "base": frozenset(),
    "workload": frozenset({"base"}),
    "net": frozenset({"base", "workload"}),
    "kinds": frozenset({"base", "workload"}),
    "runners": frozenset({"base", "workload"}) | IO,
    "results": frozenset({"base", "workload"}),
    "engine": frozenset({"base", "workload", "runners", "results"}) | IO,
    "analysis": frozenset({"base", "workload", "results"}),
    "report": frozenset({"base", "workload", "runners", "results", "analysis"}),
    "cli": frozenset({"base", "workload", "runners", "results", "engine", "analysis", "report"})
    | IO,
    "suite": frozenset(
        {"base", "workload", "runners", "results", "engine", "analysis", "report", "cli"}
    )
    | IO,
}
"""What each layer may import besides itself. results/ never imports analysis/ or report/; the
engine never analysis/ or report/ (it writes results, it does not judge or show them); report/
never the engine or the I/O layer (reporters never measure); cli/ and suite/ sit on top."""


BASE_DECLARATIONS = frozenset({"concurrency_bench.kinds.registry"})
"""Registries that are data below every layer: the kinds' registry names each kind's options
and limits, which the scenario and the published schema read, and imports only base modules."""


def layer(module: str) -> str:
    """The layer of a module of the package, by its dotted name."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in BASE_MODULES or module in BASE_DECLARATIONS:
        return "base"
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def module_name(path: Path) -> str:
    """`concurrency_bench.engine.api` for PACKAGE/engine/api.py (packages by their __init__)."""
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def is_module(name: str) -> bool:
    """Whether a dotted name of the package is a module or a package (not a name inside one)."""
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(source: str, module: str) -> Iterator[tuple[str, str | None, bool]]:
    """(imported module, name taken from it or None, under TYPE_CHECKING) for each import of
    the package in `source`, the code of `module`."""
    typing_only: set[int] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            typing_only |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    package = module if is_module(module + ".__init__") else module.rpartition(".")[0]
    for node in ast.walk(tree):
        typed = id(node) in typing_only
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT:
                    yield alias.name, None, typed
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != ROOT:
                continue
            for alias in node.names:
                yield base, alias.name, typed


def violations(source: str, module: str) -> list[str]:
    """Every import of `module` (given its source) that breaks a rule, as a readable line."""
    found = []
    own = layer(module)
    for target, name, typed in imports(source, module):
        targets = [target]
        if name is not None and is_module(f"{target}.{name}"):
            targets.append(f"{target}.{name}")
        for imported in targets:
            theirs = layer(imported)
            if not typed and theirs != own and theirs not in LOWER[own]:
                found.append(f"{module} imports {imported}: {own} must not import {theirs}")
            if imported.startswith(f"{ROOT}.cli.") and imported.endswith("_cmd"):
                found.append(f"{module} imports {imported}: commands are never imported")
        if own != "engine" and (
            target.startswith(f"{ROOT}.engine.")
            or (target == f"{ROOT}.engine" and name is not None and name not in engine.__all__)
        ):
            shown = target if name is None else f"{target}.{name}"
            found.append(f"{module} imports {shown}: outside engine/, only engine.__all__")
    return found


def package_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_imports_only_down_and_the_engine_through_its_public_names() -> None:
    found = [
        line
        for path in package_modules()
        for line in violations(path.read_text(encoding="utf-8"), module_name(path))
    ]
    assert not found, "\n".join(found)


def test_every_package_of_the_tree_has_a_layer() -> None:
    packages = {layer(module_name(p)) for p in package_modules()}
    assert packages <= set(LOWER)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("concurrency_bench.results.schema", "from concurrency_bench.analysis import gate",
         "results must not import analysis"),
        ("concurrency_bench.results.schema", "import concurrency_bench.report.rows",
         "results must not import report"),
        ("concurrency_bench.workload.jobs", "from concurrency_bench.runners import REGISTRY",
         "workload must not import runners"),
        ("concurrency_bench.report.rows", "from concurrency_bench.net.handle import X",
         "report must not import net"),
        ("concurrency_bench.report.rows", "def f():\n    from concurrency_bench import engine",
         "report must not import engine"),
        ("concurrency_bench.engine.pooling", "from concurrency_bench.analysis import gate",
         "engine must not import analysis"),
        ("concurrency_bench.summaries", "from concurrency_bench.results import ModelResult",
         "base must not import results"),
        ("concurrency_bench.cli.ab_cmd", "from concurrency_bench.cli.run_cmd import main",
         "commands are never imported"),
        ("concurrency_bench.cli.measuring", "from concurrency_bench.cli import run_cmd",
         "commands are never imported"),
        ("concurrency_bench.cli.run_cmd", "from concurrency_bench.engine.api import measure_all",
         "outside engine/, only engine.__all__"),
        ("concurrency_bench.suite.plugin", "from concurrency_bench.engine import session",
         "outside engine/, only engine.__all__"),
        ("concurrency_bench.report.timeline_table",
         "if TYPE_CHECKING:\n    from concurrency_bench.engine.timing import Measurement",
         "outside engine/, only engine.__all__"),
    ],
)  # fmt: skip
def test_each_rule_catches_its_break(module: str, source: str, expected: str) -> None:
    assert any(expected in line for line in violations(source, module))


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("concurrency_bench.engine.api", "from concurrency_bench.engine.model_run import ModelRun"),
        ("concurrency_bench.cli.run_cmd", "from concurrency_bench.engine import measure_all"),
        ("concurrency_bench.cli.run_cmd", "from concurrency_bench.cli.measuring import measure"),
        ("concurrency_bench.report.timeline_table",
         "if TYPE_CHECKING:\n    from concurrency_bench.engine import SingleRun"),
        ("concurrency_bench.analysis.gate", "from concurrency_bench.summaries import Summary"),
        ("concurrency_bench.engine.worker", "from . import limits"),
    ],
)  # fmt: skip
def test_what_the_rules_allow(module: str, source: str) -> None:
    assert violations(source, module) == []
