"""工作台: every case waiting for this office's action, most urgent first, and what else to watch.

- 待办: each of the office's open cases that waits for it — a new clue to accept, a 处置 decision,
  required checklist items or documents of the current step, an approval, a county opinion that
  arrived — with its next running deadline (`case.next_due`, kept by the case service); cases
  waiting for the county, and shelved clues, only while a deadline of theirs is near or overdue;
- cases at a step where the county has to answer (乡案县审 review, 乡镇报批 consultation, request);
- shelved clues whose periodic review (暂存线索定期清理) is due within `review_days` or overdue;
- people whose effect period (影响期) ends within `effect_days`;
- 留党察看期 ending within 30 days or over without a decision, as 待办 of their (often archived) case ([P] 21);
- a concluded 谈话函询 whose 民主生活会/组织生活会 statement is not recorded yet ([R] 31, app/services/talk_followups.py);
- a sanctioned person's 回访教育 when the office set a time for it (按本地做法, app/services/revisits.py);
- years a running deadline depends on for which no holiday table is loaded.

One query reads the open cases with only the parts of their state the 待办 needs (checklist items
and documents done, the county opinion field), beside the stored next deadline; two more read the
persons and the county opinions that arrived. The engine evaluates only shelved clues near review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, text

from app.domain.deadlines import compute_due, deadline_state
from app.domain.errors import DomainError
from app.domain.rules import Step, Workflow
from app.services import archive, case_codec, cases, probation, review, revisits, ruleset, settings, talk_followups
from app.services.ruleset import RuleSet
from app.storage.store import Store

COUNTY_STEPS = {
    "county_review": "等待县纪委审理室审核意见（乡案县审）",
    "county_consult": "等待县纪委提前沟通意见（乡镇报批）",
    "county_request": "等待县纪委批复（乡镇报批）",
}
SHELVED_STEP = "shelved"
# steps whose whole point is one decision: the 待办 names it
DECISION_STEPS = {"disposition": "待作出处置决定", SHELVED_STEP: "暂存线索到期，待定期清理"}
SHELVED_DEADLINE = "shelved_review"
OPINION_FIELD = "county_opinion_no"
PROBATION_WAITING = "待作出恢复党员权利、延长一年留党察看期限或者开除党籍的决定（处分批准权限和程序规定第二十一条）"
PROBATION_DUE_TITLE = "留党察看期届满"
WEEK_DAYS = 6  # "this week": today and the six days after it
REVIEW_DAYS = 30
EFFECT_DAYS = 30


@dataclass(frozen=True)
class TodoItem:
    case_id: str
    number: str
    persons: tuple[str, ...]
    persons_in_effect: tuple[str, ...]
    step_title: str
    waiting_for: str  # 待受理：决定是否受理 / 必办事项未完成（2项） / 待制作：… / 待作出决定（须经…审批） / …
    open_items: tuple[str, ...]  # the step's open required checklist items and documents
    due: date | None  # the earliest running deadline
    due_title: str
    state: str  # overdue / due_soon / normal; "" without a running deadline
    when: str  # 已超期 N 个工作日 / 今天到期 / 剩 N 个工作日; "" without a running deadline


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
    todo: tuple[TodoItem, ...]
    county: tuple[CountyItem, ...]
    shelved: tuple[ShelvedItem, ...]
    effects: tuple[EffectItem, ...]
    missing_holiday_years: tuple[int, ...]

    @property
    def overdue(self) -> int:
        return sum(t.state == "overdue" for t in self.todo)

    @property
    def due_soon(self) -> int:
        return sum(t.state == "due_soon" for t in self.todo)

    @property
    def empty(self) -> bool:
        return not (self.todo or self.county or self.shelved or self.effects)


def when_text(state: str, left: int, due: date, today: date) -> str:
    if state == "overdue":
        return f"已超期 {-left} 个工作日"
    if due == today:
        return "今天到期"
    if state == "due_soon":
        return f"即将到期，剩 {left} 个工作日"
    return f"剩 {left} 个工作日"


def waiting_for(wf: Workflow, step: Step, checklist: set[str], documents: set[str],
                opinion_arrived: bool) -> tuple[str, tuple[str, ...]]:
    """What the case waits for at `step`, and the step's open required items and documents.

    The required checklist items and documents are read from the rules as the engine reads them for
    its open items (which also count required fields and a collective study: the case view shows
    those). Where the step is there for one decision (受理, 处置, a county opinion, a shelved clue's
    review), that decision is what waits, and its open items come with it.
    """
    items = [i.label for i in step.checklist if i.required and i.id not in checklist]
    docs = [d.title for d in step.documents if d.required and d.template not in documents]
    open_items = tuple(items + [f"制作{title}" for title in docs])
    if step.id in COUNTY_STEPS:
        decision = "县纪委意见已到，待办理" if opinion_arrived else COUNTY_STEPS[step.id]
    else:
        decision = DECISION_STEPS.get(step.id, "待受理：决定是否受理" if step.id == wf.initial_step else "")
    if decision:
        return decision, open_items
    if docs:
        return "待制作：" + "、".join(docs), open_items
    if items:
        return f"必办事项未完成（{len(items)}项）", open_items
    if step.decisions and all("approval" in d.requires for d in step.decisions):
        # the office still decides (and records the approval with it); nobody else is waited for
        return f"待作出决定（须经{'、'.join(dict.fromkeys(d.approver_role for d in step.decisions))}审批）", open_items
    return "待作出决定", open_items


# The office's open cases, and other offices' cases waiting at a county step (a county's desk).
OPEN_CASES = """
FROM "case" AS c JOIN clue AS cl ON cl.id = c.clue_id
WHERE c.deleted = 0 AND c.step_id NOT IN :terminal AND (c.owner_office_id = :office OR c.step_id IN :county)
"""
CASES_QUERY = """
SELECT c.id, coalesce(nullif(c.number, ''), cl.number), cl.id, c.owner_office_id, c.step_id,
       c.step_entered_on, c.next_due, c.next_due_title, json_extract(c.state, '$.checklist'),
       json_extract(c.state, '$.documents'), json_extract(c.state, '$.fields."' || c.step_id || '.' || :opinion || '"'),
       CASE WHEN c.step_id = :shelved AND c.next_due <= :review_until THEN c.state END
""" + OPEN_CASES + "ORDER BY cl.received_on, cl.number"
SUBJECTS_QUERY = """
SELECT cs.clue_id, cs.person_id, p.name FROM clue_subject AS cs JOIN person AS p ON p.id = cs.person_id
WHERE cs.deleted = 0 AND cs.clue_id IN (SELECT c.clue_id """ + OPEN_CASES + """)
ORDER BY cs.created_at, cs.id
"""
# county opinions (乡案县审 review, 乡镇报批 consultation or 批复) that arrived for a step's current visit
OPINIONS_QUERY = """
SELECT o.case_id, o.kind FROM review_opinion AS o JOIN "case" AS c ON c.id = o.case_id
WHERE o.deleted = 0 AND c.owner_office_id = :office AND o.owner_office_id != :office AND c.step_id IN :county
  AND o.issued_on >= c.step_entered_on
"""


def desk(store: Store, *, today: date | None = None, rules: RuleSet | None = None,
         review_days: int = REVIEW_DAYS, effect_days: int = EFFECT_DAYS) -> Desk:
    """Everything the 工作台 shows."""
    today = today or date.today()
    rules = rules or ruleset.load(store)
    cal, wf, me = rules.calendar, rules.workflow, store.office.id
    week_end = today + timedelta(days=WEEK_DAYS)
    soon_end = compute_due(today, rules.due_soon_wd, "wd", cal).date if rules.due_soon_wd else today
    horizon = max(week_end, soon_end)
    review_until = today + timedelta(days=review_days)
    params = {"office": me, "county": list(COUNTY_STEPS), "terminal": [s.id for s in wf.steps.values() if s.terminal],
              "opinion": OPINION_FIELD, "shelved": SHELVED_STEP, "review_until": review_until.isoformat()}
    expanding = (bindparam("county", expanding=True), bindparam("terminal", expanding=True))
    with store.read() as s:
        rows = s.execute(text(CASES_QUERY).bindparams(*expanding), params).all()
        subjects = s.execute(text(SUBJECTS_QUERY).bindparams(*expanding), params).all()
        arrived = set(s.execute(text(OPINIONS_QUERY).bindparams(expanding[0]), params).all())
        effects = archive.effect_periods(s, today)
        ending = effect_items(s, rules, today, effects, effect_days)
        probations = probation.due(s, rules, me, today)
        meetings = talk_followups.due(s, me)
        visits = revisits.due(s, rules, me, today, settings.read(s).revisit_reminder_months)
    names, flagged = archive.names_by_clue(subjects, effects)

    todo, county, shelved = [], [], []
    states: dict[date, tuple[str, int]] = {}  # many cases share a due date
    years = {today.year}
    for (case_id, number, clue_id, owner, step_id, entered, next_due, due_title, checklist, documents,
         opinion_field, shelved_state) in rows:
        step = wf.steps.get(step_id)
        if step is None:
            continue  # a case the loaded rules cannot read is reported where it is opened
        people, marked = tuple(names.get(clue_id, ())), tuple(flagged.get(clue_id, ()))
        own = owner == me
        at_county = step_id in COUNTY_STEPS
        opinion_arrived = at_county and own and (
            opinion_field is not None or (case_id, review.REVIEW_STEPS[step_id][0]) in arrived)
        if at_county and not opinion_arrived:
            since = archive.as_date(entered)
            county.append(CountyItem(case_id, number, people, marked, step.title, COUNTY_STEPS[step_id], since,
                                     (today - since).days))
        if not own:
            continue
        if shelved_state is not None:
            shelved += shelved_items(rules, case_id, number, people, marked, shelved_state, today, horizon, review_until)
        due = archive.as_date(next_due)
        state, left = "", 0
        if due is not None:
            years.add(due.year)
            if due not in states:
                ds = deadline_state(due, today, cal, rules.due_soon_wd)
                states[due] = (ds.state, ds.working_days_left)
            state, left = states[due]
        near = due is not None and (due <= horizon or state != "normal")
        if (step_id == SHELVED_STEP or at_county and not opinion_arrived) and not near:
            continue  # nothing for the office to do until the review, the county's answer or a deadline comes
        label, open_items = waiting_for(wf, step, set(json.loads(checklist or "[]")), set(json.loads(documents or "[]")),
                                        opinion_arrived)
        todo.append(TodoItem(case_id, number, people, marked, step.title, label, open_items, due, due_title, state,
                             when_text(state, left, due, today) if due else ""))
    for p in probations:
        years.add(p.until.year)
        ds = deadline_state(p.until, today, cal, rules.due_soon_wd)
        todo.append(TodoItem(p.case_id, p.number, (p.person,), (p.person,), f"{p.sanction}察看期满处理",
                             PROBATION_WAITING, (), p.until, PROBATION_DUE_TITLE, ds.state,
                             when_text(ds.state, ds.working_days_left, p.until, today)))
    for m in meetings:  # a reminder to the year's end, not a legal deadline: no holiday-year warning for it
        ds = deadline_state(m.due, today, cal, rules.due_soon_wd)
        todo.append(TodoItem(m.case_id, m.number, m.persons, (), "民主生活会（组织生活会）说明", talk_followups.WAITING, (),
                             m.due, talk_followups.DUE_TITLE, ds.state,
                             when_text(ds.state, ds.working_days_left, m.due, today)))
    for v in visits:  # local practice, not a legal deadline: no holiday-year warning for it either
        ds = deadline_state(v.due, today, cal, rules.due_soon_wd)
        todo.append(TodoItem(v.case_id, v.number, v.persons, (), "回访教育", revisits.WAITING, (), v.due,
                             revisits.DUE_TITLE, ds.state, when_text(ds.state, ds.working_days_left, v.due, today)))
    todo.sort(key=lambda t: (t.due is None, t.due or date.max))  # stable: then the oldest clue first
    shelved.sort(key=lambda d: (d.review_due, d.number))
    county.sort(key=lambda c: (c.since, c.number))
    missing = tuple(y for y in range(min(years), max(years) + 1) if not cal.has_year(y))
    return Desk(today, tuple(todo), tuple(county), tuple(shelved), tuple(ending), missing)


def shelved_items(rules: RuleSet, case_id: str, number: str, people: tuple[str, ...], marked: tuple[str, ...],
                  raw_state: str, today: date, horizon: date, review_until: date) -> list[ShelvedItem]:
    """The periodic review of a shelved clue, when it is due within `review_until` or overdue."""
    state_json = json.loads(raw_state)
    try:
        view = cases.evaluate(rules, case_codec.from_json(state_json), today)
    except DomainError:
        return []
    out = []
    for d in cases.running_deadlines(view):
        if d.id == SHELVED_DEADLINE and (d.due <= review_until or d.state != "normal"):
            when = (when_text(d.state, d.working_days_left, d.due, today) if d.due <= horizon or d.state != "normal"
                    else f"{(d.due - today).days} 天后到清理期")
            out.append(ShelvedItem(case_id, number, people, marked, archive.as_date(state_json["entered_on"]), d.due,
                                   d.state, d.working_days_left, when))
    return out


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
