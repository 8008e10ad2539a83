"""What a worker's failure says in its row (engine/worker.py): the cause, never the wrapper a
trio nursery or an anyio or asyncio task group puts around it; through the CLI, with an I/O
kind whose jobs raise (tests/extra_kinds/raising.py)."""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_process import TESTS_DIR, cli
from concurrency_bench.engine.worker import _reason
from concurrency_bench.kinds.registry import KindSpec, register, unregister
from concurrency_bench.results.schema import decode

RAISING = KindSpec("raising", "extra_kinds.raising", "jobs that raise", suffix="-raising")
REGISTER = (
    f"import sys; sys.path.insert(0, {str(TESTS_DIR)!r}); "
    "from concurrency_bench.kinds.registry import KindSpec, register; "
    f"register(KindSpec({RAISING.name!r}, {RAISING.module!r}, {RAISING.description!r}, "
    f"suffix={RAISING.suffix!r})); "
)
"""Registers the raising kind in the CLI's process (its workers import it through sys.path)."""
GROUPED = ("trio", "anyio-asyncio", "anyio-trio", "asyncio-taskgroup")
"""The models whose jobs run in a nursery or task group: a failure reaches them in a group."""


def test_a_group_is_named_by_its_first_leaf_and_how_many_there_are() -> None:
    assert _reason(ValueError("bad")) == "ValueError: bad"
    assert _reason(ExceptionGroup("from a nursery", [KeyError("k")])) == "KeyError: 'k'"
    nested = ExceptionGroup("outer", [ExceptionGroup("inner", [ValueError("a")]), KeyError()])
    assert _reason(nested) == "ValueError: a (the first of 2 errors)"
    limit = OSError(errno.EMFILE, "Too many open files")
    assert _reason(ExceptionGroup("g", [limit])).startswith(
        "OSError: [Errno 24] Too many open files (open-file limit "
    )


@pytest.fixture
def raising() -> Iterator[None]:
    """The kind known here too, so the results file the CLI prints decodes."""
    register(RAISING)
    yield
    unregister(RAISING.name)


@pytest.mark.usefixtures("raising")
def test_every_grouped_model_names_the_cause_of_its_failure(tmp_path: Path) -> None:
    result = cli(
        "run", "--io", "raising", "--jobs", "3", "--delay-ms", "1", "--ints", "4",
        "--models", ",".join(("asyncio-gather", "threads", *GROUPED)),
        "--rounds", "1", "--warmup", "0", "--timeout-s", "30", "--quiet", "--json",
        "--out", str(tmp_path), prelude=REGISTER,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    rows = decode(result.stdout).scenarios[0].models
    assert {row.model for row in rows} >= set(GROUPED)
    cause = re.compile(r"RuntimeError: job \d broke( \(the first of \d+ errors\))? \(in .*\)")
    for row in rows:
        assert row.status == "failed" and row.reason is not None, row.model
        assert cause.fullmatch(row.reason), (row.model, row.reason)
