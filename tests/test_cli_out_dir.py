"""cli/out_dir.py: an --out folder that cannot take the results is refused before anything is
measured (exit 2, one line naming `out`), and the probe that proves it leaves nothing behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli_process import FOREVER, TINY, cli, cli_in_process, one_line


def _bad_out(tmp_path: Path, case: str) -> Path:
    if case == "dangling symlink":
        (tmp_path / "link").symlink_to(tmp_path / "nowhere")
        return tmp_path / "link"
    if case == "symlink loop":
        (tmp_path / "a").symlink_to(tmp_path / "b")
        (tmp_path / "b").symlink_to(tmp_path / "a")
        return tmp_path / "a" / "runs"
    if case == "name too long":
        return tmp_path / ("x" * 300) / "runs"
    if case == "path too long":
        return tmp_path.joinpath(*["y" * 200] * 25)
    if case == "through a file":
        (tmp_path / "file").write_text("not a folder")
        return tmp_path / "file" / "runs"
    if case == "a device":
        return Path("/dev/null")
    return Path(case)  # pseudo file systems


@pytest.mark.parametrize(
    "case",
    [
        "dangling symlink",
        "symlink loop",
        "name too long",
        "path too long",
        "through a file",
        "a device",
        "/proc/x",
        "/proc/self",
        "/sys/x",
    ],
)
def test_an_unusable_out_folder_is_refused_before_measuring(tmp_path: Path, case: str) -> None:
    out = _bad_out(tmp_path, case)
    run = cli if case == "through a file" else cli_in_process  # one end to end, in a subprocess
    result = run("run", "--models", "asyncio-gather", *FOREVER, "--out", str(out))
    assert result.returncode == 2 and result.stdout == ""
    one_line(result, "`out`")
    assert not list(tmp_path.rglob("*.json"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = cli("run", "--models", "asyncio-gather", *FOREVER, "--out", str(folder))
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2
    one_line(result, "`out`")


def test_the_latest_tables_folder_is_proven_too(tmp_path: Path) -> None:
    (tmp_path / "results").symlink_to(tmp_path / "nowhere")  # runs/'s parent takes latest.md
    out = tmp_path / "results" / "runs"
    result = cli("run", "--models", "asyncio-gather", *FOREVER, "--out", str(out))
    assert result.returncode == 2
    one_line(result, "`out`")


def test_the_probe_file_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "results" / "runs"
    result = cli("run", "--models", "asyncio-gather", *TINY, "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert [p.suffix for p in out.iterdir()] == [".json"]
    names = sorted(p.name for p in out.parent.iterdir())
    assert names == ["ci-benchmark.json", "latest.csv", "latest.md", "runs"]
