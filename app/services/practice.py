"""Practice mode (training room): the practice store, scenarios, attempts, scoring, results.

A practice store lives in `<data>/practice/`, uses the fast key-derivation profile (a training room
shares its PCs) and carries the setting `practice_mode = true`, by which the sync side refuses to
bundle it. Its admin account is the trainer; trainees have no accounts and give their name when
they start a scenario.

A trainee works the practice case in the ordinary case screens through `cases.act`. Before a
decision is carried out there, `check_decision` grades it against the scenario (see
app.domain.practice_scoring) and holds a decision that leaves the reference path: the case then
stays as it was and the trainee reads the feedback with the rule it is based on. In a case with
several persons it reads what the case holds for each of them (`persons_now`) for the domain to
grade, and the scripted trainee does each person's work through the same actions (`_perform_person`).
"""

from __future__ import annotations

import io
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from app.domain import practice_scoring as scoring
from app.domain import scenarios as scenario_rules
from app.domain import workflow as engine
from app.domain.errors import toml_problem
from app.domain.text_hygiene import printable
from app.domain.scenarios import (
    TODAY,
    PersonWork,
    Scenario,
    ScenarioError,
    ScriptEntry,
    parse_scenario,
    triggered,
)
from app.errors import InputError
from app.models import Case, PracticeAttempt, PracticeScenario, Setting, StepRecord
from app.paths import StorePaths, resources_dir
from app.services import case_codec, cases, practice_flag, ruleset
from app.services.practice_flag import PRACTICE_SETTING, is_practice_in
from app.services.ruleset import RuleSet
from app.storage import audit
from app.storage.atomic import atomic_write_bytes
from app.storage.store import Store

DEFAULT_TRAINER = "培训管理员"
OFFICE = {"office_code": "PRACTICE", "office_name": "练习镇纪委（培训练习用）", "parent_code": "PRACTICE-COUNTY",
          "office_abbr": "练习"}
# Names the scripted trainee and the drill fast-forward use where a step asks for people.
SECRETARY = "纪委书记（模拟）"
TEAM = ("练习组员甲", "练习组员乙", "练习组员丙")
SUPERVISION_APPROVER = "县监委主要负责人（模拟）"  # who approves a 监察立案 the script records
# 查审分离 ([R] 第五十四条): the review team is never the investigators.
REVIEW_TEAM = ("练习审理员甲", "练习审理员乙", "练习审理员丙")
VOTE_DEFAULTS = {"eligible": 9, "present": 8, "in_favour": 8}
MAX_TRAINEE_LENGTH = 20
MAX_SCENARIO_BYTES = 512 * 1024
MODES = {"full": "完整练习", "drill": "再练一次（失分点）"}
MAX_PARSED = 64


class PracticeHeld(InputError):
    """A decision off the scenario's path: not carried out. The message is short enough for a dialog;
    `detail["messages"]` give the full feedback with the rules it rests on."""

    def __init__(self, judgement: scoring.Judgement):
        super().__init__("practice_held", "练习提示：" + "".join(judgement.brief),
                         {"messages": list(judgement.messages), "answers": [answer_json(a) for a in judgement.answers]})


@dataclass(frozen=True)
class ScenarioRow:
    id: str
    title: str
    version: str
    level: str
    summary: str
    tags: tuple[str, ...]
    time_limit_minutes: int
    total: int
    decision_points: int
    origin: str  # 随附 | 导入


@dataclass(frozen=True)
class Started:
    attempt_id: str
    case_id: str
    scenario_id: str
    mode: str
    focus: tuple[str, ...]


@dataclass(frozen=True)
class FactView:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class AnswerView:
    point_id: str
    question: str
    verdict: str
    verdict_label: str
    earned: int
    points: int
    message: str


@dataclass(frozen=True)
class Progress:
    attempt_id: str
    case_id: str
    trainee: str
    scenario_id: str
    scenario_title: str
    summary: str
    mode: str
    step_title: str
    visits_done: int
    path_length: int
    facts: tuple[FactView, ...]
    answers: tuple[AnswerView, ...]
    focus_questions: tuple[str, ...]
    ready_to_finish: bool  # the path is done; the trainee may finish (end-step work first, if any)
    finished: bool
    card: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Unfinished:
    attempt_id: str
    case_id: str
    scenario_id: str
    scenario_title: str
    mode: str
    started_at: datetime


@dataclass(frozen=True)
class ResultRow:
    trainee: str
    scenario_id: str
    scenario_title: str
    attempts: int
    best_percent: int | None
    latest_percent: int | None
    latest_passed: bool
    latest_at: datetime | None
    latest_seconds: int | None
    outstanding: int


def answer_json(a: scoring.Answer) -> dict:
    return {"point_id": a.point_id, "given": list(a.given), "verdict": a.verdict, "earned": a.earned}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for what was stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------- the practice store


def is_practice(store: Store) -> bool:
    with store.read() as s:
        return is_practice_in(s)


def mark(store: Store) -> None:
    """Set `practice_mode = true` (idempotent): the sync side refuses bundles of such a store."""
    with store.write() as s:
        row = s.get(Setting, PRACTICE_SETTING)
        if row is None or row.value is not True:
            s.merge(Setting(key=PRACTICE_SETTING, value=True))
            audit.note(s, "practice_mark", "setting:practice_mode", "标记为练习库：练习数据不能导出上报")


def create_store(paths: StorePaths, account: str, password: str):
    """Create the practice store (standard key derivation, the practice office) and mark it; returns SetupResult.

    Its password is its own: one that opens a slot of the real store beside it is refused (the
    practice password is shared around a training room; it must not be a real one).
    """
    from app.services import setup, unlock

    request = setup.SetupRequest(level="township", account=account.strip() or DEFAULT_TRAINER, password=password,
                                 **OFFICE)
    setup.validate(request)
    unlock.refuse_real_password(paths.root.parent, password)
    result = setup.create_store(paths, request)
    opened = unlock.unlock(paths, request.account, password)
    try:
        mark(opened.store)
    finally:
        opened.store.close()
    return result


def require_trainer(store: Store) -> None:
    if not store.account.is_admin:
        raise InputError("not_trainer", "只有培训管理员（练习库的管理员账户）才能进行此项操作。")


def require_practice(store: Store) -> None:
    if not is_practice(store):
        raise InputError("not_practice_store", "这是正式数据库，不能在其中进行练习。请从解锁界面进入“练习模式”，或在命令中加 --practice。")


# ---------------------------------------------------------------- scenarios


def shipped_dir() -> Path:
    return resources_dir() / "practice"


def shipped_files() -> list[Path]:
    return sorted(shipped_dir().glob("*.toml"))


# (source, text, id(workflow), id(catalog), id(articles)) -> (workflow, catalog, articles, scenario); holding
# the rule objects keeps their ids from being reused while the entry exists.
_parsed: dict[tuple, tuple] = {}


def parse_text(text: str, source: str, rules: RuleSet) -> Scenario:
    """Parse and check a scenario; the same text under the same rules is parsed once per process."""
    articles = getattr(rules, "articles", None)  # a bare fuzz harness passes the workflow and catalog only
    key = (source, text, id(rules.workflow), id(rules.catalog), id(articles))
    if key in _parsed:
        return _parsed[key][-1]
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:  # RecursionError: arrays nested too deep
        raise ScenarioError(source, [("文件", f"不是有效的 TOML 格式：{toml_problem(exc)}")]) from exc
    scenario = parse_scenario(data, source, rules.workflow, rules.catalog, articles, today=date.today())
    if len(_parsed) > MAX_PARSED:
        _parsed.clear()
    _parsed[key] = (rules.workflow, rules.catalog, articles, scenario)
    return scenario


def load_scenarios(store: Store, rules: RuleSet | None = None,
                   problems: list[str] | None = None) -> dict[str, tuple[Scenario, str]]:
    """Scenario id -> (scenario, origin): the shipped files, then imported ones (which override).

    An imported file that no longer fits the rules in force (the county pushed new ones) is left out;
    its problems go to `problems` for the trainer to see.
    """
    rules = rules or ruleset.load(store)
    found: dict[str, tuple[Scenario, str]] = {}
    for path in shipped_files():
        scenario = parse_text(path.read_text(encoding="utf-8"), path.name, rules)
        found[scenario.id] = (scenario, "随附")
    with store.read() as s:
        imported = s.exec(select(PracticeScenario).order_by(PracticeScenario.imported_at)).all()
    for row in imported:
        try:
            found[row.id] = (parse_text(row.text, row.source_name, rules), "导入")
        except ScenarioError as exc:
            if problems is not None:
                problems.append(exc.message)
    return found


def get_scenario(store: Store, scenario_id: str, rules: RuleSet | None = None) -> Scenario:
    found = load_scenarios(store, rules)
    if scenario_id not in found:
        known = "、".join(found) or "（无）"
        raise InputError("no_scenario", f"没有编号为“{scenario_id}”的练习案例。可选：{known}")
    return found[scenario_id][0]


def scenario_row(scenario: Scenario, origin: str) -> ScenarioRow:
    return ScenarioRow(scenario.id, scenario.title, scenario.version, scenario.level, scenario.summary, scenario.tags,
                       scenario.time_limit_minutes, scenario.total, len(scenario.all_points), origin)


def list_scenarios(store: Store, rules: RuleSet | None = None, problems: list[str] | None = None) -> list[ScenarioRow]:
    return [scenario_row(sc, origin) for sc, origin in load_scenarios(store, rules, problems).values()]


def import_scenario(store: Store, path: Path) -> ScenarioRow:
    """Validate a scenario file like a rules file and keep it in the practice store."""
    require_practice(store)
    require_trainer(store)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("no_file", f"无法读取文件“{path}”：{exc.strerror or exc}。") from exc
    if len(raw) > MAX_SCENARIO_BYTES:
        raise InputError("scenario_too_large", f"“{path.name}”超过 {MAX_SCENARIO_BYTES // 1024} KB，不像练习案例文件。")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(path.name, [("文件", "不是 UTF-8 编码的文本文件，请用记事本或 VS Code 另存为 UTF-8")]) from exc
    rules = ruleset.load(store)
    scenario = parse_text(text, path.name, rules)
    with store.write() as s:
        row = s.get(PracticeScenario, scenario.id)
        if row is None:
            row = PracticeScenario(id=scenario.id, version=scenario.version, title=scenario.title,
                                   source_name=path.name, text=text, imported_by=store.account.name)
        else:
            row.version, row.title, row.source_name, row.text = scenario.version, scenario.title, path.name, text
            row.imported_at, row.imported_by = utcnow(), store.account.name
        s.add(row)
    return scenario_row(scenario, "导入")


# ---------------------------------------------------------------- attempts


def clean_trainee(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise InputError("no_trainee", "请填写学员姓名。")
    if len(name) > MAX_TRAINEE_LENGTH or any(unicodedata.category(c).startswith("C") for c in name):
        raise InputError("bad_trainee", f"学员姓名须为{MAX_TRAINEE_LENGTH}个字以内的文字。")
    return name


def _attempts(s, *, trainee: str | None = None, scenario_id: str | None = None) -> list[PracticeAttempt]:
    query = select(PracticeAttempt)
    if trainee is not None:
        query = query.where(PracticeAttempt.trainee == trainee)
    if scenario_id is not None:
        query = query.where(PracticeAttempt.scenario_id == scenario_id)
    return list(s.exec(query.order_by(PracticeAttempt.started_at, PracticeAttempt.id)).all())


def _result(attempt: PracticeAttempt, scenario: Scenario) -> dict[str, bool]:
    """Point id -> full marks, for the points this finished attempt scored."""
    scored = attempt.focus if attempt.mode == "drill" else [p.id for p in scenario.all_points]
    missed = set(attempt.card.get("missed_points", ()))
    return {pid: pid not in missed for pid in scored if scenario.point(pid) is not None}


def _finished(attempts: list[PracticeAttempt]) -> list[PracticeAttempt]:
    """Finished attempts in the order they were finished (a drill may finish before an older full run)."""
    return sorted((a for a in attempts if a.finished_at is not None), key=lambda a: (_aware(a.finished_at), a.id))


def outstanding_points(store: Store, trainee: str, scenario: Scenario) -> tuple[str, ...]:
    """Decision points this trainee last missed in this scenario, in path order (across sessions)."""
    with store.read() as s:
        done = _finished(_attempts(s, trainee=trainee, scenario_id=scenario.id))
    missed = scoring.outstanding(_result(a, scenario) for a in done)
    return tuple(p.id for p in scenario.all_points if p.id in missed)


def start(store: Store, scenario_id: str, trainee: str, *, mode: str = "full", today: date | None = None,
          rules: RuleSet | None = None) -> Started:
    """Register the scenario's clue as a new practice case and open an attempt on it.

    A drill (再练一次) carries the case along the reference path itself and stops at each decision
    point the trainee last missed; only those are scored.
    """
    require_practice(store)
    trainee = clean_trainee(trainee)
    if mode not in MODES:
        raise InputError("bad_mode", "练习方式须为 full（完整练习）或 drill（再练一次）。")
    today = today or date.today()
    rules = rules or ruleset.load(store)
    scenario = get_scenario(store, scenario_id, rules)
    focus: tuple[str, ...] = ()
    if mode == "drill":
        focus = outstanding_points(store, trainee, scenario)
        if not focus:
            raise InputError("nothing_to_drill", f"{trainee}在“{scenario.title}”中没有待重练的失分点，可以选择完整练习。")
    clue = dict(scenario.clue)
    clue["received_on"] = (today - timedelta(days=scenario.received_days_ago)).isoformat()
    registered = cases.register_clue(store, clue, today=today, demo=True, rules=rules)
    with store.write() as s:
        attempt = PracticeAttempt(trainee=trainee, scenario_id=scenario.id, scenario_version=scenario.version,
                                  scenario_title=scenario.title, mode=mode, focus=list(focus), case_id=registered.case_id)
        s.add(attempt)
        audit.note(s, "practice_start", f"practice_attempt:{attempt.id}",
                   f"学员{trainee}开始练习“{scenario.title}”（{MODES[mode]}）")
    if mode == "drill":
        advance(store, attempt.id, today=today, rules=rules)
    return Started(attempt.id, registered.case_id, scenario.id, mode, focus)


def _load_attempt(s, attempt_id: str) -> PracticeAttempt:
    attempt = s.get(PracticeAttempt, attempt_id)
    if attempt is None:
        raise InputError("no_attempt", "找不到这次练习，可能已被培训管理员重置。")
    return attempt


def active_attempt(store: Store, case_id: str) -> PracticeAttempt | None:
    with store.read() as s:
        return s.exec(select(PracticeAttempt).where(PracticeAttempt.case_id == case_id,
                                                    PracticeAttempt.finished_at.is_(None))).first()


def check_decision(store: Store, case_id: str, action: engine.Decide, rules: RuleSet) -> None:
    """Run by `cases.act` before a decision (through services/practice_flag.py): grade it and raise
    PracticeHeld when it leaves the path."""
    if not is_practice(store):
        return
    attempt = active_attempt(store, case_id)
    if attempt is None:
        return
    state = cases.case_state(store, case_id)
    step = rules.workflow.steps.get(state.step_id)
    if step is None or step.decision(action.decision_id) is None:
        return  # the engine refuses it with its own message
    try:
        scenario = get_scenario(store, attempt.scenario_id, rules)
    except InputError:
        return  # the scenario is gone (an update removed it): the case goes on unjudged
    focus = set(attempt.focus) if attempt.mode == "drill" else None
    judgement = scoring.judge(scenario, rules.workflow, rules.catalog, len(state.history), action.decision_id,
                              engine.proposed_types(state), answered=set(attempt.answers), focus=focus)
    if scenario.person_points or any(e.persons for e in scenario.reference):
        persons = scoring.judge_persons(scenario, rules.catalog, rules.articles, len(state.history),
                                        persons_now(store, case_id, rules, state), answered=set(attempt.answers),
                                        focus=focus)
        judgement = scoring.combined(judgement, persons)
    if judgement.answers or not judgement.proceed:
        with store.write() as s:
            row = _load_attempt(s, attempt.id)
            answers = dict(row.answers)
            for answer in judgement.answers:
                answers[answer.point_id] = {**answer_json(answer), "message": judgement.feedback[answer.point_id]}
            row.answers = answers
            row.held += 0 if judgement.proceed else 1
            s.add(row)
    if not judgement.proceed:
        raise PracticeHeld(judgement)


practice_flag.handle_decisions(check_decision)  # cases.act grades a practice decision through it


def persons_now(store: Store, case_id: str, rules: RuleSet, state: engine.CaseState) -> dict[str, scoring.PersonNow]:
    """What the case holds for each of its persons, as judge_persons grades it."""
    from app.services import subjects as case_subjects

    step_id = state.step_id
    out = {}
    with store.read() as s:
        for row in case_subjects.rows(s, case_id):
            name = case_subjects.name_of(s, row)
            recorded = [x.type_id for x in state.sanctions if x.subject == row.id]
            step_kinds = (scoring.step_sanctions(rules.workflow, rules.catalog, step_id, recorded)
                          if step_id in rules.workflow.steps else frozenset())
            out[name] = scoring.PersonNow(name, row.outcome or "", step_kinds,
                                          frozenset(f"{a['article']}:{a['plot']}" for a in (row.articles or ())))
    return out


def _items_done(s, case_id: str, state: engine.CaseState) -> frozenset[str]:
    visits = s.exec(select(StepRecord).where(StepRecord.case_id == case_id, StepRecord.completed_on.is_not(None))).all()
    done = {f"{v.step_id}.{i}" for v in visits for i in v.checklist}
    return frozenset(done | {f"{state.step_id}.{i}" for i in state.checklist})


def _answers(attempt: PracticeAttempt) -> dict[str, scoring.Answer]:
    return {pid: scoring.Answer(pid, tuple(a["given"]), a["verdict"], a["earned"]) for pid, a in attempt.answers.items()}


def _complete(attempt: PracticeAttempt, scenario: Scenario, visits_done: int) -> bool:
    if attempt.mode == "drill":
        last = max((scenario.point(p).visit for p in attempt.focus if scenario.point(p)), default=-1)
        return visits_done > last
    return visits_done >= len(scenario.path)


def _ends_by_itself(attempt: PracticeAttempt, scenario: Scenario) -> bool:
    """Finished without the trainee pressing 完成: a drill, or a path whose end needs no work of its own."""
    return attempt.mode == "drill" or bool(scenario.reference[-1].decide)


def progress(store: Store, attempt_id: str, *, rules: RuleSet | None = None) -> Progress:
    rules = rules or ruleset.load(store)
    with store.read() as s:
        attempt = _load_attempt(s, attempt_id)
        case = cases.load_case(s, attempt.case_id)
        state = case_codec.from_json(case.state)
        items = _items_done(s, attempt.case_id, state)
    scenario = get_scenario(store, attempt.scenario_id, rules)
    shown = set(triggered(scenario, state, items))
    facts = tuple(FactView(f.id, f.title, f.text) for f in scenario.facts if f.id in shown)
    answers = []
    for point in scenario.all_points:
        a = attempt.answers.get(point.id)
        if a is not None:
            answers.append(AnswerView(point.id, point.question, a["verdict"], scoring.VERDICTS[a["verdict"]],
                                      a["earned"], point.points, a.get("message", "")))
    visits = len(state.history)
    step = rules.workflow.steps.get(state.step_id)
    return Progress(
        attempt_id=attempt.id, case_id=attempt.case_id, trainee=attempt.trainee, scenario_id=scenario.id,
        scenario_title=scenario.title, summary=scenario.summary, mode=attempt.mode,
        step_title=step.title if step else state.step_id, visits_done=visits, path_length=len(scenario.path),
        facts=facts, answers=tuple(answers),
        focus_questions=tuple(scenario.point(p).question for p in attempt.focus if scenario.point(p)),
        ready_to_finish=_complete(attempt, scenario, visits), finished=attempt.finished_at is not None,
        card=dict(attempt.card),
    )


def finish(store: Store, attempt_id: str, *, now: datetime | None = None, rules: RuleSet | None = None) -> dict:
    """Score the attempt (at any point: an unfinished path loses what it did not reach); the card as JSON."""
    rules = rules or ruleset.load(store)
    now = now or utcnow()
    with store.read() as s:
        attempt = _load_attempt(s, attempt_id)
        if attempt.finished_at is not None:
            return dict(attempt.card)
        case = cases.load_case(s, attempt.case_id)
        state = case_codec.from_json(case.state)
        items = _items_done(s, attempt.case_id, state)
    scenario = get_scenario(store, attempt.scenario_id, rules)
    trace = scoring.Trace(
        answers=_answers(attempt),
        visits_done=len(state.history),
        items_done=items,
        fields=state.fields,
        studied=frozenset(st.step_id for st in state.studies),
        documents=state.documents,
        seconds=int((now - _aware(attempt.started_at)).total_seconds()),
        complete=_complete(attempt, scenario, len(state.history)),
    )
    focus = set(attempt.focus) if attempt.mode == "drill" else None
    card = scoring.score(scenario, rules.workflow, rules.catalog, trace, trainee=attempt.trainee, focus=focus)
    card_json = case_codec.thawed(_jsonable(card))
    if scenario.person_points:
        card_json = scoring.with_person_points(card_json, scenario, rules.workflow, rules.catalog, rules.articles,
                                               trace.answers, focus=focus)
    with store.write() as s:
        row = _load_attempt(s, attempt_id)
        row.finished_at, row.score, row.total, row.card = now, card_json["earned"], card_json["total"], card_json
        s.add(row)
        audit.note(s, "practice_finish", f"practice_attempt:{row.id}",
                   f"学员{row.trainee}完成练习“{row.scenario_title}”：{card_json['earned']}/{card_json['total']} 分")
    return card_json


def _jsonable(value: Any) -> Any:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(value):
        return {k: _jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_jsonable(v) for v in value]
    return value


def finish_if_done(store: Store, attempt_id: str, *, rules: RuleSet | None = None) -> dict | None:
    """The card once a path that ends by itself is done (the GUI calls this after every change)."""
    rules = rules or ruleset.load(store)
    with store.read() as s:
        attempt = _load_attempt(s, attempt_id)
        if attempt.finished_at is not None:
            return dict(attempt.card)
        state = case_codec.from_json(cases.load_case(s, attempt.case_id).state)
    scenario = get_scenario(store, attempt.scenario_id, rules)
    if _complete(attempt, scenario, len(state.history)) and _ends_by_itself(attempt, scenario):
        return finish(store, attempt_id, rules=rules)
    return None


def update(store: Store, attempt_id: str, *, rules: RuleSet | None = None) -> Progress:
    """After any change in the case: carry a drill on, finish a path that ends by itself, then report."""
    rules = rules or ruleset.load(store)
    advance(store, attempt_id, rules=rules)
    finish_if_done(store, attempt_id, rules=rules)
    return progress(store, attempt_id, rules=rules)


def unfinished(store: Store, trainee: str) -> list[Unfinished]:
    """The trainee's attempts not yet scored (left for a break or by a lock), newest first."""
    trainee = clean_trainee(trainee)
    with store.read() as s:
        rows = [a for a in _attempts(s, trainee=trainee) if a.finished_at is None]
        live = [a for a in rows if (c := s.get(Case, a.case_id)) is not None and not c.deleted]
    return [Unfinished(a.id, a.case_id, a.scenario_id, a.scenario_title, a.mode, _aware(a.started_at))
            for a in reversed(live)]


# ---------------------------------------------------------------- the scripted trainee


def default_value(f, today: date, trainee: str, count: int = 1) -> Any:
    """A neutral practice value for a field the trainee did not give."""
    if f.type == "date":
        return today.isoformat()
    if f.type == "number":
        return VOTE_DEFAULTS.get(f.id, 1)
    if f.type == "bool":
        return False
    if f.type == "person":
        return [{"name": trainee}] if f.multiple else {"name": trainee}
    if f.type == "choice":
        return [f.choices[0]] if f.multiple else f.choices[0]
    if f.multiple:
        return list(REVIEW_TEAM if f.id == "reviewers" else (trainee, *TEAM))[: max(count, 2)]
    return f"{f.label}（练习填写）"


def _act(store: Store, rules: RuleSet, case_id: str, action: dict, today: date) -> None:
    cases.act(store, case_id, action, today=today, rules=rules)


def perform(store: Store, rules: RuleSet, case_id: str, entry: ScriptEntry, trainee: str, today: date) -> None:
    """Do one script entry in the case's current step: tick, fill, record, study, then decide.

    Raises PracticeHeld when the decision leaves the reference path, cases.ActionRefused when a
    gate of the workflow blocks it.
    """
    wf = rules.workflow
    state = cases.case_state(store, case_id)
    if entry.step != state.step_id:
        raise InputError("script_out_of_step", f"这一项写的是“{wf.steps[entry.step].title}”，"
                                               f"但案件此时在“{wf.steps[state.step_id].title}”。")
    step = wf.steps[state.step_id]
    if entry.tick == "all":
        items = [i.id for i in step.checklist]
    elif entry.tick == "required":
        items = [i.id for i in step.checklist if i.required]
    else:
        items = list(entry.tick)
    for item in items:
        if item not in state.checklist:
            _act(store, rules, case_id, {"type": "complete_item", "item_id": item}, today)
    if entry.fields:
        values = {k: today.isoformat() if v == TODAY and step.field(k).type == "date" else v
                  for k, v in entry.fields.items()}
        _act(store, rules, case_id, {"type": "set_fields", "values": values}, today)
    for work in entry.persons:
        _perform_person(store, rules, case_id, step, work, entry.approver or SECRETARY, today)
    if entry.sanctions is not None:
        present = scoring.step_sanctions(wf, rules.catalog, step.id, engine.proposed_types(state))
        for type_id in sorted(present - set(entry.sanctions)):
            _act(store, rules, case_id, {"type": "record_sanction", "type_id": type_id, "remove": True}, today)
        for type_id in entry.sanctions:
            if type_id not in present:
                _act(store, rules, case_id, {"type": "record_sanction", "type_id": type_id}, today)
    if entry.qualification:
        _act(store, rules, case_id, {"type": "set_qualification", "articles": [dict(q) for q in entry.qualification]},
             today)
    if entry.documents:
        from app.services import documents

        for template in entry.documents:  # practice documents: the 练习 mark and a practice number
            documents.render(store, case_id, template, today=today, practice=True, rules=rules)
    if entry.study:
        _record_study(store, rules, case_id, trainee, today)
    if entry.fill and entry.decide:
        _fill(store, rules, case_id, entry.decide, trainee, today)
    if not entry.decide:
        return
    state = cases.case_state(store, case_id)
    decision = step.decision(entry.decide)
    action = {"type": "decide", "decision_id": entry.decide, "decided_on": today.isoformat()}
    if decision is not None and "approval" in decision.requires:
        action["approver"] = entry.approver or SECRETARY
    _act(store, rules, case_id, action, today)


def _perform_person(store: Store, rules: RuleSet, case_id: str, step, work: PersonWork, approver: str,
                    today: date) -> None:
    """What the entry does for one person: particulars, 监察立案, closing the case for them, 定性, sanctions."""
    from app.services import subjects as case_subjects

    who = work.subject
    if work.particulars:
        _act(store, rules, case_id, {"type": "set_subject", "subject": who, "values": dict(work.particulars)}, today)
    if work.supervision_filing:
        _act(store, rules, case_id, {"type": "record_supervision_filing", "subject": who,
                                     "approved_on": today.isoformat(), "approver": SUPERVISION_APPROVER}, today)
    if work.close:
        _act(store, rules, case_id, {"type": "close_subject", "subject": who, "outcome": work.close,
                                     "reason": work.reason, "decided_on": today.isoformat(), "approver": approver},
             today)
        return
    if work.qualification:
        _act(store, rules, case_id, {"type": "set_qualification", "subject": who,
                                     "articles": [dict(q) for q in work.qualification]}, today)
    if work.sanctions is not None:
        state = cases.case_state(store, case_id)
        with store.read() as s:
            row = next((r for r in case_subjects.rows(s, case_id) if case_subjects.name_of(s, r) == who), None)
        # a name not in the case: record_sanction is refused with the case's persons named (subject_unknown)
        mine = [x.type_id for x in state.sanctions if row is not None and x.subject == row.id]
        present = scoring.step_sanctions(rules.workflow, rules.catalog, step.id, mine)
        for type_id in sorted(present - set(work.sanctions)):
            _act(store, rules, case_id, {"type": "record_sanction", "type_id": type_id, "remove": True,
                                         "subject": who}, today)
        for type_id in work.sanctions:
            if type_id not in present:
                _act(store, rules, case_id, {"type": "record_sanction", "type_id": type_id, "subject": who}, today)


def _record_study(store: Store, rules: RuleSet, case_id: str, trainee: str, today: date) -> None:
    attendees = [SECRETARY, trainee, *TEAM][: max(rules.workflow.study_min_attendees, 3)]
    _act(store, rules, case_id, {"type": "record_study", "held_on": today.isoformat(), "attendees": attendees,
                                 "conclusion": "经集体研究，同意承办人意见。"}, today)


def _fill(store: Store, rules: RuleSet, case_id: str, decision_id: str, trainee: str, today: date) -> None:
    """Do what the workflow still asks before `decision_id`: items, fields, counts, the study."""
    state = cases.case_state(store, case_id)
    view = cases.evaluate(rules, state, today)
    option = next((d for d in view.decisions if d.id == decision_id), None)
    if option is None:
        return
    step = rules.workflow.steps[state.step_id]
    values: dict[str, Any] = {}
    study = False
    for problem in option.problems:
        detail = problem.detail
        if problem.code == "checklist_open":
            for item in detail["items"]:
                _act(store, rules, case_id, {"type": "complete_item", "item_id": item}, today)
        elif "fields" in detail:
            for key in detail["fields"]:
                step_id, _, field_id = key.partition(".")
                if step_id == step.id:
                    values[field_id] = default_value(step.field(field_id), today, trainee)
        elif "min" in detail and "field" in detail:
            step_id, _, field_id = detail["field"].partition(".")
            if step_id == step.id:
                values[field_id] = default_value(step.field(field_id), today, trainee, detail["min"])
        elif problem.code in ("study_missing", "study_attendees_too_few"):
            study = True
    if values:
        _act(store, rules, case_id, {"type": "set_fields", "values": values}, today)
    if study:
        _record_study(store, rules, case_id, trainee, today)


def parse_answers(data: Any, source: str, rules: RuleSet) -> tuple[ScriptEntry, ...]:
    """An answers file (docs/PRACTICE.md §5) under the rules in force."""
    return scenario_rules.parse_answers(data, source, rules.workflow, rules.catalog, getattr(rules, "articles", None),
                                        today=date.today())


def run_script(store: Store, scenario_id: str, trainee: str, entries: tuple[ScriptEntry, ...], *,
               today: date | None = None, now=None, rules: RuleSet | None = None) -> dict:
    """Play a scripted trainee through the real engine; the score card as JSON.

    A held decision is part of the script (the trainee decides again in the next entry); a decision
    refused by the workflow stops the run with the entry's number and the engine's reasons.
    """
    today = today or date.today()
    rules = rules or ruleset.load(store)
    started = start(store, scenario_id, trainee, today=today, rules=rules)
    trainee = clean_trainee(trainee)
    for number, entry in enumerate(entries, start=1):
        try:
            perform(store, rules, started.case_id, entry, trainee, today)
        except PracticeHeld:
            continue
        except InputError as exc:
            raise InputError(exc.code, f"答案第{number}项（{rules.workflow.steps[entry.step].title}）未能办理：{exc.message}",
                             exc.detail) from exc
    return finish(store, started.attempt_id, now=now() if now else None, rules=rules)


def person_json(work: PersonWork) -> dict:
    """One person's work in the answers-file form (the keys of [[reference.persons]])."""
    out: dict[str, Any] = {"subject": work.subject}
    if work.particulars:
        out["particulars"] = dict(work.particulars)
    if work.supervision_filing:
        out["supervision_filing"] = True
    if work.close:
        out["close"] = {"outcome": work.close, "reason": work.reason}
    if work.qualification:
        out["qualification"] = [dict(q) for q in work.qualification]
    if work.sanctions is not None:
        out["sanctions"] = list(work.sanctions)
    return out


def reference_answers(scenario: Scenario) -> dict:
    """The reference answers in the answers-file form of `practice run`."""
    steps = []
    for e in scenario.reference:
        entry: dict[str, Any] = {"step": e.step}
        if e.tick != "required":
            entry["tick"] = e.tick if isinstance(e.tick, str) else list(e.tick)
        if e.fields:
            entry["fields"] = dict(e.fields)
        if e.sanctions is not None:
            entry["sanctions"] = list(e.sanctions)
        if e.qualification:
            entry["qualification"] = [dict(q) for q in e.qualification]
        if e.documents:
            entry["documents"] = list(e.documents)
        if e.study:
            entry["study"] = True
        if e.approver:
            entry["approver"] = e.approver
        if not e.fill:
            entry["fill"] = False
        if e.persons:
            entry["persons"] = [person_json(w) for w in e.persons]
        if e.decide:
            entry["decide"] = e.decide
        steps.append(entry)
    return {"scenario": scenario.id, "steps": steps}


def advance(store: Store, attempt_id: str, *, today: date | None = None, rules: RuleSet | None = None) -> None:
    """In a drill, carry the case along the reference path up to the next decision point to practise."""
    today = today or date.today()
    rules = rules or ruleset.load(store)
    with store.read() as s:
        attempt = _load_attempt(s, attempt_id)
    if attempt.mode != "drill" or attempt.finished_at is not None:
        return
    scenario = get_scenario(store, attempt.scenario_id, rules)
    stops = {scenario.point(p).visit for p in attempt.focus if scenario.point(p)}
    while True:
        visit = len(cases.case_state(store, attempt.case_id).history)
        if visit >= len(scenario.path) or visit in stops or visit > max(stops, default=-1):
            return
        perform(store, rules, attempt.case_id, scoring.reference_entry(scenario, visit), attempt.trainee, today)


# ---------------------------------------------------------------- trainer


def results(store: Store, rules: RuleSet | None = None) -> list[ResultRow]:
    """Per trainee and scenario: attempts, best and latest full-run result, points still to practise."""
    require_practice(store)
    scenarios = {sid: sc for sid, (sc, _) in load_scenarios(store, rules).items()}
    with store.read() as s:
        attempts = _finished(_attempts(s))
    groups: dict[tuple[str, str], list[PracticeAttempt]] = {}
    for a in attempts:
        groups.setdefault((a.trainee, a.scenario_id), []).append(a)
    rows = []
    for (trainee, scenario_id), group in sorted(groups.items()):
        full = [a for a in group if a.mode == "full"]
        percents = [a.card.get("percent", 0) for a in full]
        latest = full[-1] if full else None
        scenario = scenarios.get(scenario_id)
        left = len(scoring.outstanding(_result(a, scenario) for a in group)) if scenario else 0
        rows.append(ResultRow(
            trainee, scenario_id, group[-1].scenario_title, len(group), max(percents) if percents else None,
            latest.card.get("percent") if latest else None, bool(latest and latest.card.get("passed")),
            _aware(latest.finished_at) if latest else None, latest.card.get("seconds") if latest else None, left,
        ))
    return rows


def attempt_rows(store: Store) -> list[PracticeAttempt]:
    with store.read() as s:
        return _finished(_attempts(s))


def export_results(store: Store, out: Path, rules: RuleSet | None = None) -> Path:
    """成绩汇总 and 失分明细 as an .xlsx file, written atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    require_practice(store)
    require_trainer(store)
    if out.suffix.lower() != ".xlsx":
        raise InputError("bad_suffix", "成绩文件须保存为 .xlsx。")
    book = Workbook()
    summary = book.active
    summary.title = "成绩汇总"
    summary.append(["学员", "练习案例", "练习次数", "最高得分率(%)", "最近得分率(%)", "最近是否合格", "最近完成时间",
                    "最近用时(分钟)", "待重练失分点"])
    for r in results(store, rules):
        # text stored before text hygiene (a Word \x0b) would make openpyxl refuse the whole file
        summary.append(list(map(printable, [
            r.trainee, r.scenario_title, r.attempts, r.best_percent, r.latest_percent,
            "合格" if r.latest_passed else ("不合格" if r.latest_percent is not None else ""),
            r.latest_at.astimezone().strftime("%Y-%m-%d %H:%M") if r.latest_at else "",
            round(r.latest_seconds / 60, 1) if r.latest_seconds is not None else None, r.outstanding])))
    detail = book.create_sheet("失分明细")
    detail.append(["学员", "练习案例", "方式", "完成时间", "得分", "满分", "失分项", "失分类别", "失分", "说明", "依据"])
    for a in attempt_rows(store):
        when = _aware(a.finished_at).astimezone().strftime("%Y-%m-%d %H:%M")
        lost = a.card.get("lost", [])
        if not lost:
            detail.append(list(map(printable, [a.trainee, a.scenario_title, MODES[a.mode], when, a.score, a.total,
                                               "（无失分）", "", 0, "", ""])))
        for item in lost:
            detail.append(list(map(printable, [a.trainee, a.scenario_title, MODES[a.mode], when, a.score, a.total,
                                               item["title"], scoring.LOST_KINDS.get(item["kind"], item["kind"]),
                                               item["lost"], item["feedback"], "；".join(item["citation"])])))
    for sheet, widths in ((summary, (12, 34, 10, 14, 14, 12, 18, 14, 14)),
                          (detail, (12, 34, 16, 18, 8, 8, 34, 12, 8, 60, 40))):
        for column, width in zip("ABCDEFGHIJK", widths, strict=False):
            sheet.column_dimensions[column].width = width
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write_bytes(out, buffer.getvalue())
    with store.write() as s:
        audit.note(s, "practice_export", "practice_results", f"导出练习成绩：{out.name}")
    return out


def reset(store: Store, trainee: str | None = None) -> int:
    """Remove the attempts of one trainee (or of the whole room) and retire their practice cases."""
    require_practice(store)
    require_trainer(store)
    with store.write() as s:
        attempts = _attempts(s, trainee=clean_trainee(trainee) if trainee is not None else None)
        for attempt in attempts:
            case = s.get(Case, attempt.case_id)
            if case is not None and not case.deleted:
                case.deleted = True
                s.add(case)
            s.delete(attempt)
        who = f"学员{trainee}" if trainee is not None else "全部学员"
        audit.note(s, "practice_reset", "practice_results", f"重置{who}的练习记录（{len(attempts)}次）")
    return len(attempts)
