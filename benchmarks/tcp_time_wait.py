"""Who should close first: TIME_WAIT left on each side after rounds of per-job connections.

Run: python benchmarks/tcp_time_wait.py POLICY [--rounds 5] [--jobs 10000] [--delay-ms 50]
POLICY: server-closes (the net package's choice), client-closes (the server keeps the
connection, the client closes after reading), client-rst (client-closes with SO_LINGER 0).
After every round prints its wall, the TIME_WAIT sockets on the server's side and on the
client's (from `ss`), and the first error if the round failed (e.g. ports exhausted).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import struct
import subprocess
import time

from concurrency_bench.kinds.tcp import ServerHandle, TcpTarget
from concurrency_bench.kinds.tcp.clients import stream_job
from concurrency_bench.kinds.tcp.protocol import encode_request, reply_size, sum_reply
from concurrency_bench.workload import JobRecord, Scenario

POLICIES = ("server-closes", "client-closes", "client-rst")


def time_wait(port: int) -> tuple[int, int]:
    """TIME_WAIT sockets whose local port is the server's, and whose peer port is."""
    lines = subprocess.run(
        ["ss", "-Htan", "state", "time-wait"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    server = sum(1 for line in lines if line.split()[-2].endswith(f":{port}"))
    client = sum(1 for line in lines if line.split()[-1].endswith(f":{port}"))
    return server, client


async def client_closes(target: TcpTarget, index: int, delay_s: float, reset: bool) -> int:
    """Ask with keep-alive, so the server leaves the close to the client."""
    reader, writer = await asyncio.open_connection(target.host, target.port)
    writer.write(encode_request(target.token, index, delay_s, keep_alive=True))
    reply = await reader.readexactly(reply_size(100))
    if reset:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()
    await writer.wait_closed()
    return sum_reply(reply, 100)


async def one_round(policy: str, target: TcpTarget, scenario: Scenario) -> list[JobRecord | int]:
    """Every job at once under `policy`."""
    pairs = list(enumerate(scenario.delays_s))
    if policy == "server-closes":
        return list(await asyncio.gather(*(stream_job(target, i, d, 100) for i, d in pairs)))
    reset = policy == "client-rst"
    return list(await asyncio.gather(*(client_closes(target, i, d, reset) for i, d in pairs)))


def main() -> None:
    """Run the rounds back to back and print what each left behind."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("policy", choices=POLICIES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    args = parser.parse_args()
    scenario = Scenario.uniform(args.jobs, args.delay_ms / 1000)
    with ServerHandle() as server:
        server.start(scenario)
        for index in range(1, args.rounds + 1):
            start = time.perf_counter()
            error = ""
            try:
                asyncio.run(one_round(args.policy, server.target, scenario))
            except Exception as exc:  # the point is to show the failure, whatever it is
                error = f" FAILED {type(exc).__name__}: {exc}"
            wall = time.perf_counter() - start
            server_side, client_side = time_wait(server.port)
            print(
                f"{args.policy} round {index}: {wall * 1000:.0f} ms, TIME_WAIT server side "
                f"{server_side}, client side {client_side}{error}",
                flush=True,
            )


if __name__ == "__main__":
    main()
