"""The engine's CaseState as JSON, the form it is kept in on the `case` row and sent in bundles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import MappingProxyType
from typing import Any

from app.domain.workflow import CaseState, Extension, HistoryEntry, ProposedSanction, Study, Subject


def frozen(value: Any) -> Any:
    """JSON lists back to the tuples the engine uses for several values."""
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: frozen(v) for k, v in value.items()}
    return value


def thawed(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [thawed(v) for v in value]
    if isinstance(value, dict | MappingProxyType):
        return {k: thawed(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(state: CaseState) -> dict:
    return {
        "step_id": state.step_id,
        "entered_on": state.entered_on.isoformat(),
        "checklist": sorted(state.checklist),
        "fields": thawed(dict(state.fields)),
        "studies": [
            {"step_id": s.step_id, "held_on": s.held_on.isoformat(), "attendees": list(s.attendees),
             "conclusion": s.conclusion, "round": s.round}
            for s in state.studies
        ],
        "events": {k: v.isoformat() for k, v in state.events.items()},
        "extensions": [
            {"deadline_id": e.deadline_id, "length": e.length, "unit": e.unit, "approved_by": e.approved_by,
             "approved_on": e.approved_on.isoformat(), "reason": e.reason}
            for e in state.extensions
        ],
        "history": [
            {"step_id": h.step_id, "decision_id": h.decision_id, "decided_on": h.decided_on.isoformat(), "approver": h.approver}
            for h in state.history
        ],
        "documents": sorted(state.documents),
        "sanctions": [{"subject": x.subject, "type_id": x.type_id} for x in state.sanctions],
        "subjects": [
            {"id": p.id, "name": p.name, "outcome": p.outcome, "village_manager": p.village_manager,
             "holds_party_post": p.holds_party_post, "qualified": p.qualified, "closed_on": p.closed_on.isoformat() if p.closed_on else None,
             "approver": p.approver, "reason": p.reason, "probationary": p.probationary}
            for p in state.subjects
        ],
    }


def from_json(data: dict, day: Callable[[str], date] = date.fromisoformat) -> CaseState:
    """`day` reads every date of the state (an import bounds their years with it)."""
    d = day
    return CaseState(
        step_id=data["step_id"],
        entered_on=d(data["entered_on"]),
        checklist=frozenset(data.get("checklist", ())),
        fields=MappingProxyType(frozen(data.get("fields", {}))),
        studies=tuple(
            Study(s["step_id"], d(s["held_on"]), tuple(s["attendees"]), s["conclusion"], s.get("round", 1))
            for s in data.get("studies", ())
        ),
        events=MappingProxyType({k: d(v) for k, v in data.get("events", {}).items()}),
        extensions=tuple(
            Extension(e["deadline_id"], e["length"], e["unit"], e["approved_by"], d(e["approved_on"]), e["reason"])
            for e in data.get("extensions", ())
        ),
        history=tuple(
            HistoryEntry(h["step_id"], h["decision_id"], d(h["decided_on"]), h.get("approver", ""))
            for h in data.get("history", ())
        ),
        documents=frozenset(data.get("documents", ())),
        sanctions=tuple(
            # before migration 0004 a proposal was a bare type id, for the case as a whole
            ProposedSanction("", x) if isinstance(x, str) else ProposedSanction(x["subject"], x["type_id"])
            for x in data.get("sanctions", ())
        ),
        subjects=tuple(
            Subject(p["id"], p["name"], p.get("outcome", ""), p.get("village_manager", False),
                    p.get("holds_party_post", True), p.get("qualified", False), d(p["closed_on"]) if p.get("closed_on") else None,
                    p.get("approver", ""), p.get("reason", ""), p.get("probationary", False))
            for p in data.get("subjects", ())
        ),
    )
