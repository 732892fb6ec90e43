"""回访教育: the visit to a sanctioned person some months after the decision, as a 工作台 reminder.

No text in the regulations folder sets when (or whether) the office revisits; it is local practice
(按本地做法), so the office setting `revisit_reminder_months` gives the months after a sanction's
decision (0: no reminder). A person is due once per case, from the first decided sanction or
measure (移送司法 aside) of that case; the reminder shows from 30 days before the due day until
a 回访教育 date is recorded (event `revisited`: 办结与反馈 `revisit_on`, or the 已归档 decision `revisited`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel import Session

from app.domain.deadlines import add_months
from app.domain.errors import DomainError
from app.services.ruleset import RuleSet

EVENT = "revisited"
NOT_REVISITED_KINDS = frozenset({"judicial"})  # a transfer to the courts is no measure of this office
SHOW_DAYS = 30
WAITING = "待对受处分（处理）人回访教育（按本地做法，见设置“回访教育提醒”）"
DUE_TITLE = "回访教育"

QUERY = """
SELECT x.case_id, coalesce(nullif(c.number, ''), cl.number), p.name, x.type_id, x.decided_on,
       json_extract(c.state, '$.events.revisited')
FROM sanction AS x JOIN "case" AS c ON c.id = x.case_id JOIN clue AS cl ON cl.id = c.clue_id
JOIN person AS p ON p.id = x.person_id
WHERE x.deleted = 0 AND c.deleted = 0 AND x.decided_on IS NOT NULL AND c.owner_office_id = :office
ORDER BY x.decided_on
"""


@dataclass(frozen=True)
class RevisitDue:
    case_id: str
    number: str
    persons: tuple[str, ...]
    decided_on: date
    due: date


def due(s: Session, rules: RuleSet, office_id: str, today: date, months: int) -> list[RevisitDue]:
    """The office's cases whose 回访教育 falls due within SHOW_DAYS, or is past, with none recorded."""
    if months <= 0:
        return []
    first: dict[str, tuple[str, date, date | None, list[str]]] = {}
    for case_id, number, name, type_id, decided_on, revisited in s.execute(text(QUERY), {"office": office_id}):
        try:
            if rules.catalog.get(type_id).kind in NOT_REVISITED_KINDS:
                continue
        except DomainError:
            continue  # a type this catalog lacks is shown in the case, not guessed at here
        entry = first.setdefault(case_id, (number, date.fromisoformat(str(decided_on)),
                                           date.fromisoformat(revisited) if revisited else None, []))
        if name not in entry[3]:
            entry[3].append(name)
    out = []
    for case_id, (number, decided_on, revisited, names) in first.items():
        if revisited is not None and revisited >= decided_on:
            continue
        when = add_months(decided_on, months)
        if when <= today + timedelta(days=SHOW_DAYS):
            out.append(RevisitDue(case_id, number, tuple(names), decided_on, when))
    return sorted(out, key=lambda d: d.due)
