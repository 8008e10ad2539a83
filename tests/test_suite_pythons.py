"""suite/pythons.py, tox's bench-pythons: one environment per CPython from 3.11 up, built first
(missing ones skipped), then one interleaved `run --python` over those that exist."""

from __future__ import annotations

import configparser
import os
import stat
import sys
from pathlib import Path

import pytest

from concurrency_bench.errors import InputError
from concurrency_bench.results import load
from concurrency_bench.suite import pythons

TOX_INI = Path(__file__).resolve().parents[1] / "tox.ini"
ENVS = ("py311-bench", "py312-bench", "py313-bench")


@pytest.fixture(scope="module")
def tox() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(TOX_INI, encoding="utf-8")
    return parser


def test_one_environment_per_cpython_and_missing_ones_are_skipped(
    tox: configparser.ConfigParser,
) -> None:
    assert tox["tox"]["skip_missing_interpreters"] == "true"
    for env in ENVS:
        version = f"3.{env[3:5]}"
        assert tox[f"testenv:{env}"]["basepython"] == f"python{version}"


def test_bench_pythons_builds_them_then_runs_them_interleaved(
    tox: configparser.ConfigParser,
) -> None:
    env = tox["testenv:bench-pythons"]
    assert "tox" in env["deps"]
    build = " ".join(env["commands_pre"].replace("\\\n", " ").split())
    assert build == (
        f"python -m concurrency_bench.suite.pythons --build {{toxinidir}} {{toxworkdir}} "
        f"{' '.join(ENVS)}"
    )
    run = " ".join(env["commands"].replace("\\\n", " ").split())
    assert run.startswith(
        f"python -m concurrency_bench.suite.pythons {{toxworkdir}} {' '.join(ENVS)}"
    )
    assert "{posargs:" in run  # a default workload that `-- ARGS` replaces


def _env(workdir: Path, name: str) -> None:
    python = workdir / name / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n', encoding="ascii")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)


def test_the_runner_uses_the_environments_that_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(tmp_path, "py311-bench")
    out = tmp_path / "results" / "runs"
    workload = ["--models", "asyncio-gather", "--jobs", "3", "--delay-ms", "2", "--ints", "5"]
    status = pythons.main(
        [
            str(tmp_path),
            "py311-bench",
            "py399-bench",
            "--",
            *workload,
            "--rounds",
            "1",
            "--warmup",
            "0",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert status == 0
    assert "skipped (not built here): py399-bench" in capsys.readouterr().err
    (path,) = out.glob("*.json")
    (row,) = [model for _, model in load(path).models()]
    assert row.python is not None
    assert row.python.executable == str(tmp_path / "py311-bench" / "bin" / "python")


def test_no_environment_at_all_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pythons.main([str(tmp_path), *ENVS]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()[-1:]
    assert "`python`" in line and "py313-bench" in line


def test_the_build_puts_the_interpreters_tox_cannot_find_on_its_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[list[str], str]] = []

    def run(command: list[str], env: dict[str, str], check: bool) -> object:
        calls.append((command, env["PATH"]))
        return type("Done", (), {"returncode": 0})()

    versions = {"3.11": "/opt/a/bin/python", "3.13": "/opt/c/bin/python"}

    def resolve(text: str) -> str:
        if text not in versions:
            raise InputError(f"`python` {text}: none")
        return versions[text]

    monkeypatch.setattr(pythons.subprocess, "run", run)
    monkeypatch.setattr(pythons, "resolve", resolve)
    monkeypatch.setenv("PATH", "/usr/bin")
    assert pythons.main(["--build", "tox.ini", "/w", *ENVS]) == 0
    ((command, path),) = calls
    assert command[1:] == [
        "-m", "tox", "run", "--conf", "tox.ini", "--workdir", "/w", "--notest",
        "--skip-missing-interpreters", "true", "-e", ",".join(ENVS),
    ]  # fmt: skip
    assert path.split(os.pathsep) == ["/opt/a/bin", "/opt/c/bin", "/usr/bin"]
