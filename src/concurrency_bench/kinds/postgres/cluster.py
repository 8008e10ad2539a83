"""A throwaway PostgreSQL cluster for one scenario: initdb, start, load the ints, stop, remove.

Everything lives in one temporary folder (the data directory, the unix socket, the log), which
`stop` removes after the server is gone. PostgreSQL refuses to run as root, so as root the
folder is handed to the `postgres` user (Debian's package makes it) or else to `nobody`, and
initdb and postgres run as that user through `setpriv`, which execs them: the Popen's pid is
the postmaster's, so its end and a SIGSTOP are seen as for any other server, and the engine's
death reaches it (SIGQUIT, an immediate shutdown). The postmaster and its backends form one
process group, killed whole when a fast shutdown does not end in time.

Test knobs (environment): CONCURRENCY_BENCH_PG_PORT (a fixed port, to play a taken one),
CONCURRENCY_BENCH_PG_MAX_CONNECTIONS (a cap, to play a server refusing connections) and
CONCURRENCY_BENCH_PG_FAULT=query (job FAULT_JOB's row raises division by zero on the server).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from concurrency_bench.kinds.postgres.install import INSTALL, find_bindir
from concurrency_bench.kinds.servers import ServerError
from concurrency_bench.lifetime import stop_signal
from concurrency_bench.workload import Scenario
from concurrency_bench.workload.payloads import build_payloads

HOST = "127.0.0.1"
USER = "bench"
"""The cluster's superuser (initdb -U), whom the jobs log in as (trust, loopback only)."""
DATABASE = "postgres"
PORT_ENV = "CONCURRENCY_BENCH_PG_PORT"
MAX_CONNECTIONS_ENV = "CONCURRENCY_BENCH_PG_MAX_CONNECTIONS"
FAULT_ENV = "CONCURRENCY_BENCH_PG_FAULT"
FAULT_JOB = 3
RESERVED = 3
"""superuser_reserved_connections' default: slots a normal login cannot take."""
HEADROOM = 5
"""Connections beyond the jobs': the counters' own, a psql, a spare."""
DEFAULT_POOLS = 10
"""The largest driver default pool (asyncpg's 10), the least a cluster is sized for."""
START_TIMEOUT_S = 60.0
SERVER_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "dynamic_shared_memory_type=mmap",
    "log_line_prefix=",
)
"""A benchmark's cluster: nothing here needs to survive a crash, and its segments stay in
the folder that is removed."""


def max_connections_for(scenario: Scenario) -> int:
    """A cluster sized for the run: each job a connection at most (the drivers' default pools
    are smaller), or the shared ones, plus headroom and the superuser's reserve."""
    wanted = min(scenario.jobs, scenario.connections or scenario.jobs)
    sized = max(wanted, DEFAULT_POOLS) + HEADROOM + RESERVED
    cap = os.environ.get(MAX_CONNECTIONS_ENV)
    return min(sized, int(cap)) if cap else sized


def run_as() -> tuple[str, list[str]]:
    """Who runs the server, and the command prefix that makes it so (none unless root)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name, []
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            prefix = [
                "setpriv",
                f"--reuid={entry.pw_uid}",
                f"--regid={entry.pw_gid}",
                "--clear-groups",
                "--pdeathsig=SIGQUIT",
                "--",
            ]
            return name, prefix
    raise ServerError("running as root, and neither a postgres nor a nobody user exists")


def free_port() -> int:
    """A loopback port free now (or PORT_ENV's)."""
    fixed = os.environ.get(PORT_ENV)
    if fixed:
        return int(fixed)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def load_script(scenario: Scenario) -> str:
    """psql's input: the payload table with each job's ints, and the answered-jobs counter."""
    rows = "".join(
        f"{job}\t{{{','.join(map(str, ints))}}}\n"
        for job, ints in enumerate(build_payloads(scenario))
    )
    script = (
        "CREATE TABLE payload (job integer PRIMARY KEY, ints integer[] NOT NULL);\n"
        f"COPY payload FROM STDIN;\n{rows}\\.\n"
        "CREATE SEQUENCE answered;\nANALYZE payload;\n"
    )
    if os.environ.get(FAULT_ENV) == "query":
        script += (
            "ALTER TABLE payload RENAME TO payload_data;\n"
            "CREATE VIEW payload AS SELECT job, CASE WHEN job = "
            f"{FAULT_JOB} THEN ARRAY[1 / (job - {FAULT_JOB})] ELSE ints END AS ints "
            "FROM payload_data;\n"
        )
    return script


def _last_words(text: str) -> str:
    """What went wrong: the first line that says so (a bind's cause) and the last (the FATAL)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    marks = ("FATAL", "ERROR", "error", "could not")
    worst = [line for line in lines if any(mark in line for mark in marks)] or lines
    said = list(dict.fromkeys([worst[0], worst[-1]])) if worst else ["(nothing)"]
    return " / ".join(said)[:400]


class Cluster:
    """One temporary cluster: `start` (initdb, postgres, load), `fault`, `stop` (and remove)."""

    def __init__(self, server_cpus: tuple[int, ...] | None) -> None:
        self.server_cpus = server_cpus
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.user = ""
        self.version = ""
        self.max_connections = 0

    @property
    def log(self) -> Path:
        """The server's stderr."""
        assert self.folder is not None
        return self.folder / "server.log"

    def start(self, scenario: Scenario) -> None:
        """Make, start and load the cluster; ServerError naming the step that failed."""
        bindir = find_bindir()
        if bindir is None:
            raise ServerError(f"PostgreSQL is not installed ({INSTALL})")
        self.user, prefix = run_as()
        self.folder = Path(tempfile.mkdtemp(prefix="concurrency-bench-pg-"))
        if prefix:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        data = self.folder / "data"
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust"]
        self._step("initdb", [*prefix, *initdb, "-E", "UTF8", "--locale=C", "--no-sync"])
        self.version = self._step("postgres --version", [str(bindir / "postgres"), "--version"])
        self.port = free_port()
        self.max_connections = max_connections_for(scenario)
        command = [str(bindir / "postgres"), "-D", str(data), "-p", str(self.port)]
        command += ["-h", HOST, "-k", str(self.folder)]
        command += ["-c", f"max_connections={self.max_connections}"]
        for setting in SERVER_SETTINGS:
            command += ["-c", setting]
        cpus = self.server_cpus
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*prefix, *command],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own group: the backends are killed with it
                preexec_fn=(lambda: os.sched_setaffinity(0, set(cpus))) if cpus else None,  # noqa: PLW1509
            )
        self._wait_ready(data / "postmaster.pid")
        psql = [str(bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        psql += ["-h", str(self.folder), "-p", str(self.port), "-U", USER, "-d", DATABASE]
        self._step("loading the ints", psql, stdin=load_script(scenario))

    def _step(self, what: str, command: list[str], stdin: str | None = None) -> str:
        try:
            done = subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ServerError(f"{what} did not finish within {START_TIMEOUT_S:g} s") from None
        if done.returncode != 0:
            said = _last_words(done.stderr + done.stdout)
            raise ServerError(f"{what} failed (exit status {done.returncode}): {said}")
        return done.stdout.strip()

    def _wait_ready(self, pid_file: Path) -> None:
        """Until postmaster.pid says `ready`; ServerError with the log's last words if the
        server ends first or never gets there."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            fault = self.fault()
            if fault is not None:
                raise ServerError(f"postgres {fault}")
            with contextlib.suppress(OSError):
                lines = pid_file.read_text().splitlines()
                if len(lines) >= 8 and lines[7].strip() == "ready":
                    return
            time.sleep(0.02)
        raise ServerError(f"postgres was not ready within {START_TIMEOUT_S:g} s")

    def fault(self) -> str | None:
        """What ended or stopped the postmaster (with the log's last words when it ended);
        None while it serves."""
        from concurrency_bench.kinds.servers import process_fault  # noqa: PLC0415

        process = self.process
        if process is None:
            return "is not running"
        fault = process_fault(process)
        if fault is None or process.returncode is None:
            return fault
        with contextlib.suppress(OSError):
            return f"{fault}: {_last_words(self.log.read_text(errors='replace'))}"
        return fault

    def stop(self, timeout_s: float = 10.0) -> None:
        """Fast shutdown (SIGINT), the whole group killed if it lingers or is stopped; then the
        folder removed. Stopping twice does nothing."""
        process, self.process = self.process, None
        if process is not None:
            killed = False
            if process.poll() is None:
                if stop_signal(process.pid) is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(process.pid, signal.SIGINT)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(timeout=timeout_s)
                killed = process.poll() is None
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # backends left behind, if any
            process.wait()
            if killed or process.returncode != 0:
                self._remove_shared_memory()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _remove_shared_memory(self) -> None:
        """The SysV segment a killed postmaster leaves (its id is in postmaster.pid)."""
        assert self.folder is not None
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (self.folder / "data" / "postmaster.pid").read_text().splitlines()[6]
            shmid = int(fields.split()[1])
            command = ["ipcrm", "-m", str(shmid)]
            subprocess.run(command, capture_output=True, timeout=10, check=False)
