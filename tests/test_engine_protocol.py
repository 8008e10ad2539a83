"""engine/protocol.py: every message round-trips, and what is missing or unknown is named."""

from __future__ import annotations

import json
import subprocess
import sys

import msgspec
import pytest

from concurrency_bench.engine.protocol import (
    PROTOCOL_VERSION,
    Error,
    JobColumns,
    LatenessPoints,
    Message,
    ProtocolError,
    Ready,
    Request,
    Result,
    RoundDone,
    Warmup,
    decode_message,
    decode_request,
    encode,
)
from concurrency_bench.engine.session import worker_command
from concurrency_bench.kinds.registry import KINDS, KindSpec, unregister
from concurrency_bench.kinds.servers import ServerAddress
from concurrency_bench.results import Round
from concurrency_bench.runners import REGISTRY, ModelSpec
from concurrency_bench.workload import Scenario

SCENARIO = Scenario.uniform(3, 0.01, ints_per_job=5)
POOLED = ModelSpec("pool-x", "some.module", "a pooled model", pooled=True, pool_cap=7)

REQUEST = Request(
    protocol=PROTOCOL_VERSION,
    spec=POOLED,
    sys_path=("/a", "/b"),
    scenario=SCENARIO,
    rounds=2,
    warmup=1,
    gc="off",
    pool_size=3,
    return_jobs=True,
)
WORKER_MESSAGES: list[Message] = [
    Ready(protocol=PROTOCOL_VERSION, pid=1234, settings={"threads": 2, "pool": "x"}),
    Warmup(index=1, wall_s=0.0105),
    RoundDone(index=1, values=Round(wall_s=0.0106, cpu_s=0.0004, overhead_s=0.0006)),
    Result(
        mismatch="round 1 of 2: job 0 summed to 3, expected 2",
        lateness=LatenessPoints((0.0001, 0.0002, 0.0004), 6, 0.0004),
        rss_before_bytes=1000,
        rss_peak_bytes=2000,
        jobs=JobColumns(
            wall_ns=10, cpu_ns=2, starts_ns=[0, 1], finishes_ns=[5, 9], values=[3, 4], mismatch=None
        ),
    ),
    Result(mismatch=None, lateness=None, rss_before_bytes=None, rss_peak_bytes=None, jobs=None),
    Error(phase="round 2 of 5", reason="RuntimeError: boom"),
]


def test_the_request_round_trips_with_every_spec_field() -> None:
    decoded = decode_request(encode(REQUEST))
    assert decoded == REQUEST
    # pooled and pool_cap used to be dropped on the way to the worker
    assert decoded.spec.pooled and decoded.spec.pool_cap == 7
    assert decoded.spec.concurrency(100, None) == 7
    assert decoded.scenario == SCENARIO and decoded.pool_size == 3


@pytest.mark.parametrize("message", WORKER_MESSAGES, ids=lambda m: type(m).__name__)
def test_every_worker_message_round_trips(message: Message) -> None:
    line = encode(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode_message(line) == message


def _mutated(message: Message, change: dict[str, object], drop: str | None = None) -> bytes:
    data = json.loads(encode(message))
    if drop is not None:
        del data[drop]
    data.update(change)
    return json.dumps(data).encode()


@pytest.mark.parametrize("message", WORKER_MESSAGES, ids=lambda m: type(m).__name__)
def test_a_missing_or_unknown_field_is_an_error_naming_it(message: Message) -> None:
    for name in msgspec.structs.fields(message):
        with pytest.raises(ProtocolError, match=f"`{name.name}`"):
            decode_message(_mutated(message, {}, drop=name.name))
    with pytest.raises(ProtocolError, match="unknown field `surprise`"):
        decode_message(_mutated(message, {"surprise": 1}))


def test_nested_and_request_fields_are_checked_too() -> None:
    done = WORKER_MESSAGES[2]
    with pytest.raises(ProtocolError, match=r"`cpu_s`.*\$\.values"):
        decode_message(_mutated(done, {"values": {"wall_s": 1.0, "overhead_s": 0.0}}))
    with pytest.raises(ProtocolError, match="wall_s"):  # a Round's own checks hold on the wire
        decode_message(_mutated(done, {"values": {"wall_s": -1, "cpu_s": 0, "overhead_s": 0}}))
    with pytest.raises(ProtocolError, match="`pool_size`"):
        decode_request(_mutated(REQUEST, {}, drop="pool_size"))
    with pytest.raises(ProtocolError, match=r"\$\.spec\.pool_cap"):
        spec = {**msgspec.to_builtins(POOLED), "pool_cap": "seven"}
        decode_request(_mutated(REQUEST, {"spec": spec}))
    with pytest.raises(ProtocolError, match="unknown field `colour`"):
        decode_request(_mutated(REQUEST, {"spec": {**msgspec.to_builtins(POOLED), "colour": 1}}))


def test_a_kind_the_worker_does_not_know_is_registered_before_the_scenario_decodes() -> None:
    extra = KindSpec("elsewhere", "some.kind.module", "a kind only the engine knows")
    request = _mutated(REQUEST, {"kind": msgspec.to_builtins(extra), "scenario": {
        **msgspec.to_builtins(SCENARIO), "io": "elsewhere"}})  # fmt: skip
    try:
        decoded = decode_request(request)
        assert (decoded.kind, decoded.scenario.io, KINDS["elsewhere"]) == (
            extra,
            "elsewhere",
            extra,
        )
    finally:
        unregister("elsewhere")
    with pytest.raises(ProtocolError, match=r"malformed request.*\$\.kind"):
        decode_request(_mutated(REQUEST, {"kind": {"name": "x"}}))


def test_a_built_in_kinds_request_keeps_protocol_4s_fields() -> None:
    """Workers of a commit from before the kinds (`ab --base`) read it: no `kind`, no `extra`."""
    address = ServerAddress(host="127.0.0.1", port=9, token=5, client_cpus=(0,), settings={})
    tcp = msgspec.structs.replace(REQUEST, scenario=SCENARIO.with_io("tcp"), server=address)
    data = json.loads(encode(tcp))
    assert set(data) == {
        "type", "protocol", "spec", "sys_path", "scenario", "rounds", "warmup", "gc",
        "pool_size", "return_jobs", "server",
    }  # fmt: skip
    assert set(data["server"]) == {"host", "port", "token", "client_cpus", "settings"}
    assert decode_request(encode(tcp)) == tcp
    assert "server" not in json.loads(encode(REQUEST))


def test_garbage_and_unknown_types_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError, match="malformed"):
        decode_message(b"Segmentation fault (core dumped)\n")
    with pytest.raises(ProtocolError, match=r"Invalid value 'hello' - at `\$\.type`"):
        decode_message(b'{"type": "hello"}\n')


def test_another_protocol_version_is_one_line_naming_both() -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_request(_mutated(REQUEST, {"protocol": 2, "spec": "old"}))
    assert str(caught.value) == f"the engine speaks protocol 2, this worker {PROTOCOL_VERSION}"
    newer = b'{"type": "ready", "protocol": 9, "pid": 1, "settings": {}, "extra": []}\n'
    with pytest.raises(ProtocolError) as caught:
        decode_message(newer)
    assert str(caught.value) == f"the worker speaks protocol 9, the engine {PROTOCOL_VERSION}"


def test_a_real_worker_refuses_another_version_in_its_error_message() -> None:
    request = _mutated(msgspec.structs.replace(REQUEST, spec=REGISTRY["sync"]), {"protocol": 99})
    done = subprocess.run(
        worker_command(), input=request, capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 1
    message = decode_message(done.stdout)
    assert message == Error(
        phase="request",
        reason=f"ProtocolError: the engine speaks protocol 99, this worker {PROTOCOL_VERSION}",
    )


def test_the_worker_speaks_the_protocol_end_to_end() -> None:
    request = msgspec.structs.replace(
        REQUEST, spec=REGISTRY["asyncio-gather"], sys_path=tuple(sys.path), gc="on"
    )
    done = subprocess.run(
        worker_command(), input=encode(request), capture_output=True, timeout=60, check=True
    )
    messages = [decode_message(line) for line in done.stdout.splitlines(keepends=True)]
    assert [type(m).__name__ for m in messages] == [
        "Ready", "Warmup", "RoundDone", "RoundDone", "Result",
    ]  # fmt: skip
    ready, warmup, first, second, result = messages
    assert isinstance(ready, Ready) and ready.protocol == PROTOCOL_VERSION
    assert isinstance(warmup, Warmup) and warmup.index == 1 and warmup.wall_s >= 0.01
    assert isinstance(first, RoundDone) and isinstance(second, RoundDone)
    assert (first.index, second.index) == (1, 2) and first.values.wall_s >= 0.01
    assert isinstance(result, Result) and result.mismatch is None
    assert result.lateness is not None and result.lateness.count == 2 * SCENARIO.jobs
    assert result.jobs is not None and len(result.jobs.values) == SCENARIO.jobs
