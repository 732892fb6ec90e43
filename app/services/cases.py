"""Case use cases: register a clue, list and show cases, apply one workflow action.

The engine decides (app.domain.workflow); this module loads the state, hands it over and keeps
what it returns, together with the fact rows (decisions, studies, extensions, sanctions, step
visits) that statistics, the archive and bundles read. A refused action writes nothing.
"""

from __future__ import annotations

import unicodedata

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.domain import legacy_outcome
from app.domain import text_hygiene as hygiene
from app.domain import workflow as engine
from app.domain.deadlines import deadline_state
from app.domain.errors import DomainError
from app.domain.sanctions import effect_period
from app.errors import InputError
from app.models import (
    Account,
    Case,
    CaseSubject,
    Clue,
    ClueSubject,
    CollectiveStudy,
    Counter,
    DeadlineExtension,
    Decision,
    Office,
    Person,
    Reporter,
    Sanction,
    StepRecord,
)
from app.services import case_codec, document_gate, persons, practice_flag, probation, repeat_complaints, ruleset
from app.services import appeal_body, upward_complaint
from app.services import subjects as case_subjects
from app.services.ruleset import RuleSet
from app.storage.store import Store

CLUE_KEYS = {"received_on", "source", "reporter", "persons", "summary", "categories", "incoming_no",
             "leader_instruction", "ref", "repeat_complaint", "repeat_of"}
REPORTER_KEYS = {"name", "phone", "id_number", "address", "real_name"}
EARLIEST_DATE = date(2000, 1, 1)
# the kind of each text of the clue JSON (and of its persons and reporter); any other text is one line
CLUE_TEXT_KINDS = {"summary": hygiene.LONG, "leader_instruction": hygiene.LONG, "name": hygiene.NAME,
                   "id_number": hygiene.NUMBER, "phone": hygiene.NUMBER, "incoming_no": hygiene.NUMBER,
                   "ref": hygiene.NUMBER}
# step fields and subject actions: names and numbers by their key, any other text may have lines
ACTION_TEXT_KINDS = {"name": hygiene.NAME, "approver": hygiene.NAME, "approved_by": hygiene.NAME,
                     "attendees": hygiene.NAME, "handler": hygiene.NAME, "number": hygiene.NUMBER,
                     "id_number": hygiene.NUMBER, "document_no": hygiene.NUMBER, "archive_no": hygiene.NUMBER,
                     "incoming_no": hygiene.NUMBER, "ref": hygiene.NUMBER, "repeat_of": hygiene.NUMBER,
                     **dict.fromkeys(("subject", "ethnicity", "native_place", "education", "unit_post", "occurred",
                                      "kind", "title", "source", "organ", "unit", "post"), hygiene.SHORT)}
RUNNING_STATES = ("normal", "due_soon", "overdue")


class ActionRefused(InputError):
    """The engine refused the action; `problems` say why, in words the UI can show."""

    def __init__(self, problems: tuple[engine.Problem, ...]):
        text = "；".join(p.message for p in problems)
        super().__init__(problems[0].code if problems else "refused", f"操作未执行：{text}",
                         {"problems": [problem_json(p) for p in problems]})
        self.problems = problems


def problem_json(p: engine.Problem) -> dict:
    return {"code": p.code, "message": p.message, **case_codec.thawed(dict(p.detail))}


@dataclass(frozen=True)
class RegisterResult:
    case_id: str
    clue_id: str
    number: str
    persons: tuple[persons.PersonFlagRow, ...]


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    number: str
    persons: str
    source: str
    stage: str
    stage_title: str
    step: str
    step_title: str
    next_due: date | None
    next_due_title: str
    due_state: str  # "" when nothing runs
    received_on: date


@dataclass(frozen=True)
class ActResult:
    case_id: str
    stage: str
    step: str
    events_set: dict = field(default_factory=dict)


# --- helpers ----------------------------------------------------------------------------

def parse_date(value: Any, what: str, today: date) -> date:
    try:
        d = date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError("bad_date", f"{what}“{value}”不是有效日期，应写成 2026-03-02 的形式。") from exc
    if not EARLIEST_DATE <= d <= today:
        raise InputError("date_out_of_range", f"{what}“{d.isoformat()}”超出范围：应在2000年1月1日至今天之间。")
    return d


def next_number(s: Session, store: Store, kind: str, year: int) -> int:
    """Gap-free sequence: the counter moves in the caller's transaction (BEGIN IMMEDIATE)."""
    counter = s.get(Counter, (store.office.id, kind, year))
    if counter is None:
        counter = Counter(office_id=store.office.id, kind=kind, year=year, value=0)
    counter.value += 1
    s.add(counter)
    return counter.value


def clue_categories(data: dict) -> list[str]:
    """A clue's 问题类别 as given in a clue's JSON: a list of texts (what every reader of them expects)."""
    categories = data.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise InputError("clue_invalid", "问题类别（categories）应为文字列表，如 [\"其他\"]。")
    return categories


def office_prefix(s: Session, store: Store) -> str:
    office = s.get(Office, store.office.id)
    return office.abbr or office.code


def running_deadlines(view: engine.CaseView) -> list[engine.DeadlineView]:
    return sorted((d for d in view.deadlines if d.state in RUNNING_STATES), key=lambda d: d.due)


def evaluate(rules: RuleSet, state: engine.CaseState, today: date) -> engine.CaseView:
    return engine.evaluate(rules.workflow, state, today=today, cal=rules.calendar,
                           sanctions_catalog=rules.catalog, due_soon_wd=rules.due_soon_wd)


def keep_state(case: Case, rules: RuleSet, state: engine.CaseState, today: date) -> None:
    """Write the engine state and the columns derived from it that lists sort and filter on."""
    case.state = case_codec.to_json(state)
    case.step_id = state.step_id
    case.step_entered_on = state.entered_on
    case.stage = rules.workflow.stage_of(state.step_id).id
    running = running_deadlines(evaluate(rules, state, today))
    case.next_due = running[0].due if running else None
    case.next_due_title = running[0].title if running else ""


def owned_case(s: Session, store: Store, case_id: str) -> Case:
    """A case this office works on: another office's copy (received in a bundle) is only shown."""
    case = load_case(s, case_id)
    if case.owner_office_id != store.office.id:
        raise InputError("not_owner", "这个案件属于其他单位，本单位只能查看，不能办理。")
    return case


def load_case(s: Session, case_id: str) -> Case:
    case = s.get(Case, case_id)
    if case is None or case.deleted:
        raise InputError("no_case", f"找不到案件“{case_id}”。")
    return case


# --- register ---------------------------------------------------------------------------

def clue_text(data: dict, key: str) -> str:
    """A text item of the clue JSON: absent or null is empty, anything but text is refused."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError("clue_invalid", f"线索数据中的“{key}”应为文字。")
    return value


def register_clue(store: Store, data: dict, *, today: date | None = None, demo: bool = False,
                  rules: RuleSet | None = None) -> RegisterResult:
    today = today or date.today()
    rules = rules or ruleset.load(store)
    if not isinstance(data, dict):
        raise InputError("clue_invalid", "线索数据应为一个 JSON 对象。")
    if "forward_upward" in data:  # a complaint a higher body accepts keeps no content ([J] 第十五条第二款)
        return register_forwarded(store, data, today=today, demo=demo, rules=rules)
    unknown = sorted(set(data) - CLUE_KEYS)
    if unknown:
        raise InputError("clue_invalid", f"线索数据中有无法识别的项：{'、'.join(unknown)}（格式见 docs/RULES.md）。")
    data = hygiene.clean_tree(data, CLUE_TEXT_KINDS, hygiene.SHORT)
    received = parse_date(data.get("received_on"), "收件日期", today)
    reporter = data.get("reporter") or {}
    if not isinstance(reporter, dict) or set(reporter) - REPORTER_KEYS:
        raise InputError("clue_invalid", f"举报人信息只能包含：{'、'.join(sorted(REPORTER_KEYS))}。")
    identity = {k: str(reporter.get(k) or "").strip() for k in ("name", "phone", "id_number", "address")}
    if any(identity.values()) and not store.account.is_admin:
        raise InputError("reporter_admin_only", "举报人身份信息只能由书记/管理员录入；工作人员请只勾选是否实名举报。")
    people = data.get("persons") or []
    if not isinstance(people, list) or not people or not all(isinstance(p, dict) for p in people):
        raise InputError("clue_invalid", "请至少填写一名被反映人（persons）。")
    texts = {key: clue_text(data, key) for key in ("source", "summary", "incoming_no", "leader_instruction", "ref")}
    if not texts["source"].strip():
        raise InputError("clue_invalid", "请填写线索来源（source），如“信访举报（来信）”。")
    categories = clue_categories(data)
    with store.read() as s:
        repeat = repeat_complaints.checked(s, store, data.get("repeat_complaint"), data.get("repeat_of"), received)
    fields = {
        **texts,
        "reporter_real_name": bool(reporter.get("real_name", False)),
        "persons": people,
        "categories": categories,
        **repeat,
    }
    state = engine.initial_state(rules.workflow, received, {k: v for k, v in fields.items() if v not in ("", [])})
    with store.write() as s:
        number = f"{office_prefix(s, store)}纪线〔{received.year}〕{next_number(s, store, 'clue', received.year)}号"
        clue = Clue(owner_office_id=store.office.id, number=number, received_on=received, source=fields["source"],
                    incoming_no=fields["incoming_no"], summary=fields["summary"], categories=list(fields["categories"]),
                    leader_instruction=fields["leader_instruction"], real_name=fields["reporter_real_name"], is_demo=demo)
        s.add(clue)
        if any(identity.values()):
            s.add(Reporter(owner_office_id=store.office.id, clue_id=clue.id, **identity))
        subjects = []
        for person_data in people:
            person = persons.upsert(s, store, person_data)
            if person not in subjects:
                subjects.append(person)
        # parents before children: the tables declare foreign keys but no ORM relationships
        s.flush()
        s.add_all(ClueSubject(owner_office_id=store.office.id, clue_id=clue.id, person_id=p.id) for p in subjects)
        case = Case(owner_office_id=store.office.id, clue_id=clue.id, stage="", step_id="", step_entered_on=received)
        keep_state(case, rules, state, today)
        s.add(case)
        s.flush()
        rows = [case_subjects.add(s, store, case, p, seq) for seq, p in enumerate(subjects, start=1)]
        s.flush()
        keep_state(case, rules, replace(state, subjects=tuple(case_subjects.engine_subject(s, r) for r in rows)), today)
        s.add(StepRecord(owner_office_id=store.office.id, case_id=case.id, seq=1, step_id=state.step_id,
                         entered_on=received))
        s.flush()
        flag_rows = persons.flags(s, subjects, today)
    return RegisterResult(case.id, clue.id, number, tuple(flag_rows))


def register_forwarded(store: Store, data: dict, *, today: date, demo: bool, rules: RuleSet) -> RegisterResult:
    """The 转送登记: received on, channel and the decision to forward, nothing of the complaint itself."""
    about_head = upward_complaint.register_data(store, data)
    data = hygiene.clean_tree(data, CLUE_TEXT_KINDS, hygiene.SHORT)
    received = parse_date(data.get("received_on"), "收件日期", today)
    source = clue_text(data, "source").strip()
    if not source:
        raise InputError("clue_invalid", "请填写线索来源（source），如“信访举报（来信）”。")
    wf = rules.workflow
    decision = next(d for d in wf.steps[wf.initial_step].decisions if d.target == upward_complaint.FORWARD_STEP)
    try:
        state = engine.initial_state(wf, received, {"source": source}, decision_id=decision.id)
    except DomainError as exc:
        raise InputError(exc.code, exc.message, exc.detail) from exc
    via = upward_complaint.BYPASS if about_head else upward_complaint.VIA_HEAD
    outcome = engine.apply(wf, state, engine.SetFields({"via": via}), today=today, cal=rules.calendar,
                           sanctions_catalog=rules.catalog)
    if not outcome.ok:
        raise ActionRefused(outcome.problems)
    owner = store.office.id
    with store.write() as s:
        number = f"{office_prefix(s, store)}纪线〔{received.year}〕{next_number(s, store, 'clue', received.year)}号"
        clue = Clue(owner_office_id=owner, number=number, received_on=received, source=source, is_demo=demo)
        s.add(clue)
        s.flush()
        case = Case(owner_office_id=owner, clue_id=clue.id, stage="", step_id="", step_entered_on=received)
        keep_state(case, rules, outcome.state, today)
        s.add(case)
        s.flush()
        s.add(Decision(owner_office_id=owner, case_id=case.id, step_id=wf.initial_step, decision_id=decision.id,
                       decided_on=received, decided_by=store.account.name))
        s.add(StepRecord(owner_office_id=owner, case_id=case.id, seq=1, step_id=wf.initial_step, entered_on=received,
                         fields={f"{wf.initial_step}.source": source}, completed_on=received,
                         completed_by=store.account.name, decision_id=decision.id))
        s.add(StepRecord(owner_office_id=owner, case_id=case.id, seq=2, step_id=outcome.state.step_id,
                         entered_on=received))
    return RegisterResult(case.id, clue.id, number, ())


# --- list and show ----------------------------------------------------------------------

def subject_names(s: Session, clue_ids: list[str]) -> dict[str, str]:
    rows = s.exec(
        select(ClueSubject.clue_id, Person.name)
        .join(Person, Person.id == ClueSubject.person_id)
        .where(ClueSubject.clue_id.in_(clue_ids), ClueSubject.deleted == False)  # noqa: E712
        .order_by(ClueSubject.created_at)
    ).all()
    names: dict[str, list[str]] = {}
    for clue_id, name in rows:
        names.setdefault(clue_id, []).append(name)
    return {k: "、".join(v) for k, v in names.items()}


def list_cases(store: Store, *, stage: str | None = None, overdue: bool = False, today: date | None = None,
               rules: RuleSet | None = None) -> list[CaseRow]:
    today = today or date.today()
    rules = rules or ruleset.load(store)
    if stage and stage not in {st.id for st in rules.workflow.stages}:
        known = "、".join(f"{st.id}（{st.title}）" for st in rules.workflow.stages)
        raise InputError("bad_stage", f"没有“{stage}”这个阶段。可选：{known}")
    # columns only: a list of thousands of cases must not load each case's engine state
    query = (
        select(Case.id, Case.number, Case.stage, Case.step_id, Case.next_due, Case.next_due_title,
               Clue.id.label("clue_id"), Clue.number.label("clue_number"), Clue.source, Clue.received_on)
        .join(Clue, Clue.id == Case.clue_id)
        .where(Case.deleted == False)  # noqa: E712
    )
    if stage:
        query = query.where(Case.stage == stage)
    if overdue:
        query = query.where(Case.next_due < today)
    with store.read() as s:
        rows = s.exec(query.order_by(Clue.received_on.desc(), Clue.number.desc())).all()
        names = subject_names(s, [r.clue_id for r in rows])
    wf = rules.workflow
    stage_titles = {st.id: st.title for st in wf.stages}
    out = []
    for r in rows:
        state = deadline_state(r.next_due, today, rules.calendar, rules.due_soon_wd).state if r.next_due else ""
        # a step or stage the rules in force do not know (an older rules version) is listed by its id
        step = wf.steps.get(r.step_id)
        out.append(CaseRow(r.id, r.number or r.clue_number, names.get(r.clue_id, ""), r.source, r.stage,
                           stage_titles.get(r.stage, r.stage), r.step_id, step.title if step else r.step_id, r.next_due,
                           r.next_due_title, state, r.received_on))
    return out


def case_state(store: Store, case_id: str) -> engine.CaseState:
    with store.read() as s:
        return case_codec.from_json(load_case(s, case_id).state)


def show_case(store: Store, case_id: str, *, today: date | None = None, rules: RuleSet | None = None) -> dict:
    """Everything `case show` and the case screen need, JSON-ready."""
    today = today or date.today()
    rules = rules or ruleset.load(store)
    with store.read() as s:
        case = load_case(s, case_id)
        clue = s.get(Clue, case.clue_id)
        people = s.exec(
            select(Person).join(ClueSubject, ClueSubject.person_id == Person.id)
            .where(ClueSubject.clue_id == clue.id, ClueSubject.deleted == False)  # noqa: E712
        ).all()
        flag_rows = persons.flags(s, list(people), today)
        sanctions = s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.deleted == False)).all()  # noqa: E712
        state = case_codec.from_json(case.state)
        subject_rows = case_subjects.show(s, rules, case, state, list(sanctions))
        out_of_range = case_subjects.range_problems(s, rules, case, state)
        appeal_problems = appeal_body.problems(s, rules, case.id, state)
        links = state.fields.get(f"{rules.workflow.initial_step}.{repeat_complaints.LINKS}") or ()
        repeat_of = repeat_complaints.links_of(s, links, clue.owner_office_id)
        repeated_by = repeat_complaints.repeated_by(s, clue, rules.workflow.initial_step)
    view = with_appeal_problems(with_range_problems(rules, evaluate(rules, state, today), out_of_range), appeal_problems)
    wf = rules.workflow
    return {
        "case_id": case.id,
        "number": case.number or clue.number,
        "clue_number": clue.number,
        "received_on": clue.received_on.isoformat(),
        "source": clue.source,
        "summary": clue.summary,
        "repeat_of": repeat_of,  # 重复件: the earlier clues it names (处理检举控告工作规则第十四条)
        "repeated_by": repeated_by,  # later repeat complaints naming this clue
        "persons": [{"name": f.name, "unit": f.unit, "flags": list(f.flags), "flag_labels": list(f.labels)} for f in flag_rows],
        "stage": {"id": view.stage.id, "title": view.stage.title},
        "step": {"id": view.step.id, "title": view.step.title, "round": view.round, "entered_on": state.entered_on.isoformat()},
        "stage_path": [{"id": st.id, "title": st.title, "side": st.side} for st in view.stage_path],
        "terminal": view.terminal,
        "required": [{"kind": r.kind, "id": r.id, "label": r.label} for r in view.open_items],
        "decisions": [
            {"id": d.id, "title": d.title, "target": d.target_step, "enabled": d.enabled,
             "approver_role": d.approver_role, "problems": [problem_json(p) for p in d.problems]}
            for d in view.decisions
        ],
        "deadlines": [
            {"id": d.id, "title": d.title, "start": d.start.isoformat(), "due": d.due.isoformat(), "state": d.state,
             "label": d.label, "working_days_left": d.working_days_left, "extended": d.extended,
             "met_on": d.met_on.isoformat() if d.met_on else None, "warnings": list(d.warnings)}
            for d in view.deadlines
        ],
        "documents_expected": list(view.documents_expected),
        "warnings": list(view.warnings),
        "sanctions": [
            {"type_id": x.type_id, "name": rules.catalog.get(x.type_id).name, "form": x.form,
             "decided_on": x.decided_on.isoformat() if x.decided_on else None,
             "effect_end": x.effect_end.isoformat() if x.effect_end else None}
            for x in sanctions
        ],
        "history": [
            {"step": h.step_id, "step_title": wf.steps[h.step_id].title if h.step_id in wf.steps else h.step_id,
             "decision": h.decision_id, "decided_on": h.decided_on.isoformat(), "approver": h.approver}
            for h in state.history
        ],
        "fields": case_codec.thawed(dict(state.fields)),
        "checklist_done": sorted(state.checklist),
        "subjects": subject_rows,
        # 补录 from an old 台账: file, row, who, and the checks not made at the time (None otherwise)
        "backfill": legacy_outcome.backfill_view(wf, case.backfill),
    }


# --- act --------------------------------------------------------------------------------

def act(store: Store, case_id: str, action_data: dict, *, today: date | None = None,
        rules: RuleSet | None = None) -> ActResult:
    """Apply one action; ActionRefused (exit 2) with the engine's problems when a gate blocks it."""
    today = today or date.today()
    rules = rules or ruleset.load(store)
    action_data = hygiene.clean_tree(action_data, ACTION_TEXT_KINDS, hygiene.LONG)
    if isinstance(action_data, dict) and isinstance(action_data.get("type"), str) \
            and action_data["type"] in case_subjects.SUBJECT_ACTIONS:
        upward_complaint.refuse_content(rules.workflow, case_state(store, case_id), "被反映人的情况")
        return act_on_subject(store, case_id, action_data, today, rules)
    if isinstance(action_data, dict) and action_data.get("type") == probation.ACTION:
        # 察看期满 comes after archiving as a rule: it changes sanctions, not the case's step
        with store.write() as s:
            case = owned_case(s, store, case_id)
            probation.act(s, rules, case, action_data, today)
        return ActResult(case.id, case.stage, case.step_id)
    try:
        action = engine.action_from_dict(action_data)
    except DomainError as exc:
        raise InputError(exc.code, exc.message, exc.detail) from exc
    if isinstance(action, engine.Decide):
        practice_flag.check_decision(store, case_id, action, rules)  # a practice store grades it first
    with store.write() as s:
        case = owned_case(s, store, case_id)
        before = case_codec.from_json(case.state)
        action = with_subject_id(s, rules, case, before, action, today)
        outcome = engine.apply(rules.workflow, before, action, today=today, cal=rules.calendar,
                               sanctions_catalog=rules.catalog)
        if not outcome.ok:
            raise ActionRefused(outcome.problems)
        if isinstance(action, engine.Decide) and needs_qualification(rules, before, action.decision_id):
            out_of_range = case_subjects.range_problems(s, rules, case, before)
            if out_of_range:
                raise ActionRefused(tuple(out_of_range))
        if isinstance(action, engine.Decide):
            wrong_body = (approver_problem(s, rules, before, action) or upward_complaint.bypass_problem(store, before, action)
                          or appeal_body.problem(s, rules, case.id, before, action.decision_id))
            if wrong_body:
                raise ActionRefused((wrong_body,))
            if rules.workflow.steps[before.step_id].decision(action.decision_id).at_registration:
                # found to belong upward after it was registered with content: none of it is kept
                upward_complaint.forget_content(s, rules.workflow, case)
                before = upward_complaint.without_content(rules.workflow, before)
                outcome = replace(outcome, state=upward_complaint.without_content(rules.workflow, outcome.state))
        if isinstance(action, engine.SetFields) and before.step_id == rules.workflow.initial_step:
            check_repeat_links(s, store, rules, case, before, action)
        record_facts(s, store, rules, case, before, outcome, action)
        keep_state(case, rules, outcome.state, today)
        if isinstance(action, engine.Decide):
            document_gate.fill_number_fields(s, rules, case)  # the 处分决定书文号 its act just took
        s.add(case)
    return ActResult(case.id, case.stage, case.step_id, {k: v.isoformat() for k, v in outcome.events_set.items()})


PARTY_SECRETARY = "乡镇党委书记"
ACCUSATION_BODY = "设区的市级以上党委或纪检监察机关"
# approvers outside this 纪委, with what to write instead of one of its accounts
OUTSIDE_APPROVERS = {PARTY_SECRETARY: f"{PARTY_SECRETARY}的姓名", ACCUSATION_BODY: "批准机关及其签批人"}


def check_repeat_links(s: Session, store: Store, rules: RuleSet, case: Case, before: engine.CaseState,
                       action: engine.SetFields) -> None:
    """A repeat complaint flagged or linked at intake names earlier clues of this office (InputError if not)."""
    keys = (repeat_complaints.FLAG, repeat_complaints.LINKS)
    if not set(keys) & set(action.values):
        return
    step = rules.workflow.initial_step
    merged = {k: before.fields.get(f"{step}.{k}") for k in keys}
    merged.update({k: v for k, v in action.values.items() if k in merged})
    clue = s.get(Clue, case.clue_id)
    repeat_complaints.checked(s, store, merged[repeat_complaints.FLAG], merged[repeat_complaints.LINKS], clue.received_on,
                              clue.number)


def approver_problem(s: Session, rules: RuleSet, state: engine.CaseState, action: engine.Decide) -> engine.Problem | None:
    """A decision a body outside this 纪委 approves cannot be approved in the name of one of its own
    accounts: the 乡镇党委书记 approves 立案 ([R] 第三十八条), and only a 设区的市级以上党委或者纪检监察机关
    认定诬告陷害 ([J] 第三十九条第二款) — the 纪委书记 would stand in their place."""
    step = rules.workflow.steps.get(state.step_id)
    rule = step.decision(action.decision_id) if step else None
    if rule is None or rule.approver_role not in OUTSIDE_APPROVERS:
        return None
    role = rule.approver_role
    approver = action.approver.strip()
    given = same_name(approver)
    accounts = [name for name in s.exec(select(Account.name)).all() if same_name(name)]
    if not any(same_name(name) in given for name in accounts):  # "张书记（代）" and "张 书记" are 张书记 too
        return None
    return engine.Problem("approver_wrong_body",
                          f"“{rule.title}”须经{role}批准；“{approver}”是本纪委的账户，不能以{role}"
                          f"的名义审批。请填写{OUTSIDE_APPROVERS[role]}。", {"approver": approver, "role": role})


def same_name(name: str) -> str:
    """A name as compared: width-folded (NFKC), without spaces and invisible format characters."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf")


def needs_qualification(rules: RuleSet, state: engine.CaseState, decision_id: str) -> bool:
    step = rules.workflow.steps.get(state.step_id)
    rule = step.decision(decision_id) if step else None
    return bool(rule and "qualification" in rule.requires)


def with_range_problems(rules: RuleSet, view: engine.CaseView, problems: list[engine.Problem]) -> engine.CaseView:
    """The decisions that need the 定性 are also blocked by proposals outside its range."""
    if not problems:
        return view
    options = tuple(
        replace(d, enabled=False, problems=d.problems + tuple(problems))
        if "qualification" in view.step.decision(d.id).requires else d
        for d in view.decisions
    )
    return replace(view, decisions=options)


def with_appeal_problems(view: engine.CaseView, problems: dict[str, engine.Problem]) -> engine.CaseView:
    """The appeal's decisions are blocked while the receiving body is not the approving one ([R] 第五十九条第一款)."""
    if not problems:
        return view
    options = tuple(replace(d, enabled=False, problems=d.problems + (problems[d.id],)) if d.id in problems else d
                    for d in view.decisions)
    return replace(view, decisions=options)


def act_on_subject(store: Store, case_id: str, data: dict, today: date, rules: RuleSet) -> ActResult:
    with store.write() as s:
        case = owned_case(s, store, case_id)
        state = case_subjects.act(s, store, rules, case, case_codec.from_json(case.state), data, today)
        keep_state(case, rules, state, today)
        s.add(case)
    return ActResult(case.id, case.stage, case.step_id)


def with_subject_id(s: Session, rules: RuleSet, case: Case, state: engine.CaseState, action, today: date):
    """The engine names subjects by their case_subject id; users name them by name or person id too.

    A proposed 党纪 or 政务处分 must also lie within what the person's 定性 allows, a 事业单位处分
    fit the person's 人员类别, and a party sanction during a 留党察看期 be 开除党籍.
    """
    if isinstance(action, engine.CloseSubject):
        if action.outcome == "分案":  # the person's case of their own is made by split_merge, not here
            raise InputError("use_split", "分案请用 split_subject：另立新案并转入其本人的材料（docs/RULES.md §11）。")
        return replace(action, subject=case_subjects.resolve(s, case, action.subject).id)
    if not isinstance(action, engine.RecordSanction) or not state.subjects:
        return action
    row = case_subjects.resolve(s, case, action.subject)
    if not action.remove and action.type_id in rules.catalog.types:
        why = case_subjects.range_problem(rules, row, action.type_id)
        if why:
            raise InputError("sanction_out_of_range", f"操作未执行：{why}")
        # 事业单位 kinds depend on whether the person is a 管理人员 (人社部发〔2023〕58号)
        why = rules.catalog.get(action.type_id).category_problem(row.category)
        if why:
            raise InputError("sanction_category", f"操作未执行：{why}。")
        why = probation.new_sanction_problem(s, rules, case.id, row.person_id, action.type_id, today)
        if why:
            raise InputError("probation_requires_expulsion", f"操作未执行：{why}")
    return replace(action, subject=row.id)


def refresh_due_dates(store: Store, *, today: date | None = None) -> int:
    """Recompute each open case's stored next deadline after the calendar or the rules changed.

    Lists filter on `case.next_due`; a newly entered holiday year or pushed rules move due dates.
    Returns how many cases changed (only those rows are written, so only they are audited).
    """
    today = today or date.today()
    rules = ruleset.load(store)
    changed = 0
    with store.write() as s:
        open_cases = s.exec(select(Case).where(Case.deleted == False, Case.owner_office_id == store.office.id,  # noqa: E712
                                               Case.next_due.is_not(None))).all()
        for case in open_cases:
            state = case_codec.from_json(case.state)
            if state.step_id not in rules.workflow.steps:
                continue  # a rules update never strands a case; an old store's stray step is left as is
            running = running_deadlines(evaluate(rules, state, today))
            due, title = (running[0].due, running[0].title) if running else (None, "")
            if (due, title) != (case.next_due, case.next_due_title):
                case.next_due, case.next_due_title = due, title
                s.add(case)
                changed += 1
    return changed


def record_facts(s: Session, store: Store, rules: RuleSet, case: Case, before: engine.CaseState,
                 outcome: engine.Outcome, action) -> None:
    """The rows beside the state that other features count and list."""
    owner = store.office.id
    if isinstance(action, engine.RecordStudy):
        s.add(CollectiveStudy(owner_office_id=owner, case_id=case.id, step_id=before.step_id, held_on=action.held_on,
                              attendees=list(action.attendees), conclusion=action.conclusion))
    elif isinstance(action, engine.Extend):
        s.add(DeadlineExtension(owner_office_id=owner, case_id=case.id, deadline_id=action.deadline_id,
                                length=action.length, unit=action.unit, approved_by=action.approved_by,
                                approved_on=action.approved_on, reason=action.reason))
    elif isinstance(action, engine.RecordSanction):
        record_sanction(s, store, rules, case, action)
    elif isinstance(action, engine.CloseSubject):
        close_subject(s, case, action)
    elif isinstance(action, engine.Decide):
        record_decision(s, store, rules, case, before, outcome, action)


def close_subject(s: Session, case: Case, action: engine.CloseSubject) -> None:
    row = s.get(CaseSubject, action.subject)
    row.outcome, row.closed_on, row.closed_reason = action.outcome, action.decided_on, action.reason.strip()
    s.add(row)
    # what was proposed for them will not be decided
    for proposed in s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.person_id == row.person_id,
                                                  Sanction.decided_on.is_(None), Sanction.deleted == False)).all():  # noqa: E712
        proposed.deleted = True
        s.add(proposed)


def record_sanction(s: Session, store: Store, rules: RuleSet, case: Case, action: engine.RecordSanction) -> None:
    person_id = s.get(CaseSubject, action.subject).person_id if action.subject else None
    proposed = s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.type_id == action.type_id,
                                             Sanction.person_id == person_id, Sanction.decided_on.is_(None),
                                             Sanction.deleted == False)).first()  # noqa: E712
    if action.remove:
        if proposed:
            proposed.deleted = True
            s.add(proposed)
        return
    if proposed is None:
        kind = rules.catalog.get(action.type_id)
        s.add(Sanction(owner_office_id=store.office.id, case_id=case.id, person_id=person_id,
                       type_id=kind.id, kind=kind.kind, form=kind.form))


def record_decision(s: Session, store: Store, rules: RuleSet, case: Case, before: engine.CaseState,
                    outcome: engine.Outcome, action: engine.Decide) -> None:
    owner = store.office.id
    s.add(Decision(owner_office_id=owner, case_id=case.id, step_id=before.step_id, decision_id=action.decision_id,
                   decided_on=action.decided_on, approver=action.approver, decided_by=store.account.name))
    visits = s.exec(select(func.count()).select_from(StepRecord).where(StepRecord.case_id == case.id)).one()
    visit = s.exec(select(StepRecord).where(StepRecord.case_id == case.id, StepRecord.seq == visits)).first()
    if visit is not None:
        visit.checklist = sorted(before.checklist)
        visit.fields = {k: v for k, v in case_codec.thawed(dict(before.fields)).items() if k.startswith(f"{before.step_id}.")}
        visit.completed_on = action.decided_on
        visit.completed_by = store.account.name
        visit.decision_id = action.decision_id
        s.add(visit)
    s.add(StepRecord(owner_office_id=owner, case_id=case.id, seq=visits + 1, step_id=outcome.state.step_id,
                     entered_on=outcome.state.entered_on))
    events = outcome.events_set
    if "filed" in events and case.filed_on is None:
        case.filed_on = events["filed"]
        for row in case_subjects.rows(s, case.id):
            if not row.outcome and row.filed_on is None:
                row.filed_on = events["filed"]
                s.add(row)
        year = events["filed"].year
        case.number = f"{office_prefix(s, store)}纪立〔{year}〕{next_number(s, store, 'filing', year)}号"
    if "case_closed" in events:
        case.closed_on = events["case_closed"]
    # Sanctions proposed in review take effect with the decision ("decided"); a first-form measure,
    # 免予处分, 移送司法 or an appeal result takes effect when its own step is done.
    step = rules.workflow.steps[before.step_id]
    side_outcome = step.sanction_kinds and rules.workflow.stage_of(step.id).side and outcome.state.step_id != step.id
    if "decided" in events or "case_closed" in events or side_outcome:
        finalize_sanctions(s, rules, case, events.get("decided", action.decided_on))


def finalize_sanctions(s: Session, rules: RuleSet, case: Case, decided_on: date) -> None:
    """Proposed sanctions take effect: decision date and effect period ([T] 21 accumulation).

    A 政务处分 is not among them: the 监察 organ decides it on its own date (`decide_gov_sanction`).
    """
    proposed = s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.decided_on.is_(None),
                                             Sanction.kind != "gov", Sanction.deleted == False)).all()  # noqa: E712
    for sanction in proposed:
        prior = []
        if sanction.person_id:
            key = s.get(Person, sanction.person_id).person_key
            prior = [r for r in persons.sanction_records(s, [sanction.person_id])[sanction.person_id] if r.person_key == key]
        _, end = effect_period(rules.catalog, sanction.type_id, decided_on, prior)
        sanction.decided_on = decided_on
        sanction.effect_end = end
        s.add(sanction)
        probation.expelled_elsewhere(s, rules, sanction)
    document_gate.number_decisions(s, case, proposed)
