"""Workflow rules (`resources/rules/workflow.toml`): parse and validate into frozen dataclasses.

The service reads the file with tomllib and passes the resulting dict with the file name; nothing
here touches the disk. Every problem in the file is collected and all are reported together in one
RulesError, each naming the file, the step (or deadline, stage) and what is wrong. The format is
documented key by key in docs/RULES.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from types import MappingProxyType
from typing import Any

from app.domain import document_rules
from app.domain.errors import DomainError
from app.domain.sanctions import KIND_LABELS

FIELD_TYPES: dict[str, str] = {
    "text": "文字",
    "date": "日期",
    "choice": "选项",
    "number": "数字",
    "person": "人员",
    "bool": "是/否",
    "attachment": "附件",
}
UNITS: dict[str, str] = {"wd": "个工作日", "days": "日", "months": "个月"}
REQUIREMENTS: dict[str, str] = {"study": "集体研究", "approval": "审批", "sanction": "处分或处理意见", "qualification": "定性"}

_ID = re.compile(r"[a-z][a-z0-9_]*")


class RulesError(DomainError):
    """An inconsistent rules file; `detail["problems"]` lists every problem found."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        lines = [f"{source}：{where}：{problem}" for where, problem in problems]
        message = f"规则文件“{source}”有 {len(problems)} 处问题，未能加载：\n" + "\n".join(lines)
        detail = {"source": source, "problems": [{"where": w, "problem": p} for w, p in problems]}
        super().__init__("rules_invalid", message, detail)


@dataclass(frozen=True)
class Guidance:
    what: str
    why: str
    how: str
    mistakes: str


@dataclass(frozen=True)
class Condition:
    """Exactly one of: a field value (`field` + `values`), an event having happened, a sanction recorded,
    every one of several conditions (`all_of`), or the opposite of one (`negated`)."""

    field: str = ""  # "<step_id>.<field_id>"
    values: tuple[Any, ...] = ()
    event: str = ""
    sanction_any: tuple[str, ...] = ()
    all_of: tuple[Condition, ...] = ()
    negated: Condition | None = None


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    type: str
    required: bool = False
    required_if: Condition | None = None
    choices: tuple[str, ...] = ()
    multiple: bool = False
    event: str = ""  # a date field that records this event when set
    missing_code: str = "field_missing"
    help: str = ""
    number_of: str = ""  # a template id: the field holds the number of the case's document made with it


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    label: str
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class DocumentRef:
    template: str
    title: str
    required: bool = False
    when: tuple[str, ...] = ()  # conditions on the person or the case (app/domain/document_rules.py)


@dataclass(frozen=True)
class MinCount:
    field: str  # "<step_id>.<field_id>"
    n: int
    code: str


@dataclass(frozen=True)
class VoteRule:
    eligible: str  # "<step_id>.<field_id>" of number fields
    present: str
    in_favour: str


@dataclass(frozen=True)
class ApprovalPowerRule:
    important_field: str  # "<step_id>.<field_id>" of a bool field; "" = never important
    hint: str
    body_field: str = ""  # "<step_id>.<field_id>" of the choice naming the approving body; "" = not chosen here


# Events the app's own per-person actions record, besides those the rules' decisions and date fields set
ACTION_EVENTS = {"gov_decided": "监察机关作出（首个）政务处分决定"}  # app/services/subjects.py decide_gov_sanction

APPROVER = "approver"  # a SeparationRule field: the person who approves the decision


@dataclass(frozen=True)
class SeparationRule:
    """No one named in `field` may be named in any round of `others` (查审分离, [R] 第五十四条); with
    field `approver`, the decision's approver may not be one of them ([R] 第五十九条第三款)."""

    field: str  # "<step_id>.<field_id>" of a multiple text field, or APPROVER
    others: tuple[str, ...]  # "<step_id>.<field_id>"; earlier rounds ("<step_id>@<n>.") count too
    because: str  # the rule and its article, shown with the names


@dataclass(frozen=True)
class DecisionRule:
    id: str
    title: str
    target: str
    requires: frozenset[str] = frozenset()
    approver_role: str = ""
    requires_items: tuple[str, ...] = ()  # checklist item ids of the step, needed for this decision only
    requires_fields: tuple[str, ...] = ()  # "<step_id>.<field_id>"
    min_counts: tuple[MinCount, ...] = ()
    vote: VoteRule | None = None
    approval_power: ApprovalPowerRule | None = None
    sets_events: tuple[str, ...] = ()
    help: str = ""
    separations: tuple[SeparationRule, ...] = ()
    # taken when the clue is registered, without the initial step's content: the 转送登记 of a
    # complaint another body accepts keeps no content ([J] 第十五条第二款)
    at_registration: bool = False
    # the one kind of decision a terminal step may offer: it takes the finished case up again,
    # as an appeal received after archiving does ([R] 第五十九条)
    reopens: bool = False
    # open only while this holds: the county's answer decides which way the case goes on
    only_if: Condition | None = None
    # "county_review" / "no_county_review": offered only where the office does / does not practise 乡案县审,
    # a local practice (按本地做法) set in the office settings (for_county_review)
    local_practice: str = ""


@dataclass(frozen=True)
class ExtensionRule:
    max_count: int
    length: int
    unit: str
    approver: str


@dataclass(frozen=True)
class DeadlineRule:
    id: str
    title: str
    start: str
    length: int
    unit: str
    stop: str = ""
    applies_if: Condition | None = None
    extension: ExtensionRule | None = None
    citation: tuple[str, ...] = ()
    note: str = ""
    enabled: bool = True
    step_id: str = ""  # the step it was declared on; "" for workflow-level deadlines


@dataclass(frozen=True)
class Step:
    id: str
    stage_id: str
    title: str
    role: str
    guidance: Guidance
    citation: tuple[str, ...]
    fields: tuple[Field, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    documents: tuple[DocumentRef, ...] = ()
    decisions: tuple[DecisionRule, ...] = ()
    deadlines: tuple[DeadlineRule, ...] = ()
    sanction_kinds: tuple[str, ...] = ()
    terminal: bool = False
    entry: str = ""  # "merge" (并案) / "take_over" (提级办理): entered from any step, not by a decision (ENTRIES)

    def field(self, field_id: str) -> Field | None:
        return self._fields.get(field_id)

    @cached_property
    def _fields(self) -> dict[str, Field]:
        # a case view looks fields up a few dozen times; cached on the frozen instance (not a field)
        return {f.id: f for f in reversed(self.fields)}  # reversed: the first of a repeated id wins, as a search would

    def decision(self, decision_id: str) -> DecisionRule | None:
        return next((d for d in self.decisions if d.id == decision_id), None)

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.checklist if i.id == item_id), None)


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    side: bool
    step_ids: tuple[str, ...]


@dataclass(frozen=True)
class Workflow:
    id: str
    title: str
    version: str
    source: str
    initial_step: str
    start_event: str
    study_min_attendees: int
    due_soon_wd: int
    stages: tuple[Stage, ...]
    steps: Mapping[str, Step]
    deadlines: tuple[DeadlineRule, ...]  # workflow-level first, then those declared on steps
    events: frozenset[str]

    def stage(self, stage_id: str) -> Stage:
        return self._stages[stage_id]

    @cached_property
    def _stages(self) -> dict[str, Stage]:
        return {s.id: s for s in reversed(self.stages)}

    @property
    def merge_step(self) -> Step | None:
        """The terminal step a case merged into another (并案) ends at; None: the rules allow no 并案."""
        return next((s for s in self.steps.values() if s.entry == "merge"), None)

    @property
    def take_over_step(self) -> Step | None:
        """The terminal step a case the county took over (提级办理) ends at; None: these rules have none."""
        return next((s for s in self.steps.values() if s.entry == "take_over"), None)

    def stage_of(self, step_id: str) -> Stage:
        return self.stage(self.steps[step_id].stage_id)

    def deadline(self, deadline_id: str) -> DeadlineRule | None:
        return next((d for d in self.deadlines if d.id == deadline_id), None)

    def field(self, key: str) -> Field | None:
        """The field behind a "<step_id>.<field_id>" key."""
        return self._fields.get(key)

    @cached_property
    def _fields(self) -> dict[str, Field]:
        # every key at once: a key a received state makes up is never stored
        return {f"{step.id}.{f.id}": f for step in self.steps.values() for f in reversed(step.fields)}


# ---------------------------------------------------------------- reading helpers


class _Reader:
    """Typed access to TOML tables that records problems instead of raising."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[tuple[str, str]] = []

    def add(self, where: str, problem: str) -> None:
        self.problems.append((where, problem))

    def table(self, data: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            self.add(where, "应为表（table）")
            return {}
        unknown = sorted(set(data) - allowed)
        if unknown:
            self.add(where, f"含未知的键：{'、'.join(unknown)}（拼写错误？）")
        return data

    def text(self, t: Mapping, key: str, where: str, *, required: bool = True, default: str = "") -> str:
        value = t.get(key)
        if value is None:
            if required:
                self.add(where, f"缺少“{key}”")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(where, f"“{key}”应为非空文字")
            return default
        return value.strip()

    def ident(self, t: Mapping, key: str, where: str, *, required: bool = True) -> str:
        value = self.text(t, key, where, required=required)
        if value and not _ID.fullmatch(value):
            self.add(where, f"“{key}” = “{value}”只能由小写字母、数字和下划线组成，且以字母开头")
        return value

    def flag(self, t: Mapping, key: str, where: str, default: bool) -> bool:
        value = t.get(key, default)
        if type(value) is not bool:
            self.add(where, f"“{key}”应为 true 或 false")
            return default
        return value

    def integer(self, t: Mapping, key: str, where: str, *, default: int | None = None, minimum: int = 1) -> int:
        value = t.get(key, default)
        if value is None:
            self.add(where, f"缺少“{key}”")
            return minimum
        if type(value) is not int or value < minimum:
            self.add(where, f"“{key}”应为不小于 {minimum} 的整数")
            return minimum
        return value

    def texts(self, t: Mapping, key: str, where: str, *, single_ok: bool = False) -> tuple[str, ...]:
        value = t.get(key, [])
        if single_ok and isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(where, f"“{key}”应为文字数组")
            return ()
        return tuple(v.strip() for v in value)

    def tables(self, t: Mapping, key: str, where: str) -> list[Mapping]:
        value = t.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.add(where, f"“{key}”应为表数组（[[...{key}]]）")
            return []
        return value


def _qualify(step_id: str, ref: str) -> str:
    """A field reference: bare ids mean the step's own field, "step.field" any step's."""
    return ref if "." in ref else f"{step_id}.{ref}"


def _dedupe(r: _Reader, where: str, what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            r.add(where, f"{what}“{i}”重复")
        seen.add(i)


# ---------------------------------------------------------------- parsing

_WORKFLOW_KEYS = {"id", "title", "version", "initial_step", "start_event", "study_min_attendees", "due_soon_wd"}
_STAGE_KEYS = {"title", "side"}
_STEP_KEYS = {
    "stage", "title", "role", "citation", "guidance", "fields", "checklist", "documents", "decisions",
    "deadlines", "sanction_kinds", "terminal", "entry",
}
ENTRIES = ("merge", "take_over")
_GUIDANCE_KEYS = {"what", "why", "how", "mistakes"}
_FIELD_KEYS = {"id", "label", "type", "required", "required_if", "choices", "multiple", "event", "missing_code", "help",
               "number_of"}
_ITEM_KEYS = {"id", "label", "required", "help"}
_DOCUMENT_KEYS = {"template", "title", "required", "when"}
_DECISION_KEYS = {
    "id", "title", "target", "requires", "approver_role", "requires_items", "requires_fields", "min_count", "vote",
    "approval_power", "sets_event", "help", "separate", "at_registration", "reopens", "only_if",
    "local_practice",
}
_DEADLINE_KEYS = {"title", "start", "stop", "length", "unit", "applies_if", "extension", "citation", "note", "enabled"}
_EXTENSION_KEYS = {"max_count", "length", "unit", "approver"}
_CONDITION_KEYS = {"field", "equals", "in", "event", "sanction_any", "all", "not"}


def _condition(r: _Reader, data: Any, where: str) -> Condition | None:
    if data is None:
        return None
    t = r.table(data, where, _CONDITION_KEYS)
    kinds = [k for k in ("field", "event", "sanction_any", "all", "not") if k in t]
    if len(kinds) != 1:
        r.add(where, "条件应当且只能含 field、event、sanction_any、all、not 之一")
        return None
    if kinds[0] == "all":
        if not isinstance(t["all"], list) or len(t["all"]) < 2:
            r.add(where, "条件的 all 应为至少含两个条件的数组")
            return None
        parts = [_condition(r, part, f"{where}的 all 第{n}项") for n, part in enumerate(t["all"], start=1)]
        return Condition(all_of=tuple(parts)) if all(parts) else None
    if kinds[0] == "not":
        inner = _condition(r, t["not"], f"{where}的 not")
        return Condition(negated=inner) if inner else None
    if kinds[0] == "event":
        return Condition(event=r.ident(t, "event", where))
    if kinds[0] == "sanction_any":
        return Condition(sanction_any=r.texts(t, "sanction_any", where))
    field = r.text(t, "field", where)
    if ("equals" in t) == ("in" in t):
        r.add(where, f"条件“{field}”应当且只能含 equals 或 in 之一")
        return None
    if "equals" in t:
        values: tuple[Any, ...] = (t["equals"],)
    elif isinstance(t["in"], list) and t["in"]:
        values = tuple(t["in"])
    else:
        r.add(where, f"条件“{field}”的 in 应为非空数组")
        return None
    return Condition(field=field, values=values)


def _guidance(r: _Reader, data: Any, where: str) -> Guidance:
    if data is None:
        r.add(where, "缺少指导说明 [guidance]（what/why/how/mistakes）")
        return Guidance("", "", "", "")
    t = r.table(data, where + "的 guidance", _GUIDANCE_KEYS)
    return Guidance(*(r.text(t, k, where + "的 guidance") for k in ("what", "why", "how", "mistakes")))


def _field(r: _Reader, data: Mapping, where: str) -> Field:
    fid = r.ident(data, "id", where)
    where = f"{where}字段“{fid}”"
    t = r.table(data, where, _FIELD_KEYS)
    ftype = r.text(t, "type", where)
    if ftype and ftype not in FIELD_TYPES:
        r.add(where, f"类型“{ftype}”未知，应为 {'、'.join(FIELD_TYPES)} 之一")
    choices = r.texts(t, "choices", where)
    if ftype == "choice" and not choices:
        r.add(where, "选项字段缺少 choices")
    if ftype != "choice" and choices:
        r.add(where, "只有 choice 类型的字段才能有 choices")
    event = r.ident(t, "event", where, required=False)
    if event and ftype != "date":
        r.add(where, "只有 date 类型的字段才能设置 event")
    number_of = r.ident(t, "number_of", where, required=False)
    if number_of and ftype != "text":
        r.add(where, "只有 text 类型的字段才能设置 number_of（文书编号）")
    return Field(
        id=fid,
        label=r.text(t, "label", where),
        type=ftype,
        required=r.flag(t, "required", where, False),
        required_if=_condition(r, t.get("required_if"), where + "的 required_if"),
        choices=choices,
        multiple=r.flag(t, "multiple", where, False),
        event=event,
        missing_code=r.ident(t, "missing_code", where, required=False) or "field_missing",
        help=r.text(t, "help", where, required=False),
        number_of=number_of or "",
    )


def _decision(r: _Reader, data: Mapping, step_id: str, where: str) -> DecisionRule:
    did = r.ident(data, "id", where)
    where = f"{where}决定“{did}”"
    t = r.table(data, where, _DECISION_KEYS)
    target = t.get("target")
    if not isinstance(target, str) or not target.strip():
        r.add(where, "缺少去向（target）：每个决定都必须指明转入哪个环节")
        target = ""
    requires = r.texts(t, "requires", where)
    for word in requires:
        if word not in REQUIREMENTS:
            r.add(where, f"requires 中的“{word}”未知，应为 {'、'.join(REQUIREMENTS)} 之一")
    approver_role = r.text(t, "approver_role", where, required=False)
    if "approval" in requires and not approver_role:
        r.add(where, "requires 含 approval 时须写明 approver_role（由谁审批）")
    min_counts = []
    for index, raw in enumerate(r.tables(t, "min_count", where), start=1):
        mw = f"{where}的第 {index} 个 min_count"
        mt = r.table(raw, mw, {"field", "n", "code"})
        min_counts.append(
            MinCount(
                field=_qualify(step_id, r.text(mt, "field", mw)),
                n=r.integer(mt, "n", mw),
                code=r.ident(mt, "code", mw, required=False) or "count_too_few",
            )
        )
    vote = None
    if "vote" in t:
        vt = r.table(t["vote"], where + "的 vote", {"eligible", "present", "in_favour"})
        vote = VoteRule(*(_qualify(step_id, r.text(vt, k, where + "的 vote")) for k in ("eligible", "present", "in_favour")))
    events = r.texts(t, "sets_event", where, single_ok=True)
    for event in events:
        if not _ID.fullmatch(event):
            r.add(where, f"sets_event 中的“{event}”只能由小写字母、数字和下划线组成，且以字母开头")
    power = None
    if "approval_power" in t:
        pw = where + "的 approval_power"
        pt = r.table(t["approval_power"], pw, {"important_field", "hint", "body_field"})
        important = r.text(pt, "important_field", pw, required=False)
        body = r.text(pt, "body_field", pw, required=False)
        power = ApprovalPowerRule(_qualify(step_id, important) if important else "", r.text(pt, "hint", pw),
                                  _qualify(step_id, body) if body else "")
    separations = []
    for index, raw in enumerate(r.tables(t, "separate", where), start=1):
        sw = f"{where}的第 {index} 个 separate"
        st = r.table(raw, sw, {"field", "from", "because"})
        target_field = r.text(st, "field", sw)
        if target_field == APPROVER and "approval" not in requires:
            r.add(sw, "field = \"approver\" 只能用于需要审批（requires 含 approval）的决定")
        separations.append(SeparationRule(target_field if target_field == APPROVER else _qualify(step_id, target_field),
                                          tuple(_qualify(step_id, f) for f in r.texts(st, "from", sw, single_ok=True)),
                                          r.text(st, "because", sw)))
    return DecisionRule(
        id=did,
        title=r.text(t, "title", where),
        target=target.strip(),
        requires=frozenset(requires),
        approver_role=approver_role,
        requires_items=r.texts(t, "requires_items", where),
        requires_fields=tuple(_qualify(step_id, f) for f in r.texts(t, "requires_fields", where)),
        min_counts=tuple(min_counts),
        vote=vote,
        approval_power=power,
        sets_events=events,
        help=r.text(t, "help", where, required=False),
        separations=tuple(separations),
        at_registration=r.flag(t, "at_registration", where, False),
        reopens=r.flag(t, "reopens", where, False),
        only_if=_condition(r, t.get("only_if"), where + "的 only_if"),
        local_practice=_local_practice(r, t, where),
    )


# a decision's local_practice → whether the office practises 乡案县审 where it is offered
LOCAL_PRACTICES = {"county_review": True, "no_county_review": False}


def _local_practice(r: _Reader, t: Mapping, where: str) -> str:
    value = r.text(t, "local_practice", where, required=False)
    if value and value not in LOCAL_PRACTICES:
        r.add(where, f"local_practice 只能是 {'、'.join(LOCAL_PRACTICES)} 之一")
    return value


def for_county_review(wf: Workflow, practised: bool) -> Workflow:
    """The workflow as an office that does (or does not) practise 乡案县审 works by it: the decisions
    marked for the other practice are left out; steps stay, so a case already in one keeps working."""
    def offered(d: DecisionRule) -> bool:
        return not d.local_practice or LOCAL_PRACTICES.get(d.local_practice) == practised

    if all(offered(d) for st in wf.steps.values() for d in st.decisions):
        return wf
    steps = {sid: replace(st, decisions=tuple(d for d in st.decisions if offered(d))) for sid, st in wf.steps.items()}
    return replace(wf, steps=MappingProxyType(steps))


def _deadline(r: _Reader, did: str, data: Any, step_id: str) -> DeadlineRule:
    where = f"期限“{did}”" + (f"（环节“{step_id}”）" if step_id else "")
    if not _ID.fullmatch(did):
        r.add(where, "期限 id 只能由小写字母、数字和下划线组成，且以字母开头")
    t = r.table(data, where, _DEADLINE_KEYS)
    start = t.get("start")
    if not isinstance(start, str) or not start.strip():
        r.add(where, "缺少开始事件（start）：期限必须说明从哪个事件起算")
        start = ""
    unit = r.text(t, "unit", where)
    if unit and unit not in UNITS:
        r.add(where, f"单位“{unit}”未知，应为 {'、'.join(UNITS)} 之一")
    extension = None
    if "extension" in t:
        ew = where + "的 extension"
        et = r.table(t["extension"], ew, _EXTENSION_KEYS)
        ext_unit = r.text(et, "unit", ew)
        if ext_unit and ext_unit not in UNITS:
            r.add(ew, f"单位“{ext_unit}”未知，应为 {'、'.join(UNITS)} 之一")
        extension = ExtensionRule(
            max_count=r.integer(et, "max_count", ew),
            length=r.integer(et, "length", ew),
            unit=ext_unit,
            approver=r.text(et, "approver", ew),
        )
    return DeadlineRule(
        id=did,
        title=r.text(t, "title", where),
        start=start.strip(),
        length=r.integer(t, "length", where),
        unit=unit,
        stop=r.ident(t, "stop", where, required=False),
        applies_if=_condition(r, t.get("applies_if"), where + "的 applies_if"),
        extension=extension,
        citation=r.texts(t, "citation", where, single_ok=True),
        note=r.text(t, "note", where, required=False),
        enabled=r.flag(t, "enabled", where, True),
        step_id=step_id,
    )


def _step(r: _Reader, sid: str, data: Any) -> Step:
    where = f"环节“{sid}”"
    if not _ID.fullmatch(sid):
        r.add(where, "环节 id 只能由小写字母、数字和下划线组成，且以字母开头")
    t = r.table(data, where, _STEP_KEYS)
    fields = tuple(_field(r, f, where) for f in r.tables(t, "fields", where))
    checklist = []
    for raw in r.tables(t, "checklist", where):
        iid = r.ident(raw, "id", where)
        iw = f"{where}必办事项“{iid}”"
        it = r.table(raw, iw, _ITEM_KEYS)
        checklist.append(
            ChecklistItem(iid, r.text(it, "label", iw), r.flag(it, "required", iw, True), r.text(it, "help", iw, required=False))
        )
    documents = []
    for raw in r.tables(t, "documents", where):
        dt = r.table(raw, where + "的文书", _DOCUMENT_KEYS)
        template = r.ident(dt, "template", where + "的文书")
        dw = f"{where}文书“{template}”"
        documents.append(DocumentRef(template, r.text(dt, "title", dw), r.flag(dt, "required", dw, False),
                                     r.texts(dt, "when", dw, single_ok=True)))
    decisions = tuple(_decision(r, d, sid, where) for d in r.tables(t, "decisions", where))
    raw_deadlines = t.get("deadlines", {})
    if not isinstance(raw_deadlines, Mapping):
        r.add(where, "“deadlines”应为以期限 id 为键的表（[steps.<环节>.deadlines.<期限>]）")
        raw_deadlines = {}
    kinds = r.texts(t, "sanction_kinds", where)
    for kind in kinds:
        if kind not in KIND_LABELS:
            r.add(where, f"sanction_kinds 中的“{kind}”未知，应为 {'、'.join(KIND_LABELS)} 之一")
    _dedupe(r, where, "字段", [f.id for f in fields])
    _dedupe(r, where, "必办事项", [i.id for i in checklist])
    _dedupe(r, where, "文书", [d.template for d in documents])
    _dedupe(r, where, "决定", [d.id for d in decisions])
    return Step(
        id=sid,
        stage_id=r.text(t, "stage", where),
        title=r.text(t, "title", where),
        role=r.text(t, "role", where),
        guidance=_guidance(r, t.get("guidance"), where),
        citation=r.texts(t, "citation", where, single_ok=True),
        fields=fields,
        checklist=tuple(checklist),
        documents=tuple(documents),
        decisions=decisions,
        deadlines=tuple(_deadline(r, did, d, sid) for did, d in raw_deadlines.items()),
        sanction_kinds=kinds,
        terminal=r.flag(t, "terminal", where, False),
        entry=_entry(r, t, where),
    )


def _entry(r: _Reader, t: Mapping, where: str) -> str:
    entry = r.text(t, "entry", where, required=False)
    if entry and entry not in ENTRIES:
        r.add(where, f"entry 只能是 {'、'.join(ENTRIES)}")
    if entry and not t.get("terminal"):
        r.add(where, f"entry = \"{entry}\" 的环节须是终点环节（terminal = true）")
    return entry


# ---------------------------------------------------------------- cross-checks


def _check_graph(r: _Reader, steps: Mapping[str, Step], initial: str) -> None:
    for step in steps.values():
        where = f"环节“{step.id}”"
        if not step.citation:
            r.add(where, "缺少依据（citation）")
        if step.terminal and any(not d.reopens for d in step.decisions):
            r.add(where, "终点环节（terminal = true）只能有重新办理的决定（reopens = true），如归档后受理申诉")
        if not step.terminal and any(d.reopens for d in step.decisions):
            r.add(where, "reopens = true 只能用于终点环节的决定")
        if not step.terminal and not step.decisions:
            r.add(where, "既不是终点环节，也没有任何决定，案件会停在这里")
        items = {i.id for i in step.checklist}
        for d in step.decisions:
            if d.target and d.target not in steps:
                r.add(where, f"决定“{d.id}”的去向“{d.target}”不是已定义的环节")
            for item in d.requires_items:
                if item not in items:
                    r.add(where, f"决定“{d.id}”的 requires_items 引用的必办事项“{item}”不存在")
            if d.at_registration and (step.id != initial or d.requires & {"approval", "study"}):
                r.add(where, f"决定“{d.id}”：at_registration 只能用于起始环节、无须审批和集体研究的决定")
    if initial not in steps:
        return
    reached = {initial}
    frontier = [initial]
    while frontier:
        for d in steps[frontier.pop()].decisions:
            if d.target in steps and d.target not in reached:
                reached.add(d.target)
                frontier.append(d.target)
    for sid in steps:
        if sid not in reached and not steps[sid].entry:  # an entry step is reached by 并案 or 提级, from anywhere
            r.add(f"环节“{sid}”", f"无法从起始环节“{initial}”到达")
    for entry in ENTRIES:
        if sum(1 for s in steps.values() if s.entry == entry) > 1:
            r.add("规则文件", f"只能有一个 entry = \"{entry}\" 的环节")
    # Every step must be able to finish: walk backwards from the terminal steps.
    finishing = {sid for sid, s in steps.items() if s.terminal}
    changed = True
    while changed:
        changed = False
        for sid, s in steps.items():
            if sid not in finishing and any(d.target in finishing for d in s.decisions):
                finishing.add(sid)
                changed = True
    for sid in reached - finishing:
        r.add(f"环节“{sid}”", "从这里无法到达任何终点环节（terminal）")


def _check_references(r: _Reader, steps: Mapping[str, Step], deadlines: list[DeadlineRule], start_event: str) -> frozenset[str]:
    fields = {f"{s.id}.{f.id}": f for s in steps.values() for f in s.fields}
    events = {start_event} | {f.event for f in fields.values() if f.event} | set(ACTION_EVENTS)
    events |= {e for s in steps.values() for d in s.decisions for e in d.sets_events}

    def check_field(where: str, key: str, what: str, types: tuple[str, ...] = ()) -> None:
        field = fields.get(key)
        if field is None:
            r.add(where, f"{what}引用的字段“{key}”不存在")
        elif types and field.type not in types:
            r.add(where, f"{what}引用的字段“{key}”应为 {'/'.join(types)} 类型")

    def check_condition(where: str, cond: Condition | None) -> None:
        if cond is None:
            return
        for part in (*cond.all_of, cond.negated):
            check_condition(where, part)
        if cond.field:
            check_field(where, cond.field, "条件")
            field = fields.get(cond.field)
            for value in cond.values if field and field.type == "choice" else ():
                if value not in field.choices:
                    r.add(where, f"条件的取值“{value}”不在字段“{cond.field}”的选项中")
        if cond.event and cond.event not in events:
            r.add(where, f"条件引用的事件“{cond.event}”没有任何决定或日期字段会设置")

    for s in steps.values():
        where = f"环节“{s.id}”"
        for f in s.fields:
            check_condition(f"{where}字段“{f.id}”的 required_if", f.required_if)
        for d in s.decisions:
            dw = f"{where}决定“{d.id}”"
            check_condition(dw + "的 only_if", d.only_if)
            for key in d.requires_fields:
                check_field(dw, key, "requires_fields ")
            for mc in d.min_counts:
                check_field(dw, mc.field, "min_count ")
            if d.vote:
                for key in (d.vote.eligible, d.vote.present, d.vote.in_favour):
                    check_field(dw, key, "vote ", ("number",))
            if d.approval_power and d.approval_power.important_field:
                check_field(dw, d.approval_power.important_field, "approval_power ", ("bool",))
            if d.approval_power and d.approval_power.body_field:
                check_field(dw, d.approval_power.body_field, "approval_power ", ("choice",))
            for sep in d.separations:
                for key in (sep.field, *sep.others):
                    if key != APPROVER:
                        check_field(dw, key, "separate ", ("text",))
    for dl in deadlines:
        where = f"期限“{dl.id}”" + (f"（环节“{dl.step_id}”）" if dl.step_id else "")
        if dl.start and dl.start not in events:
            r.add(where, f"开始事件“{dl.start}”没有任何决定或日期字段会设置")
        if dl.stop and dl.stop not in events:
            r.add(where, f"结束事件“{dl.stop}”没有任何决定或日期字段会设置")
        check_condition(where + "的 applies_if", dl.applies_if)
    return frozenset(events)


def parse_workflow(data: Mapping[str, Any], source: str) -> Workflow:
    """Build a Workflow from the dict tomllib gave for `source`; raise RulesError listing all problems."""
    r = _Reader(source)
    top = r.table(data, "文件", {"workflow", "stages", "steps", "deadlines"})
    head = r.table(top.get("workflow", {}), "[workflow]", _WORKFLOW_KEYS)
    initial = r.ident(head, "initial_step", "[workflow]")
    start_event = r.ident(head, "start_event", "[workflow]")

    raw_steps = top.get("steps", {})
    if not isinstance(raw_steps, Mapping) or not raw_steps:
        r.add("文件", "缺少环节定义 [steps.<环节>]")
        raw_steps = {}
    steps = {sid: _step(r, sid, d) for sid, d in raw_steps.items()}

    raw_stages = top.get("stages", {})
    if not isinstance(raw_stages, Mapping) or not raw_stages:
        r.add("文件", "缺少阶段定义 [stages.<阶段>]")
        raw_stages = {}
    stages = []
    for gid, d in raw_stages.items():
        where = f"阶段“{gid}”"
        t = r.table(d, where, _STAGE_KEYS)
        members = tuple(s.id for s in steps.values() if s.stage_id == gid)
        if not members:
            r.add(where, "没有任何环节属于这个阶段")
        stages.append(Stage(gid, r.text(t, "title", where), r.flag(t, "side", where, False), members))
    for s in steps.values():
        if s.stage_id and s.stage_id not in raw_stages:
            r.add(f"环节“{s.id}”", f"所属阶段“{s.stage_id}”未定义")
    if initial and initial not in steps:
        r.add("[workflow]", f"起始环节 initial_step = “{initial}”不是已定义的环节")
    if not any(s.terminal for s in steps.values()):
        r.add("文件", "没有终点环节（terminal = true）")

    raw_deadlines = top.get("deadlines", {})
    if not isinstance(raw_deadlines, Mapping):
        r.add("文件", "“deadlines”应为以期限 id 为键的表（[deadlines.<期限>]）")
        raw_deadlines = {}
    deadlines = [_deadline(r, did, d, "") for did, d in raw_deadlines.items()]
    deadlines += [dl for s in steps.values() for dl in s.deadlines]
    _dedupe(r, "文件", "期限", [dl.id for dl in deadlines])

    _check_graph(r, steps, initial)
    events = _check_references(r, steps, deadlines, start_event)
    known_fields = {f"{s.id}.{f.id}" for s in steps.values() for f in s.fields}
    for s in steps.values():
        for ref in s.documents:
            for condition in ref.when:
                problem = document_rules.condition_problem(condition, known_fields)
                if problem:
                    r.add(f"环节“{s.id}”文书“{ref.template}”", problem)
    workflow = Workflow(
        id=r.ident(head, "id", "[workflow]"),
        title=r.text(head, "title", "[workflow]"),
        version=r.text(head, "version", "[workflow]"),
        source=source,
        initial_step=initial,
        start_event=start_event,
        study_min_attendees=r.integer(head, "study_min_attendees", "[workflow]", default=3),
        due_soon_wd=r.integer(head, "due_soon_wd", "[workflow]", default=3, minimum=0),
        stages=tuple(stages),
        steps=MappingProxyType(steps),
        deadlines=tuple(deadlines),
        events=events,
    )
    if r.problems:
        raise RulesError(source, r.problems)
    return workflow
