"""JSON as RFC 8259 has it, read with Python's json module, which is laxer: it also reads NaN and
Infinity, a number too large for a double (1e999) as infinity, and a lone surrogate escape
("\\ud800") as a string that is no text. Stored, the first two would be JSON no other reader takes
(SQLite's json() among them), the last a value SQLite cannot bind at all."""

from __future__ import annotations

import json
import math
import re

# what a string of the value must come from to hold a surrogate: one in the text, or an escape of one
_MAYBE_SURROGATE = re.compile(r"[\ud800-\udfff]|\\u[dD][89a-fA-F]")


def loads(text: str):
    """The value of a JSON text; ValueError (UnicodeEncodeError for a lone surrogate) or RecursionError if it is not one."""
    value = json.loads(text, parse_constant=_not_json, parse_float=_finite)
    if _MAYBE_SURROGATE.search(text):  # a pair is text, a lone one is not: the value's strings tell
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    return value


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"{literal} is not a finite number")
    return value
