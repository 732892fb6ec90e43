"""Work that travels by sync: county review opinions and 批复 (乡案县审 / 乡镇报批), clues a
county passes down (上级转办, 上级交办 by letter, or 指定办理), and its 提级办理 of a township case.

Single writer per record (DESIGN §5): the county's ReviewOpinion, Clue and Transfer rows stay
county-owned in the township's store. On import the township acts on them with rows of its own:
an opinion fills the step's opinion fields through the same engine action a hand-entered paper
opinion uses, and a transfer becomes a township case (source 上级转办 or 上级交办 as the county's
clue's handling mode says, received on the transfer date) whose ids derive from the transfer's, so
importing the same bundle twice changes nothing. A 提级办理 decision is a county-owned opinion of
kind `take_over`; on import it ends the township's case at the rules' take-over step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, select

from app.domain import clue_sources
from app.domain import text_hygiene as hygiene
from app.domain import workflow as engine
from app.domain.errors import DomainError
from app.errors import AppError, InputError
from app.models import Case, Clue, ClueSubject, Office, Person, Reporter, ReviewOpinion, Setting, StepRecord, Transfer
from app.services import case_codec, cases, persons, ruleset
from app.services import subjects as case_subjects
from app.services.admin_only import require_admin
from app.storage import setting_rows
from app.storage.store import Store

# step → (opinion kind, the step's choice field for the conclusion or None)
REVIEW_STEPS = {"county_review": ("review", "county_opinion"), "county_consult": ("consult", None),
                "county_request": ("approval", "reply")}
# The 批复 answers the 乡镇党委, whose 请示 it is ([P] 第十七条第一款、第三十八条第一款)
TAKE_OVER = "take_over"  # the opinion kind of a 提级办理 decision
KIND_TITLES = {"review": "审核意见（乡案县审）", "consult": "沟通意见（乡镇报批）", "approval": "给乡镇党委的批复（乡镇报批）",
               TAKE_OVER: "提级办理决定"}
APPLIED_KEY = "sync_opinions_applied"
ID_NAMESPACE = uuid.UUID("6f1c2a53-8d0e-4c1b-9a57-3e2f4b1d7c90")


@dataclass(frozen=True)
class QueueRow:
    case_id: str
    office_code: str
    office_name: str
    number: str
    persons: str
    step: str
    step_title: str
    kind: str
    kind_title: str
    entered_on: date
    waiting_days: int
    opinion_number: str  # "" while none is recorded for this submission
    choices: tuple[str, ...]


@dataclass(frozen=True)
class OpinionResult:
    opinion_id: str
    case_id: str
    kind: str
    number: str
    issued_on: date
    conclusion: str
    version: int


@dataclass(frozen=True)
class TransferRow:
    transfer_id: str
    clue_number: str
    to_code: str
    to_name: str
    assigned_on: date
    persons: str
    summary: str
    note: str
    township_case: str  # the township's case number once its bundle came back, else ""
    mode: str  # 转办 (转送), 交办 (发函交办) or 指定办理


def derived_id(*parts: str) -> str:
    return uuid.uuid5(ID_NAMESPACE, ":".join(parts)).hex


def subordinate_ids(s: Session, store: Store) -> dict[str, Office]:
    rows = s.exec(select(Office).where(Office.parent_code == store.office.code)).all()
    return {o.id: o for o in rows}


def visit_opinion(s: Session, owner: str, case: Case, kind: str) -> ReviewOpinion | None:
    """The opinion recorded for the case's current visit of the step (issued on or after it began)."""
    return s.exec(select(ReviewOpinion).where(
        ReviewOpinion.owner_office_id == owner, ReviewOpinion.case_id == case.id, ReviewOpinion.kind == kind,
        ReviewOpinion.issued_on >= case.step_entered_on, ReviewOpinion.deleted == False,  # noqa: E712
    ).order_by(ReviewOpinion.issued_on.desc())).first()


def step_choices(rules: ruleset.RuleSet, step_id: str) -> tuple[str, ...]:
    choice_field = REVIEW_STEPS[step_id][1]
    if not choice_field:
        return ()
    f = rules.workflow.steps[step_id].field(choice_field)
    return tuple(f.choices) if f is not None else ()


# --- county: queue and opinions ----------------------------------------------------------

def queue(store: Store, *, today: date | None = None, include_done: bool = False) -> list[QueueRow]:
    """审理/审批队列: subordinate townships' cases waiting at a county step."""
    today = today or date.today()
    rules = ruleset.load(store)
    with store.read() as s:
        below = subordinate_ids(s, store)
        rows = s.exec(select(Case, Clue).join(Clue, Clue.id == Case.clue_id).where(
            Case.step_id.in_(list(REVIEW_STEPS)), Case.deleted == False)).all()  # noqa: E712
        rows = [(c, cl) for c, cl in rows if c.owner_office_id in below]
        names = cases.subject_names(s, [cl.id for _, cl in rows])
        out = []
        for case, clue in rows:
            kind = REVIEW_STEPS[case.step_id][0]
            opinion = visit_opinion(s, store.office.id, case, kind)
            if opinion is not None and not include_done:
                continue
            office = below[case.owner_office_id]
            people = case_subjects.people_line(s, rules, case) or names.get(clue.id, "")
            out.append(QueueRow(case.id, office.code, office.name, case.number or clue.number, people,
                                case.step_id, rules.workflow.steps[case.step_id].title, kind, KIND_TITLES[kind],
                                case.step_entered_on, (today - case.step_entered_on).days,
                                opinion.number if opinion else "", step_choices(rules, case.step_id)))
    return sorted(out, key=lambda r: (r.entered_on, r.office_code, r.number))


def record_opinion(store: Store, case_id: str, number: str, issued_on: date | str, conclusion: str = "",
                   text: str = "", *, today: date | None = None) -> OpinionResult:
    """The county's opinion or 批复 for a township case at a county step (a county-owned record)."""
    require_admin(store)
    today = today or date.today()
    rules = ruleset.load(store)
    issued = cases.parse_date(issued_on, "意见日期", today)
    number = hygiene.clean(number or "", hygiene.NUMBER, "意见（批复）文号")
    conclusion = hygiene.clean(conclusion or "", hygiene.SHORT, "意见结论")
    text = hygiene.clean(text or "", hygiene.LONG, "意见正文")
    if not number:
        raise InputError("opinion_number_missing", "请填写意见（批复）文号。")
    with store.write() as s:
        case = cases.load_case(s, case_id)
        if case.owner_office_id not in subordinate_ids(s, store):
            raise InputError("not_subordinate_case", "这个案件不属于本单位的下级乡镇，不能录入审核意见。")
        if case.step_id not in REVIEW_STEPS:
            title = rules.workflow.steps[case.step_id].title if case.step_id in rules.workflow.steps else case.step_id
            raise InputError("not_waiting_for_county", f"这个案件现处于“{title}”，不在等待县纪委审核或批复的环节。")
        if issued < case.step_entered_on:
            raise InputError("opinion_before_submission", f"意见日期不能早于乡镇报送之日（{case.step_entered_on.isoformat()}）。")
        kind = REVIEW_STEPS[case.step_id][0]
        choices = step_choices(rules, case.step_id)
        conclusion = (conclusion or "").strip()
        if choices and conclusion not in choices:
            raise InputError("bad_conclusion", f"请选择意见结论：{'、'.join(choices)}。")
        opinion = visit_opinion(s, store.office.id, case, kind)
        if opinion is None:
            opinion = ReviewOpinion(owner_office_id=store.office.id, case_id=case.id, kind=kind, number=number,
                                    issued_on=issued, conclusion=conclusion, text=text.strip())
        else:  # a correction of this submission's opinion: a new version of the same record
            opinion.number, opinion.issued_on, opinion.conclusion, opinion.text = number, issued, conclusion, text.strip()
        s.add(opinion)
        s.flush()
        result = OpinionResult(opinion.id, case.id, kind, number, issued, conclusion, opinion.version)
    return result


def record_take_over(store: Store, case_id: str, number: str, decided_on: date | str, reason: str, *,
                     today: date | None = None) -> OpinionResult:
    """The county takes over a township case (提级办理: 监督执纪工作规则第九条 "必要时也可以直接进行审查调查";
    监察法实施条例第四十七条, 2021年文本条号); the decision goes down in the next bundle."""
    require_admin(store)
    today = today or date.today()
    rules = ruleset.load(store)
    decided = cases.parse_date(decided_on, "提级办理决定日期", today)
    number = hygiene.clean(number or "", hygiene.NUMBER, "提级办理决定文号")
    reason = hygiene.clean(reason or "", hygiene.LONG, "提级理由").strip()
    if not number:
        raise InputError("take_over_number_missing", "请填写提级办理决定文号。")
    if not reason:
        # 实施条例第四十七条第一款 names the grounds (重大影响, 涉及多个下级管辖对象, 其他重大复杂案件)
        raise InputError("take_over_reason_missing", "请写明提级理由（如在本辖区有重大影响、涉及多个乡镇的监察对象、调查难度大等）。")
    with store.write() as s:
        case = cases.load_case(s, case_id)
        if case.owner_office_id not in subordinate_ids(s, store):
            raise InputError("not_subordinate_case", "这个案件不属于本单位的下级乡镇，不能提级办理。")
        if engine.terminal_step(rules.workflow, case_codec.from_json(case.state)):
            raise InputError("take_over_case_ended", "这个案件办理流程已结束，不能提级办理。")
        earlier = s.exec(select(ReviewOpinion).where(ReviewOpinion.owner_office_id == store.office.id,
                                                     ReviewOpinion.case_id == case.id, ReviewOpinion.kind == TAKE_OVER,
                                                     ReviewOpinion.deleted == False)).first()  # noqa: E712
        if earlier is not None:
            raise InputError("take_over_recorded", f"已录入这个案件的提级办理决定（{earlier.number}），不能重复录入。")
        opinion = ReviewOpinion(owner_office_id=store.office.id, case_id=case.id, kind=TAKE_OVER, number=number,
                                issued_on=decided, text=reason)
        s.add(opinion)
        s.flush()
        result = OpinionResult(opinion.id, case.id, TAKE_OVER, number, decided, "", opinion.version)
    return result


# --- county: transfers -------------------------------------------------------------------

def add_transfer(store: Store, to_code: str, data: dict, note: str = "", *, mode: str = "转办",
                 today: date | None = None) -> TransferRow:
    """Register a clue in the county's store and pass it to a township: 转办 (转送, 《纪检监察机关处理检举控告
    工作规则》第十六条), 交办 (发函交办, 第二十条, which the township must finish within 3 months, 第二十一条) or
    指定办理 (to a township other than the one that would normally have it, 《监督执纪工作规则》第九条,
    监察法实施条例第四十八条第三款; handled as a 交办, see app/domain/clue_sources.py)."""
    today = today or date.today()
    if mode not in clue_sources.TRANSFER_MODES:
        raise InputError("transfer_mode_invalid",
                         f"下交方式“{mode}”无法识别，应为“转办”（转送）、“交办”（发函交办）或“指定办理”（指定、交叉办理）。")
    if mode == clue_sources.DESIGNATED and not (note or "").strip():
        # 实施条例第四十八条第三款 lists why a case may go to another township; the decision must say which
        raise InputError("designation_reason_missing", "指定办理须写明指定理由（如管辖有争议、有利于案件公正处理、乡镇报请指定等）。")
    if not isinstance(data, dict):
        raise InputError("clue_invalid", "线索数据应为一个 JSON 对象。")
    unknown = sorted(set(data) - cases.CLUE_KEYS)
    if unknown:
        raise InputError("clue_invalid", f"线索数据中有无法识别的项：{'、'.join(unknown)}（格式见 docs/RULES.md）。")
    data = hygiene.clean_tree(data, cases.CLUE_TEXT_KINDS, hygiene.SHORT)
    note = hygiene.clean(note or "", hygiene.LONG, "转办说明")
    received = cases.parse_date(data.get("received_on") or today.isoformat(), "收件日期", today)
    people = data.get("persons") or []
    if not isinstance(people, list) or not people or not all(isinstance(p, dict) for p in people):
        raise InputError("clue_invalid", "请至少填写一名被反映人（persons）。")
    reporter = data.get("reporter") or {}
    if not isinstance(reporter, dict) or set(reporter) - cases.REPORTER_KEYS:
        raise InputError("clue_invalid", f"举报人信息只能包含：{'、'.join(sorted(cases.REPORTER_KEYS))}。")
    with store.write() as s:
        target = s.exec(select(Office).where(Office.code == to_code)).first()
        if target is None or target.parent_code != store.office.code or target.level != "township":
            raise InputError("not_subordinate", f"“{to_code}”不是本单位登记的下级乡镇纪委，不能转办。")
        number = (f"{cases.office_prefix(s, store)}纪线〔{received.year}〕"
                  f"{cases.next_number(s, store, 'clue', received.year)}号")
        me = store.office.id
        clue = Clue(owner_office_id=me, number=number, received_on=received, source=str(data.get("source") or "上级交办"),
                    incoming_no=str(data.get("incoming_no") or ""), summary=str(data.get("summary") or ""),
                    categories=list(cases.clue_categories(data)), leader_instruction=str(data.get("leader_instruction") or ""),
                    real_name=bool(reporter.get("real_name", False)), handling_mode=mode)
        s.add(clue)
        if any(str(reporter.get(k) or "").strip() for k in ("name", "phone", "id_number", "address")):
            s.add(Reporter(owner_office_id=me, clue_id=clue.id,
                           **{k: str(reporter.get(k) or "").strip() for k in ("name", "phone", "id_number", "address")}))
        subjects = []
        for p in people:
            person = persons.upsert(s, store, p)
            if person not in subjects:
                subjects.append(person)
        s.flush()
        s.add_all(ClueSubject(owner_office_id=me, clue_id=clue.id, person_id=p.id) for p in subjects)
        transfer = Transfer(owner_office_id=me, clue_id=clue.id, to_office_id=target.id, assigned_on=today, note=note.strip())
        s.add(transfer)
        s.flush()
        transfer_id = transfer.id
    return next(r for r in list_transfers(store) if r.transfer_id == transfer_id)


def list_transfers(store: Store) -> list[TransferRow]:
    with store.read() as s:
        rows = s.exec(select(Transfer, Clue, Office).join(Clue, Clue.id == Transfer.clue_id)
                      .join(Office, Office.id == Transfer.to_office_id)
                      .where(Transfer.owner_office_id == store.office.id, Transfer.deleted == False)  # noqa: E712
                      .order_by(Transfer.assigned_on.desc())).all()
        names = cases.subject_names(s, [c.id for _, c, _ in rows])
        out = []
        for t, clue, office in rows:
            local = s.get(Case, derived_id(t.id, office.id, "case"))
            township_clue = s.get(Clue, derived_id(t.id, office.id, "clue"))
            shown = (local.number or township_clue.number) if local and township_clue else ""
            out.append(TransferRow(t.id, clue.number, office.code, office.name, t.assigned_on, names.get(clue.id, ""),
                                   clue.summary, t.note, shown, clue.handling_mode))
    return out


# --- township: acting on what arrived ----------------------------------------------------

def after_import(store: Store, *, today: date | None = None) -> list[str]:
    """Turn arrived transfers into cases and arrived opinions into step fields; returns what was done."""
    if store.office.level != "township":
        return []
    today = today or date.today()
    rules = ruleset.load(store)
    return intake_transfers(store, rules, today) + apply_take_overs(store, rules, today) + apply_opinions(store, rules, today)


def intake_transfers(store: Store, rules: ruleset.RuleSet, today: date) -> list[str]:
    me = store.office.id
    with store.read() as s:
        pending = [t for t in s.exec(select(Transfer).where(Transfer.to_office_id == me, Transfer.owner_office_id != me,
                                                            Transfer.deleted == False)).all()  # noqa: E712
                   if s.get(Clue, derived_id(t.id, me, "clue")) is None]
    done = []
    for transfer in pending:
        try:
            done.append(intake_one(store, rules, transfer, today))
        except (AppError, DomainError) as exc:
            done.append(f"上级转办线索未能自动登记：{exc.message}请手工登记。")
    return done


def intake_one(store: Store, rules: ruleset.RuleSet, transfer: Transfer, today: date) -> str:
    me = store.office.id
    with store.write() as s:
        source_clue = s.get(Clue, transfer.clue_id)
        people = s.exec(select(Person).join(ClueSubject, ClueSubject.person_id == Person.id)
                        .where(ClueSubject.clue_id == source_clue.id, ClueSubject.deleted == False)).all()  # noqa: E712
        person_data = [{k: getattr(p, k) for k in persons.PERSON_FIELDS if getattr(p, k)} for p in people]
        reporter = s.exec(select(Reporter).where(Reporter.clue_id == source_clue.id)).first()
        received = min(transfer.assigned_on, today)
        # a county clue from before the split says 转办, which is what the county did: a 转送
        field = rules.workflow.steps[rules.workflow.initial_step].field("source")
        source = clue_sources.passed_down(source_clue.handling_mode, field.choices if field else ())
        instruction = clue_sources.instruction(source_clue.handling_mode, transfer.note)
        fields = {"source": source, "reporter_real_name": source_clue.real_name, "persons": person_data,
                  "summary": source_clue.summary, "categories": list(source_clue.categories),
                  "incoming_no": source_clue.number, "leader_instruction": instruction}
        state = engine.initial_state(rules.workflow, received, {k: v for k, v in fields.items() if v not in ("", [])})
        number = f"{cases.office_prefix(s, store)}纪线〔{received.year}〕{cases.next_number(s, store, 'clue', received.year)}号"
        clue = Clue(id=derived_id(transfer.id, me, "clue"), owner_office_id=me, number=number, received_on=received,
                    source=source, incoming_no=source_clue.number, summary=source_clue.summary,
                    categories=list(source_clue.categories), leader_instruction=instruction,
                    real_name=source_clue.real_name, transferred_from_office_id=transfer.owner_office_id)
        s.add(clue)
        if reporter is not None:
            s.add(Reporter(id=derived_id(transfer.id, me, "reporter"), owner_office_id=me, clue_id=clue.id,
                           name=reporter.name, phone=reporter.phone, id_number=reporter.id_number, address=reporter.address))
        subjects = []
        for data in person_data:
            person = persons.upsert(s, store, data)
            if person not in subjects:
                subjects.append(person)
        s.flush()
        s.add_all(ClueSubject(owner_office_id=me, clue_id=clue.id, person_id=p.id) for p in subjects)
        case = Case(id=derived_id(transfer.id, me, "case"), owner_office_id=me, clue_id=clue.id, stage="", step_id="",
                    step_entered_on=received)
        cases.keep_state(case, rules, state, today)
        s.add(case)
        s.flush()
        rows = [case_subjects.add(s, store, case, p, seq, row_id=derived_id(transfer.id, me, "subject", p.id))
                for seq, p in enumerate(subjects, start=1)]
        s.flush()
        cases.keep_state(case, rules, replace(state, subjects=tuple(case_subjects.engine_subject(s, r) for r in rows)), today)
        s.add(StepRecord(owner_office_id=me, case_id=case.id, seq=1, step_id=state.step_id, entered_on=received))
        due = f"，最近期限：{case.next_due_title}（{case.next_due.isoformat()}）" if case.next_due else ""
    limit = "3个月内办结并报告" if source == clue_sources.ASSIGNED else "5个工作日内完成受理或转办"
    how = "（指定办理）" if source_clue.handling_mode == clue_sources.DESIGNATED else ""
    return f"已登记{source}{how}线索 {number}（县纪委编号 {source_clue.number}），自{received.isoformat()}起{limit}{due}。"


def apply_take_overs(store: Store, rules: ruleset.RuleSet, today: date) -> list[str]:
    """End each case the county took over at the take-over step, once. A signature does not make content
    right: a decision from an office that is not this office's superior, or about a case this office does
    not own, is not carried out and is named."""
    me = store.office.id
    with store.read() as s:
        parent = s.exec(select(Office).where(Office.code == store.office.parent_code)).first()
        row = s.get(Setting, APPLIED_KEY)
        applied = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
        found = [(o, s.get(Case, o.case_id)) for o in s.exec(select(ReviewOpinion).where(
            ReviewOpinion.kind == TAKE_OVER, ReviewOpinion.owner_office_id != me, ReviewOpinion.deleted == False)).all()  # noqa: E712
                 if applied.get(o.id, 0) < o.version]
    done = []
    for opinion, case in found:
        title = f"提级办理决定（{opinion.number}）"
        if parent is None or opinion.owner_office_id != parent.id:
            done.append(f"{title}不是本单位的上级纪委作出的，未予执行，请与县纪委核实。")
        elif case is None or case.deleted or case.owner_office_id != me:
            done.append(f"{title}所指的案件不是本单位的案件，未予执行，请与县纪委核实。")
        else:
            carried_out, text = take_over_one(store, rules, opinion, case.id, today)
            done.append(text)
            if not carried_out:
                continue  # tried again on the next import (e.g. once the rules have the take-over step)
        with store.write() as s:
            row = s.get(Setting, APPLIED_KEY)
            marks = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
            marks[opinion.id] = opinion.version
            setting_rows.put(s, APPLIED_KEY, marks)
    return done


def take_over_one(store: Store, rules: ruleset.RuleSet, opinion: ReviewOpinion, case_id: str,
                  today: date) -> tuple[bool, str]:
    with store.write() as s:
        case = s.get(Case, case_id)
        shown = case.number or s.get(Clue, case.clue_id).number
        before = case_codec.from_json(case.state)
        outcome = engine.take_over(rules.workflow, before, opinion.number, opinion.issued_on, opinion.text)
        if not outcome.ok:
            ended = all(p.code == "case_ended" for p in outcome.problems)  # nothing left to take over: done with
            return ended, f"县纪委提级办理决定（{opinion.number}）未能执行于案件 {shown}：{'；'.join(p.message for p in outcome.problems)}。"
        # the visit it leaves is closed as a decision would close it; the case's own records stay as they are
        visits = s.exec(select(StepRecord).where(StepRecord.case_id == case.id).order_by(StepRecord.seq.desc())).all()
        if visits:
            visits[0].completed_on, visits[0].decision_id = opinion.issued_on, TAKE_OVER
            s.add(visits[0])
        s.add(StepRecord(owner_office_id=store.office.id, case_id=case.id, seq=len(visits) + 1,
                         step_id=outcome.state.step_id, entered_on=opinion.issued_on))
        cases.keep_state(case, rules, outcome.state, today)
        s.add(case)
        title = rules.workflow.steps[outcome.state.step_id].title
    return True, f"案件 {shown} 已按县纪委提级办理决定（{opinion.number}，{opinion.issued_on.isoformat()}）转为“{title}”，期限停止计算。"


def opinion_values(rules: ruleset.RuleSet, step_id: str, opinion: ReviewOpinion) -> dict:
    step = rules.workflow.steps[step_id]
    values = {"county_opinion_no": opinion.number, "county_opinion_date": opinion.issued_on.isoformat()}
    choice_field = REVIEW_STEPS[step_id][1]
    if choice_field and opinion.conclusion in step_choices(rules, step_id):
        values[choice_field] = opinion.conclusion
    if opinion.text and step.field("opinion_summary") is not None:
        values["opinion_summary"] = opinion.text
    return values


def apply_opinions(store: Store, rules: ruleset.RuleSet, today: date) -> list[str]:
    me = store.office.id
    with store.read() as s:
        row = s.get(Setting, APPLIED_KEY)
        applied = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
        found = s.exec(select(ReviewOpinion, Case).join(Case, Case.id == ReviewOpinion.case_id).where(
            Case.owner_office_id == me, ReviewOpinion.owner_office_id != me, ReviewOpinion.deleted == False)).all()  # noqa: E712
    done = []
    for opinion, case in found:
        if applied.get(opinion.id, 0) >= opinion.version:
            continue
        step_kind = REVIEW_STEPS.get(case.step_id, ("", None))[0]
        if step_kind != opinion.kind or opinion.issued_on < case.step_entered_on:
            continue  # the case is no longer (or not yet) at the step this opinion answers
        values = opinion_values(rules, case.step_id, opinion)
        current = case.state.get("fields", {})
        changed = {k: v for k, v in values.items() if current.get(f"{case.step_id}.{k}") != v}
        try:
            if changed:
                cases.act(store, case.id, {"type": "set_fields", "values": changed}, today=today, rules=rules)
                done.append(f"已按县纪委{KIND_TITLES[opinion.kind]}（{opinion.number}）填写案件 {case.number or case.id[:8]} 的意见栏。")
        except AppError as exc:
            done.append(f"县纪委{KIND_TITLES[opinion.kind]}（{opinion.number}）未能自动填入：{exc.message}")
            continue
        with store.write() as s:
            row = s.get(Setting, APPLIED_KEY)
            marks = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
            marks[opinion.id] = opinion.version
            setting_rows.put(s, APPLIED_KEY, marks)
    return done
