"""What the case screen shows beside `cases.show_case`: the clue's own facts, the collective
studies, and the case's history told from the audit log.

The audit log names rows and fields, never values (app/storage/audit.py); the history joins each
event to the row it names (a decision, a study, a sanction, a step visit …) to say in words what
happened, who did it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from collections.abc import Callable
from sqlmodel import select

from app.domain.errors import DomainError
from app.domain.rules import UNITS
from app.domain.workflow import ProposedSanction
from app.errors import InputError
from app.models import (
    AuditEvent,
    Case,
    Clue,
    ClueSubject,
    CollectiveStudy,
    DeadlineExtension,
    Decision,
    Person,
    Reporter,
    Sanction,
    StepRecord,
)
from app.services import case_codec, ruleset
from app.services.cases import office_prefix
from app.services.ruleset import RuleSet
from app.storage.store import Store

AUDIT_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class PersonInfo:
    person_id: str
    name: str
    unit: str
    post: str
    rank: str
    category: str
    political_status: str


@dataclass(frozen=True)
class StudyInfo:
    step_id: str
    step_title: str
    round: int
    held_on: date
    attendees: tuple[str, ...]
    conclusion: str
    current: bool  # counts for the step and round the case is at now


@dataclass(frozen=True)
class CaseDetails:
    case_id: str
    clue_id: str
    owned: bool  # this office may act on the case
    received_on: date
    source: str
    incoming_no: str
    categories: tuple[str, ...]
    leader_instruction: str
    real_name: bool
    reporter_recorded: bool
    handling_mode: str
    persons: tuple[PersonInfo, ...]
    studies: tuple[StudyInfo, ...]
    proposed_sanctions: tuple[ProposedSanction, ...]  # recorded at the current state, not yet decided


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    at: str  # local time, "YYYY-MM-DD HH:MM"
    account: str
    text: str


def details(store: Store, case_id: str, *, rules: RuleSet | None = None) -> CaseDetails:
    rules = rules or ruleset.load(store)
    with store.read() as s:
        case = s.get(Case, case_id)
        if case is None or case.deleted:
            raise InputError("no_case", "找不到这个案件，可能已被删除。请返回列表刷新。")
        clue = s.get(Clue, case.clue_id)
        people = s.exec(
            select(Person).join(ClueSubject, ClueSubject.person_id == Person.id)
            .where(ClueSubject.clue_id == clue.id, ClueSubject.deleted == False)  # noqa: E712
            .order_by(ClueSubject.created_at)
        ).all()
        recorded = s.exec(select(Reporter.id).where(Reporter.clue_id == clue.id, Reporter.deleted == False)).first()  # noqa: E712
        state = case_codec.from_json(case.state)
        persons = tuple(PersonInfo(p.id, p.name, p.unit, p.post, p.rank, p.category, p.political_status) for p in people)
        owned = case.owner_office_id == store.office.id
    wf = rules.workflow
    visits = 1 + sum(h.step_id == state.step_id for h in state.history)
    studies = tuple(
        StudyInfo(st.step_id, wf.steps[st.step_id].title if st.step_id in wf.steps else st.step_id, st.round,
                  st.held_on, st.attendees, st.conclusion, st.step_id == state.step_id and st.round == visits)
        for st in state.studies
    )
    return CaseDetails(case.id, clue.id, owned, clue.received_on, clue.source, clue.incoming_no,
                       tuple(clue.categories or ()), clue.leader_instruction, clue.real_name, recorded is not None,
                       clue.handling_mode, persons, studies, tuple(state.sanctions))


def number_example(store: Store) -> str:
    """How this office's clue numbers look, e.g. 红星纪线〔2026〕1号."""
    with store.read() as s:
        prefix = office_prefix(s, store)
    return f"{prefix}纪线〔{date.today().year}〕1号"


def local_time(at: str) -> str:
    try:
        moment = datetime.strptime(at, AUDIT_TIME).replace(tzinfo=UTC)
    except ValueError:
        return at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def history(store: Store, case_id: str, *, rules: RuleSet | None = None) -> list[HistoryRow]:
    """The audit events of the case and of the rows that belong to it, newest first, in words."""
    rules = rules or ruleset.load(store)
    wf = rules.workflow
    with store.read() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise InputError("no_case", "找不到这个案件，可能已被删除。请返回列表刷新。")
        clue = s.get(Clue, case.clue_id)
        texts: dict[str, Callable[[str, str], str | None]] = {}

        def step_title(step_id: str) -> str:
            return wf.steps[step_id].title if step_id in wf.steps else step_id

        def sanction_name(type_id: str) -> str:
            try:
                return rules.catalog.get(type_id).name
            except DomainError:
                return type_id

        def case_text(action: str, summary: str) -> str | None:
            if action in ("create", "delete"):
                return "建立案件" if action == "create" else "删除案件"
            if "number" in summary:
                return f"编立案号：{case.number}" if case.number else "修改案件编号"
            # a move to another step is told by its decision and step visit
            return None if "step_id" in summary else "更新必办事项或环节信息"

        texts[f"case:{case.id}"] = case_text
        texts[f"clue:{clue.id}"] = lambda action, summary: {
            "create": f"登记线索（{clue.number}）",
            "view_reporter": "查看举报人信息",
        }.get(action, "修改线索信息")
        for r in s.exec(select(Reporter).where(Reporter.clue_id == clue.id)).all():
            texts[f"reporter:{r.id}"] = lambda action, summary: (
                "录入举报人信息（内容受保护）" if action == "create" else "修改举报人信息（内容受保护）")
        for link, name in s.exec(select(ClueSubject, Person.name).join(Person, Person.id == ClueSubject.person_id)
                                 .where(ClueSubject.clue_id == clue.id)).all():
            texts[f"clue_subject:{link.id}"] = lambda action, summary, name=name: (
                f"列为被反映人：{name}" if action == "create" else f"修改被反映人：{name}")
        for v in s.exec(select(StepRecord).where(StepRecord.case_id == case.id)).all():
            texts[f"step_record:{v.id}"] = lambda action, summary, v=v: (
                f"进入环节：{step_title(v.step_id)}" if action == "create" else None)
        for st in s.exec(select(CollectiveStudy).where(CollectiveStudy.case_id == case.id)).all():
            texts[f"collective_study:{st.id}"] = lambda action, summary, st=st: (
                f"录入集体研究（{step_title(st.step_id)}，{st.held_on.isoformat()}，{len(st.attendees)}人参加）")
        for d in s.exec(select(Decision).where(Decision.case_id == case.id)).all():
            rule = wf.steps[d.step_id].decision(d.decision_id) if d.step_id in wf.steps else None
            approver = f"，审批人：{d.approver}" if d.approver else ""
            texts[f"decision:{d.id}"] = lambda action, summary, d=d, rule=rule, approver=approver: (
                f"作出决定：{rule.title if rule else d.decision_id}（{d.decided_on.isoformat()}{approver}）")
        for e in s.exec(select(DeadlineExtension).where(DeadlineExtension.case_id == case.id)).all():
            rule = wf.deadline(e.deadline_id)
            texts[f"deadline_extension:{e.id}"] = lambda action, summary, e=e, rule=rule: (
                f"延长期限：{rule.title if rule else e.deadline_id}，延长{e.length}{UNITS.get(e.unit, e.unit)}（批准人：{e.approved_by}）")
        for x in s.exec(select(Sanction).where(Sanction.case_id == case.id)).all():
            texts[f"sanction:{x.id}"] = lambda action, summary, x=x: (
                f"录入拟给予的处分（处理）：{sanction_name(x.type_id)}" if action == "create"
                else f"撤销拟给予的处分（处理）：{sanction_name(x.type_id)}" if "deleted" in summary and x.deleted
                else f"处分（处理）生效：{sanction_name(x.type_id)}"
                     + (f"，影响期至{x.effect_end.isoformat()}" if x.effect_end and x.effect_end != x.decided_on else ""))
        events = s.exec(select(AuditEvent).where(AuditEvent.entity.in_(list(texts)))
                        .order_by(AuditEvent.seq.desc())).all()
        rows: list[HistoryRow] = []
        repeats = 1
        for ev in events:
            described = texts[ev.entity](ev.action, ev.summary)
            if not described:
                continue
            at = local_time(ev.at)
            last = rows[-1] if rows else None
            # ticking four checklist items is four events: one line "…（4次）" reads better
            if last and last.at == at and last.account == ev.account and last.text.split("（")[0] == described:
                repeats += 1
                rows[-1] = HistoryRow(last.seq, at, ev.account, f"{described}（{repeats}次）")
                continue
            repeats = 1
            rows.append(HistoryRow(ev.seq, at, ev.account, described))
    return rows

