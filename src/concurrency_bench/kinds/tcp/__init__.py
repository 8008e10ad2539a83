"""The tcp kind (issue 9): the loopback ints server, its wire format and each model's client.

The server answers job i with the same seeded ints build_payloads gives job i, after the
job's delay, so a TCP round checks the same expected sums as a timer round. kind.py is what
the engine and the models use (the registry names it); handle.py starts the server process
(server.py); protocol.py is the wire format; clients.py and structured.py the jobs of each
model family (the host limits their sockets run into are kinds/limits.py's).
"""

from concurrency_bench.kinds.limits import connections_fit, raise_nofile_limit
from concurrency_bench.kinds.tcp.handle import ServerHandle, TcpTarget
from concurrency_bench.kinds.tcp.protocol import ProtocolError, ServerStats

__all__ = [
    "ProtocolError",
    "ServerHandle",
    "ServerStats",
    "TcpTarget",
    "connections_fit",
    "raise_nofile_limit",
]
