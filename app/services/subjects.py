"""Each 被审查调查人 of a case: particulars, facts, evidence, 定性, 事实见面, 监察立案, 政务处分.

`cases.act` hands the actions of SUBJECT_ACTIONS here inside its write transaction; the engine
state keeps what its gates need of each person (name, whether still in the case, whether a
village manager or a holder of a party post, whether 定性 is recorded), so both are changed
together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.domain import articles as article_rules
from app.domain import probation as probation_rules
from app.domain import subjects as rules_of
from app.domain import workflow as engine
from app.domain.errors import DomainError
from app.domain.sanctions import APPROVER_LABELS, effect_period
from app.errors import InputError
from app.models import Attachment, Case, CaseSubject, Evidence, Person, Sanction, SubjectFact
from app.services import case_codec, document_gate, persons
from app.services.ruleset import RuleSet
from app.storage.store import Store

MAX_ATTACHMENT = 50 * 1024 * 1024
SUBJECT_ACTIONS = frozenset({
    "set_subject", "add_fact", "edit_fact", "remove_fact", "add_evidence", "remove_evidence",
    "set_qualification", "record_fact_meeting", "record_supervision_filing", "decide_gov_sanction",
})
RANGE_CHECKED_KINDS = ("party", "gov")


def rows(s: Session, case_id: str) -> list[CaseSubject]:
    return list(s.exec(select(CaseSubject).where(CaseSubject.case_id == case_id, CaseSubject.deleted == False)  # noqa: E712
                       .order_by(CaseSubject.seq)).all())


def resolve(s: Session, case: Case, given: Any) -> CaseSubject:
    """The subject named by id, person id or name; the only one left in the case when not named."""
    people = rows(s, case.id)
    if given in (None, ""):
        still_in = [p for p in people if not p.outcome]
        if len(still_in) == 1:
            return still_in[0]
        names = "、".join(name_of(s, p) for p in still_in)
        raise InputError("subject_required", f"本案有多名被审查调查人（{names}），请写明是对谁（subject）。")
    text = str(given).strip()
    for p in people:
        if text in (p.id, p.person_id):
            return p
    named = [p for p in people if text == name_of(s, p)]
    if len(named) > 1:  # two persons of one name: only the id tells them apart
        listed = "；".join(f"{p.id}（{p.unit_post or '单位职务未录入'}）" for p in named)
        raise InputError("subject_ambiguous", f"本案有{len(named)}名被审查调查人都叫“{text}”，请用编号写明是哪一位：{listed}。")
    if named:
        return named[0]
    names = "、".join(name_of(s, p) for p in people) or "（无）"
    raise InputError("subject_unknown", f"“{text}”不是本案的被审查调查人。本案的被审查调查人：{names}。")


def name_of(s: Session, row: CaseSubject) -> str:
    return s.get(Person, row.person_id).name


def engine_subject(s: Session, row: CaseSubject, before: engine.Subject | None = None) -> engine.Subject:
    base = before or engine.Subject(row.id, name_of(s, row))
    return replace(base, name=name_of(s, row), village_manager=row.village_manager,
                   holds_party_post=row.holds_party_post, qualified=bool(row.articles),
                   probationary=row.political_status == rules_of.PROBATIONARY_STATUS)


def with_subject(state: engine.CaseState, subject: engine.Subject) -> engine.CaseState:
    people = tuple(subject if p.id == subject.id else p for p in state.subjects)
    if subject.id not in {p.id for p in state.subjects}:
        people += (subject,)
    return replace(state, subjects=people)


def add(s: Session, store: Store, case: Case, person: Person, seq: int, *, row_id: str | None = None) -> CaseSubject:
    """A person's row in a case, particulars prefilled from their most recent earlier case
    (`row_id`: a derived id, where the case's own id is derived)."""
    earlier = s.exec(select(CaseSubject).where(CaseSubject.person_id == person.id, CaseSubject.deleted == False)  # noqa: E712
                     .order_by(CaseSubject.created_at.desc())).first()
    carried = {k: getattr(earlier, k) for k in rules_of.PARTICULARS} if earlier else {}
    carried.setdefault("unit_post", f"{person.unit}{person.post}")
    carried.setdefault("category", person.category if person.category in rules_of.PERSON_CATEGORIES else "")
    carried.setdefault("political_status",
                       person.political_status if person.political_status in rules_of.POLITICAL_STATUSES else "")
    row = CaseSubject(owner_office_id=store.office.id, case_id=case.id, person_id=person.id, seq=seq, **carried)
    if row_id:
        row.id = row_id
    s.add(row)
    return row


# --- actions ----------------------------------------------------------------------------

def act(s: Session, store: Store, rules: RuleSet, case: Case, state: engine.CaseState, data: Mapping[str, Any],
        today: date) -> engine.CaseState:
    """Carry out one subject action; returns the new engine state (the caller stores it)."""
    kind = data["type"]
    if engine.terminal_step(rules.workflow, state):
        raise InputError("terminal_case", "案件办理流程已结束，不能再修改被审查调查人的材料。")
    handler = HANDLERS[kind]
    try:
        return handler(s, store, rules, case, state, data, today)
    except DomainError as exc:
        raise InputError(exc.code, exc.message, exc.detail) from exc


def expect(data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed - {"type"})
    if unknown:
        raise InputError("action_invalid", f"操作数据有误：{data['type']} 不接受参数 {'、'.join(unknown)}")


def open_row(s: Session, case: Case, data: Mapping[str, Any]) -> CaseSubject:
    row = resolve(s, case, data.get("subject"))
    if row.outcome:
        raise InputError("subject_closed", f"本案对{name_of(s, row)}已{row.outcome}，不能再为其录入。")
    return row


def set_subject(s, store, rules, case, state, data, today):
    expect(data, {"subject", "values"})
    row = resolve(s, case, data.get("subject"))
    values = data.get("values")
    if not isinstance(values, Mapping) or not values:
        raise InputError("action_invalid", "操作数据有误：set_subject 须有 values（要修改的信息）。")
    clean = rules_of.particulars(values, today)
    if "category" in clean:
        for x in state.sanctions:
            if x.subject == row.id and x.type_id in rules.catalog.types:
                why = rules.catalog.get(x.type_id).category_problem(clean["category"])
                if why:
                    raise InputError("sanction_category", f"未修改：已录入的拟给予处分与修改后的人员类别不符。{why}。")
    if clean.get("holds_party_post") is False or clean.get("village_manager") is True or "political_status" in clean:
        proposed = [x.type_id for x in state.sanctions if x.subject == row.id]
        trial = engine_subject(s, row, subject_state(state, row))
        trial = replace(trial, village_manager=clean.get("village_manager", trial.village_manager),
                        holds_party_post=clean.get("holds_party_post", trial.holds_party_post),
                        probationary=clean.get("political_status", row.political_status) == rules_of.PROBATIONARY_STATUS)
        for type_id in proposed:
            problem = engine.person_problem(trial, rules.catalog.get(type_id))
            if problem:
                raise InputError(problem.code, f"未修改：已录入的拟给予处分与修改后的信息不符。{problem.message}")
    for key, value in clean.items():
        setattr(row, key, value)
    s.add(row)
    return with_subject(state, engine_subject(s, row, subject_state(state, row)))


def subject_state(state: engine.CaseState, row: CaseSubject) -> engine.Subject | None:
    return next((p for p in state.subjects if p.id == row.id), None)


def evidence_ids(s: Session, case: Case, given: list) -> tuple[str, ...]:
    """Evidence named by its number in the 证据目录 (1, 2 …) or its id."""
    items = s.exec(select(Evidence).where(Evidence.case_id == case.id, Evidence.deleted == False)).all()  # noqa: E712
    by_key = {e.id: e.id for e in items} | {str(e.seq): e.id for e in items}
    missing = [str(g) for g in given if str(g) not in by_key]
    if missing:
        raise InputError("fact_invalid", f"证据“{'、'.join(missing)}”不在本案的证据目录中。")
    return tuple(dict.fromkeys(by_key[str(g)] for g in given))


def fact_values(s: Session, case: Case, data: Mapping[str, Any]) -> rules_of.FactInput:
    raw = {k: v for k, v in data.items() if k in {"occurred", "narrative", "amount", "attitude"}}
    given = data.get("evidence") or []
    if not isinstance(given, list) or not all(isinstance(g, str | int) and not isinstance(g, bool) for g in given):
        raise InputError("fact_invalid", "事实所依据的证据（evidence）应为证据目录中的编号列表，如 [1, 3]。")
    ids = evidence_ids(s, case, given)
    return rules_of.fact({**raw, "evidence": list(ids)})


def add_fact(s, store, rules, case, state, data, today):
    expect(data, {"subject", "occurred", "narrative", "amount", "evidence", "attitude"})
    row = open_row(s, case, data)
    values = fact_values(s, case, data)
    count = len(s.exec(select(SubjectFact.id).where(SubjectFact.subject_id == row.id)).all())
    s.add(SubjectFact(owner_office_id=store.office.id, case_id=case.id, subject_id=row.id, seq=count + 1,
                      occurred=values.occurred, narrative=values.narrative, amount=values.amount,
                      evidence_ids=list(values.evidence_ids), attitude=values.attitude))
    return state


def find_fact(s: Session, case: Case, data: Mapping[str, Any]) -> SubjectFact:
    row = resolve(s, case, data.get("subject"))
    given = str(data.get("fact", "")).strip()
    for f in s.exec(select(SubjectFact).where(SubjectFact.subject_id == row.id, SubjectFact.deleted == False)).all():  # noqa: E712
        if given in (f.id, str(f.seq)):
            return f
    raise InputError("fact_unknown", f"{name_of(s, row)}没有第“{given}”项违纪事实。")


def edit_fact(s, store, rules, case, state, data, today):
    expect(data, {"subject", "fact", "occurred", "narrative", "amount", "evidence", "attitude"})
    item = find_fact(s, case, data)
    current = {"occurred": item.occurred, "narrative": item.narrative, "amount": item.amount,
               "attitude": item.attitude, "evidence": list(item.evidence_ids)}
    values = fact_values(s, case, {**current, **{k: v for k, v in data.items() if k in current}})
    item.occurred, item.narrative, item.amount, item.attitude = (values.occurred, values.narrative, values.amount,
                                                                 values.attitude)
    item.evidence_ids = list(values.evidence_ids)
    s.add(item)
    return state


def remove_fact(s, store, rules, case, state, data, today):
    expect(data, {"subject", "fact"})
    item = find_fact(s, case, data)
    item.deleted = True
    s.add(item)
    return state


def add_evidence(s, store, rules, case, state, data, today):
    expect(data, {"subject", "kind", "title", "source", "obtained_on", "pages", "attachment"})
    row = resolve(s, case, data["subject"]) if data.get("subject") else None  # no subject: the whole case
    values = rules_of.evidence({k: v for k, v in data.items() if k not in {"type", "subject"}}, today)
    attachment_id = None
    if data.get("attachment"):
        attachment_id = store_attachment(s, store, case, str(data["attachment"]))
    count = len(s.exec(select(Evidence.id).where(Evidence.case_id == case.id)).all())
    s.add(Evidence(owner_office_id=store.office.id, case_id=case.id, subject_id=row.id if row else None,
                   seq=count + 1, kind=values.kind, title=values.title, source=values.source,
                   obtained_on=values.obtained_on, pages=values.pages, attachment_id=attachment_id))
    return state


def store_attachment(s: Session, store: Store, case: Case, path_text: str) -> str:
    """The file's bytes go into the encrypted store; the original on disk is left to the user."""
    path = Path(path_text)
    try:
        size = path.stat().st_size
        if size > MAX_ATTACHMENT:
            raise InputError("attachment_too_large", f"附件“{path.name}”有 {size // (1024 * 1024)} MB，超过 50 MB 的上限。")
        content = path.read_bytes()
    except OSError as exc:
        raise InputError("attachment_unreadable", f"读不到附件“{path}”：{exc.strerror or exc}。") from exc
    item = Attachment(owner_office_id=store.office.id, case_id=case.id, name=path.name, content=content,
                      size=len(content), sha256=hashlib.sha256(content).hexdigest())
    s.add(item)
    s.flush()
    return item.id


def remove_evidence(s, store, rules, case, state, data, today):
    expect(data, {"evidence"})
    given = str(data.get("evidence", "")).strip()
    item = next((e for e in s.exec(select(Evidence).where(Evidence.case_id == case.id, Evidence.deleted == False)).all()  # noqa: E712
                 if given in (e.id, str(e.seq))), None)
    if item is None:
        raise InputError("evidence_unknown", f"本案的证据目录中没有第“{given}”项。")
    used = [f for f in s.exec(select(SubjectFact).where(SubjectFact.case_id == case.id, SubjectFact.deleted == False)).all()  # noqa: E712
            if item.id in f.evidence_ids]
    if used:
        raise InputError("evidence_in_use", f"证据“{item.title}”是{len(used)}项违纪事实的依据，请先从这些事实中去掉它。")
    item.deleted = True
    s.add(item)
    return state


def picks_of(row: CaseSubject) -> list[tuple[str, str]]:
    return [(a["article"], a["plot"]) for a in row.articles]


def range_problem(rules: RuleSet, row: CaseSubject, type_id: str, articles: list | None = None,
                  adjustments: list | None = None) -> str | None:
    """Why `type_id` is outside what the person's 定性 allows; None when it is within (or not range-checked)."""
    chosen = row.articles if articles is None else articles
    sanction = rules.catalog.get(type_id)
    if sanction.kind not in RANGE_CHECKED_KINDS or not chosen:
        return None
    if row.village_manager and not sanction.village_manager_allowed:
        return None  # the workflow names this itself (not_allowed_for_village_manager)
    unknown = [f"{a['article']}（{a['plot']}）" for a in chosen
               if a["article"] not in rules.articles or a["plot"] not in rules.articles.get(a["article"]).ranges]
    if unknown:  # a 定性 received from an office whose 违纪条款目录 is newer: reported as not checkable here
        return f"定性所引条款及情节“{'、'.join(unknown)}”不在本单位违纪条款目录中，无法核对处分幅度"
    adjust = row.adjustments if adjustments is None else adjustments
    kinds = {a["kind"] for a in adjust}
    basis = "；".join(a["basis"] for a in adjust if a["kind"] == "减轻" and a["basis"])
    problem = article_rules.sanction_problem(rules.articles, rules.catalog, [(a["article"], a["plot"]) for a in chosen],
                                             kinds, type_id, mitigation_basis=basis,
                                             village_manager=row.village_manager)
    return problem[1] if problem else None


def range_problems(s: Session, rules: RuleSet, case: Case, state: engine.CaseState) -> list[engine.Problem]:
    """Proposals outside what each person's 定性 allows; they block the decisions that need the 定性."""
    by_id = {row.id: row for row in rows(s, case.id)}
    problems = []
    for x in state.sanctions:
        row = by_id.get(x.subject)
        if row is None or row.outcome or x.type_id not in rules.catalog.types:
            continue
        why = range_problem(rules, row, x.type_id)
        if why:
            problems.append(engine.Problem("sanction_out_of_range", f"{name_of(s, row)}：{why}",
                                           {"subject": name_of(s, row), "type_id": x.type_id}))
    return problems


def set_qualification(s, store, rules, case, state, data, today):
    expect(data, {"subject", "articles", "adjustments"})
    row = open_row(s, case, data)
    raw = data.get("articles")
    if not isinstance(raw, list) or not raw or not all(isinstance(a, Mapping) for a in raw):
        raise InputError("qualification_invalid", "定性须至少列出一个违反的条款（articles），每项含 article（条款）和 plot（情节）。")
    chosen = []
    for item in raw:
        if set(item) - {"article", "plot"}:
            raise InputError("qualification_invalid", "每个条款只能含 article（如“第九十七条”）和 plot（如“较轻”）。")
        article = rules.articles.resolve(str(item.get("article", "")))
        plot = str(item.get("plot") or "").strip()
        if plot not in article.ranges:
            allowed = "、".join(article.ranges) or "（本条未规定处分幅度）"
            raise InputError("qualification_invalid", f"{article.citation}的情节只能是：{allowed}；“{plot}”不在其中。")
        chosen.append({"article": article.id, "plot": plot})
    adjustments = list(rules_of.adjustments(data.get("adjustments")))
    for a in adjustments:
        if not a["basis"]:
            raise InputError("qualification_invalid", f"“{a['kind']}”情节须写明依据和事实（basis）。")
    # A proposal outside the new range is not refused here but at the decision that needs the
    # 定性 (range_problems), so the user can change the two in either order.
    row.articles, row.adjustments = chosen, adjustments
    s.add(row)
    return with_subject(state, engine_subject(s, row, subject_state(state, row)))


def event_date(data: Mapping[str, Any], key: str, what: str, today: date) -> date:
    try:
        value = date.fromisoformat(str(data.get(key)))
    except ValueError as exc:
        raise InputError("bad_date", f"{what}“{data.get(key)}”不是有效日期，应写成 2026-03-02 的形式。") from exc
    if not date(2000, 1, 1) <= value <= today:
        raise InputError("date_out_of_range", f"{what}“{value.isoformat()}”超出范围：应在2000年1月1日至今天之间。")
    return value


def record_fact_meeting(s, store, rules, case, state, data, today):
    expect(data, {"subject", "met_on", "statement"})
    row = open_row(s, case, data)
    row.fact_meeting_on = event_date(data, "met_on", "事实见面日期", today)
    row.statement = rules_of.text_value(data.get("statement"), "本人对事实材料的意见")
    if not row.statement:
        raise InputError("statement_missing", "请录入本人对事实材料的意见（statement）；本人拒绝签署的，如实写明。")
    s.add(row)
    return state


def record_supervision_filing(s, store, rules, case, state, data, today):
    """监察立案 of one 监察对象, approved by the 监察机关主要负责人 ([M] 第四十二条)."""
    expect(data, {"subject", "approved_on", "approver"})
    row = open_row(s, case, data)
    if not row.supervision_object:
        raise InputError("not_supervision_object", f"{name_of(s, row)}未登记为监察对象，不办理监察立案；如是监察对象，请先在其基本信息中勾选。")
    approver = rules_of.text_value(data.get("approver"), "批准人")
    if not approver:
        raise InputError("approval_missing", "监察立案须经监察机关主要负责人批准（《中华人民共和国监察法》第四十二条），请填写批准人。")
    row.supervision_filed_on = event_date(data, "approved_on", "监察立案批准日期", today)
    row.supervision_approver = approver
    s.add(row)
    return state


def decide_gov_sanction(s, store, rules, case, state, data, today):
    """A 政务处分 takes effect on the 监察 organ's own decision date ([Z] 第八条), apart from the party track."""
    expect(data, {"subject", "type_id", "decided_on", "document_no", "organ"})
    row = resolve(s, case, data.get("subject"))
    type_id = str(data.get("type_id", ""))
    sanction = s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.person_id == row.person_id,
                                             Sanction.type_id == type_id, Sanction.deleted == False)).first()  # noqa: E712
    if sanction is None or sanction.kind != "gov":
        raise InputError("gov_sanction_unknown", f"没有对{name_of(s, row)}拟给予的政务处分“{type_id}”，请先在审理环节录入。")
    if sanction.decided_on is not None:
        raise InputError("gov_sanction_decided", f"对{name_of(s, row)}的“{rules.catalog.get(type_id).name}”已于{sanction.decided_on.isoformat()}作出决定。")
    decided = event_date(data, "decided_on", "政务处分决定日期", today)
    organ = rules_of.text_value(data.get("organ"), "作出决定的机关")
    if not organ:
        raise InputError("organ_missing", "请填写作出政务处分决定的监察机关（按本地做法，如“××县监察委员会”）。")
    prior = [r for r in persons.sanction_records(s, [row.person_id])[row.person_id]
             if r.person_key == s.get(Person, row.person_id).person_key]
    _, end = effect_period(rules.catalog, type_id, decided, prior)
    sanction.decided_on, sanction.effect_end = decided, end
    sanction.approving_body = organ
    sanction.document_no = rules_of.text_value(data.get("document_no"), "文号")
    s.add(sanction)
    document_gate.number_decisions(s, case, [sanction])  # none entered: the 政务处分决定书 takes one with the act
    if "gov_decided" in state.events:
        return state
    # the 监察 track's own deadlines (执行, 职务工资变更) run from its first decision ([Z] 第五十四条, [S] 第二百零三条)
    return replace(state, events={**state.events, "gov_decided": decided})


HANDLERS = {
    "set_subject": set_subject, "add_fact": add_fact, "edit_fact": edit_fact, "remove_fact": remove_fact,
    "add_evidence": add_evidence, "remove_evidence": remove_evidence, "set_qualification": set_qualification,
    "record_fact_meeting": record_fact_meeting, "record_supervision_filing": record_supervision_filing,
    "decide_gov_sanction": decide_gov_sanction,
}


# --- reading ----------------------------------------------------------------------------

def show(s: Session, rules: RuleSet, case: Case, state: engine.CaseState, sanctions: list[Sanction]) -> list[dict]:
    """`subjects` of `case show --json`: each person with facts, evidence, 定性 and sanctions (the
    case's live sanction rows, which the caller has read already)."""
    facts = s.exec(select(SubjectFact).where(SubjectFact.case_id == case.id, SubjectFact.deleted == False)  # noqa: E712
                   .order_by(SubjectFact.seq)).all()
    evidence = s.exec(select(Evidence).where(Evidence.case_id == case.id, Evidence.deleted == False)  # noqa: E712
                      .order_by(Evidence.seq)).all()
    seq_of = {e.id: e.seq for e in evidence}
    out = []
    for row in rows(s, case.id):
        person = s.get(Person, row.person_id)
        mine = [x for x in sanctions if x.person_id == row.person_id]
        labels = [article_label(rules, a["article"]) for a in row.articles]
        out.append({
            "id": row.id,
            "person_id": row.person_id,
            "name": person.name,
            "status": row.outcome or ("已立案" if row.filed_on else "在办"),
            "outcome": row.outcome,
            "closed_on": row.closed_on.isoformat() if row.closed_on else None,
            "closed_reason": row.closed_reason,
            "filed_on": row.filed_on.isoformat() if row.filed_on else None,
            "particulars": {k: getattr(row, k) for k in rules_of.PARTICULARS},
            "supervision_filing": ({"approved_on": row.supervision_filed_on.isoformat(), "approver": row.supervision_approver}
                                   if row.supervision_filed_on else None),
            "fact_meeting": ({"met_on": row.fact_meeting_on.isoformat(), "statement": row.statement}
                             if row.fact_meeting_on else None),
            "facts": [
                {"seq": f.seq, "id": f.id, "occurred": f.occurred, "narrative": f.narrative, "amount": f.amount,
                 "evidence": [seq_of[e] for e in f.evidence_ids if e in seq_of], "attitude": f.attitude}
                for f in facts if f.subject_id == row.id
            ],
            "evidence": [evidence_json(e) for e in evidence if e.subject_id in (row.id, None)],
            "articles": [citation for citation, _ in labels],
            "qualification": [{"article": a["article"], "citation": citation, "category": category, "plot": a["plot"]}
                              for a, (citation, category) in zip(row.articles, labels, strict=True)],
            "adjustments": list(row.adjustments),
            "sanctions": [sanction_json(rules, x) for x in mine]
            + [{"type_id": x.type_id, "name": rules.catalog.get(x.type_id).name, "kind": rules.catalog.get(x.type_id).kind,
                "proposed": True, "decided_on": None, "approving_body": approving_body(rules, x.type_id)}
               for x in state.sanctions if x.subject == row.id and not any(m.type_id == x.type_id for m in mine)],
        })
    return out


def article_label(rules: RuleSet, article_id: str) -> tuple[str, str]:
    """(citation, category) of an article a 定性 names. One this office's catalogue lacks — a
    township whose app ships a newer 违纪条款目录 — is shown by its id, marked, so the case still opens."""
    if article_id in rules.articles:
        article = rules.articles.get(article_id)
        return article.citation, article.category
    return f"{article_id}（本单位违纪条款目录中没有此条）", ""


def people_line(s: Session, rules: RuleSet, case: Case) -> str:
    """Each person with what is proposed for them or how it ended: the county's review queue."""
    state = case_codec.from_json(case.state)
    parts = []
    for row in rows(s, case.id):
        if row.outcome:
            what = row.outcome
        else:
            what = "、".join(rules.catalog.types[x.type_id].name for x in state.sanctions
                            if x.subject == row.id and x.type_id in rules.catalog.types) or "尚无处理意见"
        parts.append(f"{name_of(s, row)}（{what}）")
    return "；".join(parts)


def evidence_json(e: Evidence) -> dict:
    return {"seq": e.seq, "id": e.id, "kind": e.kind, "title": e.title, "source": e.source,
            "obtained_on": e.obtained_on.isoformat() if e.obtained_on else None, "pages": e.pages,
            "attachment": bool(e.attachment_id), "whole_case": e.subject_id is None}


COUNTY_REQUEST = "county_request"  # 乡镇报批: the county approves whatever the type ([P] 第三十八条第一款)
COUNTY_APPROVED = "approved"  # not "convert_to_township": then the township approves after all


def approved_by(rules: RuleSet, row: Sanction, history) -> str:
    """The body that approved a decided sanction: as recorded, else 县纪委 on the 乡镇报批 route, else the
    approver of its type."""
    if row.approving_body:
        return row.approving_body
    if any(e.step_id == COUNTY_REQUEST and e.decision_id == COUNTY_APPROVED for e in history):
        return APPROVER_LABELS["county"]
    return approving_body(rules, row.type_id)


def approving_body(rules: RuleSet, type_id: str) -> str:
    sanction = rules.catalog.get(type_id)
    if sanction.kind == "gov":
        return "监察机关（按本地做法）"
    return APPROVER_LABELS.get(sanction.approver, sanction.approver)


def sanction_json(rules: RuleSet, x: Sanction) -> dict:
    return {"type_id": x.type_id, "name": rules.catalog.get(x.type_id).name, "kind": x.kind, "form": x.form,
            "proposed": x.decided_on is None, "decided_on": x.decided_on.isoformat() if x.decided_on else None,
            "effect_end": x.effect_end.isoformat() if x.effect_end else None,
            "approving_body": x.approving_body or approving_body(rules, x.type_id), "document_no": x.document_no,
            "probation": probation_json(rules, x)}


def probation_json(rules: RuleSet, x: Sanction) -> dict | None:
    """A decided 留党察看's 察看期: when it ends and what was decided on it ([P] 21); None for other rows."""
    sanction = rules.catalog.get(x.type_id)
    if not sanction.probation_months or x.decided_on is None:
        return None
    current = probation_rules.probation_of(sanction, x.decided_on, x.probation_acts)
    return {"until": current.until.isoformat(), "extended": current.extended, "outcome": x.probation_outcome,
            "acts": list(x.probation_acts)}
