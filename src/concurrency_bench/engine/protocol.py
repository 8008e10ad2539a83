"""The engine <-> worker protocol: typed messages that one side encodes and the other decodes.

The engine writes one `Request` (JSON) to a file that becomes the worker's stdin, so a large
scenario never blocks a pipe. The worker answers with JSON lines on a private stdout, in
order: `Ready` (model loaded, setup done), a `Warmup` after each warm-up round, a
`RoundDone` after each measured round, then `Result`; or `Error` at any point. Every
message is written between rounds, never inside one; lines rather than one reply let the
engine show progress and keep the rounds of a model interrupted midway.

Both sides use the same Structs: a missing, unknown or mistyped field is a `ProtocolError`
naming the field, which the engine turns into the model's failed row. `PROTOCOL_VERSION`
changes whenever a message changes; `Error` keeps its shape across versions so that a worker
of another version can still say which one it speaks.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from concurrency_bench.kinds.registry import KindSpec, register
from concurrency_bench.kinds.servers import ServerAddress
from concurrency_bench.results import Round
from concurrency_bench.runners import ModelSpec
from concurrency_bench.workload import Scenario

PROTOCOL_VERSION = 4
"""2 was the untyped dict protocol; 3 the typed one (warm-up times, pool fields in the spec);
4 adds the server's address (`Request.server`) and its figures in each round. The I/O kinds
added two optional fields, `Request.kind` and `ServerAddress.extra`, left out of a request
that does not need them (a built-in kind's, tcp's): such a request is 4's to the byte, so
`ab` and `--python` still run workers of a commit from before the kinds."""


class ProtocolError(ValueError):
    """A message that does not decode as its Struct: the text names the field."""


class Part(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A nested part of a message (no tag): unknown fields are refused too."""


class LatenessPoints(Part, frozen=True):
    """One worker's lateness: its quantiles at q = i / (len - 1), how many values they stand
    for (jobs x measured rounds, the merge weight), and the exact maximum (seconds).

    Quantile points rather than p50/p99 so that the engine can pool a model's workers
    (model_run.merge_lateness).
    """

    points: tuple[float, ...]
    count: int
    max_s: float


class JobColumns(Part, frozen=True, kw_only=True):
    """The last measured round's per-job columns (for `timeline`), as timing.Measurement has
    them, and its sums check (None when every sum was right)."""

    wall_ns: int
    cpu_ns: int
    starts_ns: list[int]
    finishes_ns: list[int]
    values: list[int]
    mismatch: str | None


class Message(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="type"
):
    """A message on the wire: a JSON object whose `type` names its Struct."""


class Request(Message, frozen=True, kw_only=True, tag="request", omit_defaults=True):
    """Engine -> worker: measure `spec` on `scenario` for `rounds` measured rounds."""

    protocol: int
    spec: ModelSpec
    sys_path: tuple[str, ...]
    """The engine's sys.path, appended to the worker's so models outside the package load."""
    scenario: Scenario
    rounds: int
    warmup: int
    gc: Literal["on", "off"]
    pool_size: int | None
    return_jobs: bool
    """Send the last measured round's per-job columns in `Result.jobs`."""
    server: ServerAddress | None = None
    """Where the scenario's server listens, for kinds that have one; None for the others."""
    kind: KindSpec | None = None
    """The scenario's I/O kind when it is not a built-in one (None: the worker's registry
    knows it): registered in the worker before the scenario is decoded, so a kind known only
    to the engine (a plugin's, a test's) runs there too."""
    cpu_iterations: int = 0
    """Steps of CPU work each job does after its wait (workload/cpu.py), the scenario's
    `cpu_ms` as calibrated once for the whole run; 0: none."""


class Ready(Message, frozen=True, kw_only=True, tag="ready"):
    """The model is loaded and set up: the worker's protocol, pid and the model's settings."""

    protocol: int
    pid: int
    settings: dict[str, int | str]


class Warmup(Message, frozen=True, kw_only=True, tag="warmup"):
    """Warm-up round `index` (1-based) finished, in `wall_s` seconds."""

    index: int
    wall_s: float


class RoundDone(Message, frozen=True, kw_only=True, tag="round"):
    """Measured round `index` (1-based, within this worker) finished with these figures.

    `values.gc` (the collections inside the round) came later than protocol 4 and is optional,
    so a worker without it still speaks 4 to this engine (its rows have no GC figures); an
    engine from before it refuses a round that has it, naming the field."""

    index: int
    values: Round


class Result(Message, frozen=True, kw_only=True, tag="result"):
    """Every round done: the first wrong sum (None: all right), lateness and memory."""

    mismatch: str | None
    lateness: LatenessPoints | None
    rss_before_bytes: int | None
    rss_peak_bytes: int | None
    jobs: JobColumns | None


class Error(Message, frozen=True, kw_only=True, tag="error"):
    """The worker failed in `phase` (load, setup, round 2 of 5, ...) for `reason`."""

    phase: str
    reason: str


WorkerMessage = Ready | Warmup | RoundDone | Result | Error


class _Version(msgspec.Struct):
    """Only the version of a request, read before the rest (other fields ignored)."""

    protocol: int


class _Kind(msgspec.Struct):
    """Only the kind of a request, registered before the rest is decoded."""

    kind: KindSpec | None = None


_encoder = msgspec.json.Encoder()
_worker_decoder = msgspec.json.Decoder(WorkerMessage)
_request_decoder = msgspec.json.Decoder(Request)


def encode(message: Message) -> bytes:
    """One message as a JSON line."""
    return _encoder.encode(message) + b"\n"


def decode_message(line: bytes) -> WorkerMessage:
    """A worker's line as its message; ProtocolError names what is wrong (and both versions
    when the line comes from a worker speaking another protocol)."""
    try:
        message: WorkerMessage = _worker_decoder.decode(line)
    except msgspec.DecodeError as exc:
        version = _other_version(line)
        if version is not None:
            raise ProtocolError(
                f"the worker speaks protocol {version}, the engine {PROTOCOL_VERSION}"
            ) from None
        raise ProtocolError(str(exc)) from None
    return message


def _other_version(line: bytes) -> Any:
    """The `protocol` a line claims when it differs from ours, else None."""
    try:
        data = msgspec.json.decode(line)
    except msgspec.DecodeError:
        return None
    if isinstance(data, dict) and data.get("protocol", PROTOCOL_VERSION) != PROTOCOL_VERSION:
        return data["protocol"]
    return None


def decode_request(data: bytes) -> Request:
    """The engine's request; ProtocolError names both versions, or the field that is wrong."""
    try:
        version = msgspec.json.decode(data, type=_Version).protocol
    except msgspec.DecodeError as exc:
        raise ProtocolError(f"unreadable request: {exc}") from None
    if version != PROTOCOL_VERSION:
        raise ProtocolError(f"the engine speaks protocol {version}, this worker {PROTOCOL_VERSION}")
    try:
        kind = msgspec.json.decode(data, type=_Kind).kind
        if kind is not None:
            register(kind)
    except (msgspec.DecodeError, ValueError) as exc:
        raise ProtocolError(f"malformed request: {exc}") from None
    try:
        return _request_decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise ProtocolError(f"malformed request: {exc}") from None
