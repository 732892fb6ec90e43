"""Joining pieces of text into Chinese sentences, so that documents never print "。，", "。。" or a
clause without its full stop: every piece is trimmed of its own closing marks before it is joined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.domain.articles import cn_to_int

CLOSING = "。；，、：！？"


def trimmed(text: str) -> str:
    """The text without surrounding space and without its closing punctuation."""
    return text.strip().rstrip(CLOSING + " 　").strip()


def clauses(parts: Iterable[str], sep: str = "，") -> str:
    """Non-empty parts joined with `sep`, each without its own closing mark (no final mark)."""
    return sep.join(t for t in (trimmed(p) for p in parts) if t)


def sentence(*parts: str, sep: str = "，", end: str = "。") -> str:
    """The parts as one sentence ending in `end`; "" when every part is empty."""
    body = clauses(parts, sep)
    return body + end if body else ""


def sentences(texts: Iterable[str]) -> str:
    """Each text as its own sentence, one after another."""
    return "".join(sentence(t) for t in texts)


# What a template's own text and a case value can make where they meet: a value ending in its own
# mark followed by the template's. The template's mark is the one the sentence needs.
DOUBLED = re.compile(r"[。；，、：](?=[。；，、：])")


def tidy(text: str) -> str:
    """One mark where two met, the later: "无异议。。" → "无异议。", "问题。，" → "问题，"."""
    return DOUBLED.sub("", text)


def tidy_runs(texts: list) -> None:
    """`tidy` over a paragraph's text nodes (lxml w:t elements) in order, across node boundaries."""
    previous = None
    for node in texts:
        text = node.text or ""
        if previous is not None and text and previous.text and previous.text[-1] in CLOSING and text[0] in CLOSING:
            previous.text = previous.text[:-1]  # the later mark is the template's own
        node.text = tidy(text)
        if node.text:
            previous = node


def citations(texts: Iterable[str]) -> str:
    """Citations joined so one law's name is written once: 《条例》第九十七条、第一百零二条和《规定》第十二条."""
    groups: dict[str, list[str]] = {}
    for text in dict.fromkeys(t for t in texts if t):
        law, sep, rest = text.partition("》")
        key = law + sep if sep else text
        groups.setdefault(key, [])
        if sep:
            groups[key].append(rest)
    return "和".join(law + "、".join(sorted(items, key=article_order)) for law, items in groups.items())


def article_order(item: str) -> tuple[int, str]:
    """第九十七条第二款 sorts by 97; what is not an article number sorts last, as written."""
    match = re.match(r"第([一二三四五六七八九十百零]+)条", item)
    try:
        return (cn_to_int(match.group(1)) if match else 10_000), item
    except ValueError:
        return 10_000, item
