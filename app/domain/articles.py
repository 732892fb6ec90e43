"""Catalog of the violated articles (定性): resources/rules/articles.toml, built from the texts.

The catalog holds the articles of 第一编 第四章 "对违法犯罪党员的纪律处分" and every 分则 article of
《中国共产党纪律处分条例》 (2023) that state a range, and the articles of 第三章 of 《中华人民共和国公职人员
政务处分法》, each with its sanction range per 情节. It is written
by tools/build_articles.py, whose --check fails when the catalog differs from the text.

Ids: "T97" (条例) / "G33" (政务处分法) when every 款 of the article that states a range states the
same one (or refers to it); "T50-1", "T50-2" … one per 款 when the 款 state different ranges. 款
without a range of their own (免予处分, 从重或者加重处分 …) are not entries; an article with no
range at all is left out.

情节 (plot) names: "一般" where the text states no tier, "较轻", "较重", "严重", and "特别严重"
(政务处分法第三十八条第二款). Where the text names a tier by a condition instead of 情节 (第五十四条
"导致本地区、本部门、本单位政治生态恶化的") the entry's `conditions` gives that wording. Where the text
allows an exception to a tier's range (第三十四条第二款 "一般应当开除党籍。对于个别可以不开除党籍的，应当…报请
再上一级党组织批准") the entry's `exceptions` gives its wording; the exception is not part of the range (the
text names no sanction for it), and sanction_problem quotes it when a sanction is out of that range.

Rules applied by allowed_sanctions, as 条例 总则 words them (政务处分法 defines none of these terms;
its own 第十一条、第十三条、第十五条 are applied alike, see the functions):
- 第二十二条: "从轻处分，是指在本条例规定的违纪行为应当受到的处分幅度以内，给予较轻的处分。" / "从重处分，
  是指在本条例规定的违纪行为应当受到的处分幅度以内，给予较重的处分。" — read as the range without its
  heaviest (lightest) 档 when it has more than one.
- 第二十三条: "减轻处分，是指在本条例规定的违纪行为应当受到的处分幅度以外，减轻一档给予处分。" / "加重处分，
  是指在本条例规定的违纪行为应当受到的处分幅度以外，加重一档给予处分。" / "本条例规定的只有开除党籍处分一个
  档次的违纪行为，不适用第一款减轻处分的规定。"
- 第二十四条: "一人有本条例规定的两种以上应当受到党纪处分的违纪行为，应当合并处理，按其数种违纪行为中应当
  受到的最高处分加重一档给予处分；其中一种违纪行为应当受到开除党籍处分的，应当给予开除党籍处分。"
A 档 is one kind of 第八条 (留党察看一年/二年 are one 档, 留党察看); sanction types of equal
severity in sanctions.toml are one 档, so a range naming 撤销党内职务 also allows the 严重警告 that
第十一条第二款 gives in its place to a member without a party post.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from app.domain.errors import DomainError
from app.domain.sanctions import KIND_LABELS, SanctionCatalog

LAW_TITLES: dict[str, str] = {
    "party": "中国共产党纪律处分条例",
    "gov": "中华人民共和国公职人员政务处分法",
}
ID_PREFIXES: dict[str, str] = {"party": "T", "gov": "G"}
# How many articles each law has (checked against the texts by tools/build_articles.py): a number
# written without the law is taken as the one law's only when the other has no such article.
LAW_ARTICLE_COUNTS: dict[str, int] = {"party": 158, "gov": 68}
# Short titles people write; resolve() accepts them besides the full ones.
_TITLE_ALIASES: dict[str, str] = {
    "中国共产党纪律处分条例": "party",
    "纪律处分条例": "party",
    "中华人民共和国公职人员政务处分法": "gov",
    "公职人员政务处分法": "gov",
    "政务处分法": "gov",
}
PLOTS: tuple[str, ...] = ("一般", "较轻", "较重", "严重", "特别严重")
ADJUSTMENTS: tuple[str, ...] = ("从轻", "减轻", "从重", "加重")

# 第八条 lists 留党察看 as one kind; 第十二条 splits it into 一年 and 二年: one 档, two type ids.
_GRADE_OF: dict[str, str] = {"party_probation_1y": "party_probation", "party_probation_2y": "party_probation"}
_GRADE_LABELS: dict[str, str] = {"party_probation": "留党察看"}

_PARTY = "《中国共产党纪律处分条例》"
_GOV = "《中华人民共和国公职人员政务处分法》"

# --- Chinese numerals (article numbers up to 999, 款 numbers) ------------------------------------

_DIGITS = "零一二三四五六七八九"


def int_to_cn(n: int) -> str:
    """101 → 一百零一, 110 → 一百一十, 15 → 十五, as article numbers are written."""
    if not 0 < n < 1000:
        raise ValueError(f"number out of range: {n}")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    if not hundreds:
        if not tens:
            return _DIGITS[ones]
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    out = _DIGITS[hundreds] + "百"
    if tens:
        out += _DIGITS[tens] + "十" + (_DIGITS[ones] if ones else "")
    elif ones:
        out += "零" + _DIGITS[ones]
    return out


def cn_to_int(text: str) -> int:
    """一百零一 → 101 (only the spelling int_to_cn gives); ValueError on anything else."""
    try:
        return _CN_NUMBERS[text]
    except (KeyError, TypeError):
        raise ValueError(f"not a Chinese numeral: {text!r}") from None


_CN_NUMBERS: dict[str, int] = {int_to_cn(n): n for n in range(1, 1000)}


# --- the catalog --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    id: str
    law: str
    number: int
    clause: int  # 0: the entry stands for the whole article
    article: str  # 第九十七条
    citation: str  # 《中国共产党纪律处分条例》第九十七条[第二款]
    category: str
    text: str  # the whole article, 款 and 项 one per line
    ranges: Mapping[str, tuple[str, ...]]
    clause_text: str = ""
    conditions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    exceptions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # 第三十四条第二款
    aggravating: tuple[str, ...] = ()  # the article's own 从重/加重 wording
    aggravated_up_to: str | None = None  # 第一百条 "从重或者加重处分，直至开除党籍"
    refers_to: str | None = None  # entry whose range a "依照…规定处理" 款 takes

    def __hash__(self) -> int:  # the mapping fields are not hashable; the id identifies an entry
        return hash(self.id)

    @property
    def kind(self) -> str:
        """The sanction kind the ranges are of (party / gov)."""
        return self.law

    @property
    def plots(self) -> tuple[str, ...]:
        return tuple(p for p in PLOTS if p in self.ranges)

    @property
    def clause_count(self) -> int:
        """款 in the article's text (a line starting with "（" is a 项)."""
        return sum(1 for line in self.text.splitlines() if line.strip() and not line.startswith("（"))

    @property
    def label(self) -> str:
        """第五十条第二款 / 第九十七条."""
        return self.article + (f"第{int_to_cn(self.clause)}款" if self.clause else "")

    def plot_label(self, plot: str) -> str:
        """How the text names the tier: “情节较轻”, the condition's wording, or "" for 一般."""
        if plot in self.conditions:
            return f"“{self.conditions[plot]}”"
        return "" if plot == "一般" else f"“情节{plot}”"


def _sort_key(article: Article) -> tuple[int, int, int]:
    return (tuple(LAW_TITLES).index(article.law), article.number, article.clause)


class ArticleCatalog:
    def __init__(self, articles: Iterable[Article]):
        ordered = sorted(articles, key=_sort_key)
        self._by_id: Mapping[str, Article] = MappingProxyType({a.id: a for a in ordered})
        by_number: dict[tuple[str, int], list[Article]] = {}
        for a in ordered:
            by_number.setdefault((a.law, a.number), []).append(a)
        self._by_number = {k: tuple(v) for k, v in by_number.items()}

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Article]:
        return iter(self._by_id.values())

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._by_id

    def get(self, article_id: str) -> Article:
        try:
            return self._by_id[article_id]
        except (KeyError, TypeError):
            raise DomainError(
                "article_unknown", f"违纪条款目录中没有条款“{article_id}”", {"given": article_id}
            ) from None

    def of_number(self, law: str, number: int) -> tuple[Article, ...]:
        """The entries of one article (several when its 款 state different ranges)."""
        return self._by_number.get((law, number), ())

    def resolve(self, text: str, law: str | None = None) -> Article:
        """The entry a person wrote: "T97", "T50-2", "97" or "第九十七条[第二款]" with `law`
        ("party" / "gov"), or a citation such as "《中国共产党纪律处分条例》第九十七条". Without `law`
        a bare number is taken only when just one of the two laws has such an article (第九十七条:
        政务处分法 has 68); 第三十条 is refused with `article_law_missing`."""
        given = text if isinstance(text, str) else str(text)
        s = re.sub(r"\s+", "", given)
        if not s:
            raise DomainError("article_unknown", "未填写条款", {"given": given})
        m = re.fullmatch(r"([TtGg])(\d+)(?:-(\d+))?", s)
        if m:
            law = "party" if m.group(1) in "Tt" else "gov"
            return self._pick(given, law, int(m.group(2)), int(m.group(3)) if m.group(3) else None)
        m = re.match(r"《([^》]*)》", s)
        if m:
            if m.group(1) not in _TITLE_ALIASES:
                raise DomainError(
                    "article_unknown",
                    f"“{given}”中的“《{m.group(1)}》”不在违纪条款目录中，目录只收录{_PARTY}和{_GOV}",
                    {"given": given},
                )
            law = _TITLE_ALIASES[m.group(1)]
            s = s[m.end():]
        if law is not None and law not in LAW_TITLES:
            raise DomainError("article_unknown", f"法规“{law}”不在违纪条款目录中", {"given": given, "law": law})
        number, clause = _parse_number(s)
        if number is None:
            raise DomainError("article_unknown", f"“{given}”不是条款，应写作“第九十七条”或“T97”这样的形式", {"given": given})
        if law is None:
            laws = [k for k, count in LAW_ARTICLE_COUNTS.items() if number <= count]
            if len(laws) != 1:
                raise DomainError(
                    "article_law_missing", f"“{given}”未写明法规，请写明是{_PARTY}还是{_GOV}的条款", {"given": given}
                )
            law = laws[0]
        return self._pick(given, law, number, clause)

    def _pick(self, given: str, law: str, number: int, clause: int | None) -> Article:
        entries = self.of_number(law, number)
        where = f"《{LAW_TITLES[law]}》第{int_to_cn(number)}条" if 0 < number < 1000 else f"第{number}条"
        if not entries:
            raise DomainError(
                "article_unknown",
                f"违纪条款目录中没有“{given}”：目录未收录{where}（只收录规定了处分幅度的条款）",
                {"given": given},
            )
        if clause is not None and not 0 < clause <= entries[0].clause_count:
            raise DomainError(
                "article_unknown",
                f"违纪条款目录中没有“{given}”：{where}只有{_count(entries[0].clause_count)}款",
                {"given": given},
            )
        if len(entries) == 1 and entries[0].clause == 0:
            return entries[0]  # every 款 of it has this one range
        if clause is None:
            choices = "、".join(f"{a.label}（{a.id}）" for a in entries)
            raise DomainError(
                "article_clause_needed", f"{where}各款的处分幅度不同，请写明第几款：{choices}", {"given": given}
            )
        for a in entries:
            if a.clause == clause:
                return a
        raise DomainError(
            "article_unknown",
            f"违纪条款目录中没有“{given}”：{where}第{int_to_cn(clause)}款没有规定处分幅度",
            {"given": given},
        )

    def search(self, keyword: str) -> tuple[Article, ...]:
        """Entries whose number is `keyword` (97, 第九十七条, T97), or whose text, category or
        citation contains it; in number order (条例 first)."""
        kw = re.sub(r"\s+", "", keyword or "")
        if not kw:
            return tuple(self)
        m = re.fullmatch(r"[TtGg](\d+)(?:-\d+)?", kw)
        number, _ = (int(m.group(1)), None) if m else _parse_number(kw)
        if number is not None:
            laws = ({"T": "party", "G": "gov"}[kw[0].upper()],) if m else tuple(LAW_TITLES)
            return tuple(a for law in laws for a in self.of_number(law, number))
        return tuple(a for a in self if kw in a.text or kw in a.category or kw in a.citation)


def _count(n: int) -> str:
    return "两" if n == 2 else int_to_cn(n)


def _parse_number(s: str) -> tuple[int | None, int | None]:
    """"97", "97-2", "第九十七条", "第九十七条第二款", "九十七" → (number, clause)."""
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", s)
    if m:
        return int(m.group(1)), int(m.group(2)) if m.group(2) else None
    m = re.fullmatch(r"第?([零一二三四五六七八九十百\d]+)条?(?:第([一二三四五六七八九十\d]+)款)?", s)
    if not m or (m.group(2) and not s.startswith("第")):
        return None, None
    try:
        number = int(m.group(1)) if m.group(1).isdigit() else cn_to_int(m.group(1))
        clause = None
        if m.group(2):
            clause = int(m.group(2)) if m.group(2).isdigit() else cn_to_int(m.group(2))
    except ValueError:
        return None, None
    return number, clause


# --- parsing articles.toml ----------------------------------------------------------------------

_ENTRY_ID = re.compile(r"([TG])(\d+)(?:-(\d+))?")
_REQUIRED = {
    "id": str, "law": str, "number": int, "clause": int, "article": str,
    "citation": str, "category": str, "text": str, "ranges": dict,
}
_OPTIONAL = {
    "clause_text": str, "conditions": dict, "exceptions": dict, "aggravating": list, "aggravated_up_to": str,
    "refers_to": str,
}
_TYPE_NAMES = {str: "文字", int: "整数", dict: "表", list: "数组"}


def _invalid(source_name: str, article_id: str | None, problem: str) -> DomainError:
    where = f"条款 {article_id} " if article_id else ""
    return DomainError(
        "article_catalog_invalid",
        f"违纪条款目录“{source_name}”有误：{where}{problem}",
        {"source": source_name, "id": article_id, "problem": problem},
    )


def _parse_entry(source_name: str, index: int, entry: object) -> Article:
    if not isinstance(entry, dict):
        raise _invalid(source_name, None, f"第 {index} 个 [[articles]] 不是表")
    label = entry["id"] if isinstance(entry.get("id"), str) else f"（第 {index} 个）"
    for name, expected in (*_REQUIRED.items(), *_OPTIONAL.items()):
        if name not in entry:
            if name in _REQUIRED:
                raise _invalid(source_name, label, f"缺少字段 {name}")
            continue
        value = entry[name]
        if type(value) is not expected:  # bool is an int subclass: "number = true" must not pass
            raise _invalid(source_name, label, f"的 {name} 应为{_TYPE_NAMES[expected]}，实为 {value!r}")
        if expected is str and not value.strip():
            raise _invalid(source_name, label, f"的 {name} 不能为空")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise _invalid(source_name, label, f"含未知字段 {'、'.join(unknown)}")
    law = entry["law"]
    if law not in LAW_TITLES:
        raise _invalid(source_name, label, f"的 law“{law}”未知，应为 {'、'.join(LAW_TITLES)} 之一")
    number, clause = entry["number"], entry["clause"]
    if not 0 < number < 1000 or clause < 0:
        raise _invalid(source_name, label, "的 number 应为 1–999 的整数，clause 不能为负数")
    expected_id = f"{ID_PREFIXES[law]}{number}" + (f"-{clause}" if clause else "")
    if entry["id"] != expected_id:
        raise _invalid(source_name, label, f"的 id 应为“{expected_id}”（由 law、number、clause 决定）")
    expected_article = f"第{int_to_cn(number)}条"
    if entry["article"] != expected_article:
        raise _invalid(source_name, label, f"的 article 应为“{expected_article}”")
    expected_citation = f"《{LAW_TITLES[law]}》{expected_article}" + (f"第{int_to_cn(clause)}款" if clause else "")
    if entry["citation"] != expected_citation:
        raise _invalid(source_name, label, f"的 citation 应为“{expected_citation}”")
    ranges: dict[str, tuple[str, ...]] = {}
    if not entry["ranges"]:
        raise _invalid(source_name, label, "的 ranges 不能为空")
    for plot, ids in entry["ranges"].items():
        if plot not in PLOTS:
            raise _invalid(source_name, label, f"的情节“{plot}”未知，应为 {'、'.join(PLOTS)} 之一")
        if not isinstance(ids, list) or not ids or any(type(t) is not str for t in ids):
            raise _invalid(source_name, label, f"的情节“{plot}”应为处分种类 id 的非空数组")
        if len(set(ids)) != len(ids):
            raise _invalid(source_name, label, f"的情节“{plot}”含重复的处分种类")
        wrong = [t for t in ids if not t.startswith(f"{law}_")]
        if wrong:
            raise _invalid(
                source_name, label, f"的情节“{plot}”含非{KIND_LABELS[law]}种类 {'、'.join(wrong)}"
            )
        ranges[plot] = tuple(ids)
    conditions = entry.get("conditions", {})
    for plot, wording in conditions.items():
        if plot not in ranges or type(wording) is not str or not wording.strip():
            raise _invalid(source_name, label, f"的 conditions 中“{plot}”应为 ranges 中已有情节的条文表述")
    exceptions = entry.get("exceptions", {})
    for plot, wording in exceptions.items():
        if plot not in ranges or type(wording) is not str or not wording.strip():
            raise _invalid(source_name, label, f"的 exceptions 中“{plot}”应为 ranges 中已有情节的条文表述")
    aggravating = entry.get("aggravating", [])
    if any(type(a) is not str or not a.strip() for a in aggravating):
        raise _invalid(source_name, label, "的 aggravating 应为条文表述的数组")
    up_to = entry.get("aggravated_up_to")
    if up_to is not None and not up_to.startswith(f"{law}_"):
        raise _invalid(source_name, label, f"的 aggravated_up_to 应为{KIND_LABELS[law]}种类，实为 {up_to}")
    article = Article(
        id=entry["id"],
        law=law,
        number=number,
        clause=clause,
        article=entry["article"],
        citation=entry["citation"],
        category=entry["category"].strip(),
        text=entry["text"].strip(),
        ranges=MappingProxyType({p: ranges[p] for p in PLOTS if p in ranges}),
        clause_text=entry.get("clause_text", "").strip(),
        conditions=MappingProxyType(dict(conditions)),
        exceptions=MappingProxyType(dict(exceptions)),
        aggravating=tuple(aggravating),
        aggravated_up_to=up_to,
        refers_to=entry.get("refers_to"),
    )
    if clause > article.clause_count:
        raise _invalid(source_name, label, f"的 clause 为 {clause}，而条文只有 {article.clause_count} 款")
    return article


def parse_articles(data: dict, source_name: str) -> ArticleCatalog:
    raw = data.get("articles")
    if not isinstance(raw, list) or not raw:
        raise _invalid(source_name, None, "缺少 [[articles]] 列表")
    articles: dict[str, Article] = {}
    for index, entry in enumerate(raw, start=1):
        parsed = _parse_entry(source_name, index, entry)
        if parsed.id in articles:
            raise _invalid(source_name, parsed.id, "的 id 重复")
        articles[parsed.id] = parsed
    for a in articles.values():
        if a.refers_to is not None and a.refers_to not in articles:
            raise _invalid(source_name, a.id, f"的 refers_to“{a.refers_to}”不是目录中的条款")
    # An article is either one whole entry or entries per 款, never both: resolve() relies on it.
    whole = {(a.law, a.number) for a in articles.values() if a.clause == 0}
    split = {(a.law, a.number) for a in articles.values() if a.clause}
    for law, number in sorted(whole & split):
        raise _invalid(source_name, f"{ID_PREFIXES[law]}{number}", "既有整条条目又有分款条目")
    return ArticleCatalog(articles.values())


# --- ranges, adjustments, 数违纪 ----------------------------------------------------------------

Pick = tuple[str, str]  # (article id, plot)


def _grades(catalog: SanctionCatalog, kind: str) -> list[tuple[str, ...]]:
    """档 of one kind, lightest first, each the type ids it covers. Types of equal severity are one
    档 (严重警告 given in place of 撤销党内职务 to a member without a party post, 第十一条第二款)."""
    grades: list[tuple[str, ...]] = []
    keys: list[str] = []
    for t in catalog.of_kind(kind):
        key = _GRADE_OF.get(t.id, f"severity:{t.severity}")
        if keys and keys[-1] == key:
            grades[-1] += (t.id,)
        else:
            keys.append(key)
            grades.append((t.id,))
    return grades


def _indexes(grades: list[tuple[str, ...]], ids: Iterable[str]) -> frozenset[int]:
    where = {t: i for i, g in enumerate(grades) for t in g}
    out = set()
    for t in ids:
        if t not in where:
            raise DomainError("unknown_sanction", f"未知的处分种类“{t}”", {"type_id": t})
        out.add(where[t])
    return frozenset(out)


def _check_adjustments(adjustments: Collection[str]) -> frozenset[str]:
    wrong = [a for a in adjustments if a not in ADJUSTMENTS]
    if wrong:
        raise DomainError(
            "adjustment_unknown",
            f"“{'、'.join(map(str, wrong))}”不是处分轻重情节，只能是{'、'.join(ADJUSTMENTS)}",
            {"given": wrong},
        )
    return frozenset(adjustments)


def _resolve_picks(articles: ArticleCatalog, picks: Sequence[Pick]) -> list[tuple[Article, str]]:
    out = []
    for article_id, plot in picks:
        article = articles.get(article_id)
        if plot not in article.ranges:
            raise DomainError(
                "plot_unknown",
                f"{article.citation}没有“{plot}”的处分幅度，可选情节：{'、'.join(article.plots)}",
                {"article": article.id, "plot": plot},
            )
        out.append((article, plot))
    return out


def _only_expulsion(article: Article, grades: list[tuple[str, ...]]) -> bool:
    """第二十三条第三款 "只有开除党籍处分一个档次的违纪行为": every tier of the entry (one 款, one
    违纪行为) is 开除党籍 — not the 情节严重 tier of an article that has lighter ones."""
    top = {len(grades) - 1}
    return article.law == "party" and all(_indexes(grades, ids) == top for ids in article.ranges.values())


def _adjusted(
    grades: list[tuple[str, ...]], article: Article, plot: str, adjustments: frozenset[str]
) -> frozenset[int]:
    rng = _indexes(grades, article.ranges[plot])
    lo, hi, top = min(rng), max(rng), len(grades) - 1
    if article.law == "gov":
        # 政务处分法 knows 从轻、减轻 (第十一条) and 从重 (第十三条), not 加重: sanction_problem says so.
        adjustments = adjustments - {"加重"}
    if not adjustments:
        return rng
    options: list[frozenset[int]] = []
    if "从轻" in adjustments:  # 第二十二条第一款: within the range, the lighter part
        options.append(rng - {hi} if len(rng) > 1 else rng)
    if "从重" in adjustments:  # 第二十二条第二款: within the range, the heavier part
        options.append(rng - {lo} if len(rng) > 1 else rng)
    if "减轻" in adjustments:
        if _only_expulsion(article, grades):
            options.append(rng)  # 第二十三条第三款: not applicable; sanction_problem reports it
        else:  # 第二十三条第一款: one 档 below the range; none below 警告 (then only 免予处分, 第十九条)
            options.append(frozenset({lo - 1}) if lo > 0 else frozenset())
    if "加重" in adjustments:  # 第二十三条第二款: one 档 above; nothing is above 开除党籍
        options.append(frozenset({min(hi + 1, top)}))
        if article.aggravated_up_to:  # 第一百条: "从重或者加重处分，直至开除党籍"
            limit = max(_indexes(grades, [article.aggravated_up_to]))
            start = min(hi + 1, top)
            options.append(frozenset(range(start, max(limit, start) + 1)))
    # Lightening and aggravating circumstances together: any result one of them justifies.
    return frozenset().union(*options)


def _one_per_kind(grades: list[tuple[str, ...]], items: list[tuple[Article, str]]) -> list[tuple[Article, str]]:
    """第二十四条 joins "两种以上" violations: the same entry named twice is one kind, taken at its
    heaviest tier."""
    best: dict[str, tuple[Article, str]] = {}
    for article, plot in items:
        held = best.get(article.id)
        if held is None or _span(grades, article, plot) > _span(grades, *held):
            best[article.id] = (article, plot)
    return list(best.values())


def _span(grades: list[tuple[str, ...]], article: Article, plot: str) -> tuple[int, int]:
    rng = _indexes(grades, article.ranges[plot])
    return max(rng), min(rng)


def _combined(grades: list[tuple[str, ...]], kind: str, sets: list[frozenset[int]]) -> frozenset[int]:
    sets = [s for s in sets if s]  # an act with nothing left (免予处分) is not one "应当受到党纪处分"
    if not sets:
        return frozenset()
    if len(sets) == 1:
        return sets[0]
    floor = max(min(s) for s in sets)
    highest = frozenset(g for s in sets for g in s if g >= floor)  # the possible 最高处分
    if kind == "gov":
        return highest  # 政务处分法第十五条: "执行其中最重的政务处分"
    top = len(grades) - 1
    if any(s == {top} for s in sets):
        return frozenset({top})  # 第二十四条: one act that must be 开除党籍 makes it 开除党籍
    return frozenset(min(g + 1, top) for g in highest)  # 第二十四条: 最高处分加重一档


def allowed_sanctions(
    articles: ArticleCatalog,
    sanctions_catalog: SanctionCatalog,
    picks: Sequence[Pick],
    adjustments: Collection[str] = frozenset(),
    *,
    village_manager: bool = False,
) -> dict[str, tuple[str, ...]]:
    """Sanction type ids allowed for a person's 定性, per kind ("party" / "gov"), lightest first.

    `picks`: (article id, plot) per 违纪（违法）行为; `adjustments`: the 从轻/减轻/从重/加重
    decided. Adjustments apply to each act's range, then several acts are combined (条例第二十四条,
    政务处分法第十五条). A kind with no pick is absent; an empty tuple means no sanction of that kind
    is open (减轻 below 警告: 免予处分 per 条例第十九条 / 政务处分法第十二条). For a
    `village_manager` the 政务处分 are only 警告、记过、记大过 (政务处分法第二十二条).
    """
    adj = _check_adjustments(adjustments)
    by_kind: dict[str, list[tuple[Article, str]]] = {}
    for article, plot in _resolve_picks(articles, picks):
        by_kind.setdefault(article.kind, []).append((article, plot))
    result: dict[str, tuple[str, ...]] = {}
    for kind, items in by_kind.items():
        grades = _grades(sanctions_catalog, kind)
        if kind == "party":
            items = _one_per_kind(grades, items)
        allowed = _combined(grades, kind, [_adjusted(grades, a, p, adj) for a, p in items])
        result[kind] = tuple(t for i in sorted(allowed) for t in grades[i])
    if village_manager and result.get("gov"):
        result["gov"] = _village_capped(sanctions_catalog, result["gov"])
    return result


def _village_capped(catalog: SanctionCatalog, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """第二十二条 gives 村（居）委会管理人员 only 警告、记过、记大过 whatever the article's range: a
    range above them (较重、严重) leaves the heaviest of the three."""
    open_to = [t.id for t in catalog.of_kind("gov") if t.village_manager_allowed]
    kept = tuple(t for t in allowed if t in open_to)
    if kept or not open_to:
        return kept
    return (max(open_to, key=lambda t: catalog.get(t).severity),)


def _names(catalog: SanctionCatalog, kind: str, ids: Iterable[str]) -> str:
    """Display names; a 档 whose type ids are all there is named once (留党察看, 撤销党内职务)."""
    wanted = set(ids)
    parts = []
    for grade in _grades(catalog, kind):
        hit = [t for t in grade if t in wanted]
        if hit and len(hit) == len(grade) > 1:
            parts.append(_GRADE_LABELS.get(_GRADE_OF.get(grade[0], ""), catalog.get(grade[0]).name))
        else:
            parts.extend(catalog.get(t).name for t in hit)
    return "、".join(parts) or "无"


def _basis(catalog: SanctionCatalog, article: Article, plot: str) -> str:
    return f"{article.citation}{article.plot_label(plot)}的处分幅度（{_names(catalog, article.kind, article.ranges[plot])}）"


_ADJUSTMENT_ARTICLES = {
    "party": {"从轻": "第二十二条", "从重": "第二十二条", "减轻": "第二十三条", "加重": "第二十三条"},
    "gov": {"从轻": "第十一条", "减轻": "第十一条", "从重": "第十三条"},
}


def sanction_problem(
    articles: ArticleCatalog,
    sanctions_catalog: SanctionCatalog,
    picks: Sequence[Pick],
    adjustments: Collection[str],
    type_id: str,
    *,
    mitigation_basis: str = "",
    village_manager: bool = False,
) -> tuple[str, str] | None:
    """Why `type_id` may not be given for this 定性, as (code, Chinese message); None when it may.
    Only 党纪处分 and 政务处分 are checked against the articles."""
    sanction = sanctions_catalog.get(type_id)
    kind = sanction.kind
    if kind not in LAW_TITLES:
        return None
    adj = _check_adjustments(adjustments)
    items = [(a, p) for a, p in _resolve_picks(articles, picks) if a.kind == kind]
    title = f"《{LAW_TITLES[kind]}》"
    if not items:
        return (
            "article_missing",
            f"拟给予的{KIND_LABELS[kind]}“{sanction.name}”未列明所依据的{title}条款",
        )
    if "减轻" in adj and not mitigation_basis.strip():
        if kind == "party":
            return "mitigation_basis_missing", f"减轻处分须写明依据（{_PARTY}第十七条所列情形）"
        return "mitigation_basis_missing", f"减轻给予政务处分须写明依据（{_GOV}第十一条所列情形）"
    grades = _grades(sanctions_catalog, kind)
    if kind == "party":
        items = _one_per_kind(grades, items)
    if "减轻" in adj:
        for a, p in items:
            if _only_expulsion(a, grades):
                return (
                    "mitigation_not_applicable",
                    f"{a.citation}只有开除党籍处分一个档次，不适用减轻处分（{_PARTY}第二十三条第三款）",
                )
    if kind == "gov" and "加重" in adj:
        return (
            "aggravation_not_provided",
            f"{_GOV}没有加重给予政务处分的规定（第十三条规定的是从重给予政务处分）",
        )
    picked = [(a.id, p) for a, p in items]
    allowed = allowed_sanctions(articles, sanctions_catalog, picked, adj, village_manager=village_manager)[kind]
    if type_id in allowed:
        return None
    if village_manager and type_id in allowed_sanctions(articles, sanctions_catalog, picked, adj)[kind]:
        return ("not_allowed_for_village_manager",
                f"对村（居）委会管理人员只能给予警告、记过或记大过政务处分（{_GOV}第二十二条），不能给予“{sanction.name}”")
    allowed_names = _names(sanctions_catalog, kind, allowed)
    if not allowed:
        allowed_names = "无，" + (f"可依照{_PARTY}第十九条免予党纪处分" if kind == "party"
                                  else f"可依照{_GOV}第十二条免予或者不予政务处分")
    used = [a for a in ADJUSTMENTS if a in adj and a in _ADJUSTMENT_ARTICLES[kind]]
    adj_text = ""
    if used:
        refs = "、".join(dict.fromkeys(_ADJUSTMENT_ARTICLES[kind][a] for a in used))
        adj_text = f"{'、'.join(used)}{'处分' if kind == 'party' else '给予政务处分'}（{title}{refs}）后"
    if len(items) == 1 and not used:
        article, plot = items[0]
        message = f"拟给予的“{sanction.name}”超出{_basis(sanctions_catalog, article, plot)}"
        if plot in article.exceptions:  # 第三十四条第二款: the text's own exception, not part of the range
            message += f"；{article.label}另规定“{article.exceptions[plot]}”"
        return "sanction_out_of_range", message
    if len(items) == 1:
        return (
            "sanction_out_of_range",
            f"拟给予的“{sanction.name}”不在{_basis(sanctions_catalog, *items[0])}{adj_text}可给予的处分（{allowed_names}）之内",
        )
    rule = (f"数种违纪行为合并处理、按最高处分加重一档（{_PARTY}第二十四条）" if kind == "party"
            else f"数个违法行为执行其中最重的政务处分（{_GOV}第十五条）")
    bases = "；".join(_basis(sanctions_catalog, a, p) for a, p in items)
    return (
        "sanction_out_of_range",
        f"拟给予的“{sanction.name}”不在{adj_text}{rule}可给予的处分（{allowed_names}）之内。各条款：{bases}",
    )
