"""Work that travels by sync: county review opinions and 批复 (乡案县审 / 乡镇报批), and clues a
county passes down (上级转办, or 上级交办 by letter).

Single writer per record (DESIGN §5): the county's ReviewOpinion, Clue and Transfer rows stay
county-owned in the township's store. On import the township acts on them with rows of its own:
an opinion fills the step's opinion fields through the same engine action a hand-entered paper
opinion uses, and a transfer becomes a township case (source 上级转办 or 上级交办 as the county's
clue's handling mode says, received on the transfer date) whose ids derive from the transfer's, so
importing the same bundle twice changes nothing.
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
from app.services import cases, persons, ruleset
from app.services import subjects as case_subjects
from app.services.admin_only import require_admin
from app.storage import setting_rows
from app.storage.store import Store

# step → (opinion kind, the step's choice field for the conclusion or None)
REVIEW_STEPS = {"county_review": ("review", "county_opinion"), "county_consult": ("consult", None),
                "county_request": ("approval", "reply")}
# The 批复 answers the 乡镇党委, whose 请示 it is ([P] 第十七条第一款、第三十八条第一款)
KIND_TITLES = {"review": "审核意见（乡案县审）", "consult": "沟通意见（乡镇报批）", "approval": "给乡镇党委的批复（乡镇报批）"}
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
    mode: str  # 转办 (转送) or 交办 (发函交办)


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


# --- county: transfers -------------------------------------------------------------------

def add_transfer(store: Store, to_code: str, data: dict, note: str = "", *, mode: str = "转办",
                 today: date | None = None) -> TransferRow:
    """Register a clue in the county's store and pass it to a township: 转办 (转送, 《纪检监察机关处理检举控告
    工作规则》第十六条) or 交办 (发函交办, 第二十条, which the township must finish within 3 months, 第二十一条)."""
    today = today or date.today()
    if mode not in clue_sources.TRANSFER_MODES:
        raise InputError("transfer_mode_invalid", f"下交方式“{mode}”无法识别，应为“转办”（转送）或“交办”（发函交办）。")
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
                    categories=list(data.get("categories") or []), leader_instruction=str(data.get("leader_instruction") or ""),
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
    return intake_transfers(store, rules, today) + apply_opinions(store, rules, today)


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
        fields = {"source": source, "reporter_real_name": source_clue.real_name, "persons": person_data,
                  "summary": source_clue.summary, "categories": list(source_clue.categories),
                  "incoming_no": source_clue.number, "leader_instruction": transfer.note}
        state = engine.initial_state(rules.workflow, received, {k: v for k, v in fields.items() if v not in ("", [])})
        number = f"{cases.office_prefix(s, store)}纪线〔{received.year}〕{cases.next_number(s, store, 'clue', received.year)}号"
        clue = Clue(id=derived_id(transfer.id, me, "clue"), owner_office_id=me, number=number, received_on=received,
                    source=source, incoming_no=source_clue.number, summary=source_clue.summary,
                    categories=list(source_clue.categories), leader_instruction=transfer.note,
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
    return f"已登记{source}线索 {number}（县纪委编号 {source_clue.number}），自{received.isoformat()}起{limit}{due}。"


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
