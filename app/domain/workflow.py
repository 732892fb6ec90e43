"""The case workflow engine: where a case stands, what it still needs, what may happen next.

Pure: the rules, the case state, the calendar, the sanction catalog and today's date come in; a
view or a new state goes out. A blocked transition never happens: `apply` then returns the state
unchanged with problems (an ASCII code and a Chinese sentence the UI can show as is).

State conventions (documented for administrators in docs/RULES.md):
- field values are keyed "<step_id>.<field_id>" and stored JSON-ready: dates as "YYYY-MM-DD",
  several values as tuples, a person as a dict with at least "name";
- a step entered again (another 谈话函询 round, investigation after 重新调查) starts empty: the
  previous round's values move to "<step_id>@<round>.<field_id>", the history keeps the decisions;
- a collective study counts only for the step and round it was recorded in;
- a deadline is met when its stop event happened on or after its start event, so an earlier
  round's stop event never meets a later round's deadline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any, Union

from app.domain.calendar import WorkCalendar
from app.domain.deadlines import STATE_LABELS, compute_due, compute_extended_due, deadline_state
from app.domain.errors import DomainError
from app.domain.rules import APPROVER, UNITS, Condition, DecisionRule, DeadlineRule, Field, SeparationRule, Stage, Step, Workflow
from app.domain.sanctions import (
    APPROVER_BY_BODY,
    APPROVER_CITATIONS,
    APPROVER_LABELS,
    APPROVER_RANK,
    IN_LIEU_OF_REMOVAL,
    KIND_LABELS,
    PARTY_ROUTE_KINDS,
    PROBLEM_LABELS,
    SanctionCatalog,
    approval_check,
)

PERSON_KEYS = ("name", "unit", "post", "rank", "category", "political_status", "id_number")
MET_LABELS = {"met": "按期办结", "met_late": "超期办结"}



def _frozen_empty() -> Mapping[str, Any]:
    return MappingProxyType({})


# ---------------------------------------------------------------- state


@dataclass(frozen=True)
class Study:
    step_id: str
    held_on: date
    attendees: tuple[str, ...]
    conclusion: str
    round: int = 1


@dataclass(frozen=True)
class Extension:
    deadline_id: str
    length: int
    unit: str
    approved_by: str
    approved_on: date
    reason: str


@dataclass(frozen=True)
class HistoryEntry:
    step_id: str
    decision_id: str
    decided_on: date
    approver: str = ""


@dataclass(frozen=True)
class Subject:
    """One 被审查调查人 as the gates see them; the particulars themselves live in the store."""

    id: str
    name: str
    outcome: str = ""  # "" while the case goes on for them; else how it ended for them alone (SUBJECT_OUTCOMES)
    village_manager: bool = False  # 基层群众性自治组织中从事管理的人员 ([Z] 第二十二条)
    holds_party_post: bool = True  # False: 撤销党内职务 is given as 严重警告 ([T] 第十一条, [P] 第十二条)
    qualified: bool = False  # 定性 recorded: the articles violated and their 情节
    closed_on: date | None = None
    approver: str = ""
    reason: str = ""
    probationary: bool = False  # 中共预备党员: 批评教育/延长预备期/取消预备党员资格, never a 党纪处分 ([T] 第三十六条)


@dataclass(frozen=True)
class ProposedSanction:
    subject: str  # Subject.id; "" in a state without subjects (a practice scenario)
    type_id: str


@dataclass(frozen=True)
class CaseState:
    step_id: str
    entered_on: date
    checklist: frozenset[str] = frozenset()
    fields: Mapping[str, Any] = field(default_factory=_frozen_empty)
    studies: tuple[Study, ...] = ()
    events: Mapping[str, date] = field(default_factory=_frozen_empty)
    extensions: tuple[Extension, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    documents: frozenset[str] = frozenset()
    sanctions: tuple[ProposedSanction, ...] = ()
    subjects: tuple[Subject, ...] = ()


def terminal_step(wf: Workflow, state: CaseState) -> bool:
    step = wf.steps.get(state.step_id)
    return bool(step and step.terminal)


def open_subjects(state: CaseState) -> tuple[Subject, ...]:
    return tuple(p for p in state.subjects if not p.outcome)


def proposed_types(state: CaseState) -> frozenset[str]:
    """Type ids proposed for anyone still in the case (conditions, practice scoring)."""
    still_in = {p.id for p in open_subjects(state)} | {""}
    return frozenset(x.type_id for x in state.sanctions if x.subject in still_in)


# How a case can end for one of several persons while it goes on for the others. A whole case
# ends through the step decisions; these end it for one person only, each by its own approval.
SUBJECT_OUTCOMES = {
    "了结": "予以了结（不予立案）",
    "免予处分": "免予处分",
    "不予处分": "不予处分",
    "撤销案件": "撤销案件（对其本人）",
    "分案": "分案处理",
}


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    detail: Mapping[str, Any] = field(default_factory=_frozen_empty)


@dataclass(frozen=True)
class Requirement:
    kind: str  # checklist | field | study | document
    id: str
    label: str


@dataclass(frozen=True)
class DecisionOption:
    id: str
    title: str
    target_step: str
    enabled: bool
    problems: tuple[Problem, ...]
    approver_role: str  # non-empty: Decide must name the approver
    help: str


@dataclass(frozen=True)
class DeadlineView:
    id: str
    title: str
    start: date
    due: date
    state: str  # normal | due_soon | overdue | met | met_late
    label: str
    working_days_left: int
    extended: bool
    met_on: date | None
    warnings: tuple[str, ...]
    citation: tuple[str, ...]
    note: str
    step_id: str


@dataclass(frozen=True)
class CaseView:
    stage: Stage
    step: Step
    round: int
    stage_path: tuple[Stage, ...]
    open_items: tuple[Requirement, ...]
    decisions: tuple[DecisionOption, ...]
    deadlines: tuple[DeadlineView, ...]
    documents_expected: tuple[str, ...]
    warnings: tuple[str, ...]
    terminal: bool


@dataclass(frozen=True)
class Outcome:
    ok: bool
    state: CaseState
    problems: tuple[Problem, ...] = ()
    events_set: Mapping[str, date] = field(default_factory=_frozen_empty)


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class CompleteItem:
    item_id: str
    done: bool = True


@dataclass(frozen=True)
class SetFields:
    values: Mapping[str, Any]


@dataclass(frozen=True)
class RecordStudy:
    held_on: date
    attendees: tuple[str, ...]
    conclusion: str


@dataclass(frozen=True)
class Decide:
    decision_id: str
    decided_on: date
    approver: str = ""


@dataclass(frozen=True)
class Extend:
    deadline_id: str
    length: int
    unit: str
    approved_by: str
    approved_on: date
    reason: str


@dataclass(frozen=True)
class RecordSanction:
    type_id: str
    remove: bool = False
    subject: str = ""  # Subject.id; may be left out while one person remains in the case


@dataclass(frozen=True)
class CloseSubject:
    """The case ends for one person (了结, 免予处分…) by its own approval; it goes on for the others."""

    subject: str
    outcome: str
    decided_on: date
    approver: str
    reason: str


@dataclass(frozen=True)
class MergeInto:
    """并案: this case ends and its persons go on in another case (`into`, its number as shown)."""

    into: str
    decided_on: date
    approver: str
    reason: str


Action = Union[CompleteItem, SetFields, RecordStudy, Decide, Extend, RecordSanction, CloseSubject, MergeInto]

# JSON "type" -> (class, {param: (kind, required)})
_ACTION_SCHEMA: dict[str, tuple[type, dict[str, tuple[str, bool]]]] = {
    "complete_item": (CompleteItem, {"item_id": ("text", True), "done": ("bool", False)}),
    "set_fields": (SetFields, {"values": ("object", True)}),
    "record_study": (RecordStudy, {"held_on": ("date", True), "attendees": ("texts", True), "conclusion": ("text", True)}),
    "decide": (Decide, {"decision_id": ("text", True), "decided_on": ("date", True), "approver": ("text", False)}),
    "extend": (
        Extend,
        {
            "deadline_id": ("text", True),
            "length": ("int", True),
            "unit": ("text", True),
            "approved_by": ("text", True),
            "approved_on": ("date", True),
            "reason": ("text", True),
        },
    ),
    "record_sanction": (RecordSanction, {"type_id": ("text", True), "remove": ("bool", False), "subject": ("text", False)}),
    "close_subject": (
        CloseSubject,
        {
            "subject": ("text", True),
            "outcome": ("text", True),
            "decided_on": ("date", True),
            "approver": ("text", True),
            "reason": ("text", True),
        },
    ),
}


def action_from_dict(data: Mapping[str, Any]) -> Action:
    """Build an action from its JSON form (docs/RULES.md); DomainError "action_invalid" otherwise."""

    def invalid(problem: str) -> DomainError:
        return DomainError("action_invalid", f"操作数据有误：{problem}", {"problem": problem})

    if not isinstance(data, Mapping) or not isinstance(data.get("type"), str) or data["type"] not in _ACTION_SCHEMA:
        raise invalid(f"type 应为 {'、'.join(_ACTION_SCHEMA)} 之一")
    cls, params = _ACTION_SCHEMA[data["type"]]
    unknown = sorted(set(data) - set(params) - {"type"})
    if unknown:
        raise invalid(f"{data['type']} 不接受参数 {'、'.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, (kind, required) in params.items():
        if name not in data:
            if required:
                raise invalid(f"{data['type']} 缺少参数 {name}")
            continue
        value = data[name]
        if kind == "date":
            value = _as_date(value)
            ok = value is not None
        elif kind == "texts":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            value = tuple(value) if ok else value
        elif kind == "object":
            ok = isinstance(value, Mapping)
        else:
            ok = type(value) is {"text": str, "bool": bool, "int": int}[kind]
        if not ok:
            raise invalid(f"参数 {name} 的值 {data[name]!r} 类型不对")
        kwargs[name] = value
    return cls(**kwargs)


# ---------------------------------------------------------------- values


def _as_date(value: Any) -> date | None:
    if type(value) is date:
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _coerce_one(f: Field, raw: Any) -> tuple[Any, str]:
    """(canonical value or None when empty, error text)."""
    if f.type in ("text", "attachment"):
        if not isinstance(raw, str):
            return None, "应为文字"
        return raw.strip() or None, ""
    if f.type == "date":
        d = _as_date(raw)
        return (d.isoformat(), "") if d else (None, "应为日期（YYYY-MM-DD）")
    if f.type == "choice":
        if raw not in f.choices:
            return None, f"“{raw}”不是可选项（可选：{'、'.join(f.choices)}）"
        return raw, ""
    if f.type == "number":
        if isinstance(raw, str):
            try:
                raw = float(raw) if "." in raw else int(raw)
            except ValueError:
                return None, "应为数字"
        if type(raw) not in (int, float) or not math.isfinite(raw) or raw < 0:
            return None, "应为不小于 0 的数字"
        return raw, ""
    if f.type == "bool":
        return (raw, "") if type(raw) is bool else (None, "应为“是”或“否”（true/false）")
    # person: a bare name, or the person's details as in the clue JSON
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, Mapping) or set(raw) - set(PERSON_KEYS) or not all(isinstance(v, str) for v in raw.values()):
        return None, f"人员信息应为姓名，或只含 {'、'.join(PERSON_KEYS)} 的文字项"
    person = {k: v.strip() for k, v in raw.items() if v.strip()}
    if not person.get("name"):
        return None, "人员须有姓名（name）"
    return person, ""


def coerce_value(f: Field, raw: Any) -> tuple[Any, str]:
    """Validate one field value; returns (canonical value or None for "cleared", error text or "")."""
    if raw is None or raw == "" or raw == [] or raw == ():
        return None, ""
    if not f.multiple:
        return _coerce_one(f, raw)
    if isinstance(raw, (str, Mapping)) or not isinstance(raw, (list, tuple)):
        return None, "应为多项（数组）"
    values: list[Any] = []
    for item in raw:
        value, error = _coerce_one(f, item)
        if error:
            return None, error
        if value is not None and value not in values:
            values.append(value)
    return tuple(values) or None, ""


def validate_fields(wf: Workflow, step_id: str, values: Mapping[str, Any]) -> tuple[Problem, ...]:
    """Problems with values for a step's fields (unknown ids, wrong types); missing ones are not problems."""
    return _field_problems(wf.steps[step_id], values)


def _field_problems(step: Step, values: Mapping[str, Any]) -> tuple[Problem, ...]:
    problems = []
    for fid, raw in values.items():
        f = step.field(fid)
        if f is None:
            problems.append(Problem("field_unknown", f"“{step.title}”没有名为“{fid}”的字段", {"field": fid}))
            continue
        _, error = coerce_value(f, raw)
        if error:
            problems.append(Problem("field_invalid", f"“{f.label}”{error}", {"field": fid}))
    return tuple(problems)


def _count(value: Any) -> int:
    if value is None:
        return 0
    return len(value) if isinstance(value, tuple) else 1


def _holds(cond: Condition, state: CaseState) -> bool:
    if cond.all_of:
        return all(_holds(part, state) for part in cond.all_of)
    if cond.negated is not None:
        return not _holds(cond.negated, state)
    if cond.event:
        return cond.event in state.events
    if cond.sanction_any:
        return bool(proposed_types(state) & set(cond.sanction_any))
    value = state.fields.get(cond.field)
    present = value if isinstance(value, tuple) else (value,)
    return any(v in cond.values for v in present)


def _round(state: CaseState, step_id: str) -> int:
    """1 for the first visit of a step, n for its n-th visit (each visit ends with a decision from it)."""
    return 1 + sum(h.step_id == step_id for h in state.history)


def _fail(state: CaseState, *problems: Problem) -> Outcome:
    return Outcome(False, state, tuple(problems))


# ---------------------------------------------------------------- initial state


def initial_state(wf: Workflow, received_on: date, fields: Mapping[str, Any], *, decision_id: str = "") -> CaseState:
    """A newly registered clue at the initial step; `fields` are that step's field values by field id.

    With `decision_id` (an `at_registration` decision of the initial step) the clue is registered and
    decided on the day it was received, without the step's content: the 转送登记 ([J] 第十五条第二款).
    """
    problems = validate_fields(wf, wf.initial_step, fields)
    step = wf.steps[wf.initial_step]
    dec = step.decision(decision_id) if decision_id else None
    if decision_id and (dec is None or not dec.at_registration):
        problems += (Problem("decision_unknown", f"“{step.title}”没有可在登记时作出的决定“{decision_id}”",
                             {"decision": decision_id}),)
    if problems:
        raise DomainError(
            "clue_invalid",
            "线索信息有误：" + "；".join(p.message for p in problems),
            {"problems": [{"code": p.code, "message": p.message, **p.detail} for p in problems]},
        )
    state = CaseState(
        step_id=wf.initial_step,
        entered_on=received_on,
        events=MappingProxyType({wf.start_event: received_on}),
    )
    values, events = _set_values(step, state, fields)
    if dec is None:
        return replace(state, fields=MappingProxyType(values), events=MappingProxyType(events))
    events.update(dict.fromkeys(dec.sets_events, received_on))
    return replace(state, step_id=dec.target, fields=MappingProxyType(values), events=MappingProxyType(events),
                   history=(HistoryEntry(step.id, dec.id, received_on, ""),))


def _set_values(step: Step, state: CaseState, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, date]]:
    """New field and event maps after writing already validated values for the current step."""
    values = dict(state.fields)
    events = dict(state.events)
    for fid, value in raw.items():
        f = step.field(fid)
        key = f"{step.id}.{fid}"
        canonical, _ = coerce_value(f, value)
        old = values.pop(key, None)
        if canonical is not None:
            values[key] = canonical
        if f.event:
            # Only remove an event this very field had set; another source may own it now.
            if old is not None and events.get(f.event) == date.fromisoformat(old):
                del events[f.event]
            if canonical is not None:
                events[f.event] = date.fromisoformat(canonical)
    return values, events


# ---------------------------------------------------------------- requirements and gates


def _current_step(wf: Workflow, state: CaseState) -> Step:
    step = wf.steps.get(state.step_id)
    if step is None:
        raise DomainError(
            "step_unknown",
            f"案件所处环节“{state.step_id}”在规则文件“{wf.source}”中不存在，请核对规则版本",
            {"step_id": state.step_id, "source": wf.source},
        )
    return step


def _valid_study(wf: Workflow, step: Step, state: CaseState, on: date) -> Problem | None:
    """None when the current round of `step` has a collective study held by `on` with enough attendees."""
    studies = [s for s in state.studies if s.step_id == step.id and s.round == _round(state, step.id) and s.held_on <= on]
    if not studies:
        return Problem(
            "study_missing",
            f"尚未记录本环节（{step.title}）的集体研究：请先召开会议集体研究，并录入研究日期、参加人员和研究意见",
            {"step": step.id},
        )
    most = max(len(s.attendees) for s in studies)
    if most < wf.study_min_attendees:
        return Problem(
            "study_attendees_too_few",
            f"集体研究参加人数不足：至少应有 {wf.study_min_attendees} 人参加，已记录 {most} 人",
            {"step": step.id, "min": wf.study_min_attendees, "attendees": most},
        )
    return None


def _field_missing(wf: Workflow, state: CaseState, keys: Iterable[str]) -> list[Problem]:
    """One problem per missing-code, listing the labels of the missing fields."""
    by_code: dict[str, list[tuple[str, str]]] = {}
    for key in keys:
        if state.fields.get(key) is None:
            f = wf.field(key)
            by_code.setdefault(f.missing_code, []).append((key, f.label))
    return [
        Problem(code, f"还有 {len(items)} 项必填信息未填写：{'、'.join(label for _, label in items)}", {"fields": [k for k, _ in items]})
        for code, items in by_code.items()
    ]


def _required_keys(step: Step, state: CaseState) -> list[str]:
    return [
        f"{step.id}.{f.id}"
        for f in step.fields
        if f.required or (f.required_if is not None and _holds(f.required_if, state))
    ]


def _open_items(wf: Workflow, step: Step, state: CaseState, today: date, required: list[str]) -> tuple[Requirement, ...]:
    """What blocks every exit of the step; decision-specific conditions are in the decision's problems.
    `required`: `_required_keys(step, state)`."""
    items = [Requirement("checklist", i.id, i.label) for i in step.checklist if i.required and i.id not in state.checklist]
    items += [Requirement("field", key, wf.field(key).label) for key in required if state.fields.get(key) is None]
    items += [Requirement("document", d.template, d.title) for d in step.documents if d.required and d.template not in state.documents]
    if step.decisions and all("study" in d.requires for d in step.decisions) and _valid_study(wf, step, state, today):
        items.append(Requirement("study", step.id, f"集体研究记录（研究日期、至少 {wf.study_min_attendees} 名参加人员、研究意见）"))
    return tuple(items)


def _vote_problem(wf: Workflow, state: CaseState, dec: DecisionRule) -> Problem | None:
    eligible, present, in_favour = (state.fields.get(k) for k in (dec.vote.eligible, dec.vote.present, dec.vote.in_favour))
    if None in (eligible, present, in_favour):
        return None  # reported as missing fields
    counts = {"eligible": eligible, "present": present, "in_favour": in_favour}
    if present > eligible or in_favour > present:
        return Problem("vote_numbers_invalid", f"表决人数有误：实到 {present} 人不能多于应到 {eligible} 人，赞成 {in_favour} 人不能多于实到人数", counts)
    if present * 2 > eligible and in_favour * 2 > eligible:
        return None
    return Problem(
        "vote_not_passed",
        f"支部党员大会表决未通过：有表决权的党员应到 {eligible} 人、实到 {present} 人、赞成 {in_favour} 人。"
        "须实到人数超过应到人数的半数，且赞成人数超过应到（全体有表决权党员）人数的半数",
        counts,
    )


def _sanction_missing(state: CaseState) -> list[Problem]:
    if not state.subjects:
        return [] if state.sanctions else [Problem("sanction_missing", "尚未记录拟给予的处分或处理意见，请先在本环节录入")]
    proposed = {x.subject for x in state.sanctions}
    missing = [p.name for p in open_subjects(state) if p.id not in proposed]
    if not missing:
        return []
    return [Problem("sanction_missing", f"尚未记录对{'、'.join(missing)}拟给予的处分或处理意见，请先在本环节录入；"
                    "对其中不再追究的人，请先办理“对本人办结”（免予处分、了结等）", {"subjects": missing})]


def _qualification_missing(state: CaseState, catalog: SanctionCatalog) -> list[Problem]:
    """Everyone proposed a 党纪 or 政务处分 needs the articles violated and their 情节 recorded first."""
    needing = {x.subject for x in state.sanctions
               if x.type_id in catalog.types and catalog.types[x.type_id].kind in ("party", "gov")}
    missing = [p.name for p in open_subjects(state) if p.id in needing and not p.qualified]
    if not missing:
        return []
    return [Problem("qualification_missing", f"尚未录入{'、'.join(missing)}的定性（违反的条款和情节），请在其人员页录入", {"subjects": missing})]


def _people(value: Any) -> set[str]:
    values = value if isinstance(value, tuple) else (value,)
    return {str(v).strip() for v in values if v is not None and str(v).strip()}


def _separation_problem(wf: Workflow, state: CaseState, sep: SeparationRule, approver: str = "") -> Problem | None:
    names = {approver.strip()} - {""} if sep.field == APPROVER else _people(state.fields.get(sep.field))
    both: dict[str, None] = {}
    for other in sep.others:
        step_id, field_id = other.split(".", 1)
        for key, value in state.fields.items():
            if key == other or (key.startswith(f"{step_id}@") and key.endswith(f".{field_id}")):
                both.update(dict.fromkeys(sorted(names & _people(value))))
    if not both:
        return None
    others = "、".join(dict.fromkeys(wf.field(o).label for o in sep.others))
    if sep.field == APPROVER:
        return Problem("approver_not_separate", f"{'、'.join(both)}已是本案“{others}”，不能审批这一决定：{sep.because}",
                       {"field": APPROVER, "names": list(both)})
    return Problem("separation_violated",
                   f"{'、'.join(both)}已是本案“{others}”，不能同时列为“{wf.field(sep.field).label}”：{sep.because}",
                   {"field": sep.field, "names": list(both)})


def _approval_problems(state: CaseState, dec: DecisionRule, catalog: SanctionCatalog) -> list[Problem]:
    rule = dec.approval_power
    important = bool(rule.important_field and state.fields.get(rule.important_field))
    names: dict[str, list[str]] = {}
    problems = []
    people = {p.id: p for p in state.subjects}
    still_in = {p.id for p in open_subjects(state)} | {""}
    needed: tuple[int, str, str] | None = None  # (rank, approver, what) of the highest body a township must use
    for x in state.sanctions:
        if x.subject not in still_in:
            continue
        person = people.get(x.subject)
        try:
            codes = approval_check(catalog, x.type_id, important_or_complex=important,
                                   village_manager=bool(person and person.village_manager))
            sanction = catalog.get(x.type_id)
        except DomainError as exc:
            problems.append(Problem(exc.code, exc.message, exc.detail))
            continue
        who = f"对{person.name}" if person and len(state.subjects) > 1 else ""
        for code in codes:
            names.setdefault(code, []).append(f"{who}{sanction.name}")
        if sanction.kind in PARTY_ROUTE_KINDS and sanction.approver in APPROVER_LABELS:
            rank = APPROVER_RANK[sanction.approver]
            if needed is None or rank > needed[0]:
                needed = (rank, sanction.approver, f"{who}拟给予的“{sanction.name}”")
    for code, listed in names.items():
        if code == "approval_power_exceeded":
            why = "本案已标为重大复杂案件，" if important else ""
            message = f"{why}拟给予的“{'、'.join(listed)}”超出乡镇批准权限，不能由乡镇审批。{rule.hint}"
        else:
            message = f"“{'、'.join(listed)}”：{PROBLEM_LABELS.get(code, code)}"
        problems.append(Problem(code, message, {"sanctions": listed, "important_or_complex": important}))
    chosen = state.fields.get(rule.body_field) if rule.body_field else None
    if needed and chosen in APPROVER_BY_BODY and APPROVER_RANK[APPROVER_BY_BODY[chosen]] < needed[0]:
        body = APPROVER_LABELS[needed[1]]
        problems.append(Problem(
            "approver_body_too_low",
            f"{needed[2]}须由{body}批准（{APPROVER_CITATIONS[needed[1]]}），批准机关不能是“{chosen}”；请把批准机关改为“{body}”",
            {"needed": body, "chosen": chosen},
        ))
    return problems


def _decision_problems(
    wf: Workflow, step: Step, dec: DecisionRule, state: CaseState, on: date, catalog: SanctionCatalog,
    required: list[str] | None = None,
) -> list[Problem]:
    """`required`: `_required_keys(step, state)` if the caller has it (one per step, whichever decision)."""
    problems = []
    open_items = [
        i for i in step.checklist if (i.required or i.id in dec.requires_items) and i.id not in state.checklist
    ]
    if open_items:
        problems.append(
            Problem(
                "checklist_open",
                f"还有 {len(open_items)} 项必办事项未完成：{'；'.join(i.label for i in open_items)}",
                {"items": [i.id for i in open_items]},
            )
        )
    required = _required_keys(step, state) if required is None else required
    problems += _field_missing(wf, state, required + [k for k in dec.requires_fields if k not in required])
    missing_docs = [d for d in step.documents if d.required and d.template not in state.documents]
    if missing_docs:
        problems.append(
            Problem(
                "document_missing",
                f"尚未制作文书：{'、'.join(d.title for d in missing_docs)}",
                {"documents": [d.template for d in missing_docs]},
            )
        )
    if "study" in dec.requires:
        study = _valid_study(wf, step, state, on)
        problems += [study] if study else []
    if "sanction" in dec.requires:
        problems += _sanction_missing(state)
    if "qualification" in dec.requires:
        problems += _qualification_missing(state, catalog)
    problems += [p for sep in dec.separations if sep.field != APPROVER and (p := _separation_problem(wf, state, sep))]
    for mc in dec.min_counts:
        have = _count(state.fields.get(mc.field))
        if have < mc.n:
            label = wf.field(mc.field).label
            problems.append(
                Problem(mc.code, f"“{label}”至少应有 {mc.n} 人（项），目前只有 {have} 人（项）", {"field": mc.field, "min": mc.n, "count": have})
            )
    if dec.vote:
        vote = _vote_problem(wf, state, dec)
        problems += [vote] if vote else []
    if dec.approval_power:
        problems += _approval_problems(state, dec, catalog)
    if dec.only_if is not None and not _holds(dec.only_if, state):
        problems.append(_condition_unmet(wf, state, dec))
    return problems


def _condition_unmet(wf: Workflow, state: CaseState, dec: DecisionRule) -> Problem:
    """Why a decision open only on a certain answer (the county's 同意) is not open now."""
    cond = dec.only_if
    if not cond.field:
        return Problem("decision_not_open", f"现在还不能“{dec.title}”", {"decision": dec.id})
    label = wf.field(cond.field).label
    current = state.fields.get(cond.field)
    shown = "未填写" if current in (None, "", ()) else f"为“{current}”"
    wanted = "或".join(f"“{v}”" for v in cond.values)
    return Problem("decision_not_open", f"“{label}”{shown}，只有为{wanted}时才能“{dec.title}”",
                   {"decision": dec.id, "field": cond.field, "value": current})


# ---------------------------------------------------------------- deadlines


def _warning_text(code: str) -> str:
    kind, _, year = code.partition(":")
    if kind == "holiday_data_missing":
        return f"缺少 {year} 年节假日数据，相关期限暂按周一至周五为工作日推算，请导入该年节假日表"
    return code


def _deadline_view(rule: DeadlineRule, state: CaseState, today: date, cal: WorkCalendar, due_soon_wd: int) -> DeadlineView | None:
    """The deadline as it stands, or None when it does not concern this case (yet)."""
    start = state.events.get(rule.start)
    if not rule.enabled or start is None or (rule.applies_if and not _holds(rule.applies_if, state)):
        return None
    # An extension approved before this start belongs to an earlier round of the same deadline.
    extensions = [e for e in state.extensions if e.deadline_id == rule.id and e.approved_on >= start]
    due = compute_due(start, rule.length, rule.unit, cal)
    for e in extensions:
        due = compute_extended_due(due, e.length, e.unit, cal)
    stop = state.events.get(rule.stop) if rule.stop else None
    if stop is not None and stop >= start:
        code, left, met_on = ("met" if stop <= due.date else "met_late"), 0, stop
        label = MET_LABELS[code]
    else:
        ds = deadline_state(due.date, today, cal, due_soon_wd)
        code, left, met_on, label = ds.state, ds.working_days_left, None, STATE_LABELS[ds.state]
    return DeadlineView(
        id=rule.id,
        title=rule.title,
        start=start,
        due=due.date,
        state=code,
        label=label,
        working_days_left=left,
        extended=bool(extensions),
        met_on=met_on,
        warnings=tuple(_warning_text(w) for w in due.warnings),
        citation=rule.citation,
        note=rule.note,
        step_id=rule.step_id,
    )


# ---------------------------------------------------------------- evaluate


def evaluate(
    wf: Workflow,
    state: CaseState,
    *,
    today: date,
    cal: WorkCalendar,
    sanctions_catalog: SanctionCatalog,
    due_soon_wd: int | None = None,
) -> CaseView:
    """Where the case stands; `due_soon_wd` overrides the rules file's 即将到期 threshold."""
    step = _current_step(wf, state)
    soon = wf.due_soon_wd if due_soon_wd is None else due_soon_wd
    required = _required_keys(step, state)
    options = []
    for dec in step.decisions:
        problems = tuple(_decision_problems(wf, step, dec, state, today, sanctions_catalog, required))
        options.append(DecisionOption(dec.id, dec.title, dec.target, not problems, problems, dec.approver_role if "approval" in dec.requires else "", dec.help))
    # most rules' start events have not happened: the bundle import evaluates every case it receives
    deadlines = tuple(v for rule in wf.deadlines if rule.start in state.events and (v := _deadline_view(rule, state, today, cal, soon)))
    if step.entry in ("merge", "take_over"):  # its work goes on elsewhere: nothing runs here any more
        deadlines = tuple(d for d in deadlines if d.met_on is not None)
    path: list[Stage] = []
    for sid in [h.step_id for h in state.history if h.step_id in wf.steps] + [step.id]:
        stage = wf.stage_of(sid)
        if not path or path[-1].id != stage.id:
            path.append(stage)
    return CaseView(
        stage=wf.stage_of(step.id),
        step=step,
        round=_round(state, step.id),
        stage_path=tuple(path),
        open_items=_open_items(wf, step, state, today, required),
        decisions=tuple(options),
        deadlines=deadlines,
        documents_expected=tuple(d.template for d in step.documents),
        warnings=tuple(dict.fromkeys(w for v in deadlines for w in v.warnings)),
        terminal=step.terminal,
    )


# ---------------------------------------------------------------- apply


def apply(
    wf: Workflow, state: CaseState, action: Action, *, today: date, cal: WorkCalendar, sanctions_catalog: SanctionCatalog
) -> Outcome:
    """Carry out one action; a refused action leaves the state exactly as it was."""
    step = _current_step(wf, state)
    reopening = isinstance(action, Decide) and (dec := step.decision(action.decision_id)) is not None and dec.reopens
    if step.terminal and not reopening:
        return _fail(state, Problem("terminal_case", f"案件已到“{step.title}”，办理流程已结束，不能再作任何操作", {"step": step.id}))
    if isinstance(action, CompleteItem):
        return _complete_item(step, state, action)
    if isinstance(action, SetFields):
        return _set_fields(step, state, action, today)
    if isinstance(action, RecordStudy):
        return _record_study(step, state, action, today)
    if isinstance(action, Decide):
        return _decide(wf, step, state, action, today, sanctions_catalog)
    if isinstance(action, Extend):
        return _extend(wf, state, action, today, cal)
    if isinstance(action, RecordSanction):
        return _record_sanction(step, state, action, sanctions_catalog)
    if isinstance(action, CloseSubject):
        return _close_subject(state, action, today)
    if isinstance(action, MergeInto):
        return _merge_into(wf, step, state, action, today)
    raise TypeError(f"not a workflow action: {action!r}")


def _complete_item(step: Step, state: CaseState, action: CompleteItem) -> Outcome:
    if step.item(action.item_id) is None:
        return _fail(state, Problem("checklist_item_unknown", f"“{step.title}”没有名为“{action.item_id}”的必办事项", {"item": action.item_id}))
    done = state.checklist | {action.item_id} if action.done else state.checklist - {action.item_id}
    return Outcome(True, replace(state, checklist=frozenset(done)))


def _set_fields(step: Step, state: CaseState, action: SetFields, today: date) -> Outcome:
    problems = list(_field_problems(step, action.values))
    for fid, raw in action.values.items():
        f = step.field(fid)
        value = coerce_value(f, raw)[0] if f is not None and f.event else None
        # An event date drives deadlines; a future one would show them as met before they are.
        if value is not None and date.fromisoformat(value) > today:
            problems.append(Problem("date_in_future", f"“{f.label}”是已发生事项的日期，不能晚于今天（{today.isoformat()}）", {"field": fid}))
    if problems:
        return _fail(state, *problems)
    values, events = _set_values(step, state, action.values)
    events_set = {e: d for e, d in events.items() if state.events.get(e) != d}
    return Outcome(True, replace(state, fields=MappingProxyType(values), events=MappingProxyType(events)), (), MappingProxyType(events_set))


def _record_study(step: Step, state: CaseState, action: RecordStudy, today: date) -> Outcome:
    attendees = tuple(dict.fromkeys(a.strip() for a in action.attendees if a.strip()))
    problems = []
    if action.held_on < state.entered_on:
        problems.append(Problem("date_before_step", f"研究日期早于本环节开始日期（{state.entered_on.isoformat()}）"))
    if action.held_on > today:
        problems.append(Problem("date_in_future", f"研究日期不能晚于今天（{today.isoformat()}）"))
    if not attendees:
        problems.append(Problem("study_attendees_missing", "请录入参加集体研究的人员"))
    if not action.conclusion.strip():
        problems.append(Problem("study_conclusion_missing", "请录入集体研究的意见"))
    if problems:
        return _fail(state, *problems)
    study = Study(step.id, action.held_on, attendees, action.conclusion.strip(), _round(state, step.id))
    return Outcome(True, replace(state, studies=state.studies + (study,)))


def _decide(wf: Workflow, step: Step, state: CaseState, action: Decide, today: date, catalog: SanctionCatalog) -> Outcome:
    dec = step.decision(action.decision_id)
    if dec is None:
        return _fail(state, Problem("decision_unknown", f"“{step.title}”没有名为“{action.decision_id}”的决定", {"decision": action.decision_id}))
    on = action.decided_on
    if on < state.entered_on:
        return _fail(state, Problem("decision_date_before_step", f"决定日期不能早于本环节开始日期（{state.entered_on.isoformat()}）"))
    if on > today:
        return _fail(state, Problem("date_in_future", f"决定日期不能晚于今天（{today.isoformat()}）"))
    problems = _decision_problems(wf, step, dec, state, on, catalog)
    if "approval" in dec.requires and not action.approver.strip():
        problems.append(Problem("approval_missing", f"“{dec.title}”须经{dec.approver_role}审批，请填写审批人", {"role": dec.approver_role}))
    problems += [p for sep in dec.separations
                 if sep.field == APPROVER and (p := _separation_problem(wf, state, sep, action.approver))]
    if problems:
        return _fail(state, *problems)
    history = state.history + (HistoryEntry(step.id, dec.id, on, action.approver.strip()),)
    events = dict(state.events)
    events.update(dict.fromkeys(dec.sets_events, on))
    fields = dict(state.fields)
    # Entering a step again: file the previous round's values under "<step>@<round>.".
    prefix = dec.target + "."
    previous_round = sum(h.step_id == dec.target for h in history)
    for key in [k for k in fields if k.startswith(prefix)]:
        fields[f"{dec.target}@{previous_round}.{key[len(prefix):]}"] = fields.pop(key)
    new_state = replace(
        state,
        step_id=dec.target,
        entered_on=on,
        checklist=frozenset(),
        fields=MappingProxyType(fields),
        events=MappingProxyType(events),
        history=history,
    )
    return Outcome(True, new_state, (), MappingProxyType(dict.fromkeys(dec.sets_events, on)))


def _extend(wf: Workflow, state: CaseState, action: Extend, today: date, cal: WorkCalendar) -> Outcome:
    rule = wf.deadline(action.deadline_id)
    if rule is None:
        return _fail(state, Problem("deadline_unknown", f"没有名为“{action.deadline_id}”的期限", {"deadline": action.deadline_id}))
    ext = rule.extension
    if ext is None:
        return _fail(state, Problem("extension_not_allowed", f"“{rule.title}”依规不能延长", {"deadline": rule.id}))
    view = _deadline_view(rule, state, today, cal, wf.due_soon_wd)
    if view is None or view.met_on is not None:
        return _fail(state, Problem("deadline_not_active", f"“{rule.title}”目前未在计时，无需延长", {"deadline": rule.id}))
    done = sum(e.deadline_id == rule.id and e.approved_on >= view.start for e in state.extensions)
    problems = []
    if done >= ext.max_count:
        problems.append(Problem("extension_not_allowed", f"“{rule.title}”最多延长 {ext.max_count} 次，已延长 {done} 次", {"deadline": rule.id}))
    if action.unit != ext.unit or not 1 <= action.length <= ext.length:
        problems.append(
            Problem("extension_not_allowed", f"“{rule.title}”每次最多延长 {ext.length} {UNITS[ext.unit]}", {"deadline": rule.id})
        )
    if not action.approved_by.strip():
        problems.append(Problem("approval_missing", f"延长“{rule.title}”须经{ext.approver}批准，请填写批准人", {"role": ext.approver}))
    if not action.reason.strip():
        problems.append(Problem("extension_reason_missing", "请填写延长期限的理由"))
    if action.approved_on > today:
        problems.append(Problem("date_in_future", f"批准日期不能晚于今天（{today.isoformat()}）"))
    elif action.approved_on < view.start:
        problems.append(Problem("extension_date_invalid", f"批准日期早于期限起算日（{view.start.isoformat()}）"))
    elif action.approved_on > view.due:
        problems.append(Problem("extension_too_late", f"延长须在期限届满（{view.due.isoformat()}）前批准；已超期的，请如实说明超期原因"))
    if problems:
        return _fail(state, *problems)
    extension = Extension(rule.id, action.length, action.unit, action.approved_by.strip(), action.approved_on, action.reason.strip())
    return Outcome(True, replace(state, extensions=state.extensions + (extension,)))


def _subject_for(state: CaseState, given: str) -> tuple[Subject | None, Problem | None]:
    """The person an action concerns: named, or the only one left; None in a state without subjects."""
    if not state.subjects:
        return None, None
    if given:
        person = next((p for p in state.subjects if p.id == given), None)
        if person is None:
            return None, Problem("subject_unknown", f"“{given}”不是本案的被审查调查人", {"subject": given})
        if person.outcome:
            return None, Problem("subject_closed", f"本案对{person.name}已{person.outcome}，不能再为其录入", {"subject": given})
        return person, None
    still_in = open_subjects(state)
    if len(still_in) == 1:
        return still_in[0], None
    names = "、".join(p.name for p in still_in)
    return None, Problem("subject_required", f"本案有多名被审查调查人（{names}），请写明是对谁（subject）", {"subjects": [p.name for p in still_in]})


def _record_sanction(step: Step, state: CaseState, action: RecordSanction, catalog: SanctionCatalog) -> Outcome:
    if not step.sanction_kinds:
        return _fail(state, Problem("sanction_not_allowed_here", f"“{step.title}”不录入处分或处理意见"))
    person, problem = _subject_for(state, action.subject)
    if problem:
        return _fail(state, problem)
    entry = ProposedSanction(person.id if person else "", action.type_id)
    if action.remove:
        if entry not in state.sanctions:
            whom = f"对{person.name}" if person else "本案"
            return _fail(state, Problem("sanction_not_recorded", f"{whom}没有记录这项处分或处理", {"type_id": action.type_id}))
        return Outcome(True, replace(state, sanctions=tuple(x for x in state.sanctions if x != entry)))
    try:
        sanction = catalog.get(action.type_id)
    except DomainError as exc:
        return _fail(state, Problem("sanction_unknown", exc.message, {"type_id": action.type_id}))
    if sanction.kind not in step.sanction_kinds:
        allowed = "、".join(KIND_LABELS[k] for k in step.sanction_kinds)
        return _fail(state, Problem("sanction_not_allowed_here", f"“{step.title}”只能录入：{allowed}", {"type_id": action.type_id}))
    if person is not None:
        problem = person_problem(person, sanction)
        if problem:
            return _fail(state, problem)
    if entry in state.sanctions:
        return Outcome(True, state)
    other = _other_gov_sanction(state, entry, sanction, catalog)
    if other is not None:
        whom = f"对{person.name}" if person else "本案"
        return _fail(state, Problem(
            "gov_sanction_one_only",
            f"{whom}已录入政务处分“{other.name}”：有两个以上违法行为、应当给予两种以上政务处分的，执行其中最重的政务处分"
            f"（《中华人民共和国公职人员政务处分法》第十五条）；请撤销“{other.name}”后只录入最重的一种",
            {"type_id": action.type_id, "recorded": other.id}))
    return Outcome(True, replace(state, sanctions=state.sanctions + (entry,)))


def _other_gov_sanction(state: CaseState, entry: ProposedSanction, sanction, catalog: SanctionCatalog):
    """A different 政务处分 already proposed for the same person, if `sanction` is one ([Z] 第十五条)."""
    if sanction.kind != "gov":
        return None
    for x in state.sanctions:
        if x.subject == entry.subject and x.type_id != entry.type_id and x.type_id in catalog.types \
                and catalog.get(x.type_id).kind == "gov":
            return catalog.get(x.type_id)
    return None


def person_problem(person: Subject, sanction) -> Problem | None:
    if person.probationary and sanction.kind == "party":
        return Problem("probationary_member",
                       f"{person.name}是预备党员，不给予党纪处分：违犯党纪，情节较轻，可以保留预备党员资格的，批评教育或者延长预备期；"
                       "情节较重的，取消预备党员资格（《中国共产党纪律处分条例》第三十六条）。请选“预备党员处理”", {"type_id": sanction.id})
    if not person.probationary and sanction.kind == "probationary":
        return Problem("not_probationary_member",
                       f"{person.name}的政治面貌不是中共预备党员，不能给予“{sanction.name}”（《中国共产党纪律处分条例》第三十六条）",
                       {"type_id": sanction.id})
    if person.village_manager and not sanction.village_manager_allowed:
        return Problem("not_allowed_for_village_manager",
                       f"{person.name}是基层群众性自治组织中从事管理的人员，不能给予“{sanction.name}”：监察机关可以予以警告、记过、记大过"
                       "（《中华人民共和国公职人员政务处分法》第二十二条）", {"type_id": sanction.id})
    if sanction.id == "party_removal" and not person.holds_party_post:
        return Problem("no_party_post",
                       f"{person.name}没有担任党内职务：应当受到撤销党内职务处分的，应给予严重警告处分（《中国共产党纪律处分条例》第十一条），"
                       "并按撤销党内职务的批准权限审批（《中国共产党处分违纪党员批准权限和程序规定》第十二条）；"
                       "请选“严重警告（应撤销党内职务而未担任党内职务）”", {"type_id": sanction.id})
    if sanction.id == IN_LIEU_OF_REMOVAL and person.holds_party_post:
        return Problem("holds_party_post",
                       f"{person.name}担任党内职务，应给予撤销党内职务处分；“{sanction.name}”只适用于没有担任党内职务的党员"
                       "（《中国共产党纪律处分条例》第十一条）", {"type_id": sanction.id})
    return None


def _approval_act_problems(state: CaseState, on: date, approver: str, reason: str, today: date, what: str) -> list[Problem]:
    """An act the 乡镇纪委书记 approves outside the step's decisions: its date, approver and reason."""
    problems = []
    if on > today:
        problems.append(Problem("date_in_future", f"决定日期不能晚于今天（{today.isoformat()}）"))
    elif on < state.entered_on:
        problems.append(Problem("decision_date_before_step", f"决定日期不能早于本环节开始日期（{state.entered_on.isoformat()}）"))
    if not approver.strip():
        problems.append(Problem("approval_missing", f"{what}须经乡镇纪委书记批准，请填写审批人"))
    if not reason.strip():
        problems.append(Problem("reason_missing", f"请写明{what}的理由"))
    return problems


def _merge_into(wf: Workflow, step: Step, state: CaseState, action: MergeInto, today: date) -> Outcome:
    target = wf.merge_step
    problems = []
    if target is None:
        problems.append(Problem("merge_not_allowed", f"规则文件“{wf.source}”没有并案的终点环节（entry = \"merge\"）"))
    if state.subjects and not open_subjects(state):
        problems.append(Problem("no_subject_left", "本案已没有在办的被审查调查人，无可并入的"))
    problems += _approval_act_problems(state, action.decided_on, action.approver, action.reason, today, "并案")
    if problems:
        return _fail(state, *problems)
    on, who = action.decided_on, action.approver.strip()
    subjects = tuple(p if p.outcome else replace(p, outcome="并案", closed_on=on, approver=who, reason=action.reason.strip())
                     for p in state.subjects)
    return Outcome(True, replace(state, step_id=target.id, entered_on=on, checklist=frozenset(), subjects=subjects,
                                 sanctions=(), history=state.history + (HistoryEntry(step.id, "merge", on, who),)))


def take_over(wf: Workflow, state: CaseState, decision_no: str, decided_on: date, reason: str) -> Outcome:
    """提级办理: the superior commission takes the case over (监察法实施条例第四十七条; 监督执纪工作规则第九条
    "必要时也可以直接进行审查调查"). Not a decision of this office, so no gate: the case ends at the
    take-over step with the superior's decision recorded, and nothing else of it changes."""
    target = wf.take_over_step
    if target is None:
        return _fail(state, Problem("take_over_not_allowed", f"规则文件“{wf.source}”没有提级办理的终点环节（entry = \"take_over\"）"))
    if terminal_step(wf, state):
        return _fail(state, Problem("case_ended", "本案办理流程已结束，不能再提级办理"))
    recorded = {f"{target.id}.decision_no": decision_no.strip(), f"{target.id}.decision_date": decided_on.isoformat()}
    if reason.strip():
        recorded[f"{target.id}.reason"] = reason.strip()
    return Outcome(True, replace(state, step_id=target.id, entered_on=decided_on, checklist=frozenset(),
                                 fields=MappingProxyType({**state.fields, **recorded}),
                                 history=state.history + (HistoryEntry(state.step_id, "take_over", decided_on),)))


def _close_subject(state: CaseState, action: CloseSubject, today: date) -> Outcome:
    if not state.subjects:
        return _fail(state, Problem("subject_unknown", "本案没有登记被审查调查人"))
    person, problem = _subject_for(state, action.subject)
    if problem:
        return _fail(state, problem)
    filed = "filed" in state.events
    allowed = [o for o in SUBJECT_OUTCOMES if (o in ("免予处分", "不予处分", "撤销案件")) == filed or o == "分案"]
    problems = []
    if action.outcome not in allowed:
        when = "立案后" if filed else "立案前"
        problems.append(Problem("subject_outcome_invalid", f"{when}对单个被审查调查人只能：{'、'.join(allowed)}；“{action.outcome}”不在其中",
                                {"outcome": action.outcome}))
    if len(open_subjects(state)) < 2:
        problems.append(Problem("last_subject", f"{person.name}是本案仅剩的被审查调查人，请通过本环节的决定办理全案"))
    problems += _approval_act_problems(state, action.decided_on, action.approver, action.reason, today,
                                       "对单个被审查调查人办结")
    if problems:
        return _fail(state, *problems)
    closed = replace(person, outcome=action.outcome, closed_on=action.decided_on, approver=action.approver.strip(),
                     reason=action.reason.strip())
    subjects = tuple(closed if p.id == person.id else p for p in state.subjects)
    # 免予处分 and the like leave nothing to decide; a proposal left behind would count in statistics.
    sanctions = tuple(x for x in state.sanctions if x.subject != person.id)
    return Outcome(True, replace(state, subjects=subjects, sanctions=sanctions))
