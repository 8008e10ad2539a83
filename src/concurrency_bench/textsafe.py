r"""Text from a results file made harmless to show: what could command a reader is escaped.

Any string a file carries (names, reasons, environment fields, settings, commit labels) may
hold what a terminal obeys (ESC and its CSI/OSC sequences, other C0 and C1 controls), what
breaks a line or a table (line and paragraph separators, NEL) or what reorders the text
around it (bidirectional overrides and isolates). `visible` shows each such character as an
escape (`\x1b`, `\u2028`) and leaves every other one as it is; every output writes file text
through it, and the loader refuses names that hold any (`refused_in_name`).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from typing import Final

UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Controls (C0, DEL, C1 with NEL), format characters (bidi overrides and isolates, zero-width
ones, soft hyphen), lone surrogates, and the line and paragraph separators."""
NAME_REFUSED_CLASS: Final = (
    r"\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    r"\u2066-\u206f\ufeff\ufff9-\ufffb"
)
"""The unsafe characters a name is likely to carry, as a regular-expression class for the
published JSON Schema (which cannot name Unicode categories); the loader refuses them all."""
SHORT_ESCAPES: Final = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
"""The escapes Python's repr writes for these, kept so messages read as they always have."""
_CANDIDATE = re.compile(r"[^\x20-\x7e]")
"""Every character but printable ASCII: the only ones worth asking `unsafe` about."""
_JSON_CANDIDATE = re.compile(r"[^\x00-\x7e]")
"""In a JSON document a raw C0 character can only be layout (line breaks), so only the rest
is asked."""


def unsafe(char: str) -> bool:
    """Whether one character must be escaped: an unsafe category, or a noncharacter (U+FFFE,
    U+FFFF, U+FDD0-U+FDEF: not allowed in XML, so never in an SVG either)."""
    code = ord(char)
    return (
        unicodedata.category(char) in UNSAFE_CATEGORIES
        or code & 0xFFFE == 0xFFFE
        or 0xFDD0 <= code <= 0xFDEF
    )


def escape_char(char: str) -> str:
    r"""One character as Python's repr writes it: `\n`, `\x1b`, `\u2028`, `\U000e0001`."""
    code = ord(char)
    if char in SHORT_ESCAPES:
        return SHORT_ESCAPES[char]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


@functools.lru_cache(maxsize=4096)
def _shown_char(char: str) -> str:
    return escape_char(char) if unsafe(char) else char


def _shown(match: re.Match[str]) -> str:
    return _shown_char(match.group())  # cached: a file may repeat one character a million times


def visible(text: str) -> str:
    """`text` with every unsafe character escaped: one line that cannot move the cursor,
    retitle a window, query the terminal or reorder what follows; the identity otherwise."""
    if text.isprintable():  # C speed; printable text holds no unsafe character
        return text
    return _CANDIDATE.sub(_shown, text)


def visible_lines(text: str) -> str:
    """`visible` for text made of several lines: its line breaks kept, the rest escaped."""
    return "\n".join(visible(line) for line in text.split("\n"))


def refused_in_name(text: str) -> str | None:
    """The first unsafe character of a name, escaped (a name is one line of plain text), or
    None when it has none."""
    found = next((char for char in text if unsafe(char)), None)
    return None if found is None else escape_char(found)


def _json_escaped(match: re.Match[str]) -> str:
    char = match.group()
    if not unsafe(char):
        return char
    data = char.encode("utf-16-be", "surrogatepass")  # astral characters as surrogate pairs
    return "".join(f"\\u{data[i]:02x}{data[i + 1]:02x}" for i in range(0, len(data), 2))


def json_text(document: str) -> str:
    r"""A JSON document with every unsafe character in its strings written as a `\u` escape:
    the same data when parsed, and nothing raw for a terminal that shows the file."""
    if document.isascii() and "\x7f" not in document:  # C speed over a 10,000,000-job file
        return document
    return _JSON_CANDIDATE.sub(_json_escaped, document)


def html_text(text: str, quote: bool = True) -> str:
    """`visible` text escaped for HTML: `&`, `<`, `>` (and quotes when `quote`) as entities."""
    return html.escape(visible(text), quote)
