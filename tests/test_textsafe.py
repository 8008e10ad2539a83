"""textsafe: file text shown escaped, never obeyed; and the format escapes built on it (markdown
cells, CSV text cells, JSON documents), fuzzed with hypothesis."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concurrency_bench.report.csv_export import FORMULA_STARTS, text_cell
from concurrency_bench.report.markdown import escape as markdown_escape
from concurrency_bench.textsafe import (
    NAME_REFUSED_CLASS,
    html_text,
    json_text,
    refused_in_name,
    unsafe,
    visible,
    visible_lines,
)

ORDINARY = ("é", "µs", "±", "—", "✓ ✗", "日本語", "a b\u00a0c", "x\\y", "50 ms", "$x$", "😀")
"""Printable text the tables use or a name may hold: never changed."""
plain_text = st.text(st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))).filter(
    lambda text: not any(unsafe(c) for c in text)  # noncharacters (U+FFFE, ...) are Cn
)


def has_unsafe(text: str, keep: str = "") -> bool:
    return any(unsafe(c) and c not in keep for c in text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("a\nb\tc\rd", "a\\nb\\tc\\rd"),
        ("\x9b6n", "\\x9b6n"),
        ("nel\x85", "nel\\x85"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("\u202eevil\u2066", "\\u202eevil\\u2066"),
        ("\x00\x7f\u200b\ufeff", "\\x00\\x7f\\u200b\\ufeff"),
        ("\ufffe\U000e0001", "\\ufffe\\U000e0001"),
    ],
)
def test_unsafe_characters_are_shown_as_escapes(raw: str, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_left_as_it_is(text: str) -> None:
    assert visible(text) == text
    assert refused_in_name(text) is None


@given(st.text())
def test_visible_leaves_no_unsafe_character_and_is_xml_text(text: str) -> None:
    shown = visible(text)
    assert not has_unsafe(shown)
    assert ET.fromstring(f"<a>{xml_escape(shown)}</a>").text in (shown, None)


@given(plain_text)
def test_visible_is_the_identity_on_printable_text(text: str) -> None:
    assert visible(text) == text
    assert visible_lines(text) == text


@given(st.text())
def test_visible_lines_keeps_line_breaks_only(text: str) -> None:
    shown = visible_lines(text)
    assert not has_unsafe(shown, keep="\n")
    assert shown.count("\n") == text.count("\n")


@given(st.text())
def test_a_name_is_refused_exactly_when_it_holds_an_unsafe_character(text: str) -> None:
    found = refused_in_name(text)
    assert (found is None) == (visible(text) == text)


def test_the_published_name_class_refuses_only_unsafe_characters() -> None:
    refused = re.compile(f"[{NAME_REFUSED_CLASS}]")
    listed = [chr(code) for code in range(0x110000) if refused.match(chr(code))]
    assert all(unsafe(char) for char in listed)
    assert {"\x1b", "\x85", "\u2028", "\u2029", "\u202e", "\u2066", "\u200f"} <= set(listed)


@given(st.recursive(st.text() | st.integers() | st.floats(allow_nan=False), st.lists))
def test_json_text_is_the_same_data_with_nothing_raw(data: object) -> None:
    document = json.dumps(data, ensure_ascii=False, indent=1)
    safe = json_text(document)
    assert json.loads(safe) == data
    assert not has_unsafe(safe, keep="\n")


@given(st.text())
def test_html_text_is_visible_and_escaped(text: str) -> None:
    shown = html_text(text)
    assert not has_unsafe(shown)
    assert "<" not in shown
    assert ">" not in shown


# -- the format escapes: markdown cells, CSV text cells ---------------------------------------


@given(st.text())
def test_a_markdown_cell_is_one_line_of_text(text: str) -> None:
    cell = markdown_escape(text)
    assert not has_unsafe(cell)
    bare = re.sub(r"\\.", "", cell)  # without the backslash-escaped characters
    assert not set(bare) & set("\\`*_[]<&|~$")


@given(plain_text)
def test_a_markdown_cell_keeps_ordinary_words(text: str) -> None:
    if not set(text) & set("\\`*_[]<&|~$") and text == " ".join(text.split()):
        assert markdown_escape(text) == text


@given(st.text())
def test_a_csv_text_cell_never_starts_a_formula(text: str) -> None:
    cell = text_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert not has_unsafe(cell)
    assert cell in (visible(text), "'" + visible(text))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1.5", "@SUM(A1)", '=HYPERLINK("http://x")'])
def test_csv_formula_starts_get_a_quote(text: str) -> None:
    assert text_cell(text) == "'" + text


def test_a_leading_tab_or_carriage_return_is_shown_escaped_instead() -> None:
    assert text_cell("\t=1") == "\\t=1"
    assert text_cell("\r=1") == "\\r=1"
