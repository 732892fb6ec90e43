"""Statistics indicators: one definition for the GUI, the CLI, the workbooks and the bundles.

Pure: plain facts about one office's records come in (clue receipts, decisions with their dates,
sanctions with their decision dates, the deadlines as the engine evaluated them), a JSON-ready dict
goes out. Everything is counted by the date a thing was decided (or a clue received), never by
the date it was typed in. The exact rules are in docs/STATISTICS.md; the (step, decision) pairs
below are the shipped workflow's ids (resources/rules/workflow.toml), checked by a unit test.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain import clue_sources
from app.domain.errors import DomainError

# ---------------------------------------------------------------- what counts as what

DISPOSITION_STEP = "disposition"
# 四种处置方式 ([R] 21): the disposition step's decisions.
DISPOSITION_METHODS: Mapping[str, str] = {
    "to_talk": "谈话函询",
    "to_prelim": "初步核实",
    "to_shelve": "暂存待查",
    "to_close": "予以了结",
}
# Decisions that begin a 谈话函询 round (each round is one 件次).
TALK_STARTS = frozenset({("disposition", "to_talk"), ("talk_inquiry", "again"), ("shelved", "reopen_talk")})
# Decisions that begin 初步核实. filing.back_to_prelim (立案审批退回补充核实) continues one and is left out.
VERIFICATION_STARTS = frozenset({("disposition", "to_prelim"), ("talk_inquiry", "to_prelim"), ("shelved", "reopen_prelim")})
FILINGS = frozenset({("filing", "file")})
# 结案: a filed case is concluded by its decision (乡镇批准 or 县纪委批复), 免予/不予处分, or 撤销案件.
CONCLUSIONS = frozenset({
    ("township_approval", "approve"), ("county_request", "approved"), ("exempt", "done"),
    ("investigation", "revoke"), ("review", "revoke"),
})
# 谈话函询了结 counts as one 第一种形态 person-time (统计指标体系, procedures.md §4).
TALK_CLOSURES = frozenset({("talk_inquiry", "accept_closed")})
JUDICIAL_TRANSFERS = frozenset({("judicial_transfer", "done")})
COUNTED_DECISIONS = frozenset(
    {(DISPOSITION_STEP, d) for d in DISPOSITION_METHODS}
    | TALK_STARTS | VERIFICATION_STARTS | FILINGS | CONCLUSIONS | TALK_CLOSURES | JUDICIAL_TRANSFERS
)
# Clue sources that mean the clue was handed down from above (上级转办 or 上级交办). The township
# that handles such a clue counts its filing as 自办 (the county's way of counting); a county that
# counts otherwise turns the office setting `count_referred_as_self` off (docs/STATISTICS.md §7).
FROM_ABOVE_SOURCES = clue_sources.FROM_ABOVE
SELF_HANDLING_MODE = "自办"
# 线索来源 values that are 自主发现 (found by the office's own supervision, not reported to it);
# local practice, checked against the shipped `intake_register.source` choices by a unit test.
SELF_DISCOVERED_SOURCES = frozenset({"自行发现"})
# 立案 by the 被反映人's 人员类别 (app/domain/subjects.PERSON_CATEGORIES; 村干部 as older stores wrote it).
SUBJECT_GROUPS: Mapping[str, str] = {"乡镇干部": "乡镇干部", "村（社区）干部": "村干部", "村干部": "村干部"}
SUBJECT_GROUP_NAMES = ("乡镇干部", "村干部", "其他")
OTHER_SUBJECTS = "其他"

INDICATORS: tuple[tuple[str, str], ...] = (
    ("clues_received", "收到线索（件次）"),
    ("clues_self_discovered", "其中自主发现（件次）"),
    ("clues_disposed", "处置线索（件）"),
    ("talk_inquiry", "谈话函询（件次）"),
    ("verifications", "初步核实（件）"),
    ("filings", "立案（件）"),
    ("filings_self", "其中自办立案（件）"),
    ("cases_closed", "结案（件）"),
    ("people_sanctioned", "处分人数（人）"),
    ("people_sanctioned_party", "党纪处分（人）"),
    ("people_sanctioned_gov", "政务处分（人）"),
    ("form1", "第一种形态（人次）"),
    ("form2", "第二种形态（人次）"),
    ("form3", "第三种形态（人次）"),
    ("form4", "第四种形态（人次）"),
    ("transferred_judicial", "移送司法（件）"),
    ("overdue", "期末超期事项（项）"),
)
INDICATOR_KEYS: tuple[str, ...] = tuple(k for k, _ in INDICATORS)
INDICATOR_LABELS: Mapping[str, str] = dict(INDICATORS)
ROLLUP: tuple[tuple[str, str], ...] = (
    ("townships_total", "乡镇总数"),
    ("townships_with_verification", "开展初核的乡镇"),
    ("townships_with_filing", "有自办立案的乡镇"),
    ("townships_with_filing_pct", "有自办立案乡镇占比（%）"),
)
ROLLUP_LABELS: Mapping[str, str] = dict(ROLLUP)
# Ratios, in integer percent (None when the denominator is 0). They do not add up: a sum of offices
# recomputes them from the summed parts.
RATIOS: tuple[tuple[str, str], ...] = (
    ("filing_rate_pct", "成案率（%）"),
    ("self_discovered_pct", "自主发现线索占比（%）"),
)
RATIO_LABELS: Mapping[str, str] = dict(RATIOS)
RATIO_PARTS: Mapping[str, tuple[str, str]] = {
    "filing_rate_pct": ("filings", "verifications"),  # 成案率 = 立案 ÷ 初核
    "self_discovered_pct": ("clues_self_discovered", "clues_received"),
}
# A township's share of its county's totals (the sum over the county's townships).
SHARES: tuple[tuple[str, str], ...] = (
    ("clues_received", "收到线索占全县比重（%）"),
    ("verifications", "初步核实占全县比重（%）"),
    ("filings", "立案占全县比重（%）"),
    ("filings_self", "自办立案占全县比重（%）"),
    ("people_sanctioned", "处分人数占全县比重（%）"),
)
BREAKDOWNS: tuple[tuple[str, str], ...] = (
    ("by_source", "线索来源（件次）"),
    ("by_disposition", "处置方式（件）"),
    ("by_category", "问题性质（件次）"),
    ("filings_by_subject", "立案按被反映人类别（件）"),
    ("by_person_category", "受处分人员类别（人）"),
    ("by_sanction_type", "处分处理种类（人次）"),
    ("monthly", "月度趋势"),
)
MONTHLY_SERIES: tuple[tuple[str, str], ...] = (("clues_received", "收到线索"), ("clues_disposed", "处置线索"), ("filings", "立案"))
FUNNEL: tuple[str, ...] = ("clues_received", "clues_disposed", "verifications", "filings", "cases_closed")
UNFILLED = "未填写"
FORM_NAMES = ("第一种形态", "第二种形态", "第三种形态", "第四种形态")
QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
HALF_NAMES = ("上半年", "下半年")


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    def contains(self, d: date | None) -> bool:
        return d is not None and self.start <= d <= self.end

    def months(self) -> tuple[str, ...]:
        """"YYYY-MM" of every month the period touches, in order."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(out)


def _bad_period(message: str) -> DomainError:
    return DomainError("bad_period", message)


def period_of(year: int, *, quarter: int | None = None, half: int | None = None,
              start: date | None = None, end: date | None = None) -> Period:
    """The year, one of its quarters or halves, or custom dates inside the year (both ends counted)."""
    if not 2000 <= year <= 9999:
        raise _bad_period(f"年份“{year}”无效，应为2000年以后的四位年份。")
    chosen = sum(x is not None for x in (quarter, half)) + (start is not None or end is not None)
    if chosen > 1:
        raise _bad_period("季度、半年和自定义起止日期只能选一种。")
    if quarter is not None:
        if quarter not in (1, 2, 3, 4):
            raise _bad_period(f"季度应为1至4，实为“{quarter}”。")
        first = 3 * quarter - 2
        last_day = _stdlib_calendar.monthrange(year, first + 2)[1]
        return Period(date(year, first, 1), date(year, first + 2, last_day), f"{year}年{QUARTER_NAMES[quarter - 1]}")
    if half is not None:
        if half not in (1, 2):
            raise _bad_period(f"半年应为1（上半年）或2（下半年），实为“{half}”。")
        return (Period(date(year, 1, 1), date(year, 6, 30), f"{year}年上半年") if half == 1
                else Period(date(year, 7, 1), date(year, 12, 31), f"{year}年下半年"))
    if start is not None or end is not None:
        if start is None or end is None:
            raise _bad_period("自定义期间须同时给出起始日期和截止日期。")
        if start > end:
            raise _bad_period(f"起始日期（{start.isoformat()}）晚于截止日期（{end.isoformat()}）。")
        if start.year != year or end.year != year:
            raise _bad_period(f"自定义期间须在{year}年之内（{year}-01-01至{year}-12-31）。")
        return Period(start, end, f"{start.isoformat()}至{end.isoformat()}")
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year}年")


def standard_periods(year: int) -> tuple[Period, ...]:
    """The year, its halves and its quarters: what a county forwards to the city."""
    return (period_of(year), *(period_of(year, half=h) for h in (1, 2)), *(period_of(year, quarter=q) for q in (1, 2, 3, 4)))


# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class ClueFact:
    case_id: str
    received_on: date
    source: str
    categories: tuple[str, ...]
    handed_down: bool  # 上级转办/交办 to this office (by source or by a county transfer)
    handled_elsewhere: bool  # this office passed it on (办理方式 not 自办, or a transfer down): never its 自办
    subject_category: str = ""  # 人员类别 of the case's first 被反映人


@dataclass(frozen=True)
class DecisionFact:
    case_id: str
    step_id: str
    decision_id: str
    decided_on: date


@dataclass(frozen=True)
class SanctionFact:
    case_id: str
    person: str  # the person's id; "" when the sanction names nobody (then the case stands for the person)
    person_category: str
    type_id: str
    kind: str
    form: int
    decided_on: date


@dataclass(frozen=True)
class DeadlineFact:
    case_id: str
    deadline_id: str
    start: date
    due: date
    met_on: date | None


@dataclass(frozen=True)
class OfficeFacts:
    clues: tuple[ClueFact, ...] = ()
    decisions: tuple[DecisionFact, ...] = ()
    sanctions: tuple[SanctionFact, ...] = ()
    deadlines: tuple[DeadlineFact, ...] = ()


def overdue_at(deadline: DeadlineFact, on: date) -> bool:
    """Running and past due on `on`: started by then, due before then, not met by then."""
    return deadline.start <= on and deadline.due < on and (deadline.met_on is None or deadline.met_on > on)


# ---------------------------------------------------------------- indicators


def _tally(keys: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for k in keys:
        out[k] = out.get(k, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def is_self_filing(clue: ClueFact, referred_as_self: bool) -> bool:
    """自办: the office handles the clue itself; one handed down to it counts unless the county counts otherwise."""
    return not clue.handled_elsewhere and (referred_as_self or not clue.handed_down)


def subject_group(category: str) -> str:
    return SUBJECT_GROUPS.get(category, OTHER_SUBJECTS)


def settled_forms(sanctions: Iterable[SanctionFact]) -> dict[tuple[str, str], tuple[int, date]]:
    """(case, person) -> (heaviest form, date of the first decision giving it): the decision that settles
    the person's form, so a person-time falls in one period only and quarters add up to the year."""
    out: dict[tuple[str, str], tuple[int, date]] = {}
    for x in sanctions:
        key = (x.case_id, _person_of(x))
        form, on = out.get(key, (0, x.decided_on))
        if x.form > form or (x.form == form and x.decided_on < on):
            out[key] = (x.form, x.decided_on)
    return out


def first_sanctioned(sanctions: Iterable[SanctionFact]) -> dict[tuple[str, str], date]:
    """(case, person) -> date of the person's first 党纪 or 政务处分 in the case: when they count in 处分人数."""
    out: dict[tuple[str, str], date] = {}
    for x in sanctions:
        if x.kind in ("party", "gov"):
            key = (x.case_id, _person_of(x))
            if key not in out or x.decided_on < out[key]:
                out[key] = x.decided_on
    return out


def _person_of(x: SanctionFact) -> str:
    return x.person or f"case:{x.case_id}"


def with_ratios(indicators: dict[str, Any]) -> dict[str, Any]:
    """The ratios recomputed from the parts in `indicators` (after a sum, too)."""
    for key, (part, whole) in RATIO_PARTS.items():
        n = indicators.get(whole, 0)
        indicators[key] = percent_half_up(indicators.get(part, 0), n) if n else None
    return indicators


def shares(indicators: Mapping[str, Any], totals: Mapping[str, Any]) -> dict[str, int | None]:
    """An office's share of `totals` for each SHARES key, integer percent; None where the total is 0."""
    out: dict[str, int | None] = {}
    for key, _ in SHARES:
        whole = totals.get(key, 0)
        out[key] = percent_half_up(indicators.get(key, 0), whole) if whole else None
    return out


def compute(facts: OfficeFacts, period: Period, today: date, *, referred_as_self: bool = True) -> dict[str, Any]:
    """Indicators of one office for `period`; deadlines are judged at the period's end (or today, if earlier).
    `referred_as_self`: filings on clues handed down (转办/交办) and handled here count as 自办."""
    clues = {c.case_id: c for c in facts.clues}
    received = [c for c in facts.clues if period.contains(c.received_on)]
    decided = [d for d in facts.decisions if period.contains(d.decided_on) and d.case_id in clues]

    def cases_with(pairs: frozenset) -> set[str]:
        return {d.case_id for d in decided if (d.step_id, d.decision_id) in pairs}

    disposition = [d for d in decided if d.step_id == DISPOSITION_STEP and d.decision_id in DISPOSITION_METHODS]
    filed = cases_with(FILINGS)
    live_sanctions = [x for x in facts.sanctions if x.case_id in clues]
    sanctions = [x for x in live_sanctions if period.contains(x.decided_on)]
    party = {_person_of(x) for x in sanctions if x.kind == "party"}
    gov = {_person_of(x) for x in sanctions if x.kind == "gov"}
    # A person with both a 党纪 and a 政务处分 is one in 处分人数, counted when the first was decided.
    sanctioned = {person for (_, person), on in first_sanctioned(live_sanctions).items() if period.contains(on)}
    # One person-time per person and case, at the heaviest form, in the period of the decision that
    # settles it (开除党籍 followed by 移送司法 is one person-time of form 4, when 移送司法 was decided).
    forms = dict.fromkeys(range(1, 5), 0)
    for form, on in settled_forms(live_sanctions).values():
        if period.contains(on):
            forms[form] += 1
    forms[1] += sum(1 for d in decided if (d.step_id, d.decision_id) in TALK_CLOSURES)
    as_of = min(period.end, today)
    category_of: dict[str, str] = {}
    for x in sanctions:
        if x.kind in ("party", "gov"):
            category_of.setdefault(_person_of(x), x.person_category or UNFILLED)

    monthly = {m: dict.fromkeys((k for k, _ in MONTHLY_SERIES), 0) for m in period.months()}
    for c in received:
        monthly[_month(c.received_on)]["clues_received"] += 1
    for on in _first_dates(disposition).values():
        monthly[_month(on)]["clues_disposed"] += 1
    for on in _first_dates(d for d in decided if (d.step_id, d.decision_id) in FILINGS).values():
        monthly[_month(on)]["filings"] += 1

    by_subject = dict.fromkeys(SUBJECT_GROUP_NAMES, 0)
    for c in filed:
        by_subject[subject_group(clues[c].subject_category)] += 1

    return with_ratios({
        "clues_received": len(received),
        "clues_self_discovered": sum(1 for c in received if c.source in SELF_DISCOVERED_SOURCES),
        "clues_disposed": len({d.case_id for d in disposition}),
        "talk_inquiry": sum(1 for d in decided if (d.step_id, d.decision_id) in TALK_STARTS),
        "verifications": len(cases_with(VERIFICATION_STARTS)),
        "filings": len(filed),
        "filings_self": sum(1 for c in filed if is_self_filing(clues[c], referred_as_self)),
        "cases_closed": len(cases_with(CONCLUSIONS)),
        "people_sanctioned": len(sanctioned),
        "people_sanctioned_party": len(party),
        "people_sanctioned_gov": len(gov),
        "form1": forms[1],
        "form2": forms[2],
        "form3": forms[3],
        "form4": forms[4],
        "transferred_judicial": len(cases_with(JUDICIAL_TRANSFERS)),
        "overdue": sum(1 for x in facts.deadlines if x.case_id in clues and overdue_at(x, as_of)),
        "breakdowns": {
            "by_source": _tally(c.source or UNFILLED for c in received),
            "by_disposition": _tally(DISPOSITION_METHODS[d.decision_id] for d in disposition),
            "by_category": _tally(cat for c in received for cat in (c.categories or (UNFILLED,))),
            "filings_by_subject": by_subject,
            "by_person_category": _tally(category_of.values()),
            "by_sanction_type": _tally(x.type_id for x in sanctions),
            "monthly": monthly,
        },
    })


def _first_dates(decisions: Iterable[DecisionFact]) -> dict[str, date]:
    first: dict[str, date] = {}
    for d in decisions:
        if d.case_id not in first or d.decided_on < first[d.case_id]:
            first[d.case_id] = d.decided_on
    return first


def empty_indicators(period: Period) -> dict[str, Any]:
    return compute(OfficeFacts(), period, period.end)


# ---------------------------------------------------------------- sums and rollups


def add(total: dict[str, Any], more: Mapping[str, Any]) -> dict[str, Any]:
    """`total` plus `more`, key by key, through nested maps (breakdowns, months)."""
    out = dict(total)
    for key, value in more.items():
        if key in RATIO_LABELS:
            continue
        if isinstance(value, Mapping):
            out[key] = add(out.get(key) or {}, value)
        elif isinstance(value, int) and not isinstance(value, bool):
            out[key] = out.get(key, 0) + value
    return out


def percent_half_up(part: int, whole: int) -> int:
    """Integer percent rounded half up, in exact integer arithmetic (1 of 8 -> 13, 1 of 3 -> 33)."""
    if whole <= 0:
        return 0
    return (200 * part + whole) // (2 * whole)


def rollup(townships: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """County or city rollup over the townships below: (code, indicators) for each township."""
    with_verification = sum(1 for _, ind in townships if ind.get("verifications", 0) > 0)
    # the same measure as 零立案: a township with a 自办 立案
    with_filing = sum(1 for _, ind in townships if ind.get("filings_self", 0) > 0)
    sums: dict[str, Any] = {}
    for _, ind in townships:
        sums = add(sums, ind)
    for key in INDICATOR_KEYS:
        sums.setdefault(key, 0)
    if "breakdowns" in sums:
        sums["breakdowns"] = _sorted_breakdowns(sums["breakdowns"])
    with_ratios(sums)
    return {
        "townships_total": len(townships),
        "townships_with_verification": with_verification,
        "townships_with_filing": with_filing,
        "townships_with_filing_pct": percent_half_up(with_filing, len(townships)),
        **sums,
        "zero_filing_townships": sorted(code for code, ind in townships if ind.get("filings_self", 0) == 0),
    }


def _sorted_breakdowns(breakdowns: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for name, values in breakdowns.items():
        if name == "monthly":
            out[name] = dict(sorted(values.items()))
        else:
            out[name] = dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


RANK_KEYS = ("filings", "filings_self", "verifications")


def ranking(rows: Sequence[tuple[str, Mapping[str, Any]]], keys: Sequence[str] = RANK_KEYS) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) by `keys` in order (default 立案, 自办立案, 初步核实), highest first."""
    def score(ind: Mapping[str, Any]) -> tuple[int, ...]:
        return tuple(ind.get(k, 0) for k in keys)

    ordered = sorted(rows, key=lambda r: score(r[1]), reverse=True)
    ranks: dict[str, int] = {}
    for position, (code, ind) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        ranks[code] = ranks[previous[0]] if previous and score(previous[1]) == score(ind) else position
    return ranks


def has_data(indicators: Mapping[str, Any]) -> bool:
    return any(indicators.get(k, 0) for k in INDICATOR_KEYS)
