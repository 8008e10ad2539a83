"""report.outputs and report.console: every output of a run written, and never lost."""

from __future__ import annotations

import errno
import io
import json
import os
import tempfile
from pathlib import Path

import pytest

from concurrency_bench import cli
from concurrency_bench.report import ci_benchmark as ci_export
from concurrency_bench.report import console, outputs, render, write_outputs
from concurrency_bench.results import ResultsFile, load, store
from factories import model_result, results_file, scenario

S = scenario(100, 50.0)
TABLES = ["ci-benchmark.json", "latest.csv", "latest.md"]


@pytest.fixture
def results() -> ResultsFile:
    return results_file(
        [
            (
                S,
                [
                    model_result("uvloop", S, overheads=[0.003, 0.004, 0.002]),
                    model_result("sync", S, status="not-run", reason="would take 5 s"),
                ],
            )
        ]
    )


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temp folder, redirected so fallbacks land in the test's folder."""
    folder = tmp_path / "systemp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def fail_under(
    monkeypatch: pytest.MonkeyPatch, folder: Path, code: int = errno.ENOSPC, *names: str
) -> None:
    """Make every atomic write into `folder` (or only of `names`) fail with `code`."""
    real = store.write_atomic

    def write_atomic(path: Path, text: str, *, overwrite: bool = True) -> None:
        if path.parent == folder and (not names or path.name in names):
            raise OSError(code, os.strerror(code), str(path))
        real(path, text, overwrite=overwrite)

    monkeypatch.setattr(store, "write_atomic", write_atomic)
    monkeypatch.setattr(outputs, "write_atomic", write_atomic)


def test_every_output_is_written_and_tables_replaced(tmp_path: Path, results: ResultsFile) -> None:
    (tmp_path / "latest.md").write_text("stale", encoding="utf-8")
    written = write_outputs(results, tmp_path / "runs", tmp_path)
    assert written.results_path is not None and written.results_path.parent == tmp_path / "runs"
    assert load(written.results_path) == results
    assert sorted(p.name for p in written.tables) == TABLES
    assert (tmp_path / "latest.md").read_text(encoding="utf-8") == render(results, "md")
    assert (tmp_path / "latest.csv").read_text(encoding="utf-8") == render(results, "csv")
    ci = json.loads((tmp_path / "ci-benchmark.json").read_text(encoding="utf-8"))
    assert ci == ci_export.entries(results)
    assert written.paths == [written.results_path, *written.tables]
    # A second run never replaces the first results file.
    again = write_outputs(results, tmp_path / "runs", tmp_path)
    assert again.results_path != written.results_path
    assert sorted(p.name for p in tmp_path.iterdir()) == [*TABLES, "runs"]


def test_a_table_that_cannot_be_written_is_one_warning(
    tmp_path: Path, results: ResultsFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_under(monkeypatch, tmp_path, errno.EACCES, "latest.md")
    warnings: list[str] = []
    written = write_outputs(results, tmp_path / "runs", tmp_path, warn=warnings.append)
    assert written.results_path is not None and written.results_path.exists()
    assert sorted(p.name for p in written.tables) == ["ci-benchmark.json", "latest.csv"]
    assert warnings == [
        f"cannot write {tmp_path / 'latest.md'} (Permission denied); "
        "the results file has every figure"
    ]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_runs_folder_falls_back_to_the_temp_folder(
    tmp_path: Path, results: ResultsFile, temp_dir: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    fail_under(monkeypatch, tmp_path / "runs", code)
    fail_under(monkeypatch, tmp_path, code)  # the tables' folder too
    warnings: list[str] = []
    written = write_outputs(results, tmp_path / "runs", tmp_path, warn=warnings.append)
    assert written.results_path is not None
    assert written.results_path.parent == temp_dir
    assert written.results_path.name.startswith("concurrency-bench-2024")
    assert load(written.results_path) == results
    assert written.tables == ()
    assert len(warnings) == 4
    assert warnings[0] == (
        f"cannot write the results file into {tmp_path / 'runs'} ({os.strerror(code)}); "
        f"wrote it to {written.results_path}"
    )


def test_nowhere_to_write_prints_the_results_as_json(
    tmp_path: Path,
    results: ResultsFile,
    temp_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fail_under(monkeypatch, tmp_path / "runs")
    fail_under(monkeypatch, temp_dir)
    warnings: list[str] = []
    written = write_outputs(results, tmp_path / "runs", tmp_path, warn=warnings.append)
    assert written.results_path is None
    assert store.parse(json.loads(capsys.readouterr().out)) == results
    assert "here it is as JSON" in warnings[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_folders_made_read_only_after_start_lose_nothing(
    tmp_path: Path, results: ResultsFile, temp_dir: Path
) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    for folder in (runs, tmp_path):
        folder.chmod(0o555)
    try:
        warnings: list[str] = []
        written = write_outputs(results, runs, tmp_path, warn=warnings.append)
    finally:
        for folder in (runs, tmp_path):
            folder.chmod(0o755)
    assert written.results_path is not None and written.results_path.parent == temp_dir
    assert len(warnings) == 4


def test_run_command_keeps_results_and_tables_when_the_disk_fills(
    tmp_path: Path,
    results: ResultsFile,
    temp_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The measuring itself is replaced: only what happens after it is under test here.
    monkeypatch.setattr("concurrency_bench.cli.measuring.measure_file", lambda *a, **k: results)
    out = tmp_path / "results" / "runs"
    fail_under(monkeypatch, out)
    fail_under(monkeypatch, out.parent, errno.ENOSPC, "latest.md")
    status = cli.main(["run", "--jobs", "3", "--runners", "sync", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out == render(results, "text")
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warnings) == 2 and "Traceback" not in captured.err
    assert str(temp_dir) in warnings[0] and "latest.md" in warnings[1]
    (fallback,) = temp_dir.glob("concurrency-bench-*.json")
    assert load(fallback) == results
    assert f"results: {fallback}" in captured.err


# -- console ---------------------------------------------------------------------------


class Stream(io.StringIO):
    """A text stream with a chosen encoding, or one that fails on write."""

    def __init__(self, encoding: str = "utf-8", error: OSError | None = None) -> None:
        super().__init__()
        self._encoding, self.error = encoding, error

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def write(self, text: str) -> int:
        if self.error is not None:
            raise self.error
        text.encode(self._encoding)  # as a real stream would fail
        return super().write(text)


def test_an_ascii_stream_gets_ascii_fallbacks(results: ResultsFile) -> None:
    stream = Stream("ascii")
    assert console.emit(render(results, "text"), stream)
    shown = stream.getvalue()
    assert "+-" in shown and "ok" in shown and "us/job" in shown
    assert console.emit("µ ± ✓ —\n", Stream("utf-8"))
    assert console.printable("µs ± 1 ✓ → x", "ascii") == "us +- 1 ok ? x"


def test_a_reader_that_went_away_is_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    assert not console.emit("table\n", Stream(error=BrokenPipeError(errno.EPIPE, "Broken pipe")))
    assert capsys.readouterr().err == ""
    full = Stream(error=OSError(errno.ENOSPC, "No space left on device"))
    assert not console.emit("table\n", full)
    assert capsys.readouterr().err == (
        "concurrency-bench: cannot write the output (No space left on device)\n"
    )


def test_pages_add_the_html_page_and_the_figures(tmp_path: Path, results: ResultsFile) -> None:
    pytest.importorskip("matplotlib")
    stale = tmp_path / "figures" / "rounds-gone.svg"
    stale.parent.mkdir()
    stale.write_text("<svg/>")
    written = write_outputs(results, tmp_path / "runs", tmp_path, pages=True)
    names = {p.name for p in written.tables}
    assert "latest.html" in names
    assert any(n.endswith(".svg") for n in names) and any(n.endswith(".png") for n in names)
    assert not stale.exists()  # figures of an earlier run are not left beside new ones


def test_without_pages_no_page_is_written(tmp_path: Path, results: ResultsFile) -> None:
    write_outputs(results, tmp_path / "runs", tmp_path)
    assert not (tmp_path / "latest.html").exists()
