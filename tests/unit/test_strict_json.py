"""app/sync/strict_json.py reads a bundle's JSON as RFC 8259 has it. Its check for lone surrogates runs
only where the text could hold one (a surrogate, or an escape of one): the cases here hold the
pre-check to the full check, both ways."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sync import strict_json


@pytest.mark.parametrize("text", ['"\\ud800"', '"\\uDFFF"', '"\\udbff x"', '{"a": ["\\uD83D"]}', '"\\ude00\\ud83d"',
                                  '"\ud800"'])
def test_a_lone_surrogate_escaped_or_not_is_refused(text):
    with pytest.raises(UnicodeEncodeError):
        strict_json.loads(text)


@pytest.mark.parametrize("text, value", [('"\\ud83d\\ude00"', "😀"), ('"\\\\ud800"', "\\ud800"), ('"\\u0041\\u4e2d"', "A中"),
                                         ('"\\uD7FF\\uE000"', "\ud7ff\ue000")])
def test_pairs_escaped_backslashes_and_other_escapes_are_text(text, value):
    assert strict_json.loads(text) == value


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "[1e999]", "-1e400"])
def test_numbers_json_has_not_are_refused(text):
    with pytest.raises(ValueError):
        strict_json.loads(text)


@given(st.lists(st.integers(0xD800, 0xDFFF) | st.integers(0, 0x10FFFF), max_size=6))
def test_any_escaped_code_units_are_taken_exactly_when_they_are_text(units):
    text = '"' + "".join(f"\\u{u:04x}" if u <= 0xFFFF else chr(u) for u in units) + '"'
    value = json.loads(text)
    try:
        value.encode("utf-8")
        is_text = True
    except UnicodeEncodeError:
        is_text = False
    if is_text:
        assert strict_json.loads(text) == value
    else:
        with pytest.raises(UnicodeEncodeError):
            strict_json.loads(text)
