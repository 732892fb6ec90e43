"""Whether a case may make a document now, for whom, the date it carries, and the case field that
takes its number: the store side of app/domain/document_rules.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlmodel import Session, select

from app.domain import document_rules
from app.domain import workflow as engine
from app.domain.rules import DocumentRef, Step
from app.models import Case, CaseSubject, Document, Sanction
from app.services import case_codec
from app.services.ruleset import RuleSet

# the decision a document records, where it is a sanction's: its 成文日期 is the sanction's date
SANCTION_DOCUMENTS = {"sanction_decision": "party", "gov_sanction_decision": "gov"}


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
                row: CaseSubject | None, facts: document_rules.DocumentFacts | None = None) -> str | None:
    """Why the document may not be made now (None when it may): a template no step names (a
    county's own) may always be made."""
    found = refs_of(rules, template_id)
    if not found:
        return None
    facts = facts or facts_for(s, rules, case, state, row)
    problems = [document_rules.refusal(step.id, step.title, ref.when, facts, field_labels(rules)) for step, ref in found]
    return None if any(p is None for p in problems) else problems[0]


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


def record_number(s: Session, rules: RuleSet, case: Case, template_id: str, number: str) -> None:
    """Fields that hold this document's number take it from the document (one source of truth); a
    field already holding the number of another person's document of the same kind keeps it."""
    targets = [f"{st.id}.{f.id}" for st in rules.workflow.steps.values() for f in st.fields if f.number_of == template_id]
    if not targets:
        return
    made = set(s.exec(select(Document.number).where(Document.case_id == case.id, Document.template_id == template_id,
                                                    Document.number != number)).all())
    state = case_codec.from_json(case.state)
    fields = dict(state.fields)
    for key in targets:
        if fields.get(key) not in made:
            fields[key] = number
    case.state = case_codec.to_json(replace(state, fields=fields))
    s.add(case)
