"""gevent: one greenlet per job, or a gevent.pool.Pool of `pool_size`; no monkey-patching.

The jobs call gevent.sleep and gevent's cooperative sockets explicitly, so nothing in the
worker is patched: the engine's own thread (the channel watcher) and its blocking calls stay
the standard library's, and the harness never imports gevent at all.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence

import gevent
import gevent.pool
import gevent.queue
import gevent.socket

from concurrency_bench.kinds.base import BlockingRuntime, Connection
from concurrency_bench.runners.base import Runner, Settings
from concurrency_bench.workload import JobRecord


def connect(address: tuple[str, int]) -> Connection:
    """A connected gevent socket. Not gevent.socket.create_connection: it sends even an IP
    literal to the hub's resolver (a thread pool by default) on every connect, a step that
    asyncio, anyio and trio skip for literals; `connect` skips it too."""
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    sock = gevent.socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    connected: Connection = sock  # gevent is untyped: name what the jobs use of its socket
    return connected


GEVENT = BlockingRuntime(
    name="gevent", sleep=gevent.sleep, connect=connect, free_queue=gevent.queue.Queue
)
"""gevent's sleep, sockets and queue: a wait for the timer, the server or a free connection
switches greenlets."""


class GeventRunner(Runner):
    """Each job is the blocking-style job of sync and threads, run on its own greenlet."""

    family = "blocking"

    def setup(self, jobs: int) -> Settings:
        """Make this thread's hub now (a gevent program makes it once, not per round); record
        how many greenlets run at once: one per job, or the pool's size."""
        gevent.get_hub()
        if self.pool_size:
            return {"greenlets": min(jobs, self.pool_size), "pool": "gevent.pool.Pool"}
        return {"greenlets": jobs, "pool": "greenlet-per-job"}

    def run(self, delays_s: Sequence[float], payloads: Sequence[Sequence[int]]) -> list[JobRecord]:
        """Spawn every job (a full pool makes the spawn wait for a free slot), join them all."""
        jobs = len(delays_s)
        spawn = gevent.pool.Pool(self.pool_size).spawn if self.pool_size else gevent.spawn
        with self.io.blocking_jobs(min(jobs, self.pool_size or jobs), GEVENT) as job:
            greenlets = [
                spawn(job, index, delay, ints)
                for index, (delay, ints) in enumerate(zip(delays_s, payloads))
            ]
            try:
                gevent.joinall(greenlets, raise_error=True)
            except BaseException:  # a failed job fails the run; the others must not linger
                gevent.killall(greenlets)
                raise
            return [greenlet.value for greenlet in greenlets]


RUNNER = GeventRunner
