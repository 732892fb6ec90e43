"""The 民主生活会、组织生活会 statement that follows a 谈话函询 which ended the matter.

《中国共产党纪律检查机关监督执纪工作规则》第三十一条: “被谈话函询的党员干部应当在民主生活会、组织生活会上就本年度或者
上年度谈话函询问题进行说明，讲清组织予以采信了结的情况；存在违纪问题的，应当进行自我批评，作出检讨。” A 谈话函询 concluded
in year Y (event `talk_concluded`: 采信了结, 采信了结并澄清, or 第一种形态 from the 谈话函询) is explained at a meeting of
year Y or Y+1, so it is due by the end of Y+1. Until the meeting's date is recorded (event `life_meeting_explained`,
at 办结与反馈 or 已归档) the 工作台 lists it as a 待办 of its case, for each person of the case who is a 党员 or
whose 政治面貌 is not recorded.

`talk_summary` is what a person's 廉政档案 shows of a case's 谈话函询 (第三十条: 谈话函询材料应当存入廉政档案).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from app.domain.rules import Workflow
from app.domain.subjects import PARTY_STATUSES

TALK_STEP = "talk_inquiry"

CONCLUDED = "talk_concluded"
EXPLAINED = "life_meeting_explained"
WAITING = "被谈话函询人应在本年度或者下一年度的民主生活会（组织生活会）上说明（监督执纪工作规则第三十一条）"
DUE_TITLE = "民主生活会（组织生活会）上说明谈话函询问题"

QUERY = """
SELECT c.id, coalesce(nullif(c.number, ''), cl.number), json_extract(c.state, '$.events.talk_concluded'),
       json_extract(c.state, '$.events.life_meeting_explained'), p.name,
       coalesce(nullif(cs.political_status, ''), p.political_status)
FROM "case" AS c JOIN clue AS cl ON cl.id = c.clue_id
JOIN case_subject AS cs ON cs.case_id = c.id AND cs.deleted = 0 JOIN person AS p ON p.id = cs.person_id
WHERE c.deleted = 0 AND c.owner_office_id = :office AND json_extract(c.state, '$.events.talk_concluded') IS NOT NULL
ORDER BY c.id, cs.seq
"""


@dataclass(frozen=True)
class LifeMeetingDue:
    case_id: str
    number: str
    persons: tuple[str, ...]
    concluded_on: date
    due: date  # the last day of the year after the 谈话函询 ended


def due_by(concluded_on: date) -> date:
    """“本年度或者上年度”: the meeting of the year it ended or of the next one."""
    return date(concluded_on.year + 1, 12, 31)


def due(s: Session, office_id: str) -> list[LifeMeetingDue]:
    """The office's concluded 谈话函询 whose statement at a 民主生活会/组织生活会 is not recorded yet."""
    found: dict[str, tuple[str, date, list[str]]] = {}
    for case_id, number, concluded, explained, name, status in s.execute(text(QUERY), {"office": office_id}):
        concluded_on = date.fromisoformat(concluded)
        if explained and date.fromisoformat(explained) >= concluded_on:
            continue  # explained after this (latest) 谈话函询
        entry = found.setdefault(case_id, (number, concluded_on, []))
        if not status or status in PARTY_STATUSES:  # the rule speaks of 党员干部
            entry[2].append(name)
    return sorted((LifeMeetingDue(case_id, number, tuple(people), on, due_by(on))
                   for case_id, (number, on, people) in found.items() if people), key=lambda d: d.due)


def talk_summary(wf: Workflow, state: dict) -> str:
    """“函询，情况报告 2026-03-01，采信了结，发函反馈；民主生活会（组织生活会）说明 2026-12-20” for a case that had a 谈话函询, else ""."""
    step = wf.steps.get(TALK_STEP)
    taken = [h for h in state.get("history", []) if h.get("step_id") == TALK_STEP]
    if step is None or not taken:
        return ""
    fields, events = state.get("fields", {}), state.get("events", {})
    dec = step.decision(taken[-1]["decision_id"])
    outcome = dec.title.split("：")[-1] if dec else taken[-1]["decision_id"]
    parts = [str(fields.get(f"{TALK_STEP}.method") or step.title)]
    if fields.get(f"{TALK_STEP}.report_on"):
        parts.append(f"情况报告 {fields[f'{TALK_STEP}.report_on']}")
    parts.append(outcome)
    summary = "，".join(parts)
    if events.get(EXPLAINED):
        summary += f"；民主生活会（组织生活会）说明 {events[EXPLAINED]}"
    return summary
