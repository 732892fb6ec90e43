"""Practice scoring: judge a trainee's decision when it is made, score the attempt at the end.

Pure. A practice case always follows the scenario's reference path: when the trainee decides at a
step visit, `judge` grades the first answer at each decision point of that visit and says whether
the decision may go ahead (only the reference decision, with the reference sanctions, may). A held
decision changes nothing in the case; the trainee reads the feedback and decides again. So every
decision point is graded exactly once, on its own, and a wrong answer costs exactly its points.

`score` builds the score card from what happened (a Trace): points per decision, required steps
missed, documents missing or wrong, time; each lost point with the rule it is based on.

In a case with several persons, `judge_persons` grades the points about one person from what the
case holds for each (PersonNow, read by the service) and holds the decision while a person's work
in the step is not the reference's; `with_person_points` adds those points to the card.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from app.domain.articles import ArticleCatalog
from app.domain.rules import Workflow
from app.domain.sanctions import SanctionCatalog
from app.domain.scenarios import (
    GOES_ON,
    Alternative,
    DecisionPoint,
    Scenario,
    ScriptEntry,
    qualification_key,
    sanction_label,
)

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


# ---------------------------------------------------------------- the points about one person


@dataclass(frozen=True)
class PersonNow:
    """What the case holds for one person when the trainee decides: the answers of their points."""

    name: str
    outcome: str  # "" while the case goes on for them
    sanctions: frozenset[str]  # of the kinds the step records
    qualification: frozenset[str]  # "T97:较轻"


_KIND_ORDER = ("party", "probationary", "gov", "public_institution", "org", "form1", "judicial")
_SETS = ("sanction", "qualification")  # the person point kinds whose answer is a set
# the score card's heading a person's lost point goes under (app/ui/score_card.py LOST_HEADINGS)
_LOST_KIND = {"sanction": "sanction", "qualification": "sanction", "outcome": "decision"}


def sanctions_label(catalog: SanctionCatalog, type_ids: Iterable[str]) -> str:
    """党内警告、政务警告: 党纪 before 政务, then by weight."""
    def key(type_id: str):
        t = catalog.types.get(type_id)
        return (_KIND_ORDER.index(t.kind) if t and t.kind in _KIND_ORDER else 99, t.severity if t else 0, type_id)
    return "、".join(sanction_label(catalog, t) for t in sorted(type_ids, key=key)) or "未录入"


def qualification_label(articles: ArticleCatalog | None, keys: Iterable[str]) -> str:
    parts = []
    for key in sorted(keys, key=lambda k: (not k.startswith("T"), k)):  # 党纪 articles first
        article, _, plot = key.partition(":")
        title = article
        if articles is not None and article in articles:
            title = articles.get(article).citation
        parts.append(f"{title}（{plot}）")
    return "、".join(parts) or "未定性"


def person_answer_label(catalog: SanctionCatalog, articles: ArticleCatalog | None, point: DecisionPoint,
                        given: Iterable[str]) -> str:
    given = tuple(given)
    if point.kind == "sanction":
        return sanctions_label(catalog, given)
    if point.kind == "qualification":
        return qualification_label(articles, given)
    return given[0] if given else "—"


def _person_given(point: DecisionPoint, answer: Any) -> tuple[str, ...]:
    return tuple(sorted(answer)) if point.kind in _SETS else (answer,)


def _person_answer(point: DecisionPoint, given: tuple[str, ...]) -> Any:
    return frozenset(given) if point.kind in _SETS else given[0]


def _person_alternative(point: DecisionPoint, given: tuple[str, ...]) -> Alternative | None:
    answer = _person_answer(point, given)
    return next((a for a in point.alternatives if a.answer == answer), None)


def _grade_person(point: DecisionPoint, given: tuple[str, ...]) -> Answer:
    if _person_answer(point, given) == point.expected:
        return Answer(point.id, given, "correct", point.points)
    alt = _person_alternative(point, given)
    if alt is not None:
        return Answer(point.id, given, "acceptable", alt.points)
    return Answer(point.id, given, "wrong", 0)


def _person_question(point) -> str:
    return point.question if point.subject in point.question else f"{point.question}（{point.subject}）"


def judge_persons(scenario: Scenario, catalog: SanctionCatalog, articles: ArticleCatalog | None, visit: int,
                  persons: Mapping[str, PersonNow], *, answered: Collection[str] = (),
                  focus: Collection[str] | None = None) -> Judgement:
    """Grade the points about single persons at path visit `visit`, and hold the decision while a person's
    work in this step is not the reference's (as long as it can still be: a person closed is closed)."""
    if visit >= len(scenario.path):
        return Judgement(True, (), ())
    answers, messages, feedback, brief, path = [], [], {}, [], []
    for point in scenario.person_points:
        if point.visit != visit or point.id in answered or (focus is not None and point.id not in focus):
            continue
        person = persons.get(point.subject)
        if person is None:
            continue
        if point.kind == "outcome":
            given = (person.outcome or GOES_ON,)
        elif person.outcome:
            given = (f"（已{person.outcome}）",)
        else:
            given = tuple(sorted(person.sanctions if point.kind == "sanction" else person.qualification))
        answer = _grade_person(point, given)
        answers.append(answer)
        closed_for_them = bool(person.outcome) and point.kind != "outcome"
        label = given[0] if closed_for_them else person_answer_label(catalog, articles, point, given)
        expected = person_answer_label(catalog, articles, point, _person_given(point, point.expected))
        cited = "；".join(point.citation)
        question = f"“{point.question}”" + ("" if point.subject in point.question else f"（{point.subject}）")
        if answer.verdict == "wrong":
            feedback[point.id] = (f"{question}判断有误：你的答案是“{label}”，参考答案是“{expected}”。"
                                  f"{point.feedback}（依据：{cited}）本题 {point.points} 分未得。")
        elif answer.verdict == "acceptable":
            feedback[point.id] = (f"{question}：“{label}”可以接受，得 {answer.earned}/{point.points} 分。"
                                  f"{_person_alternative(point, given).note}参考答案是“{expected}”（依据：{cited}）。")
        else:
            feedback[point.id] = f"{question}：正确，得 {point.points} 分。"
        if answer.verdict != "correct":
            messages.append(feedback[point.id])
            brief.append(f"{question}{'判断有误' if answer.verdict == 'wrong' else '的答案可以接受'}"
                         f"（得 {answer.earned}/{point.points} 分），参考答案是“{expected}”。")
    for work in reference_entry(scenario, visit).persons:
        person = persons.get(work.subject)
        if person is None or (person.outcome and person.outcome != work.close):
            continue  # closed for them, rightly or not: nothing more can be done for them in this case
        if work.close and not person.outcome:
            if sum(not p.outcome for p in persons.values()) < 2:
                continue  # another was closed instead: the last one left cannot be closed on their own
            path.append(f"本练习按参考路径继续：请先对{work.subject}办理“{work.close}”（对本人办结），再作出本环节的决定。")
            continue
        if work.close:
            continue
        wanted = frozenset(qualification_key(articles, q) for q in work.qualification)
        if work.qualification and person.qualification != wanted:
            path.append(f"本练习按参考路径继续：请把{work.subject}的定性改为“{qualification_label(articles, wanted)}”后再提交。")
        if work.sanctions is not None and person.sanctions != frozenset(work.sanctions):
            names = sanctions_label(catalog, work.sanctions) if work.sanctions else "不录入"
            path.append(f"本练习按参考路径继续：请把本环节对{work.subject}录入的处分或处理改为“{names}”后再提交。")
    if brief:
        brief.append("详细说明和依据条款见练习页的“决定点反馈”和成绩单。")
    return Judgement(not path, tuple(answers), tuple(messages + path), MappingProxyType(feedback), tuple(brief + path))


def combined(first: Judgement, second: Judgement) -> Judgement:
    """Both judgements of one decision (the case's points, then the persons'): it goes ahead if both allow it."""
    return Judgement(first.proceed and second.proceed, first.answers + second.answers, first.messages + second.messages,
                     MappingProxyType({**first.feedback, **second.feedback}), first.brief + second.brief)


def with_person_points(card: dict, scenario: Scenario, wf: Workflow, catalog: SanctionCatalog,
                       articles: ArticleCatalog | None, answers: Mapping[str, Answer], *,
                       focus: Collection[str] | None = None) -> dict:
    """The score card as JSON (`score`'s, as the service stores it) with the points about single persons
    added: each person's result beside the decisions (with `subject`), their lost points with feedback and
    article, total and percent again."""
    order = {p.id: n for n, p in enumerate(scenario.all_points)}
    rows, lost, missed = list(card["decisions"]), [], list(card["missed_points"])
    total, earned = card["total"], card["earned"]
    for point in scenario.person_points:
        if focus is not None and point.id not in focus:
            continue
        answer = answers.get(point.id)
        got = answer.earned if answer else 0
        total += point.points
        earned += got
        question = _person_question(point)
        rows.append({
            "id": point.id, "question": question, "kind": point.kind, "subject": point.subject,
            "step_title": wf.steps[point.step].title, "points": point.points, "earned": got,
            "verdict": answer.verdict if answer else "unanswered",
            "given": ("—" if answer is None else answer.given[0] if answer.given and answer.given[0].startswith("（已")
                      else person_answer_label(catalog, articles, point, answer.given)),
            "expected": person_answer_label(catalog, articles, point, _person_given(point, point.expected)),
        })
        if got < point.points:
            missed.append(point.id)
            why = point.feedback if answer else f"练习未进行到这一步，未作答。{point.feedback}"
            if answer and answer.verdict == "acceptable":
                why = _person_alternative(point, answer.given).note + point.feedback
            lost.append({"kind": _LOST_KIND[point.kind], "ref": point.id, "title": question,
                         "lost": point.points - got, "feedback": why, "citation": list(point.citation),
                         "subject": point.subject})
    point_kinds = ("decision", "sanction")
    domain_points = [item for item in card["lost"] if item["kind"] in point_kinds]
    rest = [item for item in card["lost"] if item["kind"] not in point_kinds]
    percent = round(earned * 100 / total) if total else 100
    return {
        **card,
        "total": total, "earned": earned, "percent": percent,
        "passed": bool(card["complete"]) and percent >= scenario.pass_percent,
        "decisions": sorted(rows, key=lambda r: order.get(r["id"], 0)),
        "lost": sorted(domain_points + lost, key=lambda i: order.get(i["ref"], 0)) + rest,
        "missed_points": sorted(missed, key=lambda pid: order.get(pid, 0)),
    }
