"""The TCP wire format: requests round-trip, replies are framed and checked, payloads agree."""

from __future__ import annotations

import pytest

from concurrency_bench.kinds.servers import busy_fraction
from concurrency_bench.kinds.tcp.protocol import (
    KEEP_ALIVE,
    REPLY_HEADER,
    REQUEST,
    ProtocolError,
    ServerStats,
    decode_request,
    encode_reply,
    encode_request,
    refused_reply,
    scenario_token,
    sum_reply,
    token_of,
)
from concurrency_bench.workload import Scenario, build_payloads
from concurrency_bench.workload.payloads import seeded_bytes


def test_request_round_trips_with_its_fields() -> None:
    data = encode_request(1234, 77, 0.0505, keep_alive=True)
    assert len(data) == REQUEST.size
    request = decode_request(data)
    assert (request.token, request.index, request.flags) == (1234, 77, KEEP_ALIVE)
    assert request.delay_ns == 50_500_000


def test_token_changes_with_what_fixes_the_payload() -> None:
    base = scenario_token(0, 10, 100)
    assert base == scenario_token(0, 10, 100)
    assert len({base, scenario_token(1, 10, 100), scenario_token(0, 11, 100)}) == 3
    assert token_of(Scenario.uniform(10, 0.01)) == base


@pytest.mark.parametrize(
    "scenario", [Scenario.uniform(9, 0.0, ints_per_job=13, seed=5), Scenario.seed_story(20)]
)
def test_server_stream_cut_per_job_is_build_payloads(scenario: Scenario) -> None:
    stream = seeded_bytes(scenario.seed, scenario.jobs * scenario.ints_per_job)
    size = 2 * scenario.ints_per_job
    for index, ints in enumerate(build_payloads(scenario)):
        reply = encode_reply(stream[index * size : (index + 1) * size])
        assert sum_reply(reply, scenario.ints_per_job) == sum(ints)


def test_reply_framing_is_checked() -> None:
    with pytest.raises(ProtocolError, match="refused"):
        sum_reply(refused_reply(), 3)
    with pytest.raises(ProtocolError, match="carries 4 bytes, expected 6"):
        sum_reply(encode_reply(b"\x01\x00\x02\x00"), 3)
    assert sum_reply(encode_reply(b""), 0) == 0
    assert sum_reply(REPLY_HEADER.pack(4) + b"\x01\x00\x00\x01", 2) == 1 + 256


def test_stats_difference_and_busy_fraction() -> None:
    later = ServerStats(cpu_s=1.5, handler_s=0.5, requests=30, connections=12, refused=1)
    earlier = ServerStats(cpu_s=1.0, handler_s=0.25, requests=10, connections=2, refused=1)
    delta = later.minus(earlier)
    assert (delta.requests, delta.connections, delta.refused) == (20, 10, 0)
    assert busy_fraction(delta, 2.0) == pytest.approx(0.25)
    assert busy_fraction(delta, 0.0) == 0.0
