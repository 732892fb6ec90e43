"""Statistics from the store: the facts the domain counts, the period report, the city snapshots.

- A township counts its own records.
- A county counts its own records and, for each township below it (`office.parent_code`), the
  records that township owns (they arrive in the county's store through bundles).
- A city has no township records, only the `StatisticsSnapshot` rows its counties forward:
  `refresh_snapshots` (run at the county) writes one per office and period, the city's report reads
  them; a county's export to the city makes them first (`refresh_for_export`).
- Whether a filing on a clue handed down (上级转办/交办) is 自办 follows the office setting
  `count_referred_as_self` (app/services/settings.py). Definitions: app/domain/statistics.py and
  docs/STATISTICS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.domain import statistics as stats
from app.domain.errors import DomainError
from app.errors import InputError
from app.models import (
    Case,
    CaseSubject,
    Clue,
    ClueSubject,
    Decision,
    Office,
    Person,
    Sanction,
    StatisticsSnapshot,
    Transfer,
)
from app.services import case_codec, cases, ruleset, settings
from app.services.ruleset import RuleSet
from app.storage.store import Store

LEVEL_LABELS = {"township": "乡镇纪委", "county": "县纪委", "city": "市纪委"}


@dataclass(frozen=True)
class OfficeRef:
    id: str
    code: str
    name: str
    level: str
    parent_code: str | None

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "level": self.level, "parent_code": self.parent_code}


@dataclass(frozen=True)
class SnapshotResult:
    periods: tuple[dict, ...]
    written: int
    updated: int
    unchanged: int
    removed: int


def period_from_options(year: int, *, quarter: int | None = None, half: int | None = None,
                        date_from: str | date | None = None, date_to: str | date | None = None) -> stats.Period:
    """The period the user asked for, or InputError with one sentence saying what is wrong."""
    def as_date(value, what: str) -> date | None:
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise InputError("bad_date", f"{what}“{value}”不是有效日期，应写成 2026-03-02 的形式。") from None

    try:
        return stats.period_of(year, quarter=quarter, half=half, start=as_date(date_from, "起始日期"),
                               end=as_date(date_to, "截止日期"))
    except DomainError as exc:
        raise InputError(exc.code, exc.message) from exc


# --- facts ------------------------------------------------------------------------------


def facts_by_office(s: Session, office_ids: list[str], rules: RuleSet, as_of: date) -> tuple[dict[str, stats.OfficeFacts], int]:
    """The plain facts of the live (not tombstoned) records each office owns; plus how many cases
    could not be evaluated for deadlines (a step unknown to these rules)."""
    live = (Case.deleted == False) & (Clue.deleted == False)  # noqa: E712
    case_rows = s.exec(
        select(Case.id, Case.owner_office_id, Case.state, Clue.id, Clue.received_on, Clue.source, Clue.categories,
               Clue.handling_mode, Clue.transferred_from_office_id)
        .join(Clue, Clue.id == Case.clue_id)
        .where(Case.owner_office_id.in_(office_ids), live)
    ).all()
    transferred = set(s.exec(select(Transfer.clue_id).where(Transfer.deleted == False)).all())  # noqa: E712
    clues: dict[str, list[stats.ClueFact]] = {i: [] for i in office_ids}
    deadlines: dict[str, list[stats.DeadlineFact]] = {i: [] for i in office_ids}
    owner_of: dict[str, str] = {}
    unevaluated = 0
    subject_category = first_subject_categories(s, office_ids)
    for case_id, owner, state, clue_id, received_on, source, categories, mode, from_office in case_rows:
        owner_of[case_id] = owner
        handed_down = from_office is not None or source in stats.FROM_ABOVE_SOURCES
        handled_elsewhere = mode != stats.SELF_HANDLING_MODE or clue_id in transferred
        clues[owner].append(stats.ClueFact(case_id, received_on, source or "", tuple(categories or ()), handed_down,
                                           handled_elsewhere, subject_category.get((case_id, clue_id), "")))
        try:
            view = cases.evaluate(rules, case_codec.from_json(state), as_of)
        except (DomainError, KeyError, ValueError):
            unevaluated += 1
            continue
        deadlines[owner].extend(stats.DeadlineFact(case_id, d.id, d.start, d.due, d.met_on) for d in view.deadlines)
    decisions: dict[str, list[stats.DecisionFact]] = {i: [] for i in office_ids}
    for case_id, step_id, decision_id, decided_on in s.exec(
        select(Decision.case_id, Decision.step_id, Decision.decision_id, Decision.decided_on)
        .where(Decision.owner_office_id.in_(office_ids), Decision.deleted == False)  # noqa: E712
    ).all():
        if case_id in owner_of and (step_id, decision_id) in stats.COUNTED_DECISIONS:
            decisions[owner_of[case_id]].append(stats.DecisionFact(case_id, step_id, decision_id, decided_on))
    sanctions: dict[str, list[stats.SanctionFact]] = {i: [] for i in office_ids}
    for case_id, person_id, category, type_id, kind, form, decided_on in s.exec(
        select(Sanction.case_id, Sanction.person_id, Person.category, Sanction.type_id, Sanction.kind, Sanction.form,
               Sanction.decided_on)
        .outerjoin(Person, Person.id == Sanction.person_id)
        .where(Sanction.owner_office_id.in_(office_ids), Sanction.deleted == False,  # noqa: E712
               Sanction.decided_on.is_not(None))
    ).all():
        if case_id not in owner_of:
            continue
        # The catalog in force classifies (four forms are local practice, ⚠️ in procedures.md §4);
        # a type it no longer knows keeps the classification it was recorded with.
        known = rules.catalog.types.get(type_id)
        sanctions[owner_of[case_id]].append(stats.SanctionFact(
            case_id, person_id or "", category or "", type_id, known.kind if known else kind,
            known.form if known else form, decided_on))
    facts = {
        i: stats.OfficeFacts(tuple(clues[i]), tuple(decisions[i]), tuple(sanctions[i]), tuple(deadlines[i]))
        for i in office_ids
    }
    return facts, unevaluated


def first_subject_categories(s: Session, office_ids: list[str]) -> dict[tuple[str, str], str]:
    """(case id, clue id) -> 人员类别 of the case's first 被审查调查人 (its particulars, else the person's),
    or of the clue's first 被反映人 while the case has none."""
    out: dict[tuple[str, str], str] = {}
    for case_id, clue_id, particular, general in s.exec(
        select(Case.id, Case.clue_id, CaseSubject.category, Person.category)
        .join(CaseSubject, CaseSubject.case_id == Case.id).join(Person, Person.id == CaseSubject.person_id)
        .where(Case.owner_office_id.in_(office_ids), CaseSubject.deleted == False)  # noqa: E712
        .order_by(CaseSubject.seq, CaseSubject.id)
    ).all():
        out.setdefault((case_id, clue_id), particular or general or "")
    for case_id, clue_id, general in s.exec(
        select(Case.id, Case.clue_id, Person.category)
        .join(ClueSubject, ClueSubject.clue_id == Case.clue_id).join(Person, Person.id == ClueSubject.person_id)
        .where(Case.owner_office_id.in_(office_ids), ClueSubject.deleted == False)  # noqa: E712
        .order_by(ClueSubject.created_at, ClueSubject.id)
    ).all():
        out.setdefault((case_id, clue_id), general or "")
    return out


def own_office(s: Session, store: Store) -> OfficeRef:
    row = s.get(Office, store.office.id)
    return OfficeRef(row.id, row.code, row.name, row.level, row.parent_code)


def offices_below(s: Session, code: str, level: str) -> list[OfficeRef]:
    rows = s.exec(select(Office).where(Office.parent_code == code, Office.level == level,
                                       Office.deleted == False).order_by(Office.code)).all()  # noqa: E712
    return [OfficeRef(r.id, r.code, r.name, r.level, r.parent_code) for r in rows]


def compute_offices(s: Session, offices: list[OfficeRef], period: stats.Period, today: date,
                    rules: RuleSet) -> tuple[dict[str, dict], int]:
    """Indicators by office id."""
    facts, unevaluated = facts_by_office(s, [o.id for o in offices], rules, min(period.end, today))
    referred_as_self = settings.read(s).count_referred_as_self
    return {o.id: stats.compute(facts[o.id], period, today, referred_as_self=referred_as_self)
            for o in offices}, unevaluated


def unevaluated_warning(n: int) -> list[str]:
    if not n:
        return []
    return [f"有{n}件案件所处环节在本机规则中不存在（规则版本不同），未计入期末超期事项。请更新办案规则后再统计。"]


# --- the report -------------------------------------------------------------------------


def report(store: Store, period: stats.Period, *, today: date | None = None, rules: RuleSet | None = None) -> dict:
    """The period report (`report --json`): the office itself, and the offices below it."""
    today = today or date.today()
    rules = rules or ruleset.load(store)
    with store.read() as s:
        me = own_office(s, store)
        if me.level == "city":
            return city_report(s, me, period, today, rules)
        townships = offices_below(s, me.code, "township") if me.level == "county" else []
        computed, unevaluated = compute_offices(s, [me, *townships], period, today, rules)
    out: dict[str, Any] = {
        "period": period_json(period),
        "office": {"code": me.code, "name": me.name, "level": me.level},
        "indicators": computed[me.id],
    }
    if me.level == "county":
        out["rollup"] = stats.rollup([(t.code, computed[t.id]) for t in townships])
    out["offices"] = [{**t.as_json(), "indicators": computed[t.id],
                       **({"shares": stats.shares(computed[t.id], out["rollup"])} if me.level == "county" else {})}
                      for t in townships]
    out["warnings"] = unevaluated_warning(unevaluated)
    return out


def period_json(period: stats.Period) -> dict:
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), "label": period.label}


def city_report(s: Session, me: OfficeRef, period: stats.Period, today: date, rules: RuleSet) -> dict:
    """Each county (with its rollup) and each township, from the snapshots the counties forwarded."""
    computed, unevaluated = compute_offices(s, [me], period, today, rules)
    rows = s.exec(select(StatisticsSnapshot).where(
        StatisticsSnapshot.period_from == period.start, StatisticsSnapshot.period_to == period.end,
        StatisticsSnapshot.deleted == False)).all()  # noqa: E712
    county_rows = sorted((r for r in rows if r.level == "county" and r.parent_code == me.code), key=lambda r: r.office_code)
    county_codes = {r.office_code for r in county_rows}
    # A township's snapshot counts only when its own county forwarded it.
    by_owner = {r.owner_office_id: r.office_code for r in county_rows}
    township_rows = sorted(
        (r for r in rows if r.level == "township" and r.parent_code in county_codes
         and by_owner.get(r.owner_office_id) == r.parent_code),
        key=lambda r: (r.parent_code, r.office_code))
    offices: list[dict] = []
    warnings = unevaluated_warning(unevaluated)
    county_totals: dict[str, dict] = {}
    for county in county_rows:
        below = [(t.office_code, t.indicators) for t in township_rows if t.parent_code == county.office_code]
        county_totals[county.office_code] = stats.rollup(below)
        offices.append({**snapshot_ref(county), "indicators": county.indicators,
                        "rollup": county_totals[county.office_code], "computed_on": county.computed_on.isoformat()})
    known = s.exec(select(Office).where(Office.parent_code == me.code, Office.level == "county",
                                        Office.deleted == False)).all()  # noqa: E712
    missing = sorted(f"{o.name}（{o.code}）" for o in known if o.code not in county_codes)
    if missing:
        warnings.append(f"以下县尚未报送本期统计：{'、'.join(missing)}。请其生成上报统计并导出数据包。")
    offices += [{**snapshot_ref(t), "indicators": t.indicators, "shares": stats.shares(t.indicators, county_totals[t.parent_code]),
                 "computed_on": t.computed_on.isoformat()}
                for t in township_rows]
    return {
        "period": period_json(period),
        "office": {"code": me.code, "name": me.name, "level": me.level},
        "indicators": computed[me.id],
        "rollup": stats.rollup([(t.office_code, t.indicators) for t in township_rows]),
        "offices": offices,
        "warnings": warnings,
    }


def snapshot_ref(row: StatisticsSnapshot) -> dict:
    return {"code": row.office_code, "name": row.office_name, "level": row.level, "parent_code": row.parent_code}


# --- snapshots for the city ---------------------------------------------------------------


def refresh_snapshots(store: Store, period_from: date, period_to: date, *, today: date | None = None,
                      rules: RuleSet | None = None) -> SnapshotResult:
    """Write or update the county's snapshot of itself and of each township for one period.

    Owned by the county and synced upward; a row changes (and its version moves) only when what it
    says changed. A township no longer below the county has its snapshot tombstoned.
    """
    today = today or date.today()
    rules = rules or ruleset.load(store)
    if store.office.level != "county":
        raise InputError("not_county", "只有县纪委生成上报市纪委的统计；乡镇的数据由县纪委导入后统计。")
    if period_from > period_to:
        raise InputError("bad_period", f"起始日期（{period_from.isoformat()}）晚于截止日期（{period_to.isoformat()}）。")
    period = stats.Period(period_from, period_to, f"{period_from.isoformat()}至{period_to.isoformat()}")
    written = updated = unchanged = removed = 0
    with store.write() as s:
        me = own_office(s, store)
        offices = [me, *offices_below(s, me.code, "township")]
        computed, _ = compute_offices(s, offices, period, today, rules)
        existing = {r.office_code: r for r in s.exec(select(StatisticsSnapshot).where(
            StatisticsSnapshot.owner_office_id == me.id, StatisticsSnapshot.period_from == period_from,
            StatisticsSnapshot.period_to == period_to)).all()}
        for office in offices:
            values = {"office_name": office.name, "level": office.level, "parent_code": office.parent_code,
                      "indicators": computed[office.id], "deleted": False}
            row = existing.get(office.code)
            if row is None:
                s.add(StatisticsSnapshot(owner_office_id=me.id, office_code=office.code, period_from=period_from,
                                         period_to=period_to, computed_on=today, **values))
                written += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.computed_on = today
                s.add(row)
                updated += 1
            else:
                unchanged += 1
        for code, row in existing.items():
            if code not in {o.code for o in offices} and not row.deleted:
                row.deleted = True
                s.add(row)
                removed += 1
    return SnapshotResult((period_json(period),), written, updated, unchanged, removed)


def refresh_periods(store: Store, periods: list[stats.Period], *, today: date | None = None) -> SnapshotResult:
    """`refresh_snapshots` for several periods (a year: the year, its halves and quarters), one
    transaction each; periods that have not begun yet are left out."""
    today = today or date.today()
    rules = ruleset.load(store)
    results = [refresh_snapshots(store, p.start, p.end, today=today, rules=rules) for p in periods if p.start <= today]
    return SnapshotResult(
        tuple(p for r in results for p in r.periods),
        sum(r.written for r in results), sum(r.updated for r in results),
        sum(r.unchanged for r in results), sum(r.removed for r in results))


def refresh_for_export(store: Store, *, today: date | None = None) -> SnapshotResult:
    """Before a county exports to the city: the snapshots of this year and last year (the annual
    report is sent early in the next one) and of every other period already forwarded, made from
    what the store holds now, so the city never gets stale figures or none at all."""
    today = today or date.today()
    periods = {(p.start, p.end): p for y in (today.year - 1, today.year) for p in stats.standard_periods(y)}
    with store.read() as s:
        forwarded = s.exec(select(StatisticsSnapshot.period_from, StatisticsSnapshot.period_to).where(
            StatisticsSnapshot.owner_office_id == store.office.id, StatisticsSnapshot.deleted == False)  # noqa: E712
            .distinct()).all()
    for start, end in forwarded:
        periods.setdefault((start, end), stats.Period(start, end, f"{start.isoformat()}至{end.isoformat()}"))
    return refresh_periods(store, sorted(periods.values(), key=lambda p: (p.start, p.end)), today=today)


def export_sentence(snapshots: SnapshotResult | None) -> str:
    """What a county's export to the city counted first (empty for every other bundle)."""
    if snapshots is None:
        return ""
    return (f"导出前已按本库数据生成上报统计：{len(snapshots.periods)}个期间，新增{snapshots.written}条、"
            f"更新{snapshots.updated}条、未变{snapshots.unchanged}条。")
