"""A complaint a higher 纪检监察机关 accepts: this office keeps a register without its content.

《纪检监察机关处理检举控告工作规则》第十五条第二款: 对属于上级纪检监察机关受理的检举控告，不得扩大知情范围，
不得复制、摘抄检举控告内容，不得将有关信息录入检举举报平台. So its 转送登记 holds only the received date,
the channel, the forwarding date, the receiving office and the letter's number; a clue registered with
content and then found to belong upward loses that content when the decision is taken.
第十五条第一款: one about this office's own 主要负责人 goes directly to the higher office — the app can
only require that no administrator (书记/管理员) account registers or forwards it.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from sqlmodel import Session, select

from app.domain import workflow as engine
from app.domain.rules import Workflow
from app.errors import InputError
from app.models import Case, CaseSubject, Clue, ClueSubject, Person, Reporter, StepRecord
from app.storage.store import Store

FORWARD_STEP = "forward_upward"
VIA_HEAD = "经本机关主要负责人报送上一级"
BYPASS = "径送上一级（反映本机关主要负责人）"
# the whole 转送登记: anything else of a complaint would be a copy of it
REGISTER_KEYS = {"received_on", "source", "forward_upward", "about_head"}
KEPT_FIELDS = ("source",)  # of the initial step's fields, the channel stays
ARTICLE = "《纪检监察机关处理检举控告工作规则》第十五条第二款"


def register_data(store: Store, data: dict) -> bool:
    """Check a 转送登记's JSON; True when the complaint is about this office's own head (the bypass)."""
    if data.get("forward_upward") is not True:
        raise InputError("clue_invalid", "转送登记的“forward_upward”应为 true。")
    content = sorted(set(data) - REGISTER_KEYS)
    if content:
        raise InputError("forward_content", f"属上级纪检监察机关受理的检举控告只登记收件日期和来源，不能录入{'、'.join(content)}："
                         f"{ARTICLE}规定不得复制、摘抄检举控告内容，不得扩大知情范围。")
    about_head = data.get("about_head", False)
    if not isinstance(about_head, bool):
        raise InputError("clue_invalid", "“about_head”（是否反映本机关主要负责人）应为 true 或 false。")
    if about_head:
        admin_refusal(store)
    return about_head


def admin_refusal(store: Store) -> None:
    if store.account.is_admin:
        raise InputError("bypass_admin", "反映本机关主要负责人问题的检举控告，应当径送上一级纪检监察机关信访举报部门"
                         "（《纪检监察机关处理检举控告工作规则》第十五条第一款），不经本机关主要负责人：请由工作人员账户登记和办理，"
                         "书记/管理员账户不能办理。")


def bypass_problem(store: Store, state: engine.CaseState, action: engine.Decide) -> engine.Problem | None:
    """The forwarding of a complaint about this office's head is done by no administrator account."""
    if state.step_id != FORWARD_STEP or state.fields.get(f"{FORWARD_STEP}.via") != BYPASS:
        return None
    try:
        admin_refusal(store)
    except InputError as exc:
        return engine.Problem(exc.code, exc.message, {"account": store.account.name})
    return None


def content_free(wf: Workflow, state: engine.CaseState) -> bool:
    """The case took a decision that keeps no content (its 转送登记): none may be added later."""
    for h in state.history:
        step = wf.steps.get(h.step_id)
        decision = step.decision(h.decision_id) if step else None
        if decision is not None and decision.at_registration:
            return True
    return False


def refuse_content(wf: Workflow, state: engine.CaseState, what: str) -> None:
    if content_free(wf, state):
        raise InputError("forward_content", f"这件检举控告属上级纪检监察机关受理，本机关只登记收件和报送情况，不能录入{what}"
                         f"（{ARTICLE}）。")


def without_content(wf: Workflow, state: engine.CaseState) -> engine.CaseState:
    """The state with none of the initial step's content but the channel, and no persons."""
    kept = {f"{wf.initial_step}.{f}" for f in KEPT_FIELDS}
    fields = {k: v for k, v in state.fields.items() if not k.startswith(f"{wf.initial_step}.") or k in kept}
    return replace(state, fields=MappingProxyType(fields), subjects=())


def forget_content(s: Session, wf: Workflow, case: Case) -> None:
    """Remove the rows of a clue registered with content, once it is found to belong upward.

    Synced rows are blanked and tombstoned, so a copy an earlier bundle carried is blanked too;
    the reporter's identity never left this store and is deleted outright.
    """
    clue = s.get(Clue, case.clue_id)
    clue.summary, clue.categories, clue.incoming_no, clue.leader_instruction, clue.real_name = "", [], "", "", False
    s.add(clue)
    for reporter in s.exec(select(Reporter).where(Reporter.clue_id == clue.id)).all():
        s.delete(reporter)
    person_ids = set()
    for link in s.exec(select(ClueSubject).where(ClueSubject.clue_id == clue.id)).all():
        person_ids.add(link.person_id)
        link.deleted = True
        s.add(link)
    for row in s.exec(select(CaseSubject).where(CaseSubject.case_id == case.id)).all():
        person_ids.add(row.person_id)
        blank_subject(row)
        s.add(row)
    s.flush()
    for person_id in person_ids:
        if not still_linked(s, person_id):  # a person of another clue stays in the 廉政档案
            person = s.get(Person, person_id)
            person.name = person.unit = person.post = person.rank = person.category = ""
            person.political_status = person.id_number = ""
            person.person_key = f"forgotten:{person.id}"
            person.deleted = True
            s.add(person)
    kept = {f"{wf.initial_step}.{f}" for f in KEPT_FIELDS}
    for visit in s.exec(select(StepRecord).where(StepRecord.case_id == case.id,
                                                 StepRecord.step_id == wf.initial_step)).all():
        visit.fields = {k: v for k, v in visit.fields.items() if k in kept}
        s.add(visit)


def still_linked(s: Session, person_id: str) -> bool:
    clue_link = s.exec(select(ClueSubject.id).where(ClueSubject.person_id == person_id,
                                                    ClueSubject.deleted == False)).first()  # noqa: E712
    case_link = s.exec(select(CaseSubject.id).where(CaseSubject.person_id == person_id,
                                                    CaseSubject.deleted == False)).first()  # noqa: E712
    return clue_link is not None or case_link is not None


def blank_subject(row: CaseSubject) -> None:
    for name in ("gender", "birth", "ethnicity", "native_place", "education", "political_status", "party_joined",
                 "work_started", "unit_post", "category", "deputy", "statement", "closed_reason"):
        setattr(row, name, "")
    row.deleted = True
