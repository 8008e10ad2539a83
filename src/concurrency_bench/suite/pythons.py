"""`python -m concurrency_bench.suite.pythons WORKDIR ENV... -- RUN-ARGS`: tox's bench-pythons.

Runs `concurrency-bench run --python` with the interpreters of those tox environments under
WORKDIR that exist (tox skips the CPythons a machine lacks), in the order given, so the
first one is what the cross-interpreter table compares the others with. With `--build CONF`
first, it builds those environments instead: tox finds interpreters on PATH only, so the
ones `--python 3.12` would find (PATH, else pyenv's versions) are put on its PATH.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from concurrency_bench.cli.main import EXIT_BAD_INPUT
from concurrency_bench.cli.main import main as cli_main
from concurrency_bench.engine import resolve
from concurrency_bench.errors import InputError

ENV_VERSION = re.compile(r"py3([0-9]+)-bench")
"""A per-CPython environment's name and the minor version it stands for."""


def interpreter_dirs(envs: Sequence[str]) -> list[str]:
    """The folders of the interpreters the environments want, where this machine has them."""
    found = []
    for env in envs:
        match = ENV_VERSION.fullmatch(env)
        if match is None:
            continue
        try:
            found.append(str(Path(resolve(f"3.{match[1]}")).parent))
        except InputError:
            continue  # not on this machine: tox skips the environment
    return found


def build(conf: str, workdir: str, envs: Sequence[str]) -> int:
    """`tox run --notest` for the environments, with their interpreters' folders on PATH."""
    path = os.pathsep.join([*interpreter_dirs(envs), os.environ.get("PATH", "")])
    command = [
        sys.executable, "-m", "tox", "run", "--conf", conf, "--workdir", workdir, "--notest",
        "--skip-missing-interpreters", "true", "-e", ",".join(envs),
    ]  # fmt: skip
    return subprocess.run(command, env={**os.environ, "PATH": path}, check=False).returncode


def env_python(workdir: Path, env: str) -> Path | None:
    """The interpreter of tox environment `env` (POSIX or Windows layout), if it was built."""
    for relative in ("bin/python", "Scripts/python.exe"):
        path = workdir / env / relative
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Find the environments' interpreters, say which are missing, run the comparison."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--build"] and len(args) >= 4:
        return build(args[1], args[2], args[3:])
    head, rest = (
        (args[: args.index("--")], args[args.index("--") + 1 :]) if "--" in args else (args, [])
    )
    if len(head) < 2:
        print(
            "usage: python -m concurrency_bench.suite.pythons WORKDIR ENV... [-- RUN-ARGS]",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    workdir, envs = Path(head[0]), head[1:]
    found = {env: env_python(workdir, env) for env in envs}
    missing = [env for env, path in found.items() if path is None]
    if missing:
        print(f"skipped (not built here): {', '.join(missing)}", file=sys.stderr)
    pythons = [str(path) for path in found.values() if path is not None]
    if not pythons:
        print(
            f"concurrency-bench: error: `python`: none of {', '.join(envs)} exists under {workdir}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return cli_main(["run", "--python", ",".join(pythons), *rest])


if __name__ == "__main__":
    sys.exit(main())
