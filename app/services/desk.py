"""工作台: what needs doing today and this week.

- running deadlines that are overdue, due soon (the office's 临期提醒 threshold) or due within
  the coming seven days; `case.next_due` (the earliest running deadline, indexed) picks the candidate cases
  and the engine evaluates each of them for all its running deadlines;
- cases at a step where the county has to answer (乡案县审 review, 乡镇报批 consultation, request);
- shelved clues whose periodic review (暂存线索定期清理) is due within `review_days` or overdue;
- people whose effect period (影响期) ends within `effect_days`;
- years a running deadline depends on for which no holiday table is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, text

from app.domain.deadlines import compute_due
from app.domain.errors import DomainError
from app.errors import InputError
from app.services import archive, case_codec, cases, ruleset
from app.services.ruleset import RuleSet
from app.storage.store import Store

COUNTY_STEPS = {
    "county_review": "等待县纪委审理室审核意见（乡案县审）",
    "county_consult": "等待县纪委提前沟通意见（乡镇报批）",
    "county_request": "等待县纪委批复（乡镇报批）",
}
SHELVED_STEP = "shelved"
SHELVED_DEADLINE = "shelved_review"
WEEK_DAYS = 6  # "this week": today and the six days after it
REVIEW_DAYS = 30
EFFECT_DAYS = 30
PROGRESS_EVERY = 50


@dataclass(frozen=True)
class DeadlineItem:
    case_id: str
    number: str
    persons: tuple[str, ...]
    persons_in_effect: tuple[str, ...]
    step_title: str
    deadline_id: str
    title: str
    due: date
    state: str  # overdue / due_soon / normal
    working_days_left: int
    when: str  # 已超期 N 个工作日 / 今天到期 / 剩 N 个工作日 / 本周内到期


@dataclass(frozen=True)
class CountyItem:
    case_id: str
    number: str
    persons: tuple[str, ...]
    persons_in_effect: tuple[str, ...]
    step_title: str
    waiting_for: str
    since: date
    days: int  # calendar days since the step was entered


@dataclass(frozen=True)
class ShelvedItem:
    case_id: str
    number: str
    persons: tuple[str, ...]
    persons_in_effect: tuple[str, ...]
    shelved_since: date
    review_due: date
    state: str
    working_days_left: int
    when: str


@dataclass(frozen=True)
class EffectItem:
    case_id: str
    number: str
    person_id: str
    person: str
    unit: str
    sanction: str
    decided_on: date
    effect_end: date
    days_left: int


@dataclass(frozen=True)
class Desk:
    today: date
    week_end: date
    deadlines: tuple[DeadlineItem, ...]
    county: tuple[CountyItem, ...]
    shelved: tuple[ShelvedItem, ...]
    effects: tuple[EffectItem, ...]
    missing_holiday_years: tuple[int, ...]

    @property
    def overdue(self) -> int:
        return sum(d.state == "overdue" for d in self.deadlines)

    @property
    def empty(self) -> bool:
        return not (self.deadlines or self.county or self.shelved or self.effects)


def when_text(state: str, left: int, due: date, today: date) -> str:
    if state == "overdue":
        return f"已超期 {-left} 个工作日"
    if due == today:
        return "今天到期"
    if state == "due_soon":
        return f"即将到期，剩 {left} 个工作日"
    return f"7天内到期，剩 {left} 个工作日"


CANDIDATES = """
SELECT c.id, c.number, cl.number, cl.id, c.step_id, c.step_entered_on, c.state, c.owner_office_id
FROM "case" AS c JOIN clue AS cl ON cl.id = c.clue_id
WHERE c.deleted = 0 AND (
    (c.owner_office_id = :office AND (c.next_due <= :horizon OR c.step_id = :shelved))
    OR c.step_id IN :county)
ORDER BY cl.received_on, cl.number
"""


def desk(store: Store, *, today: date | None = None, rules: RuleSet | None = None,
         review_days: int = REVIEW_DAYS, effect_days: int = EFFECT_DAYS,
         progress: Callable[[int, int, str], None] | None = None, cancelled: Callable[[], bool] | None = None) -> Desk:
    """Everything the 工作台 shows; `progress`/`cancelled` as the GUI's task runner passes them."""
    today = today or date.today()
    rules = rules or ruleset.load(store)
    cal, wf = rules.calendar, rules.workflow
    week_end = today + timedelta(days=WEEK_DAYS)
    soon_end = compute_due(today, rules.due_soon_wd, "wd", cal).date if rules.due_soon_wd else today
    horizon = max(week_end, soon_end)
    review_until = today + timedelta(days=review_days)
    statement = text(CANDIDATES).bindparams(bindparam("county", expanding=True))
    with store.read() as s:
        rows = s.execute(statement, {"office": store.office.id, "horizon": horizon.isoformat(),
                                     "shelved": SHELVED_STEP, "county": list(COUNTY_STEPS)}).all()
        clue_ids = [r[3] for r in rows]
        subjects = s.execute(
            text("SELECT cs.clue_id, cs.person_id, p.name FROM clue_subject AS cs JOIN person AS p ON p.id = cs.person_id "
                 "WHERE cs.deleted = 0 AND cs.clue_id IN :ids ORDER BY cs.created_at, cs.id")
            .bindparams(bindparam("ids", expanding=True)), {"ids": clue_ids}).all() if clue_ids else []
        effects = archive.effect_periods(s, today)
        ending = effect_items(s, rules, today, effects, effect_days)
        due_years = {int(y) for (y,) in s.execute(text(
            "SELECT DISTINCT substr(next_due, 1, 4) FROM \"case\" WHERE deleted = 0 AND next_due IS NOT NULL"))}
    names, flagged = archive.names_by_clue(subjects, effects)

    deadlines, county, shelved = [], [], []
    years = {today.year} | due_years
    for index, (case_id, number, clue_number, clue_id, step_id, entered, raw_state, owner) in enumerate(rows):
        if index % PROGRESS_EVERY == 0:
            if cancelled is not None and cancelled():
                raise InputError("cancelled", "已取消汇总待办事项。按 F5 可重新汇总。")
            if progress is not None:
                progress(index, len(rows), "正在逐件计算办案期限")
        state_json = json.loads(raw_state) if isinstance(raw_state, str) else raw_state
        shown = number or clue_number
        people, marked = tuple(names.get(clue_id, ())), tuple(flagged.get(clue_id, ()))
        step = wf.steps.get(step_id)
        if step is None:
            continue
        if step_id in COUNTY_STEPS:
            since = archive.as_date(entered)
            county.append(CountyItem(case_id, shown, people, marked, step.title, COUNTY_STEPS[step_id], since,
                                     (today - since).days))
        if owner != store.office.id:
            continue
        try:
            view = cases.evaluate(rules, case_codec.from_json(state_json), today)
        except DomainError:
            continue  # a case the loaded rules cannot read is reported where it is opened
        for d in cases.running_deadlines(view):
            years.update(range(d.start.year, d.due.year + 1))
            if d.id == SHELVED_DEADLINE and step_id == SHELVED_STEP:
                if d.due <= review_until or d.state != "normal":
                    since = view_since(state_json, entered)
                    shelved.append(ShelvedItem(case_id, shown, people, marked, since, d.due, d.state,
                                               d.working_days_left,
                                               when_text(d.state, d.working_days_left, d.due, today)
                                               if d.due <= horizon or d.state != "normal"
                                               else f"{(d.due - today).days} 天后到清理期"))
                continue
            if d.due <= horizon or d.state != "normal":
                deadlines.append(DeadlineItem(case_id, shown, people, marked, step.title, d.id, d.title, d.due, d.state,
                                              d.working_days_left, when_text(d.state, d.working_days_left, d.due, today)))
    deadlines.sort(key=lambda d: (d.due, d.number))
    shelved.sort(key=lambda d: (d.review_due, d.number))
    county.sort(key=lambda c: (c.since, c.number))
    missing = tuple(sorted(y for y in years if not cal.has_year(y)))
    return Desk(today, week_end, tuple(deadlines), tuple(county), tuple(shelved), tuple(ending), missing)


def view_since(state_json: dict, entered) -> date:
    """When the clue was shelved: the step's entry date."""
    return archive.as_date(state_json.get("entered_on") or entered)


EFFECT_QUERY = """
SELECT x.case_id, coalesce(nullif(c.number, ''), cl.number), x.person_id, p.name, p.unit, x.type_id, x.decided_on,
       x.effect_end
FROM sanction AS x JOIN person AS p ON p.id = x.person_id
JOIN "case" AS c ON c.id = x.case_id JOIN clue AS cl ON cl.id = c.clue_id
WHERE x.deleted = 0 AND x.decided_on IS NOT NULL AND x.effect_end >= :today AND x.effect_end <= :until
ORDER BY x.effect_end
"""


def effect_items(s, rules: RuleSet, today: date, effects: dict[str, date | None], days: int) -> list[EffectItem]:
    """Sanctions whose effect period ends soon, unless a later one keeps the person in a period."""
    until = today + timedelta(days=days)
    out = []
    for case_id, number, person_id, name, unit, type_id, decided_on, effect_end in s.execute(
            text(EFFECT_QUERY), {"today": today.isoformat(), "until": until.isoformat()}):
        end = archive.as_date(effect_end)
        if person_id in effects and effects[person_id] != end:
            continue  # another sanction runs longer (or for good)
        try:
            sanction = rules.catalog.get(type_id).name
        except DomainError:
            sanction = type_id
        out.append(EffectItem(case_id, number, person_id, name, unit, sanction, archive.as_date(decided_on), end,
                              (end - today).days))
    return out
