"""Practice scoring: judge a trainee's decision when it is made, score the attempt at the end.

Pure. A practice case always follows the scenario's reference path: when the trainee decides at a
step visit, `judge` grades the first answer at each decision point of that visit and says whether
the decision may go ahead (only the reference decision, with the reference sanctions, may). A held
decision changes nothing in the case; the trainee reads the feedback and decides again. So every
decision point is graded exactly once, on its own, and a wrong answer costs exactly its points.

`score` builds the score card from what happened (a Trace): points per decision, required steps
missed, documents missing or wrong, time; each lost point with the rule it is based on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from app.domain.rules import Workflow
from app.domain.sanctions import SanctionCatalog
from app.domain.scenarios import Alternative, DecisionPoint, Scenario, ScriptEntry

VERDICTS: dict[str, str] = {"correct": "正确", "acceptable": "可以接受", "wrong": "有误", "unanswered": "未作答"}
LOST_KINDS: dict[str, str] = {"decision": "决定", "sanction": "处分或处理", "required": "必要程序",
                              "document": "文书", "time": "用时"}


@dataclass(frozen=True)
class Answer:
    """The trainee's first answer at a decision point."""

    point_id: str
    given: tuple[str, ...]  # (decision id,) or the sorted sanction type ids
    verdict: str  # correct | acceptable | wrong
    earned: int


@dataclass(frozen=True)
class Judgement:
    proceed: bool  # the decision may be carried out
    answers: tuple[Answer, ...]  # first answers graded now
    messages: tuple[str, ...]  # what to tell the trainee now
    feedback: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # point id -> its message
    brief: tuple[str, ...] = ()  # the same in a sentence or two, for a dialog; the feedback has the reasons


@dataclass(frozen=True)
class Trace:
    """What an attempt did, read from the practice case by the service."""

    answers: Mapping[str, Answer]
    visits_done: int  # decisions of the path taken
    items_done: frozenset[str]  # "step.item" ticked in a visit (left or current)
    fields: Mapping[str, Any]  # the case's field values, earlier rounds included ("step@1.field")
    studied: frozenset[str]  # steps with a collective study recorded
    documents: frozenset[str]  # templates made for the case
    seconds: int
    complete: bool


@dataclass(frozen=True)
class PointResult:
    id: str
    question: str
    kind: str
    step_title: str
    points: int
    earned: int
    verdict: str
    given: str
    expected: str


@dataclass(frozen=True)
class LostItem:
    kind: str  # decision | sanction | required | document | time
    ref: str
    title: str
    lost: int
    feedback: str
    citation: tuple[str, ...]


@dataclass(frozen=True)
class ScoreCard:
    scenario_id: str
    scenario_title: str
    scenario_version: str
    trainee: str
    mode: str  # full | drill
    complete: bool
    total: int
    earned: int
    percent: int
    passed: bool
    seconds: int
    time_limit_minutes: int
    decisions: tuple[PointResult, ...]
    missed_required: tuple[LostItem, ...]
    document_errors: tuple[LostItem, ...]
    lost: tuple[LostItem, ...]
    missed_points: tuple[str, ...]  # decision points not answered with full marks: 再练一次 brings them back


# ---------------------------------------------------------------- labels


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


def answer_label(wf: Workflow, catalog: SanctionCatalog, point: DecisionPoint, given: Iterable[str]) -> str:
    given = tuple(given)
    if point.kind == "sanction":
        return "、".join(sanction_label(catalog, t) for t in sorted(given)) or "未录入"
    decision = wf.steps[point.step].decision(given[0]) if given else None
    return decision.title if decision is not None else (given[0] if given else "—")


def expected_label(wf: Workflow, catalog: SanctionCatalog, point: DecisionPoint) -> str:
    return answer_label(wf, catalog, point, _as_given(point.kind, point.expected))


def _as_given(kind: str, answer: Any) -> tuple[str, ...]:
    return tuple(sorted(answer)) if kind == "sanction" else (answer,)


def step_sanctions(wf: Workflow, catalog: SanctionCatalog, step_id: str, sanctions: Iterable[str]) -> frozenset[str]:
    """The recorded sanctions of the kinds this step records: what the trainee proposes here."""
    kinds = wf.steps[step_id].sanction_kinds
    return frozenset(s for s in sanctions if s in catalog.types and catalog.types[s].kind in kinds)


# ---------------------------------------------------------------- judging a decision


def reference_entry(scenario: Scenario, visit: int) -> ScriptEntry:
    return [e for e in scenario.reference if e.decide][visit]


def _alternative(point: DecisionPoint, given: tuple[str, ...]) -> Alternative | None:
    answer = frozenset(given) if point.kind == "sanction" else given[0]
    return next((alt for alt in point.alternatives if alt.answer == answer), None)


def _grade(point: DecisionPoint, given: tuple[str, ...]) -> Answer:
    if (frozenset(given) if point.kind == "sanction" else given[0]) == point.expected:
        return Answer(point.id, given, "correct", point.points)
    alt = _alternative(point, given)
    if alt is not None:
        return Answer(point.id, given, "acceptable", alt.points)
    return Answer(point.id, given, "wrong", 0)


def judge(scenario: Scenario, wf: Workflow, catalog: SanctionCatalog, visit: int, decision_id: str,
          sanctions: Iterable[str], *, answered: Collection[str] = (), focus: Collection[str] | None = None) -> Judgement:
    """Grade the decision `decision_id` taken at path visit `visit` with `sanctions` recorded.

    Points already in `answered` keep their first answer; in a drill only points in `focus` count.
    """
    if visit >= len(scenario.path):
        return Judgement(True, (), ())
    step_id, reference_decision = scenario.path[visit]
    entry = reference_entry(scenario, visit)
    proposed = step_sanctions(wf, catalog, step_id, sanctions)
    given_by_kind = {"decision": (decision_id,), "sanction": tuple(sorted(proposed))}
    answers, messages, feedback, brief = [], [], {}, []
    for point in scenario.points_at(visit):
        if point.id in answered or (focus is not None and point.id not in focus):
            continue
        answer = _grade(point, given_by_kind[point.kind])
        answers.append(answer)
        label = answer_label(wf, catalog, point, answer.given)
        if answer.verdict == "wrong":
            feedback[point.id] = (
                f"“{point.question}”判断有误：你的答案是“{label}”，参考答案是“{expected_label(wf, catalog, point)}”。"
                f"{point.feedback}（依据：{'；'.join(point.citation)}）本题 {point.points} 分未得。"
            )
        elif answer.verdict == "acceptable":
            feedback[point.id] = (
                f"“{point.question}”：“{label}”可以接受，得 {answer.earned}/{point.points} 分。"
                f"{_alternative(point, answer.given).note}"
                f"参考答案是“{expected_label(wf, catalog, point)}”（依据：{'；'.join(point.citation)}）。"
            )
        else:
            feedback[point.id] = f"“{point.question}”：正确，得 {point.points} 分。"
        if answer.verdict != "correct":
            messages.append(feedback[point.id])
            brief.append(f"“{point.question}”{'判断有误' if answer.verdict == 'wrong' else '的答案可以接受'}"
                         f"（得 {answer.earned}/{point.points} 分），参考答案是“{expected_label(wf, catalog, point)}”。")
    step = wf.steps[step_id]
    right_decision = decision_id == reference_decision
    right_sanctions = entry.sanctions is None or proposed == frozenset(entry.sanctions)
    path = []
    if not right_decision:
        path.append(f"本练习按参考路径继续：请在“{step.title}”选择“{step.decision(reference_decision).title}”。")
    if not right_sanctions:
        names = "、".join(sanction_label(catalog, t) for t in sorted(entry.sanctions)) or "不录入"
        path.append(f"本练习按参考路径继续：请把本环节录入的处分或处理改为“{names}”后再提交。")
    if brief:
        brief.append("详细说明和依据条款见练习页的“决定点反馈”和成绩单。")
    return Judgement(right_decision and right_sanctions, tuple(answers), tuple(messages + path),
                     MappingProxyType(feedback), tuple(brief + path))


# ---------------------------------------------------------------- the score card


def _field_done(fields: Mapping[str, Any], ref: str, values: tuple[Any, ...]) -> bool:
    step, _, field_id = ref.partition(".")
    for key, value in fields.items():
        key_step, _, key_field = key.partition(".")
        if key_field == field_id and key_step.partition("@")[0] == step and value is not None:
            present = value if isinstance(value, tuple | list) else (value,)
            if not values or any(v in values for v in present):
                return True
    return False


def score(scenario: Scenario, wf: Workflow, catalog: SanctionCatalog, trace: Trace, *, trainee: str,
          focus: Collection[str] | None = None) -> ScoreCard:
    """The score card; with `focus` (a 再练一次 drill) only those decision points count."""
    drill = focus is not None
    results, lost, missed_points = [], [], []
    total = earned = 0
    for point in scenario.points:
        if drill and point.id not in focus:
            continue
        answer = trace.answers.get(point.id)
        total += point.points
        verdict = answer.verdict if answer else "unanswered"
        got = answer.earned if answer else 0
        earned += got
        results.append(PointResult(
            point.id, point.question, point.kind, wf.steps[point.step].title, point.points, got, verdict,
            answer_label(wf, catalog, point, answer.given) if answer else "—", expected_label(wf, catalog, point),
        ))
        if got < point.points:
            missed_points.append(point.id)
            why = point.feedback if answer else f"练习未进行到这一步，未作答。{point.feedback}"
            if answer and answer.verdict == "acceptable":
                why = _alternative(point, answer.given).note + point.feedback
            lost.append(LostItem(point.kind, point.id, point.question, point.points - got, why, point.citation))
    missed_required, document_errors = [], []
    if not drill:
        for check in scenario.required:
            total += check.points
            done = {
                "item": lambda c: c.ref in trace.items_done,
                "study": lambda c: c.ref in trace.studied,
                "field": lambda c: _field_done(trace.fields, c.ref, c.values),
            }[check.kind](check)
            if done:
                earned += check.points
            else:
                item = LostItem("required", check.id, check.title, check.points, check.feedback, check.citation)
                missed_required.append(item)
                lost.append(item)
        for doc in scenario.documents:
            total += doc.points
            if doc.template in trace.documents:
                earned += doc.points
                continue
            item = LostItem("document", doc.template, doc.title, doc.points, "未制作该文书。" + doc.feedback, doc.citation)
            document_errors.append(item)
            lost.append(item)
        if scenario.time_points:
            total += scenario.time_points
            in_time = trace.complete and trace.seconds <= scenario.time_limit_minutes * 60
            if in_time:
                earned += scenario.time_points
            else:
                why = (f"用时 {_minutes(trace.seconds)}，超过建议用时 {scenario.time_limit_minutes} 分钟。"
                       if trace.complete else "练习未完成。")
                lost.append(LostItem("time", "time", "用时", scenario.time_points,
                                     why + "用时是练习熟练程度的要求（由本案例设定），不是办案期限；"
                                     "熟悉流程、一次做齐每个环节的必办事项，就能按时完成。", ()))
    percent = round(earned * 100 / total) if total else 100
    return ScoreCard(
        scenario_id=scenario.id,
        scenario_title=scenario.title,
        scenario_version=scenario.version,
        trainee=trainee,
        mode="drill" if drill else "full",
        complete=trace.complete,
        total=total,
        earned=earned,
        percent=percent,
        passed=trace.complete and percent >= scenario.pass_percent,
        seconds=trace.seconds,
        time_limit_minutes=scenario.time_limit_minutes,
        decisions=tuple(results),
        missed_required=tuple(missed_required),
        document_errors=tuple(document_errors),
        lost=tuple(lost),
        missed_points=tuple(missed_points),
    )


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(max(seconds, 0), 60)
    return f"{minutes} 分 {rest} 秒" if minutes else f"{rest} 秒"


def outstanding(results: Iterable[Mapping[str, bool]]) -> frozenset[str]:
    """Decision points still to practise: those whose latest result (oldest attempt first) was not full marks."""
    latest: dict[str, bool] = {}
    for result in results:
        latest.update(result)
    return frozenset(point for point, full in latest.items() if not full)
