"""environment.py: what a results file says about the machine, and git state without crashes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from concurrency_bench.engine import environment, memory_estimate


def test_collect_names_machine_python_packages_timer_and_gc() -> None:
    env = environment.collect("off")
    assert env["cpu_model"]
    assert env["logical_cores"] >= 1
    assert env["memory_total_bytes"] is None or env["memory_total_bytes"] > 0
    assert env["os"] and env["kernel"]
    assert env["load_average"] is None or len(env["load_average"]) == 3  # busy machine = noise
    assert env["python_version"].count(".") == 2
    assert env["python_implementation"]
    assert "tabulate" in env["packages"] and set(env["packages"]) <= set(environment.PACKAGES)
    assert env["timer"]["resolution_s"] > 0 and env["timer"]["monotonic"]
    assert env["gc"]["setting"] == "off"
    assert isinstance(env["gc"]["thresholds"], list)


def test_a_package_that_is_not_installed_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "PACKAGES", ("tabulate", "no-such-distribution-here"))
    versions = environment.package_versions()
    assert list(versions) == ["tabulate"]
    assert versions["tabulate"][0].isdigit()


def test_outside_git_there_is_no_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "PACKAGE_DIR", tmp_path)
    assert environment.git_state() == (None, None)


def test_without_a_git_program_there_is_no_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert environment.git_state() == (None, None)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_commit_and_dirty_come_from_the_repository_holding_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "one")
    monkeypatch.setattr(environment, "PACKAGE_DIR", package)
    commit = _git(tmp_path, "rev-parse", "HEAD")
    assert environment.git_state() == (commit, False)

    (tmp_path / "notes.txt").write_text("untracked, outside the package")
    assert environment.git_state() == (commit, False)
    (package / "new_model.py").write_text("")  # code that ran but is not committed
    assert environment.git_state() == (commit, True)
    (package / "new_model.py").unlink()
    (package / "__init__.py").write_text("changed = True\n")
    assert environment.git_state() == (commit, True)


def test_an_untracked_copy_inside_another_repository_reports_no_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "README").write_text("someone else's project")
    _git(tmp_path, "add", "README")
    _git(tmp_path, "commit", "-q", "-m", "theirs")
    venv_copy = tmp_path / "venv" / "concurrency_bench"
    venv_copy.mkdir(parents=True)
    (venv_copy / "__init__.py").write_text("")
    monkeypatch.setattr(environment, "PACKAGE_DIR", venv_copy)
    assert environment.git_state() == (None, None)


def test_stored_results_do_not_make_the_tree_dirty_but_source_changes_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "src" / "concurrency_bench"
    shutil.copytree(environment.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    latest = tmp_path / "results" / "latest.md"
    latest.parent.mkdir()
    latest.write_text("| model | wall |\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "a copy of the package and its stored results")
    monkeypatch.setattr(environment, "PACKAGE_DIR", package)
    commit = _git(tmp_path, "rev-parse", "HEAD")
    assert environment.git_state() == (commit, False)

    latest.write_text("| model | wall |\n| trio | 51.2 |\n")  # what every bench run does
    (tmp_path / "results" / "runs").mkdir()
    (tmp_path / "results" / "runs" / "new.json").write_text("{}")
    assert _git(tmp_path, "status", "--porcelain")  # git itself sees the change
    assert environment.git_state() == (commit, False)

    source = package / "engine" / "api.py"
    source.write_text(source.read_text() + "\n# changed\n")
    assert environment.git_state() == (commit, True)


def test_meminfo_is_one_reader_for_total_and_available_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "meminfo"
    path.write_text("MemTotal:       2048 kB\nMemAvailable:   1024 kB\nHugePages_Total:       3\n")
    assert environment.meminfo(path) == {
        "MemTotal": 2048 * 1024,
        "MemAvailable": 1024 * 1024,
        "HugePages_Total": 3,  # a count, not kB
    }
    assert environment.meminfo(tmp_path / "missing") == {}
    monkeypatch.setattr(environment, "MEMINFO", path)
    assert environment.memory_total_bytes() == 2048 * 1024
    assert memory_estimate.available_bytes() == 1024 * 1024
