"""The wire format between the models' clients and the ints server: fixed requests, framed replies.

Request, 20 bytes, little-endian (REQUEST = "<IIIQ"):

    token     u32  scenario_token(scenario): refuses a server built for another scenario
    index     u32  the job's index (MAX_JOBS fits in 32 bits)
    flags     u32  KEEP_ALIVE: leave the connection open for the next request;
                   STATS: ignore index and delay, answer the server's counters at once
    delay_ns  u64  how long the server waits before answering

The server builds the scenario's payload bytes once at start (workload.payloads.seeded_bytes,
the stream build_payloads cuts), so the request needs no seed or count: job i's answer is the
bytes [2*i*count, 2*(i+1)*count) of that stream, its ints as little-endian uint16.

Reply: REPLY_HEADER ("<I", the byte count that follows) then the bytes. A refused request
(wrong token, index out of range, unknown flags) gets the header REFUSED and no body, then
the server closes. A STATS reply's body is STATS ("<ddQQQ"): the server's CPU seconds, the
seconds spent inside its request handlers, requests answered, connections accepted, requests
refused.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from dataclasses import dataclass

from concurrency_bench.workload import Scenario

REQUEST = struct.Struct("<IIIQ")
REPLY_HEADER = struct.Struct("<I")
STATS = struct.Struct("<ddQQQ")

KEEP_ALIVE = 1
STATS_FLAG = 2
KNOWN_FLAGS = KEEP_ALIVE | STATS_FLAG
REFUSED = 0xFFFFFFFF
"""The reply header of a refused request (no body follows, the connection closes)."""


class ProtocolError(RuntimeError):
    """The server refused a request or answered something other than the expected bytes."""


@dataclass(frozen=True)
class Request:
    """One decoded request."""

    token: int
    index: int
    flags: int
    delay_ns: int


@dataclass(frozen=True)
class ServerStats:
    """The server's counters at one moment; differences between two are one round's share."""

    cpu_s: float
    handler_s: float
    requests: int
    connections: int
    refused: int

    def minus(self, earlier: ServerStats) -> ServerStats:
        """What happened between `earlier` and this snapshot."""
        return ServerStats(
            cpu_s=self.cpu_s - earlier.cpu_s,
            handler_s=self.handler_s - earlier.handler_s,
            requests=self.requests - earlier.requests,
            connections=self.connections - earlier.connections,
            refused=self.refused - earlier.refused,
        )


def scenario_token(seed: int, jobs: int, ints_per_job: int) -> int:
    """A 32-bit digest of what fixes the payload bytes, so client and server agree on them."""
    return zlib.crc32(struct.pack("<QQQ", seed, jobs, ints_per_job))


def token_of(scenario: Scenario) -> int:
    """`scenario_token` for a scenario."""
    return scenario_token(scenario.seed, scenario.jobs, scenario.ints_per_job)


def encode_request(token: int, index: int, delay_s: float, *, keep_alive: bool = False) -> bytes:
    """The 20 request bytes for job `index` waiting `delay_s` on the server."""
    delay_ns = round(delay_s * 1e9)
    return REQUEST.pack(token, index, KEEP_ALIVE if keep_alive else 0, delay_ns)


def stats_request() -> bytes:
    """The request that asks the server for its counters (no token needed)."""
    return REQUEST.pack(0, 0, STATS_FLAG, 0)


def decode_request(data: bytes | memoryview) -> Request:
    """Decode exactly REQUEST.size bytes."""
    return Request(*REQUEST.unpack(data))


def reply_size(ints_per_job: int) -> int:
    """How many bytes a client reads for one job: the header and its ints."""
    return REPLY_HEADER.size + 2 * ints_per_job


def encode_reply(body: bytes) -> bytes:
    """Header and body in one buffer, so the reply leaves in one send."""
    return REPLY_HEADER.pack(len(body)) + body


def refused_reply() -> bytes:
    """The header of a refused request."""
    return REPLY_HEADER.pack(REFUSED)


def check_cut_reply(partial: bytes | bytearray | memoryview) -> None:
    """Raise ProtocolError when a reply cut short is a refusal (the header, then the close)."""
    if len(partial) >= REPLY_HEADER.size and REPLY_HEADER.unpack_from(partial)[0] == REFUSED:
        raise ProtocolError("server refused the request (scenario token or job index)")


def sum_reply(reply: bytes | bytearray | memoryview, ints_per_job: int) -> int:
    """Check a job's reply framing and sum its ints; raises ProtocolError when it is off."""
    (length,) = REPLY_HEADER.unpack_from(reply)
    if length == REFUSED:
        raise ProtocolError("server refused the request (scenario token or job index)")
    if length != 2 * ints_per_job or len(reply) != REPLY_HEADER.size + length:
        raise ProtocolError(f"reply carries {length} bytes, expected {2 * ints_per_job}")
    body = memoryview(reply)[REPLY_HEADER.size :]
    if sys.byteorder == "little":
        return sum(body.cast("H"))
    ints = array("H")
    ints.frombytes(body)
    ints.byteswap()  # the wire is little-endian
    return sum(ints)


def decode_stats(reply: bytes) -> ServerStats:
    """Decode a STATS reply (header and body)."""
    (length,) = REPLY_HEADER.unpack_from(reply)
    if length != STATS.size:
        raise ProtocolError(f"stats reply carries {length} bytes, expected {STATS.size}")
    return ServerStats(*STATS.unpack_from(reply, REPLY_HEADER.size))
