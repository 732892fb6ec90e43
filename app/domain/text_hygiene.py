"""Text hygiene wherever text enters (issue 19 point 10): forms, CLI files, imports, bundles.

Word and WPS put a vertical tab (\\x0b) where the user typed Shift+Enter and a form feed (\\x0c) at a
manual page break; copy-paste brings zero-width characters and byte-order marks; a right-to-left
override (U+202E) makes "\\u202e国建王" print as 王建国 while it is filed under 国建王. XML (and so
.docx and .xlsx) cannot hold most control characters at all. So every text is normalised (NFC, line
breaks as \\n, controls removed) before it is kept, names and numbers also lose every invisible
character, and each kind of field has a length limit a real office never reaches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.errors import InputError


@dataclass(frozen=True)
class TextKind:
    """What a field may hold: how long it may be, whether it has lines, whether it is a name or number."""

    limit: int
    multiline: bool
    strict: bool  # names and numbers: no invisible characters at all


# Limits: a person or unit name of 50 characters (阿卜杜热合曼·买买提艾力 is 12), a 文号 or 身份证号 of
# 64, a one-line text (单位及职务, 线索来源, 证据名称) of 200; a summary, fact or opinion of 20,000 —
# a 问题线索 summary of a few thousand characters is normal, a whole report pasted in is not.
NAME = TextKind(50, multiline=False, strict=True)
NUMBER = TextKind(64, multiline=False, strict=True)
SHORT = TextKind(200, multiline=False, strict=False)
LONG = TextKind(20_000, multiline=True, strict=False)

# bidi embeddings/overrides/isolates and marks: they reorder what is shown, never what is stored
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # each means "new line" in some editor
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # what is left of C0/C1 after the above
_INVISIBLE = re.compile(f"[{BIDI}{ZERO_WIDTH}]")
_BIDI = re.compile(f"[{BIDI}\ufeff]")
# (strict, multiline) → every character `problem` objects to, so that clean text costs one search
_ANY_BAD = {(strict, multiline): re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\r" + LINE_BREAKS
                                            + (BIDI + ZERO_WIDTH if strict else BIDI + "\ufeff")
                                            + ("" if multiline else "\n\t") + "]")
            for strict in (False, True) for multiline in (False, True)}

# Chinese names of the keys of clue, person, step and subject data, for the messages
LABELS: dict[str, str] = {
    "name": "姓名", "unit": "单位", "post": "职务", "rank": "职级", "category": "人员类别",
    "political_status": "政治面貌", "id_number": "身份证号", "phone": "电话", "address": "住址",
    "source": "线索来源", "summary": "线索摘要（主要问题）", "incoming_no": "来文编号",
    "leader_instruction": "领导批示", "ref": "参考编号", "categories": "问题类别", "number": "文号",
    "approver": "审批人", "approved_by": "批准人", "attendees": "参会人员", "conclusion": "结论",
    "reason": "理由", "narrative": "事实经过", "attitude": "认识态度", "amount": "涉及金额",
    "occurred": "发生时间", "title": "名称", "kind": "种类", "statement": "本人陈述", "text": "正文",
    "note": "说明", "document_no": "文号", "plot": "情节", "unit_post": "单位及职务",
    "office_name": "单位名称", "abbr": "单位简称", "code": "单位代码", "account": "账户名",
}


class TextRejected(InputError):
    """A text longer than its field allows; the message names the field and the limit."""


def scrub(text: str, kind: TextKind = LONG) -> str:
    """The text as it is kept: NFC, line breaks as \\n (or a space on one line), no controls,
    no bidi controls, and for names and numbers no zero-width characters either. Never raises."""
    if _ANY_BAD[kind.strict, kind.multiline].search(text) is None and unicodedata.is_normalized("NFC", text):
        return text if kind.multiline else text.strip()  # nothing to remove: what the full path gives
    return scrub_each(text, kind)


def changed_by_scrub(strict: bool, multiline: bool) -> re.Pattern:
    """Finds a character that makes `scrub` change a text of such a kind: an NFC text with none of them
    (and, on one line, no space at either end) comes back from `scrub` unchanged."""
    return _ANY_BAD[strict, multiline]


def scrub_each(text: str, kind: TextKind) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    for mark in LINE_BREAKS:
        text = text.replace(mark, "\n")
    if not kind.multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    text = _CONTROLS.sub("", text)
    text = (_INVISIBLE if kind.strict else _BIDI).sub("", text)
    return text.strip() if not kind.multiline else text


def clean(text: str, kind: TextKind, field: str) -> str:
    """`scrub`, then refuse a text longer than the kind allows (TextRejected, exit 2)."""
    kept = scrub(text, kind)
    if len(kept) > kind.limit:
        raise TextRejected("text_too_long", f"“{field}”过长：最多{kind.limit}个字，现有{len(kept)}个字。请删减后再保存。",
                           {"field": field, "limit": kind.limit, "length": len(kept)})
    return kept


def clean_tree(value: Any, kinds: Mapping[str, TextKind], default: TextKind, key: str = "") -> Any:
    """Every text inside JSON-shaped data cleaned by the kind its nearest key names (else `default`);
    other values unchanged. Lists take the kind of the key that holds them."""
    if isinstance(value, str):
        return clean(value, kinds.get(key, default), LABELS.get(key, key or "文字"))
    if isinstance(value, Mapping):
        return {k: clean_tree(v, kinds, default, k if isinstance(k, str) else key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_tree(v, kinds, default, key) for v in value]
    return value


def problem(text: str, kind: TextKind) -> str | None:
    """Why a received text is not as this app keeps it (a character it removes, or too long), or None.
    Differences of NFC form alone are not refused: they change nothing a reader sees."""
    if _ANY_BAD[kind.strict, kind.multiline].search(text) is None:
        return f"过长（{len(text)}个字，上限{kind.limit}个字）" if len(text) > kind.limit else None
    bad = (_CONTROLS.findall(text) + (_INVISIBLE if kind.strict else _BIDI).findall(text)
           + [c for c in text if c in LINE_BREAKS or c == "\r"])
    if not kind.multiline:
        bad += [c for c in text if c in "\n\t"]
    if bad:
        shown = "、".join(dict.fromkeys(f"U+{ord(c):04X}" for c in bad))
        return f"含有不可见或控制字符（{shown}）"
    if len(text) > kind.limit:
        return f"过长（{len(text)}个字，上限{kind.limit}个字）"
    return None


def all_acceptable(texts: list[str], kind: TextKind) -> bool:
    """Whether `problem` finds nothing in any of `texts`, at the cost of one search over all of them
    (joined by "|", which it never objects to; it looks at single characters) and their longest length."""
    if not texts:
        return True
    return max(map(len, texts)) <= kind.limit and _ANY_BAD[kind.strict, kind.multiline].search("|".join(texts)) is None


def printable(value: Any) -> Any:
    """A value as an .xlsx or .docx writer can hold it: text scrubbed (multi-line kept), else unchanged.
    For what an older store may already hold, written before this module existed."""
    return scrub(value, LONG) if isinstance(value, str) else value
