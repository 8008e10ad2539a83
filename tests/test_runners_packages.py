"""runners/packages.py: a model whose package is missing, or installed but failing to import,
is unavailable with the line that installs it (in `list`, in a run's rows), and the other models
run; gevent and uvloop are extras that the test and bench extras take."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_process import cli
from concurrency_bench.results.schema import decode
from concurrency_bench.runners import REGISTRY, available_specs, packages
from concurrency_bench.runners.packages import OPTIONAL_PACKAGES, install_line

ROOT = Path(__file__).resolve().parents[1]

HIDE = "import sys; sys.modules['gevent'] = sys.modules['uvloop'] = None; "
"""In the CLI's process, gevent and uvloop cannot be found, as where no build of them installed."""
INSTALL = {
    "gevent": ("gevent", "pip install 'concurrency-bench[gevent]'"),
    "uvloop": ("uvloop", "pip install 'concurrency-bench[uvloop]'"),
    "uvloop-threads": ("uvloop", "pip install 'concurrency-bench[uvloop]'"),
    "anyio-uvloop": ("uvloop", "pip install 'concurrency-bench[uvloop]'"),
}
"""The models the two packages make unavailable: (package, the line that installs it)."""


def broken_builds(tmp_path: Path) -> dict[str, str]:
    """An environment where gevent and uvloop are found but fail to import, as a build for
    another Python does: packages of those names first on PYTHONPATH, raising ImportError."""
    for package in ("gevent", "uvloop"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(
            f"raise ImportError('{package} built for another Python')\n", encoding="ascii"
        )
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


@pytest.mark.parametrize(
    ("package", "platform", "line"),
    [
        ("gevent", "linux", "pip install 'concurrency-bench[gevent]'"),
        ("gevent", "win32", "pip install 'concurrency-bench[gevent]'"),
        ("uvloop", "darwin", "pip install 'concurrency-bench[uvloop]'"),
        ("uvloop", "win32", "uvloop has no build for win32"),
        ("trio", "linux", "pip install trio"),
    ],
)
def test_a_missing_package_names_the_line_that_installs_it_here(
    monkeypatch: pytest.MonkeyPatch, package: str, platform: str, line: str
) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # find_spec and import now fail
    monkeypatch.setattr(sys, "platform", platform)
    assert install_line(package) == line
    spec = REGISTRY[package]
    assert spec.unavailable_reason() == f"model {package} needs package {package} ({line})"
    assert not spec.available and spec not in available_specs()


def test_every_optional_package_is_an_extra_the_test_and_bench_extras_take() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert not any(name.startswith(tuple(OPTIONAL_PACKAGES)) for name in project["dependencies"])
    for package, platforms in OPTIONAL_PACKAGES.items():
        (requirement,) = extras[package]
        assert requirement.startswith(f"{package}>=")
        for platform in platforms:  # the extra's marker rules out what OPTIONAL_PACKAGES says
            assert f"sys_platform != '{platform}'" in requirement
    assert extras["models"] == [f"concurrency-bench[{','.join(sorted(OPTIONAL_PACKAGES))}]"]
    assert "concurrency-bench[models]" in extras["test"]
    assert "concurrency-bench[models]" in extras["bench"]


@pytest.mark.parametrize("hidden", ["not installed", "does not import"])
def test_list_says_which_models_a_missing_package_makes_unavailable_and_how_to_install_it(
    tmp_path: Path, hidden: str
) -> None:
    if hidden == "not installed":
        done = cli("list", prelude=HIDE)
    else:
        done = cli("list", env=broken_builds(tmp_path))
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    for name, (package, line) in INSTALL.items():
        assert rows[name].split()[1] == "no", rows[name]
        why = (
            f"needs package {package}"
            if hidden == "not installed"
            else f"cannot import {package}: ImportError: {package} built for another Python"
        )
        assert rows[name].endswith(f"(unavailable: model {name} {why} ({line}))"), rows[name]
    assert all(rows[spec.name].split()[1] == "yes" for spec in available_specs()
               if spec.name not in INSTALL)  # fmt: skip


@pytest.mark.slow
def test_a_run_of_every_model_measures_the_others_and_exits_0(tmp_path: Path) -> None:
    done = cli(
        "run", "--models", "all", "--jobs", "3", "--delay-ms", "5", "--ints", "10",
        "--rounds", "1", "--warmup", "0", "--out", str(tmp_path / "runs"), "--json", "--quiet",
        env=broken_builds(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {row.model: row for row in decode(done.stdout).scenarios[0].models}
    assert set(rows) == set(REGISTRY)
    for name, (package, line) in INSTALL.items():
        assert rows[name].status == "unavailable"
        assert rows[name].reason == (
            f"model {name} cannot import {package}: ImportError: {package} built for another "
            f"Python ({line})"
        )
    others = [spec.name for spec in available_specs() if spec.name not in INSTALL]
    assert {name: rows[name].status for name in others} == dict.fromkeys(others, "ok")


@pytest.fixture
def fresh_check() -> Iterator[None]:
    """import_failures asked anew, and forgotten after the test."""
    packages.import_failures.cache_clear()
    yield
    packages.import_failures.cache_clear()


def test_an_import_that_ends_python_makes_each_package_found_unusable(
    monkeypatch: pytest.MonkeyPatch, fresh_check: None
) -> None:
    monkeypatch.setattr(packages, "IMPORT_CHECK", "import os; os._exit(3)")
    found = [p for p in OPTIONAL_PACKAGES if not packages.missing(p)]
    assert packages.import_failures() == dict.fromkeys(
        found, "importing it ends Python with status 3"
    )
    for package in found:
        assert packages.unusable(package) == (
            f"cannot import {package}: importing it ends Python with status 3 "
            f"({install_line(package)})"
        )
        assert packages.unusable(package, try_import=False) is None  # a worker only looks


def test_a_check_that_cannot_run_leaves_the_answer_to_the_worker(
    monkeypatch: pytest.MonkeyPatch, fresh_check: None
) -> None:
    monkeypatch.setattr(packages.sys, "executable", "/nonexistent/python")
    assert packages.import_failures() == {}
