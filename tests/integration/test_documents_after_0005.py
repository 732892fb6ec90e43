"""Attacks on migration 0005: a store of 0004 upgraded, then its documents made again."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Document, Sanction
from app.paths import store_paths
from app.services import cases, documents, unlock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stores"
PASSWORD = "fixture2026"


@pytest.fixture
def upgraded(tmp_path):
    data = tmp_path / "0004"
    shutil.copytree(FIXTURES / "0004", data)
    store = unlock.unlock(store_paths(data), "张书记", PASSWORD).store
    yield store
    store.close()


def test_a_decision_made_before_0005_keeps_its_number_when_made_again(upgraded):
    """A 0004 store's 处分决定书 is a case document (subject NULL) with number N and the sanction has no
    document_no: rendering it again for the person must continue it (same number, next version), not
    start a second decision with a new number."""
    store = upgraded
    # the 0004 fixture holds no document: make the decision, then put it as 0005 leaves a document made
    # under 0004 — subject_id NULL — and the sanction as 0004 kept it — no document_no
    with store.read() as s:
        sanctioned = s.exec(select(Sanction.case_id).where(Sanction.kind == "party")).all()
    for case_id in dict.fromkeys(sanctioned):
        shown = cases.show_case(store, case_id)
        person = next(p for p in shown["subjects"] if p["sanctions"])
        made = documents.render(store, case_id, "sanction_decision", subject=person["id"], today=date(2026, 12, 1))
        with store.write() as s:
            doc = s.get(Document, made.document_id)
            doc.subject_id = None
            s.add(doc)
            for x in s.exec(select(Sanction).where(Sanction.case_id == case_id)).all():
                x.document_no = ""
                s.add(x)
    found = []
    with store.read() as s:
        docs = s.exec(select(Document).where(Document.template_id.in_(["sanction_decision", "filing_decision",
                                                                       "review_report"]))).all()
        for d in docs:
            found.append((d.case_id, d.template_id, d.number, d.doc_version, d.subject_id))
    if not found:
        pytest.skip("the 0004 fixture holds no such document")
    problems = []
    for case_id, template_id, number, version, subject in found:
        shown = cases.show_case(store, case_id)
        person = next((p for p in shown["subjects"] if not p.get("outcome")), None)
        if person is None:
            continue
        try:
            again = documents.render(store, case_id, template_id, subject=person["id"], today=date(2027, 1, 5))
        except Exception as exc:  # noqa: BLE001
            problems.append((template_id, "refused", str(exc)[:80]))
            continue
        if number and again.number != number:
            problems.append((template_id, number, again.number, again.version))
        with store.read() as s:
            kinds = s.exec(select(Document.subject_id, Document.doc_version, Document.number).where(
                Document.case_id == case_id, Document.template_id == template_id)).all()
        if len({k[2] for k in kinds if k[2]}) > 1:
            problems.append((template_id, "two numbers for one document", kinds))
    assert not problems, problems
