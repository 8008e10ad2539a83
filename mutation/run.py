"""Mutation testing per module with mutmut: the score and the survivors of each module.

Each module in modules.toml is mutated in a scratch copy of the repository and every mutant is
run against that module's own test files, so a score says what those tests catch. Survivors
listed in survivors.md (equivalent, or not worth a test) are left out of the score's base.
Usage: python mutation/run.py [--min-score 90] [--pytest-arg ARG ...] [module ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
"""mutmut's outcomes that mean a test (or the run itself) noticed the mutant."""
NOT_COUNTED = {"skipped"}
LISTED = re.compile(r"^- `([^`]+)`")
DATA = ("results",)
"""Folders the tests read (the committed schema-1 files the loader's tests convert)."""


@dataclass(frozen=True)
class Outcome:
    """One module's mutants by name and mutmut's status for each."""

    name: str
    statuses: dict[str, str]
    seconds: float

    @property
    def counted(self) -> dict[str, str]:
        """Every mutant that takes part in the score."""
        return {k: v for k, v in self.statuses.items() if v not in NOT_COUNTED}

    @property
    def survivors(self) -> list[str]:
        """The mutants no test noticed (including those no test even ran)."""
        return sorted(k for k, v in self.counted.items() if v not in KILLED)


def percent(part: int, whole: int) -> str:
    """`part/whole (xx%)`, 100% for an empty whole (nothing to kill)."""
    share = 100.0 * part / whole if whole else 100.0
    return f"{part}/{whole} ({share:.0f}%)"


def listed_survivors(path: Path) -> set[str]:
    """The mutant names survivors.md explains, one `- \\`name\\`: why` line each."""
    if not path.exists():
        return set()
    lines = path.read_text("utf-8").splitlines()
    return {m.group(1) for line in lines if (m := LISTED.match(line))}


def scratch_copy(path: str, tests: list[str], pytest_args: list[str]) -> Path:
    """A throwaway copy of src/, tests/, DATA and pyproject.toml, mutmut set up for one module."""
    work = Path(tempfile.mkdtemp(prefix="mutation-"))
    data = [name for name in DATA if (ROOT / name).is_dir()]
    for name in ["src", "tests", *data]:
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    settings = {
        "source_paths": ["src/"],
        "also_copy": [f"{name}/" for name in data],
        "only_mutate": [path],
        "pytest_add_cli_args": ["-p", "no:cacheprovider"],
        "pytest_add_cli_args_test_selection": [*tests, *pytest_args],
    }
    table = "\n".join(f"{key} = {toml_list(value)}" for key, value in settings.items())
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    (work / "pyproject.toml").write_text(f"{pyproject}\n[tool.mutmut]\n{table}\n", "utf-8")
    return work


def toml_list(values: list[str]) -> str:
    """A TOML array of strings (the values hold no quotes or backslashes)."""
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def mutmut(work: Path, *args: str) -> str:
    """Run one mutmut command in `work`; its output, or exit with its log on failure."""
    # The scratch copy must be what the tests import, not a checkout on PYTHONPATH.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-m", "mutmut", *args],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"mutmut {' '.join(args)} failed in {work}:\n{done.stdout[-3000:]}{done.stderr}")
    return done.stdout


def run_module(
    name: str, path: str, tests: list[str], pytest_args: list[str], explained: set[str]
) -> Outcome:
    """Mutate one module, run its tests against every mutant, and read back each outcome."""
    work = scratch_copy(path, tests, pytest_args)
    started = time.monotonic()
    mutmut(work, "run")
    seconds = time.monotonic() - started
    statuses = {}
    for line in mutmut(work, "results", "--all", "true").splitlines():
        key, _, status = line.strip().rpartition(": ")
        if key:
            statuses[key] = status
    if not statuses:
        sys.exit(f"{name}: mutmut made no mutants of {path}; is the path right?")
    outcome = Outcome(name, statuses, seconds)
    diffs = {key: changed_lines(mutmut(work, "show", key)) for key in outcome.survivors}
    shutil.rmtree(work)
    report(outcome, diffs, explained)
    return outcome


def changed_lines(diff: str) -> str:
    """The -/+ lines of a mutant's diff, indented (the context is in the source)."""
    lines = [
        line
        for line in diff.splitlines()
        if line[:1] in ("-", "+") and not line.startswith(("---", "+++"))
    ]
    return "\n".join(f"        {line}" for line in lines)


def report(outcome: Outcome, diffs: dict[str, str], explained: set[str]) -> None:
    """The module's score over all mutants and over those not listed as equivalent."""
    counted = outcome.counted
    killed = len(counted) - len(outcome.survivors)
    listed = sum(k in explained for k in outcome.survivors)
    print(
        f"{outcome.name}: killed {percent(killed, len(counted))}; not counting the {listed} "
        f"listed in survivors.md, {percent(killed, len(counted) - listed)}"
        f" [{outcome.seconds:.0f} s]"
    )
    for key in outcome.survivors:
        mark = "listed" if key in explained else "NOT LISTED"
        print(f"    {mark}: {key} ({outcome.statuses[key]})\n{diffs[key]}")
    for key in sorted(explained & (counted.keys() - set(outcome.survivors))):
        print(f"    listed but killed now (delete its line): {key}")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen modules (all by default); non-zero when one scores below --min-score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("modules", nargs="*", metavar="module", help="names in --config")
    parser.add_argument("--config", type=Path, default=HERE / "modules.toml")
    parser.add_argument("--min-score", type=float, default=90.0, metavar="PERCENT")
    parser.add_argument("--pytest-arg", action="append", default=[], metavar="ARG")
    args = parser.parse_args(argv)
    table = tomllib.loads(args.config.read_text("utf-8"))["modules"]
    if unknown := [name for name in args.modules if name not in table]:
        parser.error(f"unknown module {', '.join(unknown)}; choose from {', '.join(table)}")
    explained = listed_survivors(HERE / "survivors.md")
    started = time.monotonic()
    low = []
    for name in args.modules or list(table):
        entry = table[name]
        outcome = run_module(name, entry["path"], entry["tests"], args.pytest_arg, explained)
        counted = len(outcome.counted) - sum(k in explained for k in outcome.survivors)
        unexplained = sum(k not in explained for k in outcome.survivors)
        if counted and 100.0 * (counted - unexplained) / counted < args.min_score:
            low.append(name)
    print(f"total time {time.monotonic() - started:.0f} s")
    if low:
        print(f"below {args.min_score:g}%: {', '.join(low)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
