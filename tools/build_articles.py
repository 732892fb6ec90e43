"""Build resources/rules/articles.toml (违纪条款目录) from the regulation texts.

Run: python tools/build_articles.py            (writes resources/rules/articles.toml)
     python tools/build_articles.py --check    (exit 1, listing each difference, when the catalog
                                                differs from what the texts give)
Options: --texts DIR (default ../shared/domain/regulations), --catalog FILE.

Parsed by rule: 第一编 第四章 "对违法犯罪党员的纪律处分" and the 分则 (第二编) of 《中国共产党纪律处分
条例》, and 第三章 of 《中华人民共和国公职人员政务处分法》 (the articles in scope are checked against
SCOPE_ARTICLES). Each 款 is split at "；" into segments; a segment holding "给予…处分" (条例) or
"予以…" (政务处分法) with sanction names is a tier: "情节较轻/较重/严重/特别严重的，" just before it
names the tier, the 款's first segment without one is "一般". "依照前款/第一款/本条例第N条规定处理"
takes that range; a segment with 从重/加重 is the article's own aggravating wording; 除名 is not a
处分 (第八条) and is skipped. Anything else naming a sanction is an error, so a text the rules do
not cover cannot slip through: it has to be stated in CONDITIONAL_TIERS, WHOLE_RANGE, STATED_RANGES or
NO_RANGE below, each entry quoting the text it stands for, and the build fails when that quote is no
longer in the text.

Ids and 款: see app/domain/articles.py.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.articles import (  # noqa: E402
    ID_PREFIXES,
    LAW_ARTICLE_COUNTS,
    LAW_TITLES,
    PLOTS,
    cn_to_int,
    int_to_cn,
    parse_articles,
)
from app.domain.errors import DomainError  # noqa: E402

TEXTS = ROOT.parent / "shared" / "domain" / "regulations"
CATALOG = ROOT / "resources" / "rules" / "articles.toml"
FILES = {"party": "中国共产党纪律处分条例_2023.md", "gov": "公职人员政务处分法_2020.md"}
# 条例 第一编 总则 第四章, in scope besides the 分则; its title is its articles' category.
CRIME_CHAPTER = "对违法犯罪党员的纪律处分"
# The articles in scope, in order: 条例 第四章 (第二十八条–第三十五条) and 分则 (第四十九条–第一百五十四条);
# 政务处分法 第三章 (第二十八条–第四十一条). The build fails when the texts give other articles.
SCOPE_ARTICLES: dict[str, tuple[range, ...]] = {
    "party": (range(28, 36), range(49, 155)),
    "gov": (range(28, 42),),
}

PARTY_NAMES: dict[str, tuple[str, ...]] = {
    "警告": ("party_warning",),
    "严重警告": ("party_serious_warning",),
    "撤销党内职务": ("party_removal",),
    "留党察看": ("party_probation_1y", "party_probation_2y"),  # 第十二条: 一年 or 二年
    "开除党籍": ("party_expulsion",),
}
GOV_NAMES: dict[str, tuple[str, ...]] = {
    "警告": ("gov_warning",),
    "记过": ("gov_demerit",),
    "记大过": ("gov_major_demerit",),
    "降级": ("gov_demotion",),
    "撤职": ("gov_dismissal",),
    "开除": ("gov_expulsion",),
}
NAMES = {"party": PARTY_NAMES, "gov": GOV_NAMES}


def _alternation(names: dict[str, tuple[str, ...]]) -> str:
    return "|".join(sorted(names, key=len, reverse=True))  # 严重警告 before 警告


_P = _alternation(PARTY_NAMES)
_G = _alternation(GOV_NAMES)
PHRASES = {
    "party": re.compile(rf"给予((?:{_P})(?:(?:、|或者|直至)(?:{_P}))*)处分"),
    "gov": re.compile(rf"予以((?:{_G})(?:(?:、|或者)(?:{_G}))*)"),
}
TIER = re.compile(r"情节(较轻|较重|特别严重|严重)的，$")
REFERENCE = re.compile(r"依照(前款|第([一二三四五六七八九十]+)款|本条例第([零一二三四五六七八九十百]+)条)规定处理$")

# Tiers the text names by a condition instead of 情节: (law, number, 款, condition as written) → tier.
CONDITIONAL_TIERS: dict[tuple[str, int, int, str], str] = {
    # 第五十四条 "…给予严重警告或者撤销党内职务处分；导致本地区、本部门、本单位政治生态恶化的，给予留党察看
    # 或者开除党籍处分。" — the heavier tier, carried as 严重 with the condition's own wording.
    ("party", 54, 1, "导致本地区、本部门、本单位政治生态恶化的"): "严重",
    # 第六十九条 "…劝而不退的，予以除名；参与利用宗教搞煽动活动的，给予开除党籍处分。" — the only range.
    ("party", 69, 1, "参与利用宗教搞煽动活动的"): "一般",
    # 第八十一条第四款 "隐瞒入党前严重错误的，一般应当予以除名；对入党多年且一贯表现好，或者在工作中作出突出
    # 贡献的，给予严重警告、撤销党内职务或者留党察看处分。" — 除名 is no 处分; this is the 款's only range.
    ("party", 81, 4, "对入党多年且一贯表现好，或者在工作中作出突出贡献的"): "一般",
    # 第一百零七条 "…不辞去现任职务或者不服从组织调整职务的，给予撤销党内职务处分。" — the only range.
    ("party", 107, 1, "不辞去现任职务或者不服从组织调整职务的"): "一般",
    # 第一百三十条 "…造成较大损失的，…给予警告或者严重警告处分；造成重大损失的，给予撤销党内职务、留党察看或者
    # 开除党籍处分。" — the heavier tier, carried as 严重 with the condition's own wording.
    ("party", 130, 1, "造成重大损失的"): "严重",
}
# Articles whose range is stated without naming a sanction: (law, number) → (wording, tier, sanctions).
WHOLE_RANGE: dict[tuple[str, int], tuple[str, str, tuple[str, ...]]] = {
    # 政务处分法第四十一条 "公职人员有其他违法行为，影响公职人员形象，损害国家和人民利益的，可以根据情节轻重
    # 给予相应政务处分。" — any of the six kinds of 第七条, like 条例's "警告直至开除党籍".
    ("gov", 41): ("可以根据情节轻重给予相应政务处分", "一般", tuple(GOV_NAMES)),
}


@dataclass(frozen=True)
class Stated:
    """A 款 whose range the text states without "给予…处分": the wording standing for the range, the
    tier, the sanction names, and the exception the text allows to that range (its wording), if any."""

    wording: str
    tier: str
    names: tuple[str, ...]
    exception: str | None = None


# 款 whose range is stated in words the rule does not read: (law, number, 款) → Stated. Both quotes
# must be in one segment of that 款.
STATED_RANGES: dict[tuple[str, int, int], Stated] = {
    # 第三十四条第二款 "因过失犯罪被判处三年以下有期徒刑或者被判处管制、拘役的，一般应当开除党籍。对于个别可以不
    # 开除党籍的，应当对照处分违纪党员批准权限的规定，报请再上一级党组织批准。" — the range is 开除党籍 ("一般"
    # here is the text's "as a rule", carried as the tier 一般); the exception is kept as its wording in
    # `exceptions`: it names no sanction, so no other sanction is opened by it.
    ("party", 34, 2): Stated(
        "一般应当开除党籍",
        "一般",
        ("开除党籍",),
        "对于个别可以不开除党籍的，应当对照处分违纪党员批准权限的规定，报请再上一级党组织批准",
    ),
}
# Segments that name a sanction but state no range of an act: (law, number, 款) → their wording.
NO_RANGE: dict[tuple[str, int, int], str] = {
    # 第三十五条第二款 "…其中，党员依法受到撤职以上处分的，应当依照本条例规定给予撤销党内职务以上处分。" — a floor
    # for a member already given 撤职 or more (an open "以上", tied to another 处分), not the range of a
    # 违纪行为: the 定性 names the article the act breaks, so 第三十五条 is no entry.
    ("party", 35, 2): "其中，党员依法受到撤职以上处分的，应当依照本条例规定给予撤销党内职务以上处分",
}


class TextError(Exception):
    """The text does not parse by the rules (or an exception no longer matches it)."""


@dataclass
class Clause:
    number: int  # 款
    lead: str  # the 款's own sentence(s), without its 项
    full: str  # with its 项, one per line
    ranges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    conditions: dict[str, str] = field(default_factory=dict)
    exceptions: dict[str, str] = field(default_factory=dict)  # tier → the text's exception (STATED_RANGES)
    aggravating: list[str] = field(default_factory=list)
    aggravated_up_to: str | None = None  # "从重或者加重处分，直至开除党籍"
    reference: tuple[str, int] | None = None  # ("clause", k) or ("article", n)


@dataclass
class ParsedArticle:
    law: str
    number: int
    category: str
    clauses: list[Clause]

    @property
    def text(self) -> str:
        return "\n".join(c.full for c in self.clauses)


def _lines(path: Path) -> list[str]:
    return [line.strip().strip("\u3000").strip() for line in path.read_text(encoding="utf-8").splitlines()]


def law_title(path: Path) -> str:
    """The law's title as its file's first heading gives it (条例's heading adds the year)."""
    for line in _lines(path):
        if line.startswith("#"):
            return re.sub(r"\s*\d{4}\s*$", "", line.lstrip("#").strip())
    raise TextError(f"{path.name}：没有标题")


ARTICLE = re.compile(r"^第([零一二三四五六七八九十百]+)条\s*(.*)$")
CHAPTER = re.compile(r"^(?:#+\s*)?第([一二三四五六七八九十]+)章\s*(.+)$")
PART = re.compile(r"^(?:#+\s*)?第([一二三四五六七八九十]+)编\s*(.+)$")


def read_articles(path: Path, law: str) -> list[ParsedArticle]:
    """The articles in scope: 条例 第一编 第四章 and 第二编 分则; 政务处分法 第三章."""
    articles: list[ParsedArticle] = []
    part = chapter = ""
    in_scope = False
    for line in _lines(path):
        if not line or line.startswith("<!--"):
            continue
        if m := PART.match(line):
            part, chapter, in_scope = m.group(2).replace(" ", ""), "", False  # 附则 has no chapters
            continue
        if m := CHAPTER.match(line):
            chapter = m.group(2).replace(" ", "")
            if law == "party":
                in_scope = part == "分则" or (part == "总则" and chapter == CRIME_CHAPTER)
            else:
                in_scope = chapter == "违法行为及其适用的政务处分"
            continue
        if not in_scope:
            continue
        if m := ARTICLE.match(line):
            number = cn_to_int(m.group(1))
            articles.append(ParsedArticle(law, number, _category(law, chapter), [Clause(1, m.group(2), m.group(2))]))
        elif not articles:
            raise TextError(f"{path.name}：章“{chapter}”中条文之前有多余的文字“{line[:20]}”")
        elif line.startswith("（"):  # a 项 belongs to the 款 before it
            articles[-1].clauses[-1].full += "\n" + line
        else:
            clauses = articles[-1].clauses
            clauses.append(Clause(len(clauses) + 1, line, line))
    if not articles:
        raise TextError(f"{path.name}：没有找到{'分则' if law == 'party' else '第三章'}的条文")
    numbers = [a.number for a in articles]
    expected = [n for r in SCOPE_ARTICLES[law] for n in r]
    if numbers != expected:
        missing = sorted(set(expected) - set(numbers))
        extra = sorted(set(numbers) - set(expected))
        detail = "；".join(
            [f"缺第{'、'.join(int_to_cn(n) for n in missing)}条"] * bool(missing)
            + [f"多出第{'、'.join(int_to_cn(n) for n in extra)}条"] * bool(extra)
        ) or "条序不同"
        raise TextError(f"{path.name}：收录范围内的条文与程序中的 SCOPE_ARTICLES 不符（{detail}）")
    return articles


def _category(law: str, chapter: str) -> str:
    if law == "party" and chapter == CRIME_CHAPTER:
        return chapter
    if law == "party":
        m = re.fullmatch(r"对(违反.+纪律)行为的处分", chapter)
        if not m:
            raise TextError(f"分则章名“{chapter}”不是“对违反…纪律行为的处分”")
        return m.group(1)
    return chapter


def _sanctions(law: str, names: str) -> tuple[str, ...]:
    order = list(NAMES[law])
    parts = re.split(r"、|或者|直至", names)
    if "直至" in names:  # "警告直至开除党籍": every kind from the one to the other
        lo, hi = order.index(parts[0]), order.index(parts[-1])
        parts = order[lo:hi + 1]
    ids = [t for name in parts for t in NAMES[law][name]]
    return tuple(t for name in order for t in NAMES[law][name] if t in ids)


def parse_clause(article: ParsedArticle, clause: Clause, used: set) -> None:
    law, cite = article.law, f"《{LAW_TITLES[article.law]}》第{int_to_cn(article.number)}条第{int_to_cn(clause.number)}款"
    key = (law, article.number, clause.number)
    segments = [s for s in re.split(r"；", clause.lead.rstrip("。：")) if s]
    for i, seg in enumerate(segments):
        m = PHRASES[law].search(seg)
        stated = STATED_RANGES.get(key)
        if stated and stated.wording in seg and (stated.exception is None or stated.exception in seg):
            if m or stated.tier in clause.ranges:
                raise TextError(f"{cite}：STATED_RANGES 所写的“{stated.wording}”所在之处规则也能识别，请删去该项")
            used.add(key)
            clause.ranges[stated.tier] = tuple(t for n in stated.names for t in NAMES[law][n])
            if stated.exception:
                clause.exceptions[stated.tier] = stated.exception
        elif key in NO_RANGE and NO_RANGE[key] in seg:
            used.add(("no_range", *key))
        elif m:
            prefix, rest = seg[:m.start()], seg[m.end():]
            if rest:
                raise TextError(f"{cite}：“{seg}”中处分之后还有“{rest}”，规则无法识别")
            if t := TIER.search(prefix):
                tier = t.group(1)
            elif i == 0:
                tier = "一般"
            else:
                condition = (law, article.number, clause.number, prefix.rstrip("，"))
                if condition not in CONDITIONAL_TIERS:
                    raise TextError(f"{cite}：“{seg}”的情节不能按规则识别，须在 CONDITIONAL_TIERS 中写明")
                used.add(condition)
                tier = CONDITIONAL_TIERS[condition]
                clause.conditions[tier] = condition[3]
            if tier in clause.ranges:
                raise TextError(f"{cite}：情节“{tier}”出现两次")
            clause.ranges[tier] = _sanctions(law, m.group(1))
        elif "从重" in seg or "加重" in seg:
            clause.aggravating.append(seg)
            if u := re.search(rf"直至({'|'.join(NAMES[law])})$", seg):
                clause.aggravated_up_to = NAMES[law][u.group(1)][-1]
        elif r := REFERENCE.search(seg):
            if r.group(1) == "前款":
                clause.reference = ("clause", clause.number - 1)
            elif r.group(2):
                clause.reference = ("clause", cn_to_int(r.group(2)))
            else:
                clause.reference = ("article", cn_to_int(r.group(3)))
        elif "除名" in seg:
            continue  # 除名 is an organizational measure, not one of the 处分 of 第八条
        elif any(name in seg for name in NAMES[law]) and "免予" not in seg and "不予" not in seg:
            raise TextError(f"{cite}：“{seg}”提到处分但不能按规则识别，须在 STATED_RANGES 或 NO_RANGE 中写明")
    if clause.reference and clause.ranges:
        raise TextError(f"{cite}：既规定处分又“依照…规定处理”，规则无法识别")


def build(texts: Path) -> list[dict]:
    """Catalog entries, in order, from the two texts."""
    parsed: dict[str, list[ParsedArticle]] = {}
    for law, name in FILES.items():
        path = texts / name
        if not path.exists():
            raise TextError(f"找不到条文文件“{path}”")
        title = law_title(path)
        if title != LAW_TITLES[law]:
            raise TextError(f"{name} 的标题为“{title}”，与程序中的“{LAW_TITLES[law]}”不同")
        parsed[law] = read_articles(path, law)
        last = max(cn_to_int(m.group(1)) for line in _lines(path) if (m := ARTICLE.match(line)))
        if last != LAW_ARTICLE_COUNTS[law]:
            raise TextError(f"{name} 共 {last} 条，与程序中的 LAW_ARTICLE_COUNTS（{LAW_ARTICLE_COUNTS[law]}）不同")
    used: set = set()
    whole_used: set = set()
    for law, articles in parsed.items():
        for article in articles:
            for clause in article.clauses:
                parse_clause(article, clause, used)
            if (law, article.number) in WHOLE_RANGE:
                wording, tier, names = WHOLE_RANGE[(law, article.number)]
                first = article.clauses[0]
                if wording not in first.lead or first.ranges:
                    raise TextError(f"WHOLE_RANGE 中的第{int_to_cn(article.number)}条“{wording}”与条文不符")
                first.ranges[tier] = tuple(t for n in names for t in NAMES[law][n])
                whole_used.add((law, article.number))
    for key in set(CONDITIONAL_TIERS) - used:
        raise TextError(f"CONDITIONAL_TIERS 中的“{key[3]}”（第{int_to_cn(key[1])}条第{int_to_cn(key[2])}款）在条文中找不到")
    for key in set(STATED_RANGES) - used:
        stated = STATED_RANGES[key]
        quoted = "”“".join(q for q in (stated.wording, stated.exception) if q)
        raise TextError(f"STATED_RANGES 中的“{quoted}”（第{int_to_cn(key[1])}条第{int_to_cn(key[2])}款）在条文中找不到")
    for key in set(NO_RANGE) - {k[1:] for k in used if k[0] == "no_range"}:
        raise TextError(f"NO_RANGE 中的“{NO_RANGE[key]}”（第{int_to_cn(key[1])}条第{int_to_cn(key[2])}款）在条文中找不到")
    for key in set(WHOLE_RANGE) - whole_used:
        raise TextError(f"WHOLE_RANGE 中的第{int_to_cn(key[1])}条不在条文范围内")
    entries: list[dict] = []
    for law, articles in parsed.items():
        by_number = {a.number: a for a in articles}
        for article in articles:
            entries.extend(_entries(article, by_number))
    return entries


def _resolved(article: ParsedArticle, clause: Clause, by_number: dict, seen=()) -> tuple[dict, dict, dict, str | None]:
    """(ranges, conditions, exceptions, referenced entry id or None) of a 款, following "依照…规定处理"."""
    if clause.reference is None:
        return clause.ranges, clause.conditions, clause.exceptions, None
    kind, n = clause.reference
    cite = f"第{int_to_cn(article.number)}条第{int_to_cn(clause.number)}款"
    if kind == "clause":
        if not 1 <= n < clause.number:
            raise TextError(f"{cite}所依照的第{int_to_cn(n)}款不在其前")
        ranges, conditions, exceptions, _ = _resolved(article, article.clauses[n - 1], by_number)
        return ranges, conditions, exceptions, f"{ID_PREFIXES[article.law]}{article.number}-{n}"
    target = by_number.get(n)
    if target is None or (article.law, n) in seen:
        raise TextError(f"{cite}所依照的第{int_to_cn(n)}条不在分则中")
    groups = _groups(target, by_number, seen + ((article.law, article.number),))
    if len(groups) != 1:
        raise TextError(f"{cite}所依照的第{int_to_cn(n)}条各款幅度不同，规则无法确定")
    return groups[0][1], groups[0][2], groups[0][3], f"{ID_PREFIXES[article.law]}{n}"


def _groups(article: ParsedArticle, by_number: dict, seen=()) -> list[tuple[Clause, dict, dict, dict, str | None]]:
    """Distinct (ranges, conditions, exceptions) of the article's 款; one item when all 款 agree."""
    out = []
    for clause in article.clauses:
        ranges, conditions, exceptions, ref = _resolved(article, clause, by_number, seen)
        if ranges:
            out.append((clause, ranges, conditions, exceptions, ref))
    if len({tuple(tuple(sorted(d.items())) for d in item[1:4]) for item in out}) == 1:
        clause, ranges, conditions, exceptions, ref = out[0]
        # A reference to a 款 of the same article needs no mention once the article is one entry.
        if ref and ref.startswith(f"{ID_PREFIXES[article.law]}{article.number}-"):
            ref = None
        return [(clause, ranges, conditions, exceptions, ref)]
    return out


def _entries(article: ParsedArticle, by_number: dict) -> list[dict]:
    groups = _groups(article, by_number)
    if not groups:
        return []
    aggravating = [seg for c in article.clauses for seg in c.aggravating]
    up_to = [c.aggravated_up_to for c in article.clauses if c.aggravated_up_to]
    prefix, label = ID_PREFIXES[article.law], f"第{int_to_cn(article.number)}条"
    split = len(groups) > 1
    entries = []
    for clause, ranges, conditions, exceptions, ref in groups:
        k = clause.number if split else 0
        entry = {
            "id": f"{prefix}{article.number}" + (f"-{k}" if k else ""),
            "law": article.law,
            "number": article.number,
            "clause": k,
            "article": label,
            "citation": f"《{LAW_TITLES[article.law]}》{label}" + (f"第{int_to_cn(k)}款" if k else ""),
            "category": article.category,
            "text": article.text,
        }
        if k:
            entry["clause_text"] = clause.full
        if aggravating:
            entry["aggravating"] = aggravating
        if up_to:
            entry["aggravated_up_to"] = up_to[-1]
        if ref:
            entry["refers_to"] = ref
        entry["ranges"] = {p: list(ranges[p]) for p in PLOTS if p in ranges}
        if conditions:
            entry["conditions"] = {p: conditions[p] for p in PLOTS if p in conditions}
        if exceptions:
            entry["exceptions"] = {p: exceptions[p] for p in PLOTS if p in exceptions}
        entries.append(entry)
    return entries


# --- writing and checking ------------------------------------------------------------------------

HEADER = """\
# 违纪条款目录（纪案通）——由 tools/build_articles.py 依据条文生成，请勿手改。
# 条文：shared/domain/regulations/中国共产党纪律处分条例_2023.md（第一编第四章 对违法犯罪党员的纪律处分；第二编 分则）
#       shared/domain/regulations/公职人员政务处分法_2020.md（第三章 违法行为及其适用的政务处分）
# 核对：python tools/build_articles.py --check（目录与条文不一致时逐条列出并以非零状态退出）
#
# 每个 [[articles]] 的字段：
#   id           T<条> / G<条>（条例 / 政务处分法）；各款处分幅度不同时每款一条：T50-1、T50-2
#   law          party 中国共产党纪律处分条例 | gov 中华人民共和国公职人员政务处分法
#   number       条的序号；clause 款的序号，0 表示整条
#   article      第九十七条；citation 引用写法（分款的带“第二款”）
#   category     违纪类别（分则的章，如“违反廉洁纪律”）；第一编第四章的条款为章名“对违法犯罪党员的纪律处分”；
#                政务处分法为第三章章名
#   text         整条条文（款、项各占一行）；clause_text 分款条目的本款条文
#   aggravating  本条自身规定从重或者加重处分的表述
#   aggravated_up_to  该表述写明“直至××”时，加重处分可至的处分种类 id（第一百条“直至开除党籍”）
#   refers_to    “依照前款 / 本条例第六十三条规定处理”的款所依照的条目
#   ranges       各情节（一般 = 条文未分情节；较轻、较重、严重、特别严重）可给予的处分种类 id，
#                见 sanctions.toml；留党察看含 party_probation_1y、party_probation_2y
#   conditions   条文以具体情形而非“情节××”表述该档时，该情形的原文
#   exceptions   条文对该档幅度另许例外时，该例外的原文（第三十四条第二款“一般应当开除党籍”之后的
#                “对于个别可以不开除党籍的，…报请再上一级党组织批准”）；例外不在 ranges 之内
"""


def _string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    if "\n" in escaped:
        return '"""\n' + escaped + '"""'
    return '"' + escaped + '"'


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(type(value))


def render(entries: list[dict]) -> str:
    out = [HEADER]
    for entry in entries:
        out.append("\n[[articles]]")
        for key, value in entry.items():
            if isinstance(value, dict):
                continue
            out.append(f"{key} = {_value(value)}")
        for key, value in entry.items():
            if isinstance(value, dict):
                out.append(f"[articles.{key}]")
                out.extend(f"{_string(k)} = {_value(v)}" for k, v in value.items())
    return "\n".join(out) + "\n"


_FIELD_LABELS = {
    "aggravated_up_to": "加重所至处分",
    "law": "法规", "number": "条号", "clause": "款号", "article": "条", "citation": "引用写法",
    "category": "违纪类别", "text": "条文", "clause_text": "本款条文", "aggravating": "从重或者加重表述",
    "refers_to": "所依照的条目", "conditions": "情形表述", "exceptions": "例外表述",
}


def differences(catalog: list[dict], expected: list[dict]) -> list[str]:
    """Each difference between the catalog's entries and those the text gives, in Chinese."""
    have = {e.get("id"): e for e in catalog}
    want = {e["id"]: e for e in expected}
    out = []
    for article_id, entry in want.items():
        if article_id not in have:
            out.append(f"{article_id}：目录中缺少此条（条文有 {entry['citation']}）")
    for article_id in have:
        if article_id not in want:
            out.append(f"{article_id}：目录中多出此条，条文中没有对应的处分幅度")
    for article_id, entry in want.items():
        got = have.get(article_id)
        if got is None:
            continue
        for plot in PLOTS:
            a, b = got.get("ranges", {}).get(plot), entry["ranges"].get(plot)
            if a != b:
                out.append(
                    f"{article_id}：“{plot}”的处分幅度不同：目录为 {_show(a)}，条文为 {_show(b)}（{entry['citation']}）"
                )
        for key, label in _FIELD_LABELS.items():
            a, b = got.get(key), entry.get(key)
            if a != b:
                if key in ("text", "clause_text"):
                    out.append(f"{article_id}：{label}与条文不同（{entry['citation']}）")
                else:
                    out.append(f"{article_id}：{label}不同：目录为 {_show(a)}，条文为 {_show(b)}")
    return out


def _show(value) -> str:
    if value is None:
        return "（无）"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return f"“{value}”"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="依据条文生成或核对违纪条款目录 articles.toml")
    parser.add_argument("--check", action="store_true", help="核对现有目录与条文，不一致时逐条列出并返回 1")
    parser.add_argument("--texts", type=Path, default=TEXTS, help="条文目录（默认 ../shared/domain/regulations）")
    parser.add_argument("--catalog", type=Path, default=CATALOG, help="目录文件（默认 resources/rules/articles.toml）")
    args = parser.parse_args(argv)
    try:
        entries = build(args.texts)
    except TextError as exc:
        print(f"条文解析失败：{exc}", file=sys.stderr)
        return 2
    text = render(entries)
    parse_articles(tomllib.loads(text), args.catalog.name)  # what we write must load
    if not args.check:
        args.catalog.write_text(text, encoding="utf-8")
        print(f"已写入 {args.catalog}：{len(entries)} 条")
        return 0
    try:
        data = tomllib.loads(args.catalog.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"无法读取目录“{args.catalog}”：{exc}", file=sys.stderr)
        return 1
    problems = differences([e for e in data.get("articles", []) if isinstance(e, dict)], entries)
    try:
        parse_articles(data, args.catalog.name)
    except DomainError as exc:
        problems.append(exc.message)
    if problems:
        print(f"目录“{args.catalog}”与条文有 {len(problems)} 处不一致：", file=sys.stderr)
        for line in problems:
            print(line, file=sys.stderr)
        return 1
    print(f"目录与条文一致：{len(entries)} 条")
    return 0


if __name__ == "__main__":
    sys.exit(main())
