"""分案 and 并案: one person of a case goes on in a case of their own; a case goes on in another.

分案 —

The new case continues where the old one stands: the same step, fields, events, studies and
history (its 办理记录 shows the road so far), the clue copied under the old number with 之二、之三…,
and the 立案 number likewise. What the old case holds about that person moves with them: their
particulars, facts, own evidence (evidence of the whole case that their facts rest on is copied),
定性 and proposed sanctions. In the old case the person is closed as 分案, pointing at the new case.
Decisions, studies and deadline extensions already taken stay with the old case, where statistics
counted them once.

并案 — every person still in a case moves into another open case of the office, with the same
materials; the case itself ends at the rules' merge step (entry = "merge"), its history and
documents kept, and nothing runs there any more.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import select

from app.domain import workflow as engine
from app.domain.articles import int_to_cn
from app.errors import InputError
from app.models import Case, CaseSubject, Clue, ClueSubject, Evidence, Sanction, StepRecord, SubjectFact
from app.services import case_codec, cases, ruleset
from app.services import subjects as case_subjects
from app.services.ruleset import RuleSet
from app.storage.store import Store

SPLIT_KEYS = {"type", "subject", "decided_on", "approver", "reason"}
MERGE_KEYS = {"type", "into", "decided_on", "approver", "reason"}
MOVING = ("gender", "birth", "ethnicity", "native_place", "education", "political_status", "party_joined",
          "work_started", "unit_post", "category", "supervision_object", "village_manager", "holds_party_post",
          "deputy", "filed_on", "supervision_filed_on", "supervision_approver", "fact_meeting_on", "statement",
          "articles", "adjustments")


@dataclass(frozen=True)
class RegroupResult:
    case_id: str  # where the person (分案) or the persons (并案) now go on
    number: str
    step: str


def run(store: Store, case_id: str, data: dict, *, today: date | None = None,
        rules: RuleSet | None = None) -> RegroupResult:
    """`split_subject` or `merge_into` as `case act` and `apply` take them (docs/RULES.md §11)."""
    kind = data.get("type")
    keys = SPLIT_KEYS if kind == "split_subject" else MERGE_KEYS
    unknown = sorted(set(data) - keys)
    if unknown:
        raise InputError("action_invalid", f"操作数据有误：{kind} 不接受参数 {'、'.join(unknown)}")
    today = today or date.today()
    what = "分案" if kind == "split_subject" else "并案"
    decided = cases.parse_date(data.get("decided_on"), f"{what}决定日期", today)
    approver, reason = str(data.get("approver") or ""), str(data.get("reason") or "")
    if kind == "split_subject":
        return split(store, case_id, data.get("subject"), decided, approver, reason, today=today, rules=rules)
    return merge(store, case_id, str(data.get("into") or ""), decided, approver, reason, today=today, rules=rules)


ACTIONS = frozenset({"split_subject", "merge_into"})


def split(store: Store, case_id: str, subject, decided_on: date, approver: str, reason: str, *,
          today: date | None = None, rules: RuleSet | None = None) -> RegroupResult:
    today = today or date.today()
    rules = rules or ruleset.load(store)
    owner = store.office.id
    with store.write() as s:
        case = cases.owned_case(s, store, case_id)
        before = case_codec.from_json(case.state)
        if engine.terminal_step(rules.workflow, before):
            raise InputError("terminal_case", "案件办理流程已结束，不能再分案。")
        row = case_subjects.resolve(s, case, subject)
        outcome = engine.apply(rules.workflow, before, engine.CloseSubject(row.id, "分案", decided_on, approver, reason),
                               today=today, cal=rules.calendar, sanctions_catalog=rules.catalog)
        if not outcome.ok:
            raise cases.ActionRefused(outcome.problems)

        clue = s.get(Clue, case.clue_id)
        earlier = len(s.exec(select(CaseSubject.id).where(CaseSubject.case_id == case.id,
                                                           CaseSubject.moved_to_case_id.is_not(None))).all())
        suffix = f"之{int_to_cn(earlier + 2)}"
        new_clue = Clue(owner_office_id=owner, number=f"{clue.number}{suffix}", received_on=clue.received_on,
                        source=clue.source, incoming_no=clue.incoming_no, summary=clue.summary,
                        categories=list(clue.categories), leader_instruction=clue.leader_instruction,
                        real_name=clue.real_name, handling_mode=clue.handling_mode,
                        transferred_from_office_id=clue.transferred_from_office_id, is_demo=clue.is_demo)
        s.add(new_clue)
        s.flush()
        s.add(ClueSubject(owner_office_id=owner, clue_id=new_clue.id, person_id=row.person_id))
        new_case = Case(owner_office_id=owner, clue_id=new_clue.id, number=f"{case.number}{suffix}" if case.number else "",
                        stage="", step_id="", step_entered_on=before.entered_on, route=case.route,
                        filed_on=case.filed_on if row.filed_on else None)
        cases.keep_state(new_case, rules, before, today)
        s.add(new_case)
        s.flush()
        moved = CaseSubject(owner_office_id=owner, case_id=new_case.id, person_id=row.person_id, seq=1,
                            **{k: getattr(row, k) for k in MOVING})
        s.add(moved)
        s.flush()
        move_findings(s, owner, case, row, new_case, moved)
        for proposal in s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.person_id == row.person_id,
                                                      Sanction.decided_on.is_(None), Sanction.deleted == False)).all():  # noqa: E712
            proposal.case_id = new_case.id
            s.add(proposal)
        person_state = next(p for p in before.subjects if p.id == row.id)
        new_state = replace(before, subjects=(replace(person_state, id=moved.id),),
                            sanctions=tuple(replace(x, subject=moved.id) for x in before.sanctions if x.subject == row.id))
        cases.keep_state(new_case, rules, new_state, today)
        s.add(new_case)
        s.add(StepRecord(owner_office_id=owner, case_id=new_case.id, seq=1, step_id=before.step_id,
                         entered_on=before.entered_on))
        row.outcome, row.closed_on, row.closed_reason = "分案", decided_on, reason.strip()
        row.moved_to_case_id = new_case.id
        s.add(row)
        cases.keep_state(case, rules, outcome.state, today)
        s.add(case)
        number = new_case.number or new_clue.number
    return RegroupResult(new_case.id, number, new_state.step_id)


def move_findings(s, owner: str, case: Case, row: CaseSubject, new_case: Case, moved: CaseSubject,
                  first_seq: int = 0, carried: frozenset[str] = frozenset()) -> int:
    """The person's facts and own evidence move; whole-case evidence their facts rest on is copied
    (numbered after the `first_seq` items the receiving case has), unless it was `carried` over whole.
    Returns the last evidence number used."""
    facts = s.exec(select(SubjectFact).where(SubjectFact.subject_id == row.id, SubjectFact.deleted == False)  # noqa: E712
                   .order_by(SubjectFact.seq)).all()
    evidence = s.exec(select(Evidence).where(Evidence.case_id == case.id, Evidence.deleted == False)  # noqa: E712
                      .order_by(Evidence.seq)).all()
    cited = {e for f in facts for e in f.evidence_ids}
    new_ids: dict[str, str] = {e: e for e in carried}
    seq = first_seq
    for item in evidence:
        if item.subject_id == row.id:
            seq += 1
            item.case_id, item.subject_id, item.seq = new_case.id, moved.id, seq
            s.add(item)
            new_ids[item.id] = item.id
        elif item.subject_id is None and item.id in cited:
            seq += 1
            copy = Evidence(owner_office_id=owner, case_id=new_case.id, subject_id=None, seq=seq, kind=item.kind,
                            title=item.title, source=item.source, obtained_on=item.obtained_on, pages=item.pages,
                            attachment_id=item.attachment_id)
            s.add(copy)
            s.flush()
            new_ids[item.id] = copy.id
    for fact in facts:
        fact.case_id, fact.subject_id = new_case.id, moved.id
        fact.evidence_ids = [new_ids[e] for e in fact.evidence_ids if e in new_ids]
        s.add(fact)
    return seq


def open_case(s, owner: str, given: str) -> Case:
    """The case named by id or number (立案 or 线索编号), of this office and not ended."""
    text = given.strip()
    case = s.get(Case, text)
    if case is None:
        case = s.exec(select(Case).join(Clue, Clue.id == Case.clue_id).where(
            Case.deleted == False, (Case.number == text) | (Clue.number == text))).first()  # noqa: E712
    if case is None or case.deleted or case.owner_office_id != owner:
        raise InputError("no_case", f"本单位没有案件“{text}”。")
    return case


def merge(store: Store, case_id: str, into: str, decided_on: date, approver: str, reason: str, *,
          today: date | None = None, rules: RuleSet | None = None) -> RegroupResult:
    today = today or date.today()
    rules = rules or ruleset.load(store)
    owner = store.office.id
    with store.write() as s:
        case = cases.owned_case(s, store, case_id)
        target = open_case(s, owner, into)
        target_state = case_codec.from_json(target.state)
        target_number = target.number or s.get(Clue, target.clue_id).number
        if target.id == case.id:
            raise InputError("merge_self", "不能把案件并入它自己。")
        if engine.terminal_step(rules.workflow, target_state):
            raise InputError("merge_target_ended", f"案件“{target_number}”办理流程已结束，不能并入。")
        before = case_codec.from_json(case.state)
        outcome = engine.apply(rules.workflow, before, engine.MergeInto(target_number, decided_on, approver, reason),
                               today=today, cal=rules.calendar, sanctions_catalog=rules.catalog)
        if not outcome.ok:
            raise cases.ActionRefused(outcome.problems)
        there = {r.person_id: r for r in case_subjects.rows(s, target.id) if not r.outcome}
        moving = [r for r in case_subjects.rows(s, case.id) if not r.outcome]
        both = [case_subjects.name_of(s, r) for r in moving if r.person_id in there]
        if both:
            raise InputError("merge_same_person", f"{'、'.join(both)}已是案件“{target_number}”的被审查调查人，不能重复并入；"
                                                  "请先在该案件中办理。")
        seq = len(case_subjects.rows(s, target.id))
        evidence_seq = len(s.exec(select(Evidence.id).where(Evidence.case_id == target.id)).all())
        # the case's own evidence goes along whole, numbered after the other case's: the dossier is one
        carried = []
        for item in s.exec(select(Evidence).where(Evidence.case_id == case.id, Evidence.subject_id.is_(None),
                                                  Evidence.deleted == False).order_by(Evidence.seq)).all():  # noqa: E712
            evidence_seq += 1
            item.case_id, item.seq = target.id, evidence_seq
            s.add(item)
            carried.append(item.id)
        s.flush()
        target_clue = s.get(Clue, target.clue_id)
        linked = {link.person_id for link in s.exec(select(ClueSubject).where(ClueSubject.clue_id == target_clue.id)).all()}
        added_subjects, added_sanctions = [], []
        for row in moving:
            seq += 1
            moved = CaseSubject(owner_office_id=owner, case_id=target.id, person_id=row.person_id, seq=seq,
                                **{k: getattr(row, k) for k in MOVING})
            s.add(moved)
            if row.person_id not in linked:  # the 案件 list names them with the other case's persons
                s.add(ClueSubject(owner_office_id=owner, clue_id=target_clue.id, person_id=row.person_id))
            s.flush()
            evidence_seq = move_findings(s, owner, case, row, target, moved, evidence_seq, frozenset(carried))
            for proposal in s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.person_id == row.person_id,
                                                          Sanction.decided_on.is_(None), Sanction.deleted == False)).all():  # noqa: E712
                proposal.case_id = target.id
                s.add(proposal)
            person_state = next(p for p in before.subjects if p.id == row.id)
            added_subjects.append(replace(person_state, id=moved.id))
            added_sanctions += [replace(x, subject=moved.id) for x in before.sanctions if x.subject == row.id]
            row.outcome, row.closed_on, row.closed_reason = "并案", decided_on, reason.strip()
            row.moved_to_case_id = target.id
            s.add(row)
        cases.keep_state(target, rules, replace(target_state, subjects=target_state.subjects + tuple(added_subjects),
                                                sanctions=target_state.sanctions + tuple(added_sanctions)), today)
        s.add(target)
        cases.keep_state(case, rules, outcome.state, today)
        s.add(case)
    return RegroupResult(target.id, target_number, target.step_id)
