"""Real I/O over loopback TCP (issue 9): the ints server, its wire format and each model's client.

The server answers job i with the same seeded ints build_payloads gives job i, after the
job's delay, so a TCP round checks the same expected sums as a timer round.
"""

from concurrency_bench.kinds.tcp.handle import (
    SERVER_BOUND_FRACTION,
    Placement,
    ServerError,
    ServerHandle,
    TcpTarget,
    busy_fraction,
    default_placement,
    pin_client,
    server_only_placement,
    unpinned,
)
from concurrency_bench.kinds.tcp.limits import connections_fit, raise_nofile_limit
from concurrency_bench.kinds.tcp.protocol import ProtocolError, ServerStats

__all__ = [
    "SERVER_BOUND_FRACTION",
    "Placement",
    "ProtocolError",
    "ServerError",
    "ServerHandle",
    "ServerStats",
    "TcpTarget",
    "busy_fraction",
    "connections_fit",
    "default_placement",
    "pin_client",
    "raise_nofile_limit",
    "server_only_placement",
    "unpinned",
]
