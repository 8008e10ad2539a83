"""net/protocol.py against bytes written out by hand: field order, sizes, flags, the token's
digest, the framing of replies and refusals, and the STATS reply."""

from __future__ import annotations

import struct
import sys
import zlib
from types import SimpleNamespace

import pytest

from concurrency_bench.kinds.tcp import protocol
from concurrency_bench.kinds.tcp.protocol import (
    ProtocolError,
    Request,
    ServerStats,
    check_cut_reply,
    decode_request,
    decode_stats,
    encode_reply,
    encode_request,
    refused_reply,
    reply_size,
    scenario_token,
    stats_request,
    sum_reply,
)


def u32(value: int) -> bytes:
    """A little-endian uint32, written out independently of the module's structs."""
    return value.to_bytes(4, "little")


def u64(value: int) -> bytes:
    """A little-endian uint64."""
    return value.to_bytes(8, "little")


def test_a_request_is_token_index_flags_delay_in_20_little_endian_bytes() -> None:
    data = encode_request(0x01020304, 7, 3.0)
    assert data == u32(0x01020304) + u32(7) + u32(0) + u64(3_000_000_000)
    assert len(data) == 20


def test_keep_alive_sets_flag_bit_one_and_only_when_asked() -> None:
    assert encode_request(5, 6, 0.25, keep_alive=True)[8:12] == u32(1)
    assert encode_request(5, 6, 0.25, keep_alive=False)[8:12] == u32(0)
    assert encode_request(5, 6, 0.25)[8:12] == u32(0)  # the default closes after the reply


def test_the_delay_is_rounded_to_whole_nanoseconds() -> None:
    assert encode_request(0, 0, 2.5)[12:] == u64(2_500_000_000)
    assert encode_request(0, 0, 1.0000000006)[12:] == u64(1_000_000_001)  # rounded, not cut
    assert encode_request(0, 0, 0.0)[12:] == u64(0)


def test_the_largest_fields_fit() -> None:
    data = encode_request(2**32 - 1, 2**32 - 1, 0.0, keep_alive=True)
    assert data[:8] == b"\xff" * 8


def test_the_known_flags_are_exactly_those_clients_send() -> None:
    # The server refuses any other bit, so a flag missing here would refuse real clients.
    sent = int.from_bytes(encode_request(0, 0, 0.0, keep_alive=True)[8:12], "little")
    sent |= int.from_bytes(stats_request()[8:12], "little")
    assert protocol.KNOWN_FLAGS == sent == 0b11


def test_decoding_reads_the_fields_in_wire_order() -> None:
    data = u32(11) + u32(22) + u32(3) + u64(44)
    assert decode_request(data) == Request(token=11, index=22, flags=3, delay_ns=44)
    assert decode_request(memoryview(data)).delay_ns == 44
    with pytest.raises(struct.error):
        decode_request(data[:19])


def test_the_stats_request_carries_only_flag_two() -> None:
    assert stats_request() == u32(0) + u32(0) + u32(2) + u64(0)


def test_the_token_is_the_crc32_of_seed_jobs_and_ints_as_three_uint64() -> None:
    digest = zlib.crc32(u64(123_456_789) + u64(1000) + u64(100))
    assert scenario_token(123_456_789, 1000, 100) == digest
    assert scenario_token(0, 0, 0) == zlib.crc32(bytes(24))
    assert 0 <= scenario_token(2**63 - 1, 10**6, 10**4) < 2**32


def test_a_reply_is_its_byte_count_then_the_bytes() -> None:
    assert encode_reply(b"\x01\x02\x03") == u32(3) + b"\x01\x02\x03"
    assert encode_reply(b"") == u32(0)
    assert reply_size(0) == 4
    assert reply_size(3) == 4 + 6
    assert reply_size(100) == 204


def test_a_refusal_is_the_header_ffffffff_alone() -> None:
    assert refused_reply() == b"\xff\xff\xff\xff"


def test_sum_reply_adds_the_body_as_little_endian_uint16() -> None:
    body = u32(0) + b"\x01\x00\x00\x01\xff\xff\x34\x12"  # 1, 256, 65535, 0x1234
    assert sum_reply(u32(8) + body[4:], 4) == 1 + 256 + 65535 + 0x1234
    assert sum_reply(bytearray(u32(2) + b"\x00\x80"), 1) == 0x8000  # unsigned, not -32768


def test_sum_reply_on_a_big_endian_host_swaps_the_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The opposite of this host's byte order: its ints read natively, then swapped, are the
    # ints read big-endian here (little-endian host), or natively (big-endian host), either
    # way `int.from_bytes(pair, "big")`; the real order reads them little-endian.
    reply = u32(6) + b"\x01\x00\x80\x00\x02\x00"
    opposite = "big" if sys.byteorder == "little" else "little"
    pairs = [reply[i : i + 2] for i in range(4, 10, 2)]
    assert sum_reply(reply, 3) == sum(int.from_bytes(p, "little") for p in pairs)
    monkeypatch.setattr(protocol, "sys", SimpleNamespace(byteorder=opposite))
    swapped = sum(int.from_bytes(p, "big") for p in pairs)
    assert swapped == 0x0100 + 0x8000 + 0x0200  # unsigned: 0x8000 is not -32768
    assert sum_reply(reply, 3) == swapped


def test_sum_reply_refuses_a_refusal_and_wrong_lengths() -> None:
    with pytest.raises(ProtocolError, match=r"^server refused the request \(scenario token"):
        sum_reply(b"\xff\xff\xff\xff", 2)
    with pytest.raises(ProtocolError, match=r"^reply carries 2 bytes, expected 4$"):
        sum_reply(u32(2) + b"\x01\x00", 2)  # header says too few
    with pytest.raises(ProtocolError, match=r"^reply carries 4 bytes, expected 4$"):
        sum_reply(u32(4) + b"\x01\x00", 2)  # header right, body cut short
    with pytest.raises(ProtocolError, match=r"^reply carries 4 bytes, expected 4$"):
        sum_reply(u32(4) + b"\x01\x00\x01\x00\x01", 2)  # a byte too many


def test_a_cut_reply_is_a_refusal_only_when_its_header_says_so() -> None:
    with pytest.raises(ProtocolError, match=r"^server refused the request \(scenario token"):
        check_cut_reply(b"\xff\xff\xff\xff")
    with pytest.raises(ProtocolError, match="refused"):
        check_cut_reply(bytearray(b"\xff\xff\xff\xff\x00"))
    check_cut_reply(b"")  # nothing came: not a refusal
    check_cut_reply(b"\xff\xff\xff")  # a header cut short is not yet a refusal
    check_cut_reply(u32(200) + b"\x01")  # an ordinary reply cut short
    check_cut_reply(memoryview(u32(0xFFFFFFFE)))


def test_stats_reply_decodes_cpu_handler_requests_connections_refused() -> None:
    body = struct.pack("<d", 1.5) + struct.pack("<d", 0.25) + u64(30) + u64(12) + u64(2)
    assert len(body) == 40
    stats = decode_stats(u32(40) + body)
    assert stats == ServerStats(cpu_s=1.5, handler_s=0.25, requests=30, connections=12, refused=2)
    with pytest.raises(ProtocolError, match=r"^stats reply carries 39 bytes, expected 40$"):
        decode_stats(u32(39) + body)


def test_the_difference_of_two_snapshots_is_field_by_field() -> None:
    later = ServerStats(cpu_s=2.5, handler_s=1.75, requests=30, connections=12, refused=3)
    earlier = ServerStats(cpu_s=1.0, handler_s=0.5, requests=10, connections=2, refused=1)
    assert later.minus(earlier) == ServerStats(
        cpu_s=1.5, handler_s=1.25, requests=20, connections=10, refused=2
    )
