"""The text layout of a results file: readable where it is small, compact where it is big.

Objects and arrays that hold other objects or arrays are indented, one member a line, so a
small file reads and diffs well. A container of plain values (a round's figures, a lateness
record, a scenario's delays) goes on one line: with spaces when it is short, compact when it
is long, since `delays_s` has one number per job and one line each would more than double a
1,000,000-job file. Any layout is valid JSON for the loader; only the whitespace differs.
"""

from __future__ import annotations

from typing import Any

import msgspec

INDENT = "  "
SHORT_LINE = 100
"""A plain container this long or shorter gets ", " and ": " separators; longer ones none."""
CONTAINERS = frozenset({dict, list, tuple})
"""What msgspec.to_builtins makes of records and sequences (a subclass only loses its indent)."""


def dumps(data: Any) -> str:
    """`data` (JSON-ready builtins, as msgspec.to_builtins gives) as the file's text."""
    return _layout(data, "") + "\n"


def _layout(value: Any, indent: str) -> str:
    if not isinstance(value, dict | list | tuple) or not value:
        return msgspec.json.encode(value).decode()
    members = value.values() if isinstance(value, dict) else value
    if CONTAINERS.isdisjoint(map(type, members)):  # map(type): C speed over 10**7 delays
        flat = msgspec.json.encode(value)
        return (flat if len(flat) > SHORT_LINE else msgspec.json.format(flat, indent=0)).decode()
    inner = indent + INDENT
    if isinstance(value, dict):
        lines = [
            f"{inner}{msgspec.json.encode(key).decode()}: {_layout(item, inner)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(lines) + f"\n{indent}}}"
    lines = [f"{inner}{_layout(item, inner)}" for item in value]
    return "[\n" + ",\n".join(lines) + f"\n{indent}]"
