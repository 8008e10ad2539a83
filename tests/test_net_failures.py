"""When the server dies or the host's limits are too low, clients fail fast with the cause."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import pytest
import trio

from concurrency_bench.kinds.servers import ServerError
from concurrency_bench.kinds.tcp import ServerHandle, TcpTarget, connections_fit
from concurrency_bench.kinds.tcp.clients import NetError, connect_error, socket_job, stream_job
from concurrency_bench.kinds.tcp.structured import anyio_job, trio_job
from concurrency_bench.workload import Scenario

SCENARIO = Scenario.uniform(4, 10.0, ints_per_job=8)
"""Long delays: a job is still waiting on the server when the test kills it."""

SRC = str(Path(__file__).resolve().parent.parent / "src")


def kill_soon(handle: ServerHandle, after_s: float = 0.3) -> threading.Timer:
    assert handle.process is not None
    timer = threading.Timer(after_s, handle.process.kill)
    timer.start()
    return timer


def test_a_killed_server_fails_the_next_connect_with_the_cause() -> None:
    with ServerHandle() as handle:
        handle.start(SCENARIO)
        target = handle.target
        assert handle.process is not None
        handle.process.kill()
        handle.process.wait(timeout=10)
        with pytest.raises(ServerError, match=r"^the server was killed by SIGKILL$"):
            handle.stats()
    with pytest.raises(NetError, match=rf"connect to 127.0.0.1:{target.port} failed.*refused"):
        socket_job(target, 0, 0.0, SCENARIO.ints_per_job)
    with pytest.raises(NetError, match="server not running"):
        asyncio.run(stream_job(target, 0, 0.0, SCENARIO.ints_per_job))


def test_a_server_killed_mid_job_fails_a_blocking_client() -> None:
    errors: list[BaseException] = []

    def job() -> None:
        try:
            socket_job(handle.target, 0, 10.0, SCENARIO.ints_per_job)
        except BaseException as exc:
            errors.append(exc)

    with ServerHandle() as handle:
        handle.start(SCENARIO)
        thread = threading.Thread(target=job, daemon=True)
        thread.start()
        kill_soon(handle)
        thread.join(timeout=8)  # well under the 10 s delay: the kill ended the job
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], NetError)
    assert "closed after 0 of 20 reply bytes (server died?)" in str(errors[0])


def test_a_server_killed_mid_job_fails_asyncio_and_trio_clients() -> None:
    with ServerHandle() as handle:
        handle.start(SCENARIO)
        target = handle.target

        async def gather() -> None:
            await asyncio.wait_for(
                asyncio.gather(*(stream_job(target, i, 10.0, 8) for i in range(4))), 8
            )

        kill_soon(handle)
        with pytest.raises(NetError, match="server died"):
            asyncio.run(gather())

    with ServerHandle() as handle:
        handle.start(SCENARIO)
        target = handle.target

        async def nursery() -> None:
            with trio.fail_after(8):
                async with trio.open_nursery() as group:
                    for index in range(4):
                        group.start_soon(trio_job, target, index, 10.0, 8)

        kill_soon(handle)
        with pytest.raises(BaseExceptionGroup) as caught:
            trio.run(nursery)
        assert caught.group_contains(NetError, match="server died")


def test_a_server_that_cannot_start_says_why() -> None:
    with pytest.raises(ServerError, match=r"failed to start: it exited with status 2: .*"):
        ServerHandle(loop="no-such-loop").start(SCENARIO)


def _dead(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_server_dies_with_its_parent() -> None:
    code = (
        "import os, json\n"
        "from concurrency_bench.kinds.tcp import ServerHandle\n"
        "from concurrency_bench.workload import Scenario\n"
        "h = ServerHandle(); h.start(Scenario.uniform(2, 0.0))\n"
        "print(json.dumps(h.info['pid']), flush=True)\n"
        "os._exit(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    pid = json.loads(done.stdout)
    deadline = time.monotonic() + 10
    while not _dead(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not _dead(pid):
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the server outlived its parent")


def _with_nofile(soft: int, hard: int, code: str) -> str:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        preexec_fn=limit,  # preexec_fn: this test starts no threads
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_a_low_open_file_limit_refuses_per_job_mode_naming_the_limit() -> None:
    code = (
        "from concurrency_bench.kinds.tcp import connections_fit\n"
        "print(connections_fit(1000))\n"
        "print(connections_fit(1000, connections=20))\n"
    )
    refused, pooled = _with_nofile(200, 200, code).splitlines()
    assert "open-file limit (RLIMIT_NOFILE) is 200" in refused
    assert "1,000 connections" in refused and "--connections" in refused
    assert pooled == "None"


def test_raise_nofile_limit_raises_the_soft_limit_to_the_hard_one() -> None:
    code = (
        "from concurrency_bench.kinds.tcp import raise_nofile_limit, connections_fit\n"
        "print(raise_nofile_limit(), connections_fit(200))\n"
    )
    assert _with_nofile(100, 400, code) == "(100, 400) None"


def test_the_fits_check_passes_small_counts_here() -> None:
    assert connections_fit(1) is None


def test_connect_errors_name_the_likely_cause() -> None:
    target = TcpTarget("127.0.0.1", 9, 0)
    ports = OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")
    assert str(connect_error(target, ports)) == (
        "connect to 127.0.0.1:9 failed: [Errno 99] Cannot assign requested address "
        "(ephemeral ports exhausted?)"
    )
    files = OSError(errno.EMFILE, "Too many open files")
    assert "--connections" in str(connect_error(target, files))


def test_trio_and_anyio_connect_errors_are_net_errors() -> None:
    with ServerHandle() as handle:
        handle.start(SCENARIO)
        target = handle.target
    with pytest.raises(NetError, match="server not running"):
        trio.run(trio_job, target, 0, 0.0, 8)
    for backend in ("asyncio", "trio"):
        with pytest.raises(NetError, match=rf"connect to 127.0.0.1:{target.port} failed"):
            anyio.run(anyio_job, target, 0, 0.0, 8, backend=backend)
