"""Practice scenarios (`resources/practice/*.toml`, docs/PRACTICE.md): parse and check them.

Pure: the service reads the file with tomllib and passes the dict, the file name, the workflow and
the sanction catalog in force. Every id a scenario names (step, decision, checklist item, field,
sanction type, document template) must exist there, and the reference answers must walk the
workflow from its first step without a gap. All problems are collected and reported together in
one ScenarioError, each naming the file, the field and the reason, like RulesError.

The reference answers are the scenario's path: the case in a practice attempt always follows it
(a different decision is graded and held, see practice_scoring), so the n-th decision of a
practice case is always the n-th reference entry.

A clue with several persons (docs/PRACTICE.md §4.8) says what is done for whom: an entry's
`persons` (`[[reference.persons]]`, PersonWork) and the points with a `subject` (PersonPoint), which
grade that person alone. They are checked after the rest of the file, with the persons' own rules
(the clue's names and 政治面貌, 立案 before a closing, the 定性's range, 政务处分法第二十二条), and
their problems are listed after the others in the same ScenarioError.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any

from app.domain import articles as article_rules
from app.domain import subjects as subject_rules
from app.domain.articles import ArticleCatalog
from app.domain.errors import DomainError
from app.domain.rules import Step, Workflow
from app.domain.sanctions import SanctionCatalog
from app.domain.workflow import SUBJECT_OUTCOMES, CaseState, validate_fields

TRIGGERS: dict[str, str] = {
    "start": "练习开始时",
    "enter": "进入环节时",
    "item": "完成必办事项时",
    "field": "填写信息时",
    "decision": "作出决定后",
}
POINT_KINDS: dict[str, str] = {"decision": "决定", "sanction": "处分或处理"}
PERSON_POINT_KINDS: dict[str, str] = {"sanction": "处分或处理", "qualification": "定性", "outcome": "办理结果"}
GOES_ON = "继续办理"  # an outcome answer: the case goes on for this person (not closed for them alone)
PARTY_MEMBER_STATUSES = ("中共党员", "中共预备党员")  # only they can be given a 党纪处分
TICK_MODES = ("required", "all")
CLUE_KEYS = {"source", "received_days_ago", "summary", "categories", "incoming_no", "leader_instruction", "reporter",
             "persons"}
REPORTER_KEYS = {"name", "phone", "address", "real_name"}
MAX_DAYS_AGO = 60
TODAY = "today"  # a date field's value in a script entry: the day the script runs
_SAMPLE_DAY = "2000-01-01"

_ID = re.compile(r"[a-z][a-z0-9_]*")
_EMPTY: Mapping[str, Any] = MappingProxyType({})


class ScenarioError(DomainError):
    """A scenario file that cannot be used; `detail["problems"]` lists every (field, problem)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        lines = [f"{source}：{where}：{problem}" for where, problem in problems]
        message = f"练习案例文件“{source}”有 {len(problems)} 处问题，未能加载：\n" + "\n".join(lines)
        detail = {"source": source, "problems": [{"field": w, "problem": p} for w, p in problems]}
        super().__init__("scenario_invalid", message, detail)


# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class Trigger:
    kind: str  # start | enter | item | field | decision
    ref: str = ""  # step id, "step.item", "step.field" or "step.decision"


@dataclass(frozen=True)
class Fact:
    id: str
    title: str
    text: str
    when: Trigger


@dataclass(frozen=True)
class PersonWork:
    """What a script entry does for one person of the case, before the step's decision."""

    subject: str  # the person's name
    particulars: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)  # set_subject values
    supervision_filing: bool = False  # 监察立案 (the person must be a 监察对象)
    close: str = ""  # close_subject outcome (了结, 免予处分 …); "" = the case goes on for them
    reason: str = ""
    qualification: tuple[Mapping[str, str], ...] = ()
    sanctions: tuple[str, ...] | None = None  # None: leave what is recorded as it is


@dataclass(frozen=True)
class ScriptEntry:
    """What a trainee does in one visit of a step: the reference answers and `practice run` files."""

    decide: str  # "" only in the last entry: work in the end step without leaving it
    step: str = ""
    tick: str | tuple[str, ...] = "required"
    fields: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    sanctions: tuple[str, ...] | None = None
    qualification: tuple[Mapping[str, str], ...] = ()  # 定性: [{article, plot}], as `set_qualification` takes it
    documents: tuple[str, ...] = ()
    study: bool = False
    approver: str = ""
    fill: bool = True
    persons: tuple[PersonWork, ...] = ()  # the work for named persons (a case with several)


@dataclass(frozen=True)
class Alternative:
    answer: Any  # a decision id, or a frozenset of sanction type ids
    points: int
    note: str


@dataclass(frozen=True)
class DecisionPoint:
    id: str
    question: str
    kind: str  # decision | sanction
    step: str
    round: int
    visit: int  # index of the step visit in the scenario's path
    expected: Any  # a decision id, or a frozenset of sanction type ids
    alternatives: tuple[Alternative, ...]
    points: int
    feedback: str
    citation: tuple[str, ...]


@dataclass(frozen=True)
class PersonPoint(DecisionPoint):
    """A decision point about one person: their sanctions, their 定性 or how the case ends for them.

    `kind` is one of PERSON_POINT_KINDS; `expected` a frozenset of sanction type ids, a frozenset of
    qualification keys ("T97:较轻", see qualification_key) or an outcome (了结 … or GOES_ON).
    """

    subject: str = ""


@dataclass(frozen=True)
class RequiredCheck:
    """Something the procedure asks for that the workflow itself does not enforce."""

    id: str
    title: str
    kind: str  # item | field | study
    ref: str  # "step.item", "step.field" or a step id
    values: tuple[Any, ...]  # for a field: the acceptable values; () = any value
    points: int
    feedback: str
    citation: tuple[str, ...]


@dataclass(frozen=True)
class DocumentCheck:
    template: str
    title: str
    step: str
    points: int
    feedback: str
    citation: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    version: str
    source: str
    level: str
    summary: str
    tags: tuple[str, ...]
    clue: Mapping[str, Any]  # the clue JSON of `clue add`, without received_on
    received_days_ago: int
    facts: tuple[Fact, ...]
    reference: tuple[ScriptEntry, ...]
    points: tuple[DecisionPoint, ...]  # about the whole case (decision, sanction)
    required: tuple[RequiredCheck, ...]
    documents: tuple[DocumentCheck, ...]
    time_limit_minutes: int
    time_points: int
    pass_percent: int
    end_step: str  # where the case is when the path is done
    person_points: tuple[PersonPoint, ...] = ()  # about single persons
    names: tuple[str, ...] = ()  # the persons of the clue
    point_order: tuple[str, ...] = ()  # every point id as the file lists them

    @property
    def path(self) -> tuple[tuple[str, str], ...]:
        """(step, decision) of every decision the reference takes, in order."""
        return tuple((e.step, e.decide) for e in self.reference if e.decide)

    @property
    def all_points(self) -> tuple[DecisionPoint, ...]:
        """Every decision point, the persons' ones included, in path order (file order within a visit)."""
        order = {pid: n for n, pid in enumerate(self.point_order)}
        return tuple(sorted((*self.points, *self.person_points), key=lambda p: (p.visit, order.get(p.id, 0))))

    @property
    def total(self) -> int:
        return (sum(p.points for p in self.all_points) + sum(r.points for r in self.required)
                + sum(d.points for d in self.documents) + self.time_points)

    def point(self, point_id: str) -> DecisionPoint | None:
        return next((p for p in self.all_points if p.id == point_id), None)

    def points_at(self, visit: int) -> tuple[DecisionPoint, ...]:
        return tuple(p for p in self.points if p.visit == visit)


# ---------------------------------------------------------------- facts


def triggered(scenario: Scenario, state: CaseState, items_done: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Ids of the facts revealed so far; `items_done` are "step.item" ticked in visits already left."""
    visited = {h.step_id for h in state.history} | {state.step_id}
    decided = {f"{h.step_id}.{h.decision_id}" for h in state.history}
    ticked = {f"{state.step_id}.{i}" for i in state.checklist} | items_done
    filled = {_unround(k) for k, v in state.fields.items() if v is not None}
    out = []
    for fact in scenario.facts:
        kind, ref = fact.when.kind, fact.when.ref
        if (kind == "start" or (kind == "enter" and ref in visited) or (kind == "item" and ref in ticked)
                or (kind == "field" and ref in filled) or (kind == "decision" and ref in decided)):
            out.append(fact.id)
    return tuple(out)


def _unround(key: str) -> str:
    """"talk_inquiry@1.finding" (an earlier round) -> "talk_inquiry.finding"."""
    step, _, rest = key.partition(".")
    return f"{step.partition('@')[0]}.{rest}"


# ---------------------------------------------------------------- reading helpers


class _Reader:
    """Typed access to the TOML tables that records (field, problem) instead of raising."""

    def __init__(self):
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

    def text(self, t: Mapping, key: str, where: str, *, required: bool = True) -> str:
        value = t.get(key)
        if value is None:
            if required:
                self.add(f"{where}.{key}", "缺少此项")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(f"{where}.{key}", "应为非空文字")
            return ""
        return value.strip()

    def ident(self, t: Mapping, key: str, where: str, *, required: bool = True) -> str:
        value = self.text(t, key, where, required=required)
        if value and not _ID.fullmatch(value):
            self.add(f"{where}.{key}", f"“{value}”只能由小写字母、数字和下划线组成，且以字母开头")
            return ""
        return value

    def integer(self, t: Mapping, key: str, where: str, *, default: int | None = None, minimum: int = 0,
                maximum: int | None = None) -> int:
        value = t.get(key, default)
        if value is None:
            self.add(f"{where}.{key}", "缺少此项")
            return minimum
        if type(value) is not int or value < minimum or (maximum is not None and value > maximum):
            upper = f"、不大于 {maximum}" if maximum is not None else ""
            self.add(f"{where}.{key}", f"应为不小于 {minimum}{upper} 的整数")
            return minimum
        return value

    def flag(self, t: Mapping, key: str, where: str, default: bool) -> bool:
        value = t.get(key, default)
        if type(value) is not bool:
            self.add(f"{where}.{key}", "应为 true 或 false")
            return default
        return value

    def texts(self, t: Mapping, key: str, where: str, *, required: bool = False) -> tuple[str, ...]:
        value = t.get(key)
        if value is None:
            if required:
                self.add(f"{where}.{key}", "缺少此项")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(f"{where}.{key}", "应为文字数组")
            return ()
        if required and not value:
            self.add(f"{where}.{key}", "不能为空")
        return tuple(v.strip() for v in value)

    def tables(self, t: Mapping, key: str, where: str) -> list[Mapping]:
        value = t.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.add(f"{where}{key}", f"应为表数组（[[{key}]]）")
            return []
        return value


# ---------------------------------------------------------------- parsing

_TOP_KEYS = {"scenario", "clue", "facts", "reference", "points", "required", "documents"}
_HEAD_KEYS = {"id", "title", "version", "level", "summary", "tags", "time_limit_minutes", "time_points", "pass_percent"}
_FACT_KEYS = {"id", "title", "text", "when"}
ENTRY_KEYS = {"step", "decide", "tick", "fields", "sanctions", "qualification", "documents", "study", "approver", "fill",
              "persons"}
_POINT_KEYS = {"id", "question", "kind", "step", "round", "expected", "alternatives", "points", "feedback", "citation"}
_ALT_KEYS = {"answer", "points", "note"}
_REQUIRED_KEYS = {"id", "title", "item", "field", "study", "equals", "in", "points", "feedback", "citation"}
_DOCUMENT_KEYS = {"template", "points", "feedback", "citation"}


def parse_entries(data: Any, where: str, wf: Workflow, catalog: SanctionCatalog, problems: list[tuple[str, str]],
                  *, chained: bool) -> tuple[ScriptEntry, ...]:
    """Script entries: the reference answers (`chained`) or a `practice run` answers file, without their
    `persons` (parse_scenario and parse_answers read those with what they know of the persons).

    Every entry names its step. Chained entries walk the workflow: the first is in the initial step,
    each next one in the step the previous decision leads to, and only the last may omit `decide`
    (work done in the end step without leaving it). An answers file may repeat a step: a decision
    off the reference path is held, and the trainee decides again. Problems go to `problems`.
    """
    r = _Reader()
    if not isinstance(data, list) or not data:
        r.add(where, "应为非空的表数组，每一项是在一个环节的办理")
        problems.extend(r.problems)
        return ()
    entries = []
    expected_step = wf.initial_step
    for index, raw in enumerate(data, start=1):
        w = f"{where}[{index}]"
        t = r.table(raw, w, ENTRY_KEYS)
        step_id = r.ident(t, "step", w)
        step = wf.steps.get(step_id)
        if step_id and step is None:
            r.add(f"{w}.step", f"环节“{step_id}”在流程规则中不存在")
        elif chained and step is not None and expected_step and step_id != expected_step:
            r.add(f"{w}.step", f"按前一项的决定，此处案件应在“{wf.steps[expected_step].title}”（{expected_step}），"
                               f"不是“{step.title}”（{step_id}）")
        decide = r.ident(t, "decide", w, required=False)
        if chained and not decide and index < len(data):
            r.add(f"{w}.decide", "缺少决定：只有最后一项可以不作决定（在终点环节办理而不离开）")
        if step is not None and decide and step.decision(decide) is None:
            r.add(f"{w}.decide", f"“{step.title}”没有名为“{decide}”的决定（可选：{'、'.join(d.id for d in step.decisions)}）")
        if chained and step is not None and step.terminal and index < len(data):
            r.add(w, f"“{step.title}”是终点环节，之后不能再有办理")
        entries.append(_entry(r, t, w, wf, step, decide, catalog))
        decision = step.decision(decide) if step is not None and decide else None
        expected_step = decision.target if decision is not None else ""
    problems.extend(r.problems)
    return tuple(entries)


def _entry(r: _Reader, t: Mapping, w: str, wf: Workflow, step: Step | None, decide: str,
           catalog: SanctionCatalog) -> ScriptEntry:
    tick: str | tuple[str, ...] = "required"
    raw_tick = t.get("tick", "required")
    if isinstance(raw_tick, str):
        if raw_tick not in TICK_MODES:
            r.add(f"{w}.tick", "应为“required”“all”或必办事项 id 的数组")
        else:
            tick = raw_tick
    else:
        tick = r.texts(t, "tick", w)
        for item in tick if step is not None else ():
            if step.item(item) is None:
                r.add(f"{w}.tick", f"“{step.title}”没有名为“{item}”的必办事项")
    values = t.get("fields", {})
    if not isinstance(values, Mapping):
        r.add(f"{w}.fields", "应为表：{字段id = 值}")
        values = {}
    elif step is not None:
        for f_id in values:
            if step.field(f_id) is None:
                r.add(f"{w}.fields.{f_id}", f"“{step.title}”没有名为“{f_id}”的字段")
        known = {k: (_SAMPLE_DAY if v == TODAY and step.field(k).type == "date" else v)
                 for k, v in values.items() if step.field(k) is not None}
        for problem in validate_fields(wf, step.id, known):
            r.add(f"{w}.fields.{problem.detail['field']}", problem.message)
    sanctions = None
    if "sanctions" in t:
        sanctions = r.texts(t, "sanctions", w)
        for type_id in sanctions:
            _check_sanction(r, f"{w}.sanctions", type_id, step, catalog)
    qualification = []
    for index, raw in enumerate(r.tables(t, "qualification", w), start=1):
        qw = f"{w}.qualification 第 {index} 项"
        qt = r.table(raw, qw, {"article", "plot"})
        qualification.append(MappingProxyType({"article": r.text(qt, "article", qw), "plot": r.text(qt, "plot", qw)}))
    documents = r.texts(t, "documents", w)
    templates = {d.template for d in step.documents} if step is not None else set()
    for template in documents if step is not None else ():
        if template not in templates:
            r.add(f"{w}.documents", f"“{step.title}”不制作模板为“{template}”的文书")
    return ScriptEntry(
        decide=decide,
        step=step.id if step is not None else "",
        tick=tick,
        fields=MappingProxyType(dict(values)),
        sanctions=sanctions,
        qualification=tuple(qualification),
        documents=documents,
        study=r.flag(t, "study", w, False),
        approver=r.text(t, "approver", w, required=False),
        fill=r.flag(t, "fill", w, True),
    )


def _check_sanction(r: _Reader, where: str, type_id: str, step: Step | None, catalog: SanctionCatalog) -> None:
    sanction = catalog.types.get(type_id)
    if sanction is None:
        r.add(where, f"处分或处理种类“{type_id}”在处分目录中不存在")
    elif step is not None and sanction.kind not in step.sanction_kinds:
        r.add(where, f"“{step.title}”不能录入“{sanction.name}”（{type_id}）")


def _trigger(r: _Reader, data: Any, where: str, wf: Workflow) -> Trigger:
    t = r.table(data, where, set(TRIGGERS))
    kinds = [k for k in TRIGGERS if k in t]
    if len(kinds) != 1:
        r.add(where, f"应当且只能含 {'、'.join(TRIGGERS)} 之一")
        return Trigger("start")
    kind = kinds[0]
    if kind == "start":
        if t["start"] is not True:
            r.add(f"{where}.start", "应为 true")
        return Trigger("start")
    ref = t[kind]
    if not isinstance(ref, str) or not ref.strip():
        r.add(f"{where}.{kind}", "应为非空文字")
        return Trigger("start")
    ref = ref.strip()
    if kind == "enter":
        if ref not in wf.steps:
            r.add(f"{where}.enter", f"环节“{ref}”在流程规则中不存在")
        return Trigger(kind, ref)
    step_id, _, sub = ref.partition(".")
    step = wf.steps.get(step_id)
    if step is None or not sub:
        part = {"item": "事项id", "field": "字段id", "decision": "决定id"}[kind]
        r.add(f"{where}.{kind}", f"“{ref}”应写成“环节id.{part}”，且环节须存在")
        return Trigger(kind, ref)
    found = {"item": step.item, "field": step.field, "decision": step.decision}[kind](sub)
    if found is None:
        r.add(f"{where}.{kind}", f"“{step.title}”没有“{sub}”")
    return Trigger(kind, ref)


def _citation(r: _Reader, t: Mapping, where: str) -> tuple[str, ...]:
    citation = r.texts(t, "citation", where, required=True)
    for c in citation:
        if not c.startswith("《"):
            r.add(f"{where}.citation", f"“{c}”应以书名号开头，写明法规全称和条款，如《中国共产党纪律检查机关监督执纪工作规则》第二十一条")
    return citation


def _answer(r: _Reader, value: Any, where: str, kind: str, step: Step | None, catalog: SanctionCatalog) -> Any:
    if kind == "sanction":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            r.add(where, "应为处分或处理种类 id 的非空数组，如 [\"party_warning\"]")
            return frozenset()
        before = len(r.problems)
        for type_id in value:
            _check_sanction(r, where, type_id, step, catalog)
        return frozenset(value) if len(r.problems) == before else frozenset()
    if not isinstance(value, str) or not value.strip():
        r.add(where, "应为决定 id")
        return ""
    if step is not None and step.decision(value.strip()) is None:
        r.add(where, f"“{step.title}”没有名为“{value.strip()}”的决定（可选：{'、'.join(d.id for d in step.decisions)}）")
        return ""
    return value.strip()


def _point(r: _Reader, data: Mapping, where: str, wf: Workflow, catalog: SanctionCatalog, scenario_path,
           reference: tuple[ScriptEntry, ...]) -> DecisionPoint | None:
    t = r.table(data, where, _POINT_KEYS)
    pid = r.ident(t, "id", where)
    kind = t.get("kind", "decision")
    if not isinstance(kind, str) or kind not in POINT_KINDS:
        r.add(f"{where}.kind", f"应为 {'、'.join(POINT_KINDS)} 之一")
        kind = "decision"
    step_id = r.ident(t, "step", where)
    step = wf.steps.get(step_id)
    if step_id and step is None:
        r.add(f"{where}.step", f"环节“{step_id}”在流程规则中不存在")
    round_ = r.integer(t, "round", where, default=1, minimum=1)
    points = r.integer(t, "points", where, minimum=1)
    visit = None
    if step is not None:
        seen = 0
        for index, (sid, _) in enumerate(scenario_path):
            if sid == step_id:
                seen += 1
                if seen == round_:
                    visit = index
        if visit is None:
            r.add(f"{where}.step", f"参考答案没有在“{step.title}”作出第 {round_} 次决定，这个评分点永远不会出现")
    expected = _answer(r, t.get("expected"), f"{where}.expected", kind, step, catalog)
    if visit is not None:
        entry = reference[[i for i, e in enumerate(reference) if e.decide][visit]]
        if kind == "decision" and expected and expected != entry.decide:
            r.add(f"{where}.expected", f"与参考答案在该处的决定“{entry.decide}”不一致")
        if kind == "sanction" and expected and expected != frozenset(entry.sanctions or ()):
            r.add(f"{where}.expected", "与参考答案在该处录入的处分或处理（sanctions）不一致")
    alternatives = []
    for index, raw in enumerate(r.tables(t, "alternatives", f"{where}."), start=1):
        aw = f"{where}.alternatives[{index}]"
        at = r.table(raw, aw, _ALT_KEYS)
        answer = _answer(r, at.get("answer"), f"{aw}.answer", kind, step, catalog)
        if answer and answer == expected:
            r.add(f"{aw}.answer", "与参考答案相同")
        alt_points = r.integer(at, "points", aw, minimum=0, maximum=points)
        alternatives.append(Alternative(answer, alt_points, r.text(at, "note", aw)))
    if len({a.answer for a in alternatives if a.answer}) < len([a for a in alternatives if a.answer]):
        r.add(f"{where}.alternatives", "含重复的答案")
    return DecisionPoint(
        id=pid,
        question=r.text(t, "question", where),
        kind=kind,
        step=step_id,
        round=round_,
        visit=visit if visit is not None else -1,
        expected=expected,
        alternatives=tuple(alternatives),
        points=points,
        feedback=r.text(t, "feedback", where),
        citation=_citation(r, t, where),
    )


def _required(r: _Reader, data: Mapping, where: str, wf: Workflow, steps_on_path: set[str]) -> RequiredCheck:
    t = r.table(data, where, _REQUIRED_KEYS)
    kinds = [k for k in ("item", "field", "study") if k in t]
    kind, ref, values = "study", "", ()
    if len(kinds) != 1:
        r.add(where, "应当且只能含 item、field、study 之一")
    else:
        kind = kinds[0]
        ref = t[kind] if isinstance(t[kind], str) else ""
        step_id, _, sub = ref.partition(".")
        step = wf.steps.get(step_id)
        if step is None or (kind != "study" and not sub) or (kind == "study" and sub):
            shape = "环节id" if kind == "study" else f"环节id.{'事项id' if kind == 'item' else '字段id'}"
            r.add(f"{where}.{kind}", f"“{ref}”应写成“{shape}”，且环节须存在")
        elif step_id not in steps_on_path:
            r.add(f"{where}.{kind}", f"参考答案不经过“{step.title}”，这项要求无法做到")
        elif kind == "item" and step.item(sub) is None:
            r.add(f"{where}.item", f"“{step.title}”没有名为“{sub}”的必办事项")
        elif kind == "field" and step.field(sub) is None:
            r.add(f"{where}.field", f"“{step.title}”没有名为“{sub}”的字段")
        if ("equals" in t or "in" in t) and kind != "field":
            r.add(where, "只有 field 要求才能写 equals 或 in")
        if "equals" in t and "in" in t:
            r.add(where, "equals 和 in 只能写一个")
        elif "equals" in t:
            values = (t["equals"],)
        elif "in" in t:
            if isinstance(t["in"], list) and t["in"]:
                values = tuple(t["in"])
            else:
                r.add(f"{where}.in", "应为非空数组")
        if values and kind == "field" and step is not None and step.field(sub) is not None:
            f = step.field(sub)
            for value in values:
                if f.type == "choice" and value not in f.choices:
                    r.add(f"{where}.{'equals' if 'equals' in t else 'in'}", f"“{value}”不是“{f.label}”的可选项（可选：{'、'.join(f.choices)}）")
                if f.type == "bool" and type(value) is not bool:
                    r.add(f"{where}.equals", f"“{f.label}”是“是/否”字段，应写 true 或 false")
    return RequiredCheck(
        id=r.ident(t, "id", where),
        title=r.text(t, "title", where),
        kind=kind,
        ref=ref,
        values=values,
        points=r.integer(t, "points", where, minimum=1),
        feedback=r.text(t, "feedback", where),
        citation=_citation(r, t, where),
    )


def _document(r: _Reader, data: Mapping, where: str, wf: Workflow, steps_on_path: set[str]) -> DocumentCheck:
    t = r.table(data, where, _DOCUMENT_KEYS)
    template = r.ident(t, "template", where)
    owners = [s for s in wf.steps.values() if any(d.template == template for d in s.documents)]
    on_path = [s for s in owners if s.id in steps_on_path]
    title, step_id = "", ""
    if template and not owners:
        r.add(f"{where}.template", f"流程规则中没有任何环节制作模板为“{template}”的文书")
    elif template and not on_path:
        r.add(f"{where}.template", f"制作“{template}”的环节不在参考答案的路径上")
    elif on_path:
        step_id = on_path[0].id
        title = next(d.title for d in on_path[0].documents if d.template == template)
    return DocumentCheck(
        template=template,
        title=title,
        step=step_id,
        points=r.integer(t, "points", where, minimum=1),
        feedback=r.text(t, "feedback", where),
        citation=_citation(r, t, where),
    )


def _clue(r: _Reader, data: Any, wf: Workflow) -> tuple[dict, int]:
    t = r.table(data, "clue", CLUE_KEYS)
    days = r.integer(t, "received_days_ago", "clue", default=3, minimum=0, maximum=MAX_DAYS_AGO)
    clue: dict[str, Any] = {}
    for key in ("source", "summary", "incoming_no", "leader_instruction"):
        if key in t or key in ("source", "summary"):
            clue[key] = r.text(t, key, "clue", required=key in ("source", "summary"))
    if "categories" in t:
        clue["categories"] = list(r.texts(t, "categories", "clue"))
    persons = []
    for index, raw in enumerate(r.tables(t, "persons", "clue."), start=1):
        if isinstance(raw, Mapping):
            persons.append({k: v for k, v in raw.items()})
    if not persons:
        r.add("clue.persons", "至少应有一名被反映人（[[clue.persons]]，含 name）")
    clue["persons"] = persons
    real_name = False
    if "reporter" in t:
        rt = r.table(t["reporter"], "clue.reporter", REPORTER_KEYS)
        real_name = r.flag(rt, "real_name", "clue.reporter", False)
        clue["reporter"] = {k: v for k, v in rt.items()}
    values = {"source": clue.get("source"), "reporter_real_name": real_name, "persons": persons,
              "summary": clue.get("summary")}
    values.update({k: clue[k] for k in ("categories", "incoming_no", "leader_instruction") if clue.get(k)})
    if wf.initial_step in wf.steps:
        for problem in validate_fields(wf, wf.initial_step, {k: v for k, v in values.items() if v}):
            r.add(f"clue.{problem.detail['field']}", problem.message)
    return clue, days


# ---------------------------------------------------------------- the persons of a case (several 被审查调查人)

_PERSON_WORK_KEYS = {"subject", "particulars", "supervision_filing", "close", "qualification", "sanctions"}
_PERSON_POINT_KEYS = _POINT_KEYS | {"subject"}
_CLOSE_KEYS = {"outcome", "reason"}
_CLOSINGS = tuple(o for o in SUBJECT_OUTCOMES if o != "分案")  # 分案 (另立新案) is not practised
_FILED_CLOSINGS = ("免予处分", "不予处分", "撤销案件")

# How a sanction is named in a sentence: 党内警告, 政务记过, 开除党籍, 诫勉 …
_PREFIXES = {"party": "党内", "gov": "政务", "public_institution": "事业单位"}


def sanction_label(catalog: SanctionCatalog, type_id: str) -> str:
    sanction = catalog.types.get(type_id)
    if sanction is None:
        return type_id
    prefix = _PREFIXES.get(sanction.kind, "")
    if not prefix or "党" in sanction.name:
        return sanction.name
    return prefix + sanction.name


def qualification_key(articles: ArticleCatalog | None, item: Mapping[str, str]) -> str:
    """A 定性 item as "T97:较轻" (the catalog id), so that 第九十七条 and T97 compare equal."""
    article = str(item.get("article", "")).strip()
    if articles is not None:
        try:
            article = articles.resolve(article).id
        except DomainError:
            pass
    return f"{article}:{str(item.get('plot', '')).strip()}"


class _PersonReader(_Reader):
    """Reads and checks the persons part of a scenario or of an answers file."""

    def __init__(self, wf: Workflow, catalog: SanctionCatalog, articles: ArticleCatalog | None,
                 names: tuple[str, ...] | None, today: date):
        super().__init__()
        self.wf = wf
        self.catalog = catalog
        self.articles = articles
        self.names = names  # None: an answers file (the names are checked when it runs)
        self.today = today

    def subject(self, t: Mapping, where: str) -> str:
        value = t.get("subject")
        if not isinstance(value, str) or not value.strip():
            self.add(f"{where}.subject", "缺少此项：写明是对哪一名被反映人（姓名，同 [[clue.persons]] 的 name）")
            return ""
        value = value.strip()
        if self.names is not None and value not in self.names:
            self.add(f"{where}.subject", f"“{value}”不是本案的被反映人（[[clue.persons]] 中有：{'、'.join(self.names) or '（无）'}）")
            return ""
        return value

    def qualification(self, raw: Any, where: str) -> tuple[Mapping[str, str], ...]:
        if not isinstance(raw, list) or not raw or not all(isinstance(q, Mapping) for q in raw):
            self.add(where, "应为非空的表数组：[{ article = \"第九十七条\", plot = \"较轻\" }]")
            return ()
        out = []
        for index, item in enumerate(raw, start=1):
            qw = f"{where} 第 {index} 项"
            unknown = sorted(set(item) - {"article", "plot"})
            if unknown:
                self.add(qw, f"含未知的键：{'、'.join(unknown)}（只能有 article、plot）")
            article, plot = item.get("article"), item.get("plot")
            if not isinstance(article, str) or not article.strip() or not isinstance(plot, str) or not plot.strip():
                self.add(qw, "article（条款）和 plot（情节）都应为非空文字")
                continue
            if self.articles is not None:
                try:
                    found = self.articles.resolve(article.strip())
                except DomainError as exc:
                    self.add(qw, exc.message)
                    continue
                if plot.strip() not in found.ranges:
                    allowed = "、".join(found.ranges) or "（本条未规定处分幅度）"
                    self.add(qw, f"{found.citation}的情节只能是：{allowed}；“{plot.strip()}”不在其中")
                    continue
            out.append(MappingProxyType({"article": article.strip(), "plot": plot.strip()}))
        return tuple(out)

    def sanction_ids(self, raw: Any, where: str, step: Step | None) -> tuple[str, ...] | None:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
            self.add(where, "应为处分或处理种类 id 的数组，如 [\"party_warning\"]")
            return None
        before = len(self.problems)
        for type_id in raw:
            _check_sanction(self, where, type_id, step, self.catalog)
        return tuple(raw) if len(self.problems) == before else None

    def work(self, raw: Any, where: str, step: Step | None, *, filed: bool | None) -> PersonWork | None:
        """One item of `persons`; `filed`: whether the case is filed by then (None: not known, an answers file)."""
        if not isinstance(raw, Mapping):
            self.add(where, "应为表（table）")
            return None
        unknown = sorted(set(raw) - _PERSON_WORK_KEYS)
        if unknown:
            self.add(where, f"含未知的键：{'、'.join(unknown)}（拼写错误？可用：{'、'.join(sorted(_PERSON_WORK_KEYS))}）")
        name = self.subject(raw, where)
        particulars: dict[str, Any] = {}
        if "particulars" in raw:
            if not isinstance(raw["particulars"], Mapping) or not raw["particulars"]:
                self.add(f"{where}.particulars", "应为非空的表：{ village_manager = true, supervision_object = true }")
            else:
                try:
                    particulars = subject_rules.particulars(raw["particulars"], self.today)
                except DomainError as exc:
                    self.add(f"{where}.particulars", exc.message)
        filing = self.flag(raw, "supervision_filing", where, False)
        close, reason = "", ""
        if "close" in raw:
            ct = raw["close"]
            if not isinstance(ct, Mapping):
                self.add(f"{where}.close", "应为表：{ outcome = \"了结\", reason = \"……\" }")
            else:
                extra = sorted(set(ct) - _CLOSE_KEYS)
                if extra:
                    self.add(f"{where}.close", f"含未知的键：{'、'.join(extra)}（只能有 outcome、reason）")
                close = ct.get("outcome") if isinstance(ct.get("outcome"), str) else ""
                reason = ct.get("reason").strip() if isinstance(ct.get("reason"), str) else ""
                allowed = [o for o in _CLOSINGS if filed is None or (o in _FILED_CLOSINGS) == filed]
                if close not in allowed:
                    when = "" if filed is None else ("立案后" if filed else "立案前")
                    self.add(f"{where}.close.outcome", f"{when}对单个被审查调查人只能：{'、'.join(allowed)}；"
                                                       f"“{close or '（未写）'}”不在其中（分案须另立新案，练习中不办理）")
                    close = ""
                if not reason:
                    self.add(f"{where}.close.reason", "缺少此项：写明对其本人办结的理由")
        qualification = (self.qualification(raw["qualification"], f"{where}.qualification")
                         if "qualification" in raw else ())
        sanctions = self.sanction_ids(raw["sanctions"], f"{where}.sanctions", step) if "sanctions" in raw else None
        if close and (qualification or sanctions):
            self.add(where, "对其本人办结（close）的，不能同时录入定性或处分")
        if not name:
            return None
        return PersonWork(name, MappingProxyType(particulars), filing, close, reason, qualification, sanctions)

    def range_problems(self, where: str, qualification, sanctions, village_manager: bool) -> None:
        """The reference must teach what the law allows: each 党纪、政务处分 within the 定性's range."""
        if self.articles is None:
            return
        picks = []
        for item in qualification:
            try:
                picks.append((self.articles.resolve(item["article"]).id, item["plot"]))
            except DomainError:
                return
        for type_id in sanctions or ():
            sanction = self.catalog.types.get(type_id)
            if sanction is None:
                continue
            if village_manager and not sanction.village_manager_allowed:
                self.add(where, f"对村（居）委会管理人员不能给予“{sanction.name}”：监察机关可以予以警告、记过、记大过"
                                "（《中华人民共和国公职人员政务处分法》第二十二条）")
            if sanction.kind not in ("party", "gov"):
                continue
            if not picks:
                self.add(where, f"拟给予“{sanction_label(self.catalog, type_id)}”，须先为其定性（qualification）")
                continue
            try:
                problem = article_rules.sanction_problem(self.articles, self.catalog, picks, set(), type_id,
                                                         village_manager=village_manager)
            except DomainError as exc:
                problem = (exc.code, exc.message)
            if problem and problem[0] != "not_allowed_for_village_manager":  # said just above
                self.add(where, problem[1])

    def answer(self, value: Any, where: str, kind: str, step: Step | None) -> Any:
        if kind == "sanction":
            ids = self.sanction_ids(value, where, step)
            if ids is not None and not ids:
                self.add(where, "应为处分或处理种类 id 的非空数组，如 [\"party_warning\"]")
            return frozenset(ids or ())
        if kind == "qualification":
            return frozenset(qualification_key(self.articles, q) for q in self.qualification(value, where))
        outcomes = [*_CLOSINGS, GOES_ON]
        if not isinstance(value, str) or value.strip() not in outcomes:
            self.add(where, f"应为{'、'.join(outcomes)}之一")
            return ""
        return value.strip()

    def point(self, t: Mapping, where: str, path: list[tuple[Any, Any]], work_at) -> PersonPoint | None:
        """A point with `subject`; `work_at(visit, name)` gives the reference work for them there and how
        the reference closed them before ("" if it did not)."""
        unknown = sorted(set(t) - _PERSON_POINT_KEYS)
        if unknown:
            self.add(where, f"含未知的键：{'、'.join(unknown)}（拼写错误？）")
        kind = t.get("kind", "sanction")
        if not isinstance(kind, str):
            self.add(f"{where}.kind", f"应为 {'、'.join(PERSON_POINT_KINDS)} 之一")
            return None
        if kind == "decision":
            self.add(f"{where}.kind", "决定评分点评的是全案在该环节的决定，不写 subject；对某一人评分请用 sanction、qualification 或 outcome")
            return None
        if kind not in PERSON_POINT_KINDS:
            self.add(f"{where}.kind", f"写了 subject 的评分点应为 {'、'.join(PERSON_POINT_KINDS)} 之一")
            return None
        pid = self.ident(t, "id", where)
        question = self.text(t, "question", where)
        feedback = self.text(t, "feedback", where)
        step_id = self.text(t, "step", where)
        name = self.subject(t, where)
        step = self.wf.steps.get(step_id)
        if step_id and step is None:
            self.add(f"{where}.step", f"环节“{step_id}”在流程规则中不存在")
        round_ = self.integer(t, "round", where, default=1, minimum=1)
        points = self.integer(t, "points", where, minimum=1)
        citation = t.get("citation")
        if isinstance(citation, str):
            citation = [citation]
        if not isinstance(citation, list) or not citation or not all(isinstance(c, str) and c.strip() for c in citation):
            self.add(f"{where}.citation", "缺少此项" if citation is None else "应为文字数组")
            citation = []
        for c in citation:
            if not c.strip().startswith("《"):
                self.add(f"{where}.citation", f"“{c}”应以书名号开头，写明法规全称和条款，如《中国共产党纪律处分条例》第九十七条")
        visit = _visit_of(path, step_id, round_) if step is not None else None
        if step is not None and visit is None:
            self.add(f"{where}.step", f"参考答案没有在“{step.title}”作出第 {round_} 次决定，这个评分点永远不会出现")
        expected = self.answer(t.get("expected"), f"{where}.expected", kind, step)
        if visit is not None and name and expected:
            work, closed_before = work_at(visit, name)
            if closed_before:
                self.add(f"{where}.subject", f"参考答案在此之前已对{name}办结（{closed_before}），这个评分点无从作答")
            elif kind == "outcome" and expected != (work.close if work and work.close else GOES_ON):
                self.add(f"{where}.expected", f"与参考答案在该处对{name}的办理（{(work.close if work else '') or GOES_ON}）不一致")
            elif kind == "sanction" and (work is None or work.sanctions is None
                                         or expected != frozenset(work.sanctions)):
                self.add(f"{where}.expected", f"与参考答案在该处对{name}录入的处分或处理（reference.persons 的 sanctions）不一致")
            elif kind == "qualification" and (work is None or expected != frozenset(
                    qualification_key(self.articles, q) for q in work.qualification)):
                self.add(f"{where}.expected", f"与参考答案在该处对{name}的定性（reference.persons 的 qualification）不一致")
        alternatives = []
        raw_alts = t.get("alternatives", [])
        if not isinstance(raw_alts, list) or not all(isinstance(a, Mapping) for a in raw_alts):
            self.add(f"{where}.alternatives", "应为表数组（[[points.alternatives]]）")
            raw_alts = []
        for index, raw in enumerate(raw_alts, start=1):
            aw = f"{where}.alternatives[{index}]"
            at = self.table(raw, aw, _ALT_KEYS)
            answer = self.answer(at.get("answer"), f"{aw}.answer", kind, step)
            if answer and answer == expected:
                self.add(f"{aw}.answer", "与参考答案相同")
            alt_points = at.get("points")
            if type(alt_points) is not int or not 0 <= alt_points <= points:
                self.add(f"{aw}.points", f"应为不小于 0、不大于 {points} 的整数")
                alt_points = 0
            alternatives.append(Alternative(answer, alt_points, self.text(at, "note", aw)))
        answers = [a.answer for a in alternatives if a.answer]
        if len(set(answers)) < len(answers):
            self.add(f"{where}.alternatives", "含重复的答案")
        return PersonPoint(id=pid, question=question, kind=kind, step=step_id, round=round_,
                           visit=visit if visit is not None else -1, expected=expected,
                           alternatives=tuple(alternatives), points=points, feedback=feedback,
                           citation=tuple(c.strip() for c in citation), subject=name)


def _visit_of(path: list[tuple[Any, Any]], step_id: str, round_: int) -> int | None:
    seen = 0
    for index, (sid, _) in enumerate(path):
        if sid == step_id:
            seen += 1
            if seen == round_:
                return index
    return None


def _filed_before(wf: Workflow, path: list[tuple[Any, Any]], visit: int) -> bool:
    """Whether a decision before path visit `visit` files the case (sets the event `filed`)."""
    for step_id, decision_id in path[:visit]:
        step = wf.steps.get(step_id) if isinstance(step_id, str) else None
        decision = step.decision(decision_id) if step else None
        if decision is not None and "filed" in decision.sets_events:
            return True
    return False


@dataclass
class _PersonsPart:
    works: dict[int, tuple[PersonWork, ...]]  # reference entry number -> the work for persons there
    points: list[PersonPoint]
    problems: list[tuple[str, str]]


def _persons_part(top: Mapping, person_raw: list[tuple[int, Mapping]], case_raw: list[tuple[int, Mapping]],
                  names: tuple[str, ...], wf: Workflow, catalog: SanctionCatalog, articles: ArticleCatalog | None,
                  today: date) -> _PersonsPart:
    """Read and check `[[reference.persons]]` and the points with `subject`, following the reference.

    The path is read from the file itself, so that the persons part is checked even when the rest of
    the file is not right.
    """
    clue = top.get("clue")
    persons = clue.get("persons") if isinstance(clue, Mapping) else None
    statuses = {p["name"].strip(): p["political_status"].strip() for p in (persons if isinstance(persons, list) else ())
                if isinstance(p, Mapping) and isinstance(p.get("name"), str)
                and isinstance(p.get("political_status"), str)}
    reader = _PersonReader(wf, catalog, articles, names, today)
    raw_reference = top.get("reference")
    entries = [e if isinstance(e, Mapping) else {} for e in (raw_reference if isinstance(raw_reference, list) else [])]
    decided = [index for index, e in enumerate(entries, start=1) if isinstance(e.get("decide"), str) and e["decide"]]
    path = [(entries[i - 1].get("step"), entries[i - 1]["decide"]) for i in decided]
    if len(names) > 1:
        for index, e in enumerate(entries, start=1):
            for key, what in (("sanctions", "处分或处理"), ("qualification", "定性")):
                if key in e:
                    reader.add(f"reference[{index}].{key}",
                               f"本案有 {len(names)} 名被反映人（{'、'.join(names)}），{what}"
                               f"要写明对谁：请写在 [[reference.persons]] 中（subject = 姓名）")
        for number, point in case_raw:
            if point.get("kind") == "sanction":
                reader.add(f"points[{number}].subject", "本案有多名被反映人，处分评分点要写明评谁（subject = 姓名）")

    works: dict[int, tuple[PersonWork, ...]] = {}
    closed: dict[str, str] = {}  # name -> outcome, as the reference goes
    qualified: dict[str, tuple] = {}
    village: dict[str, bool] = {}
    supervised: dict[str, bool] = {}
    for index, e in enumerate(entries, start=1):
        if "persons" not in e:
            continue
        where = f"reference[{index}].persons"
        step = wf.steps.get(e.get("step")) if isinstance(e.get("step"), str) else None
        if not isinstance(e["persons"], list) or not e["persons"]:
            reader.add(where, "应为非空的表数组（[[reference.persons]]），每一项是对一名被反映人的办理")
            continue
        filed = _filed_before(wf, path, sum(1 for i in decided if i < index))
        done, seen = [], set()
        for number, item in enumerate(e["persons"], start=1):
            iw = f"{where}[{number}]"
            work = reader.work(item, iw, step, filed=filed)
            if work is None:
                continue
            if work.subject in seen:
                reader.add(f"{iw}.subject", f"同一项办理中对{work.subject}只能写一次")
                continue
            seen.add(work.subject)
            if work.subject in closed:
                reader.add(f"{iw}.subject", f"参考答案此前已对{work.subject}办结（{closed[work.subject]}），之后不能再为其办理")
                continue
            village[work.subject] = work.particulars.get("village_manager", village.get(work.subject, False))
            supervised[work.subject] = work.particulars.get("supervision_object", supervised.get(work.subject, False))
            if work.supervision_filing and not supervised[work.subject]:
                reader.add(f"{iw}.supervision_filing",
                           f"{work.subject}未登记为监察对象：请先在 particulars 中写 supervision_object = true")
            if work.qualification:
                qualified[work.subject] = work.qualification
            if work.sanctions:
                status = statuses.get(work.subject, "")
                party = [t for t in work.sanctions if t in catalog.types and catalog.types[t].kind == "party"]
                if party and status and status not in PARTY_MEMBER_STATUSES:
                    reader.add(f"{iw}.sanctions", f"{work.subject}不是中共党员（政治面貌：{status}），不能给予党纪处分"
                                                  f"（{sanction_label(catalog, party[0])}）")
                reader.range_problems(f"{iw}.sanctions", qualified.get(work.subject, ()), work.sanctions,
                                      village[work.subject])
            if work.close:
                if len([n for n in names if n not in closed]) < 2:
                    reader.add(f"{iw}.close", f"{work.subject}是本案仅剩的被审查调查人，请通过本环节的决定办理全案")
                closed[work.subject] = work.close
            done.append(work)
        works[index] = tuple(done)

    def work_at(visit: int, name: str) -> tuple[PersonWork | None, str]:
        index = decided[visit]
        before = next((w.close for i in range(index - 1, 0, -1) for w in works.get(i, ())
                       if w.subject == name and w.close), "")
        return next((w for w in works.get(index, ()) if w.subject == name), None), before

    points: list[PersonPoint] = []
    slots: set[tuple] = set()
    for index, raw in person_raw:
        point = reader.point(raw, f"points[{index}]", path, work_at)
        if point is None:
            continue
        slot = (point.visit, point.kind, point.subject)
        if point.visit >= 0 and slot in slots:
            reader.add(f"points[{index}]", f"同一环节同一轮次已有一个评{point.subject}{PERSON_POINT_KINDS[point.kind]}的评分点")
        slots.add(slot)
        points.append(point)
    return _PersonsPart(works, points, reader.problems)


def parse_scenario(data: Mapping[str, Any], source: str, wf: Workflow, catalog: SanctionCatalog,
                   articles: ArticleCatalog | None = None, *, today: date = date.max) -> Scenario:
    """Build a Scenario from the dict tomllib gave for `source`; raise ScenarioError listing all problems.

    `articles` (the 定性 catalog) checks the persons' 定性 and that their sanctions are within its range;
    without it those checks are left out. `today` bounds the months of a person's particulars.
    """
    r = _Reader()
    top = r.table(data, "文件", _TOP_KEYS)
    head = r.table(top.get("scenario", {}), "scenario", _HEAD_KEYS)
    if "scenario" not in top:
        r.add("scenario", "缺少 [scenario]（id、title、version、summary 等）")
    clue, days = _clue(r, top.get("clue", {}), wf)
    if "clue" not in top:
        r.add("clue", "缺少 [clue]（虚构的线索：来源、被反映人、主要问题）")

    reference = parse_entries(top.get("reference"), "reference", wf, catalog, r.problems, chained=True)
    path = tuple((e.step, e.decide) for e in reference if e.decide)
    on_path = {e.step for e in reference}
    end_step = ""
    if reference and reference[-1].step:
        last = wf.steps[reference[-1].step]
        decision = last.decision(reference[-1].decide) if reference[-1].decide else None
        end_step = decision.target if decision is not None else last.id
        on_path.add(end_step)

    facts = []
    for index, raw in enumerate(r.tables(top, "facts", ""), start=1):
        w = f"facts[{index}]"
        t = r.table(raw, w, _FACT_KEYS)
        when = _trigger(r, t.get("when", {"start": True}), f"{w}.when", wf)
        if when.kind != "start" and when.ref.partition(".")[0] not in on_path:
            r.add(f"{w}.when", f"参考答案不经过“{when.ref.partition('.')[0]}”，这条案情永远不会显示")
        facts.append(Fact(r.ident(t, "id", w), r.text(t, "title", w), r.text(t, "text", w), when))

    raw_points = list(enumerate(r.tables(top, "points", ""), start=1))
    case_raw = [(i, raw) for i, raw in raw_points if "subject" not in raw]
    points = [_point(r, raw, f"points[{i}]", wf, catalog, path, reference) for i, raw in case_raw]
    if not points:
        r.add("points", "至少应有一个评分的决定点（[[points]]）")
    seen_slots: set[tuple[int, str]] = set()
    for (index, _), p in zip(case_raw, points, strict=True):
        if p.visit >= 0 and (p.visit, p.kind) in seen_slots:
            r.add(f"points[{index}]", f"同一环节同一轮次已有一个{POINT_KINDS[p.kind]}评分点")
        seen_slots.add((p.visit, p.kind))
    names = tuple(p["name"].strip() for p in clue["persons"] if isinstance(p.get("name"), str) and p["name"].strip())
    persons = _persons_part(top, [(i, raw) for i, raw in raw_points if "subject" in raw], case_raw, names, wf,
                            catalog, articles, today)
    required = [_required(r, raw, f"required[{i}]", wf, on_path)
                for i, raw in enumerate(r.tables(top, "required", ""), start=1)]
    documents = [_document(r, raw, f"documents[{i}]", wf, on_path)
                 for i, raw in enumerate(r.tables(top, "documents", ""), start=1)]
    for what, ids in (("facts", [f.id for f in facts]), ("points", [p.id for p in (*points, *persons.points)]),
                      ("required", [q.id for q in required]), ("documents", [d.template for d in documents])):
        dupes = sorted({i for i in ids if i and ids.count(i) > 1})
        if dupes:
            r.add(what, f"id 重复：{'、'.join(dupes)}")

    scenario = Scenario(
        id=r.ident(head, "id", "scenario"),
        title=r.text(head, "title", "scenario"),
        version=r.text(head, "version", "scenario"),
        source=source,
        level=r.text(head, "level", "scenario", required=False) or "进阶",
        summary=r.text(head, "summary", "scenario"),
        tags=r.texts(head, "tags", "scenario"),
        clue=MappingProxyType(clue),
        received_days_ago=days,
        facts=tuple(facts),
        reference=tuple(replace(e, persons=persons.works.get(i, ())) for i, e in enumerate(reference, start=1)),
        points=tuple(points),
        required=tuple(required),
        documents=tuple(documents),
        time_limit_minutes=r.integer(head, "time_limit_minutes", "scenario", default=30, minimum=1),
        time_points=r.integer(head, "time_points", "scenario", default=0, minimum=0),
        pass_percent=r.integer(head, "pass_percent", "scenario", default=80, minimum=1, maximum=100),
        end_step=end_step,
        person_points=tuple(persons.points),
        names=names,
        point_order=tuple(raw["id"] for _, raw in raw_points if isinstance(raw.get("id"), str)),
    )
    if r.problems or persons.problems:
        raise ScenarioError(source, r.problems + persons.problems)
    return scenario


def parse_answers(data: Any, source: str, wf: Workflow, catalog: SanctionCatalog,
                  articles: ArticleCatalog | None = None, *, today: date = date.max) -> tuple[ScriptEntry, ...]:
    """An answers file of `practice run`: {"steps": [...]} (or the list itself), entries as in docs/PRACTICE.md.

    The persons it names are checked when it runs (the case knows who they are, and whether it is filed).
    """
    problems: list[tuple[str, str]] = []
    steps = data.get("steps") if isinstance(data, dict) else data
    if isinstance(data, dict) and set(data) - {"scenario", "steps"}:
        problems.append(("文件", f"含未知的键：{'、'.join(sorted(set(data) - {'scenario', 'steps'}))}"))
    entries = parse_entries(steps, "steps", wf, catalog, problems, chained=False)
    reader = _PersonReader(wf, catalog, articles, None, today)
    works: dict[int, tuple[PersonWork, ...]] = {}
    for index, raw in enumerate(steps if isinstance(steps, list) else [], start=1):
        if not isinstance(raw, Mapping) or "persons" not in raw:
            continue
        where = f"steps[{index}].persons"
        if not isinstance(raw["persons"], list) or not raw["persons"]:
            reader.add(where, "应为非空的数组，每一项是对一名被审查调查人的办理（含 subject）")
            continue
        step = wf.steps.get(raw.get("step")) if isinstance(raw.get("step"), str) else None
        items = [reader.work(item, f"{where}[{n}]", step, filed=None) for n, item in enumerate(raw["persons"], start=1)]
        works[index] = tuple(w for w in items if w is not None)
    problems += reader.problems
    if problems:
        raise ScenarioError(source, problems)
    return tuple(replace(e, persons=works.get(i, ())) for i, e in enumerate(entries, start=1))
