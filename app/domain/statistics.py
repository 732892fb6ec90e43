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
# Clue sources that mean the clue was handed down from above: a filing on it is not 自办.
FROM_ABOVE_SOURCES = frozenset({"上级交办"})
SELF_HANDLING_MODE = "自办"

INDICATORS: tuple[tuple[str, str], ...] = (
    ("clues_received", "收到线索（件次）"),
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
    ("townships_with_filing", "有立案的乡镇"),
    ("townships_with_filing_pct", "有立案乡镇占比（%）"),
)
ROLLUP_LABELS: Mapping[str, str] = dict(ROLLUP)
BREAKDOWNS: tuple[tuple[str, str], ...] = (
    ("by_source", "线索来源（件次）"),
    ("by_disposition", "处置方式（件）"),
    ("by_category", "问题性质（件次）"),
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
    from_above: bool  # handed down or transferred by an upper level: its filing is not 自办


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


def compute(facts: OfficeFacts, period: Period, today: date) -> dict[str, Any]:
    """Indicators of one office for `period`; deadlines are judged at the period's end (or today, if earlier)."""
    clues = {c.case_id: c for c in facts.clues}
    received = [c for c in facts.clues if period.contains(c.received_on)]
    decided = [d for d in facts.decisions if period.contains(d.decided_on) and d.case_id in clues]

    def cases_with(pairs: frozenset) -> set[str]:
        return {d.case_id for d in decided if (d.step_id, d.decision_id) in pairs}

    disposition = [d for d in decided if d.step_id == DISPOSITION_STEP and d.decision_id in DISPOSITION_METHODS]
    filed = cases_with(FILINGS)
    sanctions = [x for x in facts.sanctions if period.contains(x.decided_on) and x.case_id in clues]

    def person_of(x: SanctionFact) -> str:
        return x.person or f"case:{x.case_id}"

    party = {person_of(x) for x in sanctions if x.kind == "party"}
    gov = {person_of(x) for x in sanctions if x.kind == "gov"}
    # One person-time per person and case in the period, at the heaviest form decided for them
    # (开除党籍 together with 移送司法 is one person-time of form 4).
    heaviest: dict[tuple[str, str], int] = {}
    for x in sanctions:
        key = (x.case_id, person_of(x))
        heaviest[key] = max(heaviest.get(key, 0), x.form)
    forms = dict.fromkeys(range(1, 5), 0)
    for form in heaviest.values():
        forms[form] += 1
    forms[1] += sum(1 for d in decided if (d.step_id, d.decision_id) in TALK_CLOSURES)
    as_of = min(period.end, today)
    category_of: dict[str, str] = {}
    for x in sanctions:
        if x.kind in ("party", "gov"):
            category_of.setdefault(person_of(x), x.person_category or UNFILLED)

    monthly = {m: dict.fromkeys((k for k, _ in MONTHLY_SERIES), 0) for m in period.months()}
    for c in received:
        monthly[_month(c.received_on)]["clues_received"] += 1
    for on in _first_dates(disposition).values():
        monthly[_month(on)]["clues_disposed"] += 1
    for on in _first_dates(d for d in decided if (d.step_id, d.decision_id) in FILINGS).values():
        monthly[_month(on)]["filings"] += 1

    return {
        "clues_received": len(received),
        "clues_disposed": len({d.case_id for d in disposition}),
        "talk_inquiry": sum(1 for d in decided if (d.step_id, d.decision_id) in TALK_STARTS),
        "verifications": len(cases_with(VERIFICATION_STARTS)),
        "filings": len(filed),
        "filings_self": len({c for c in filed if not clues[c].from_above}),
        "cases_closed": len(cases_with(CONCLUSIONS)),
        "people_sanctioned": len(party | gov),
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
            "by_person_category": _tally(category_of.values()),
            "by_sanction_type": _tally(x.type_id for x in sanctions),
            "monthly": monthly,
        },
    }


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
    with_filing = sum(1 for _, ind in townships if ind.get("filings", 0) > 0)
    sums: dict[str, Any] = {}
    for _, ind in townships:
        sums = add(sums, ind)
    for key in INDICATOR_KEYS:
        sums.setdefault(key, 0)
    if "breakdowns" in sums:
        sums["breakdowns"] = _sorted_breakdowns(sums["breakdowns"])
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
