"""留党察看期满的处理: the decision that ends a member's 察看期, and what a probation forbids meanwhile.

The 察看期 usually ends long after the case was archived, so `end_probation` is taken at any step,
archived cases included, and changes only the sanction rows: the probation's own (its outcome, acts
and effect period) and, for 开除党籍, a new 开除党籍 sanction of the same case ([P] 21 ¶3). A 开除党籍
decided in a later case for a violation found during the 察看期 ends the probation the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from app.domain import probation as rules_of
from app.domain.sanctions import EXPULSION, effect_period
from app.domain.subjects import text_value
from app.errors import InputError
from app.models import Case, Clue, Person, Sanction
from app.services import persons
from app.services import subjects as case_subjects
from app.services.ruleset import RuleSet

ACTION = "end_probation"
DUE_DAYS = 30  # the 工作台 shows a 察看期 this many days before it ends


@dataclass(frozen=True)
class ProbationDue:
    case_id: str
    number: str  # the case's 立案 number, else its clue's
    person_id: str
    person: str
    sanction: str
    decided_on: date
    until: date
    extended: bool
    days_left: int  # negative when the 察看期 is over and no decision is recorded yet


def probation(rules: RuleSet, row: Sanction) -> rules_of.Probation | None:
    """The 察看期 of a decided 留党察看 row; None for any other row."""
    sanction = rules.catalog.types.get(row.type_id)
    if sanction is None or not sanction.probation_months or row.decided_on is None:
        return None
    return rules_of.probation_of(sanction, row.decided_on, row.probation_acts)


def same_person_rows(s: Session, person_id: str) -> list[Sanction]:
    """Decided sanctions of the person in any case (a person's records share its person_key)."""
    key = s.get(Person, person_id).person_key
    ids = s.exec(select(Person.id).where(Person.person_key == key)).all()
    return list(s.exec(select(Sanction).where(Sanction.person_id.in_(ids), Sanction.decided_on.is_not(None),
                                              Sanction.deleted == False)).all())  # noqa: E712


def new_sanction_problem(s: Session, rules: RuleSet, case_id: str, person_id: str, type_id: str, on: date) -> str | None:
    """Why a party sanction other than 开除党籍 cannot be proposed for a member on probation. The case's
    own 留党察看 does not count: a 申诉 may change it (复议复查)."""
    if rules.catalog.get(type_id).kind != "party" or type_id == EXPULSION:
        return None
    for row in same_person_rows(s, person_id):
        running = probation(rules, row)
        if running is not None and row.case_id != case_id and running.on_probation(on):
            return (f"该党员自{running.decided_on.isoformat()}起受到{running.sanction.name}处分，尚在留党察看期间；"
                    "留党察看期间坚持不改或者又发现其他应当受到党纪处分的违纪行为的，应当开除党籍"
                    "（《中国共产党纪律处分条例》第十二条第二款，《中国共产党处分违纪党员批准权限和程序规定》第二十一条第三款）。"
                    f"请录入“{rules.catalog.get(EXPULSION).name}”")
    return None


def act(s: Session, rules: RuleSet, case: Case, data: Mapping[str, Any], today: date) -> None:
    """`end_probation`: {subject, outcome, decided_on, body, document_no, branch_meeting_on}."""
    case_subjects.expect(data, {"subject", "outcome", "decided_on", "body", "document_no", "branch_meeting_on"})
    subject = case_subjects.resolve(s, case, data.get("subject"))
    name = case_subjects.name_of(s, subject)
    rows = [r for r in s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.person_id == subject.person_id,
                                                    Sanction.deleted == False)).all()  # noqa: E712
            if probation(rules, r) is not None]
    if not rows:
        raise InputError("no_probation", f"本案没有对{name}生效的留党察看处分，无需作出察看期满的处理。")
    row = rows[0]
    meeting = data.get("branch_meeting_on")
    chosen = rules_of.ProbationAct(
        outcome=str(data.get("outcome") or "").strip(),
        decided_on=case_subjects.event_date(data, "decided_on", "决定日期", today),
        body=text_value(data.get("body"), "作出或批准决定的党组织"),
        document_no=text_value(data.get("document_no"), "文号"),
        branch_meeting_on=(case_subjects.event_date(data, "branch_meeting_on", "支部党员大会日期", today)
                           if meeting not in (None, "") else None),
    )
    current = probation(rules, row)
    problems = rules_of.act_problems(current, chosen, today)
    if problems:
        raise InputError("probation_act_invalid", f"未作出察看期满的处理（{name}）：{'；'.join(problems)}。")
    original_end = effect_period(rules.catalog, row.type_id, row.decided_on, [])[1]
    record(row, current, chosen, original_end)
    s.add(row)
    if chosen.outcome == rules_of.EXPEL:
        s.add(expulsion(s, rules, row, chosen))


def record(row: Sanction, current: rules_of.Probation, chosen: rules_of.ProbationAct, original_end: date) -> None:
    after = rules_of.Probation(current.sanction, current.decided_on, current.acts + (chosen,))
    row.probation_acts = [a.as_json() for a in after.acts]
    row.probation_outcome = after.ended_by.outcome if after.ended_by else ""
    row.effect_end = after.effect_end(original_end)


def expulsion(s: Session, rules: RuleSet, row: Sanction, chosen: rules_of.ProbationAct) -> Sanction:
    """The 开除党籍 a probation ends with: a sanction of its own, counted in the period it is decided."""
    sanction = rules.catalog.get(EXPULSION)
    prior = persons.sanction_records(s, [row.person_id])[row.person_id]
    _, end = effect_period(rules.catalog, EXPULSION, chosen.decided_on, prior)
    return Sanction(owner_office_id=row.owner_office_id, case_id=row.case_id, person_id=row.person_id, type_id=EXPULSION,
                    kind=sanction.kind, form=sanction.form, decided_on=chosen.decided_on, effect_end=end,
                    approving_body=chosen.body, document_no=chosen.document_no)


def expelled_elsewhere(s: Session, rules: RuleSet, expelled: Sanction) -> None:
    """A 开除党籍 decided in a later case ends the person's running probation ([P] 21 ¶3)."""
    if expelled.type_id != EXPULSION or not expelled.person_id or expelled.decided_on is None:
        return
    for row in same_person_rows(s, expelled.person_id):
        current = probation(rules, row)
        if row.id == expelled.id or current is None or not current.on_probation(expelled.decided_on):
            continue
        chosen = rules_of.ProbationAct(rules_of.EXPEL, expelled.decided_on, expelled.approving_body,
                                       expelled.document_no, case_id=expelled.case_id)
        record(row, current, chosen, effect_period(rules.catalog, row.type_id, row.decided_on, [])[1])
        s.add(row)


def due(s: Session, rules: RuleSet, office_id: str, today: date, days: int = DUE_DAYS) -> list[ProbationDue]:
    """The office's 察看期 ending within `days`, or over with no decision recorded: it has to act ([P] 21)."""
    until = today + timedelta(days=days)
    probation_types = [t.id for t in rules.catalog.types.values() if t.probation_months]
    rows = s.exec(select(Sanction, Person.name, Case.number, Clue.number)
                  .join(Person, Person.id == Sanction.person_id).join(Case, Case.id == Sanction.case_id)
                  .join(Clue, Clue.id == Case.clue_id)
                  .where(Sanction.owner_office_id == office_id, Sanction.type_id.in_(probation_types),
                         Sanction.decided_on.is_not(None), Sanction.probation_outcome == "",
                         Sanction.deleted == False)).all()  # noqa: E712
    out = []
    for row, name, case_number, clue_number in rows:
        try:
            current = probation(rules, row)
        except (KeyError, TypeError, ValueError):
            continue  # acts this version cannot read (a malformed bundle row) are left to the case view
        if current is not None and current.until <= until:
            out.append(ProbationDue(row.case_id, case_number or clue_number, row.person_id, name, current.sanction.name, current.decided_on,
                                    current.until, current.extended, (current.until - today).days))
    return sorted(out, key=lambda d: d.until)

