"""Whether a case may make a document now, for whom, the date it carries, and the case field that
takes its number: the store side of app/domain/document_rules.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlmodel import Session, select

from app.documents import numbering
from app.documents.manifest import CASE_NUMBER
from app.domain import document_rules
from app.domain import workflow as engine
from app.domain.rules import DocumentRef, Step
from app.models import Case, CaseSubject, Document, Office, Sanction
from app.services import case_codec
from app.services.practice_flag import is_practice_in
from app.services.ruleset import RuleSet
from app.documents.registry import Registry
from app.services.template_registry import registry_in

# the decision a document records, where it is a sanction's: its 成文日期 is the sanction's date, and
# its number is taken when the sanction is decided (the sanction row keeps it as `document_no`)
SANCTION_DOCUMENTS = {"sanction_decision": "party", "gov_sanction_decision": "gov"}
DECISION_DOCUMENT = {kind: template_id for template_id, kind in SANCTION_DOCUMENTS.items()}
# documents of a case filed: about a person only once that person is 立案 ([R] 第三十八条: 立案 is of a person)
FILED_STAGES = frozenset({"filing", "review", "decision", "revoke", "exempt", "appeal", "judicial"})


def refs_of(rules: RuleSet, template_id: str) -> list[tuple[Step, DocumentRef]]:
    return [(step, ref) for step in rules.workflow.steps.values() for ref in step.documents if ref.template == template_id]


def visited(state: engine.CaseState) -> frozenset[str]:
    return frozenset([h.step_id for h in state.history] + [state.step_id])


def facts_for(s: Session, rules: RuleSet, case: Case, state: engine.CaseState,
              row: CaseSubject | None) -> document_rules.DocumentFacts:
    kinds: set[str] = set()
    if row is not None:
        decided = s.exec(select(Sanction.kind).where(Sanction.case_id == case.id, Sanction.person_id == row.person_id,
                                                     Sanction.deleted == False)).all()  # noqa: E712
        kinds.update(decided)
        kinds.update(rules.catalog.types[x.type_id].kind for x in state.sanctions
                     if x.subject in (row.id, "") and x.type_id in rules.catalog.types)
    return document_rules.DocumentFacts(
        visited_steps=visited(state), fields=state.fields,
        filed=bool(row.filed_on if row is not None else case.filed_on),
        supervision_filed=bool(row is not None and row.supervision_filed_on),
        party_sanction="party" in kinds, gov_sanction="gov" in kinds, other_sanction=bool(kinds - {"party", "gov"}))


def field_labels(rules: RuleSet) -> dict[str, str]:
    return {f"{st.id}.{f.id}": f"{st.title}：{f.label}" for st in rules.workflow.steps.values() for f in st.fields}


def refusal_for(s: Session, rules: RuleSet, case: Case, state: engine.CaseState, template_id: str,
                row: CaseSubject | None, facts: document_rules.DocumentFacts | None = None,
                reg: Registry | None = None) -> str | None:
    """Why the document may not be made now (None when it may): its steps and `when` (the rules),
    then what the act it records needs. A template no step names (a county's own) may always be made."""
    found = refs_of(rules, template_id)
    if not found:
        return None
    facts = facts or facts_for(s, rules, case, state, row)
    problems = [document_rules.refusal(step.id, step.title, ref.when, facts, field_labels(rules)) for step, ref in found]
    if None not in problems:
        return problems[0]
    if row is None:
        return None
    kind = SANCTION_DOCUMENTS.get(template_id)
    if kind and not s.exec(select(Sanction.id).where(
            Sanction.case_id == case.id, Sanction.person_id == row.person_id, Sanction.kind == kind,
            Sanction.decided_on.is_not(None), Sanction.deleted == False)).first():  # noqa: E712
        return f"对该人员的{'党纪处分' if kind == 'party' else '政务处分'}尚未作出决定"  # the decision records its act
    reg = reg or registry_in(s)
    entry = reg.shipped.get(template_id) or reg.entry(template_id)
    files = any("filed" in d.sets_events for step, _ in found for d in step.decisions)  # the 立案 step's own papers
    if entry is not None and entry.stage in FILED_STAGES and not files and not facts.filed:
        return document_rules.FLAGS["filed"]  # a person cleared before 立案 has no document of the case filed after
    return None


def act_date(s: Session, rules: RuleSet, case: Case, state: engine.CaseState, template_id: str,
             row: CaseSubject | None) -> date | None:
    """The date of the act the document records, where the case holds it: the sanction's decision,
    the person's 立案, or the decision of the document's step once the case has left it; None
    while the step is open (the document is dated the day it is first made)."""
    kind = SANCTION_DOCUMENTS.get(template_id)
    if kind and row is not None:
        decided = s.exec(select(Sanction.decided_on).where(
            Sanction.case_id == case.id, Sanction.person_id == row.person_id, Sanction.kind == kind,
            Sanction.deleted == False).order_by(Sanction.decided_on)).first()  # noqa: E712
        if decided:
            return decided
    if template_id == "filing_decision" and row is not None and row.filed_on:
        return row.filed_on
    steps = {step.id for step, _ in refs_of(rules, template_id)}
    if state.step_id in steps:
        return None  # made while its step is still open: the act is the making, today
    dates = [h.decided_on for h in state.history if h.step_id in steps]
    return dates[-1] if dates else None


def record_number(s: Session, rules: RuleSet, case: Case, template_id: str, number: str, *,
                  only_empty: bool = False) -> None:
    """Fields that hold this document's number take it from the document (one source of truth); a
    field already holding the number of another person's document of the same kind keeps it."""
    targets = [f"{st.id}.{f.id}" for st in rules.workflow.steps.values() for f in st.fields if f.number_of == template_id]
    if not targets:
        return
    made = set(s.exec(select(Document.number).where(Document.case_id == case.id, Document.template_id == template_id,
                                                    Document.number != number, Document.voided_on.is_(None))).all())
    state = case_codec.from_json(case.state)
    fields = dict(state.fields)
    for key in targets:
        if fields.get(key) not in made and not (only_empty and fields.get(key)):
            fields[key] = number
    case.state = case_codec.to_json(replace(state, fields=fields))
    s.add(case)


def allocate(s: Session, case: Case, template_id: str, on: date) -> str:
    """The next number of the template (a county's own pattern where it installed one), in the year
    of `on`; "" for an unnumbered template or one that carries the case's 立案 number."""
    entry = registry_in(s).entry(template_id)
    if entry is None or not entry.number or entry.number == CASE_NUMBER:
        return ""
    office = s.get(Office, case.owner_office_id)
    return numbering.allocate(s, entry, office_id=office.id, office_abbr=office.abbr or office.code, office_code=office.code,
                              year=on.year, practice=is_practice_in(s), case_number=case.number)


def number_decisions(s: Session, case: Case, decided: list[Sanction]) -> None:
    """Numbers for the decisions just made, in the order they are made: each person's 处分决定书 (or
    政务处分决定书) takes its number with the act, one per person and kind, kept on the sanctions."""
    given: dict[tuple[str | None, str], str] = {}
    for sanction in decided:
        template_id = DECISION_DOCUMENT.get(sanction.kind)
        if template_id is None or sanction.document_no:
            continue
        key = (sanction.person_id, sanction.kind)
        if key not in given:
            given[key] = allocate(s, case, template_id, sanction.decided_on)
        sanction.document_no = given[key]
        s.add(sanction)


def decision_number(s: Session, case: Case, template_id: str, row: CaseSubject | None) -> tuple[Sanction | None, str]:
    """The person's sanction the decision document records, and the number its act took (or the
    number entered for it); "" once a document with that number was voided (a voided number is spent)."""
    kind = SANCTION_DOCUMENTS.get(template_id)
    if kind is None or row is None:
        return None, ""
    sanction = s.exec(select(Sanction).where(Sanction.case_id == case.id, Sanction.person_id == row.person_id,
                                             Sanction.kind == kind, Sanction.decided_on.is_not(None),
                                             Sanction.deleted == False).order_by(Sanction.decided_on)).first()  # noqa: E712
    if sanction is None or not sanction.document_no:
        return sanction, ""
    spent = s.exec(select(Document.id).where(Document.case_id == case.id, Document.template_id == template_id,
                                            Document.number == sanction.document_no,
                                            Document.voided_on.is_not(None))).first()
    return sanction, "" if spent else sanction.document_no


def fill_number_fields(s: Session, rules: RuleSet, case: Case) -> None:
    """Fields that hold a decision's number (`number_of`) take the number its act took, when empty."""
    for template_id in SANCTION_DOCUMENTS:
        number = s.exec(select(Sanction.document_no).where(
            Sanction.case_id == case.id, Sanction.kind == SANCTION_DOCUMENTS[template_id], Sanction.document_no != "",
            Sanction.deleted == False).order_by(Sanction.decided_on, Sanction.created_at)).first()  # noqa: E712
        if number:
            record_number(s, rules, case, template_id, number, only_empty=True)
