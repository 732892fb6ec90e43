"""Citations of regulations in the app's own texts (rules, sanctions, scenarios, templates): found in
free text, checked against the texts the app ships (resources/regulations/cited.toml), and shown.

A citation is 《名称》, an optional note in （）, then articles: 第十五条、第十七条, 第三十二条至第三十四条,
第十五条第二款, 第十三条第一款第（三）项, or a chapter (第八章). Titles the app does not ship a text
of (an article in a newspaper, a rule issued after the texts were collected) are listed in the
resource as unavailable, with the reason; their citations are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.domain.articles import cn_to_int, int_to_cn

_NUM = "[一二三四五六七八九十百零]+"
_ONE = rf"第{_NUM}(?:条|章)(?:第{_NUM}款)?(?:第(?:（{_NUM}）|{_NUM})项)?"
_CITATION = re.compile(rf"《([^《》\s]{{2,60}})》(?:（[^（）]{{0,30}}）)?((?:{_ONE}(?:[、和及或至到]|以及)?)+)")
_PART = re.compile(rf"第({_NUM})(条|章)(?:第({_NUM})款)?(?:第（?({_NUM})）?项)?|([至到])")


# 《条例》《规定》: the short forms a text uses after naming the law once; they name no text alone
GENERIC = frozenset({"条例", "规定"})


@dataclass(frozen=True)
class Ref:
    """One article (or chapter) a citation names; clause/item 0 when not named."""

    title: str
    unit: str  # 条 or 章
    number: int
    clause: int = 0
    item: int = 0

    @property
    def label(self) -> str:
        text = f"第{int_to_cn(self.number)}{self.unit}"
        if self.clause:
            text += f"第{int_to_cn(self.clause)}款"
        if self.item:
            text += f"第{int_to_cn(self.item)}项"
        return f"《{self.title}》{text}"


def find(text: str) -> list[Ref]:
    """Every article and chapter cited in `text`, in order; 第三条至第五条 names 三、四、五."""
    refs: list[Ref] = []
    for match in _CITATION.finditer(text):
        title, tail = match.group(1), match.group(2)
        span_from: Ref | None = None
        for part in _PART.finditer(tail):
            if part.group(5):
                span_from = refs[-1] if refs and refs[-1].title == title else None
                continue
            number, unit = cn_to_int(part.group(1)), part.group(2)
            clause = cn_to_int(part.group(3)) if part.group(3) else 0
            item = cn_to_int(part.group(4)) if part.group(4) else 0
            if span_from is not None and span_from.unit == unit:
                refs.extend(Ref(title, unit, n) for n in range(span_from.number + 1, number))
                span_from = None
            refs.append(Ref(title, unit, number, clause, item))
    return refs


@dataclass(frozen=True)
class ArticleText:
    title: str
    unit: str
    number: int
    text: str  # the whole article, one 款 or 项 a line; a chapter's heading
    source: str  # the text it was taken from: file and version


@dataclass(frozen=True)
class CitedTexts:
    """The shipped texts: each cited article, and the titles that are knowingly not shipped."""

    articles: Mapping[tuple[str, str, int], ArticleText]
    unavailable: Mapping[str, str]  # title -> why there is no text
    aliases: Mapping[str, str]  # a short title the texts use (《监督执纪工作规则》) -> the full one

    def get(self, ref: Ref) -> ArticleText | None:
        return self.articles.get((self.aliases.get(ref.title, ref.title), ref.unit, ref.number))

    def problem(self, ref: Ref) -> str | None:
        """Why `ref` does not name an article of the shipped texts; None when it does (or the title
        is knowingly unavailable)."""
        if ref.title in self.unavailable or ref.title in GENERIC:
            return None
        found = self.get(ref)
        if found is None:
            return f"{ref.label}：所附条文中没有这一{ref.unit}"
        if ref.unit == "章":
            return None
        clauses = clauses_of(found.text)
        if ref.clause > len(clauses):
            return f"{ref.label}：该条只有{len(clauses)}款"
        if ref.item:
            items = clauses[ref.clause - 1 if ref.clause else 0][1]
            if ref.item > items:
                return f"{ref.label}：该款只有{items}项"
        return None


def clauses_of(article_text: str) -> list[tuple[str, int]]:
    """(款 text, number of 项) per 款: a line starting with （一） is a 项 of the 款 before it."""
    clauses: list[tuple[str, int]] = []
    for line in (x.strip() for x in article_text.splitlines()):
        if not line:
            continue
        if re.match(rf"（{_NUM}）", line) and clauses:
            text, items = clauses[-1]
            clauses[-1] = (text, items + 1)
        else:
            clauses.append((line, 0))
    return clauses


def parse_cited(data: Mapping) -> CitedTexts:
    """resources/regulations/cited.toml as written by tools/build_citations.py."""
    articles = {}
    for entry in data.get("articles", ()):
        a = ArticleText(entry["title"], entry["unit"], int(entry["number"]), entry["text"], entry["source"])
        articles[(a.title, a.unit, a.number)] = a
    unavailable = {e["title"]: e["reason"] for e in data.get("unavailable", ())}
    aliases = {e["short"]: e["title"] for e in data.get("aliases", ())}
    return CitedTexts(articles, unavailable, aliases)


def problems_in(texts: CitedTexts, sources: Iterable[tuple[str, str]]) -> list[str]:
    """`where: problem` for every citation in (where, text) that the shipped texts do not hold."""
    found = []
    for where, text in sources:
        for ref in find(text):
            why = texts.problem(ref)
            if why:
                found.append(f"{where}: {why}")
    return found
