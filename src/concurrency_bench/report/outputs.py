"""Write every output of a run: the results file, then each format of the registry
(report/formats.py) that a run writes: latest.md, latest.csv and ci-benchmark.json, and with
`pages` the HTML page latest.html and the figures (figures/, SVG and PNG).

The one sequence `run`, `sweep` and the bench suite use. Results are never lost to the output
location: the results file goes first; if its folder cannot take it (a full disk, a
read-only file system) it goes to the system temp folder, and as a last resort to stdout as
JSON, each time with one line saying where. The tables are rendered from it afterwards; one
that cannot be written is one warning line, never a traceback.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from concurrency_bench.report import formats
from concurrency_bench.report.console import emit
from concurrency_bench.results import ResultsFile, results_name, write_atomic, write_results
from concurrency_bench.textsafe import visible

FALLBACK_PREFIX = "concurrency-bench-"
Warn = Callable[[str], None]


def warn_on_stderr(message: str) -> None:
    """One `concurrency-bench: warning: ...` line on stderr."""
    emit(f"concurrency-bench: warning: {visible(message)}\n", sys.stderr)


@dataclass(frozen=True)
class Outputs:
    """Where the outputs went: the results file (None if it went to stdout) and the tables."""

    results_path: Path | None
    tables: tuple[Path, ...]

    @property
    def paths(self) -> list[Path]:
        """Every file written, the results file first."""
        return [*([self.results_path] if self.results_path else []), *self.tables]


def write_outputs(
    results: ResultsFile,
    runs_dir: Path,
    tables_dir: Path,
    *,
    warn: Warn = warn_on_stderr,
    pages: bool = False,
) -> Outputs:
    """Write the results file into `runs_dir` (never overwriting) and the tables into
    `tables_dir` (replacing), with `pages` also latest.html and figures/ there; what cannot
    be written is one `warn` line each."""
    results_path = _write_results_file(results, Path(runs_dir), warn)
    source = str(results_path) if results_path is not None else "results"
    written: list[Path] = []
    for fmt in formats.REGISTRY.values():
        if fmt.latest is None or (fmt.pages and not pages):
            continue
        path = Path(tables_dir) / fmt.latest
        missing = fmt.missing()
        if missing is not None:
            warn(missing)
            continue
        try:
            if fmt.render is not None:
                write_atomic(path, fmt.render([(source, results)]), overwrite=True)
                written.append(path)
            elif fmt.write is not None:
                for old in [p for pattern in fmt.stale for p in path.glob(pattern)]:
                    old.unlink()
                written += fmt.write(results, path)
        except OSError as exc:
            warn(f"cannot write {path} ({_why(exc)}); the results file has every figure")
    return Outputs(results_path, tuple(written))


def _write_results_file(results: ResultsFile, runs_dir: Path, warn: Warn) -> Path | None:
    """The results file in `runs_dir`, else in the temp folder, else on stdout (None)."""
    try:
        return write_results(results, runs_dir)
    except OSError as exc:
        failure = f"cannot write the results file into {runs_dir} ({_why(exc)})"
    fallback = Path(tempfile.gettempdir()) / f"{FALLBACK_PREFIX}{results_name(results)}.json"
    try:
        path = _write_new(fallback, results.to_json())
    except OSError as exc:
        warn(f"{failure}, nor into {fallback.parent} ({_why(exc)}); here it is as JSON")
        emit(results.to_json())
        return None
    warn(f"{failure}; wrote it to {path}")
    return path


def _write_new(path: Path, text: str) -> Path:
    """Write `text` under `path` or the first free `-2`, `-3`, ... variant of its name."""
    for attempt in range(1, 1000):
        candidate = path if attempt == 1 else path.with_name(f"{path.stem}-{attempt}.json")
        try:
            write_atomic(candidate, text, overwrite=False)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"{path}: no free name")


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)
