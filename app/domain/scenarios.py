"""Practice scenarios (`resources/practice/*.toml`, docs/PRACTICE.md): parse and check them.

Pure: the service reads the file with tomllib and passes the dict, the file name, the workflow and
the sanction catalog in force. Every id a scenario names (step, decision, checklist item, field,
sanction type, document template) must exist there, and the reference answers must walk the
workflow from its first step without a gap. All problems are collected and reported together in
one ScenarioError, each naming the file, the field and the reason, like RulesError.

The reference answers are the scenario's path: the case in a practice attempt always follows it
(a different decision is graded and held, see practice_scoring), so the n-th decision of a
practice case is always the n-th reference entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from app.domain.errors import DomainError
from app.domain.rules import Step, Workflow
from app.domain.sanctions import SanctionCatalog
from app.domain.workflow import CaseState, validate_fields

TRIGGERS: dict[str, str] = {
    "start": "练习开始时",
    "enter": "进入环节时",
    "item": "完成必办事项时",
    "field": "填写信息时",
    "decision": "作出决定后",
}
POINT_KINDS: dict[str, str] = {"decision": "决定", "sanction": "处分或处理"}
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
    points: tuple[DecisionPoint, ...]
    required: tuple[RequiredCheck, ...]
    documents: tuple[DocumentCheck, ...]
    time_limit_minutes: int
    time_points: int
    pass_percent: int
    end_step: str  # where the case is when the path is done

    @property
    def path(self) -> tuple[tuple[str, str], ...]:
        """(step, decision) of every decision the reference takes, in order."""
        return tuple((e.step, e.decide) for e in self.reference if e.decide)

    @property
    def total(self) -> int:
        return (sum(p.points for p in self.points) + sum(r.points for r in self.required)
                + sum(d.points for d in self.documents) + self.time_points)

    def point(self, point_id: str) -> DecisionPoint | None:
        return next((p for p in self.points if p.id == point_id), None)

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
ENTRY_KEYS = {"step", "decide", "tick", "fields", "sanctions", "qualification", "documents", "study", "approver", "fill"}
_POINT_KEYS = {"id", "question", "kind", "step", "round", "expected", "alternatives", "points", "feedback", "citation"}
_ALT_KEYS = {"answer", "points", "note"}
_REQUIRED_KEYS = {"id", "title", "item", "field", "study", "equals", "in", "points", "feedback", "citation"}
_DOCUMENT_KEYS = {"template", "points", "feedback", "citation"}


def parse_entries(data: Any, where: str, wf: Workflow, catalog: SanctionCatalog, problems: list[tuple[str, str]],
                  *, chained: bool) -> tuple[ScriptEntry, ...]:
    """Script entries: the reference answers (`chained`) or a `practice run` answers file.

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


def parse_scenario(data: Mapping[str, Any], source: str, wf: Workflow, catalog: SanctionCatalog) -> Scenario:
    """Build a Scenario from the dict tomllib gave for `source`; raise ScenarioError listing all problems."""
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

    points = [_point(r, raw, f"points[{i}]", wf, catalog, path, reference)
              for i, raw in enumerate(r.tables(top, "points", ""), start=1)]
    if not points:
        r.add("points", "至少应有一个评分的决定点（[[points]]）")
    seen_slots: set[tuple[int, str]] = set()
    for index, p in enumerate(points, start=1):
        if p.visit >= 0 and (p.visit, p.kind) in seen_slots:
            r.add(f"points[{index}]", f"同一环节同一轮次已有一个{POINT_KINDS[p.kind]}评分点")
        seen_slots.add((p.visit, p.kind))
    required = [_required(r, raw, f"required[{i}]", wf, on_path)
                for i, raw in enumerate(r.tables(top, "required", ""), start=1)]
    documents = [_document(r, raw, f"documents[{i}]", wf, on_path)
                 for i, raw in enumerate(r.tables(top, "documents", ""), start=1)]
    for what, ids in (("facts", [f.id for f in facts]), ("points", [p.id for p in points]),
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
        reference=reference,
        points=tuple(points),
        required=tuple(required),
        documents=tuple(documents),
        time_limit_minutes=r.integer(head, "time_limit_minutes", "scenario", default=30, minimum=1),
        time_points=r.integer(head, "time_points", "scenario", default=0, minimum=0),
        pass_percent=r.integer(head, "pass_percent", "scenario", default=80, minimum=1, maximum=100),
        end_step=end_step,
    )
    if r.problems:
        raise ScenarioError(source, r.problems)
    return scenario
