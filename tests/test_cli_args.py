"""cli/args.py as a user meets it: model lists refused in one line naming `models`, and the
old spellings of --models and --pool-size still accepted. Every case runs the CLI: the refusals
through its entry function in this process (one also in a subprocess), the rest in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_process import FOREVER, cli, cli_in_process, one_line


@pytest.mark.parametrize(
    "models", ["all,foo", "foo,all", ",,,", " ", "", "sync,,trio", "sync,", "all,sync", "Sync"]
)
@pytest.mark.parametrize("command", ["run", "timeline"])
def test_bad_model_lists_are_refused_naming_models(
    tmp_path: Path, command: str, models: str
) -> None:
    out = ("--out", str(tmp_path / "runs")) if command == "run" else ()
    run = cli if (command, models) == ("run", "all,foo") else cli_in_process  # one end to end
    result = run(command, "--models", models, *FOREVER, *out)
    assert result.returncode == 2 and result.stdout == ""
    line = one_line(result, "`models`")
    assert "asyncio-gather" in line or "all alone" in line  # the allowed names are listed
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("spelling", [["--models"], ["--runners"], ["--runner"]])
def test_old_model_spellings_still_work(spelling: list[str]) -> None:
    result = cli("timeline", *spelling, "asyncio-gather", "--unit-ms", "5", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [entry["model"] for entry in json.loads(result.stdout)] == ["asyncio-gather"]


@pytest.mark.parametrize("flag", ["--pool-size", "--max-workers"])
def test_pool_size_and_its_old_spelling_set_the_pool_and_refuse_zero(flag: str) -> None:
    result = cli("timeline", "--models", "threads", flag, "1", "--unit-ms", "5")
    assert result.returncode == 0, result.stderr
    assert "threads=1" in result.stdout
    refused = cli("timeline", "--models", "threads", flag, "0")
    assert refused.returncode == 2
    one_line(refused, "`pool-size`")
