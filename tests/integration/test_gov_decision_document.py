"""Attacks: the 政务处分决定书's number and 成文日期 against the 监察 organ's own decision."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.errors import InputError
from app.models import Document, Sanction
from app.services import documents
from tests.integration.test_templates_routine import Case, data_dir, rules, store  # noqa: F401 - fixtures

ROUTE = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept", "+party_warning", "+gov_warning",
         "submit_county_review", "to_branch", "to_township_approval", "approve")


def gov_row(store, case_id):
    with store.read() as s:
        return s.exec(select(Sanction).where(Sanction.case_id == case_id, Sanction.kind == "gov")).one()


def test_the_gov_decision_cannot_be_made_before_the_organ_decides_or_keeps_its_act(store, rules):  # noqa: F811
    case = Case(store, rules).walk(*ROUTE)
    assert gov_row(store, case.id).decided_on is None  # only proposed
    try:
        early = documents.render(store, case.id, "gov_sanction_decision", today=date(2026, 11, 30), rules=rules)
    except Exception:  # noqa: BLE001 - refused until the organ decides: holds
        return
    decided = case.day + timedelta(days=2)
    case.act(type="decide_gov_sanction", type_id="gov_warning", decided_on=decided.isoformat(), organ="青山县监察委员会")
    again = documents.render(store, case.id, "gov_sanction_decision", today=date(2026, 12, 1), rules=rules)
    sanction = gov_row(store, case.id)
    with store.read() as s:
        issued = s.get(Document, again.document_id).issued_on
    problems = []
    if sanction.document_no != again.number:
        problems.append(f"政务处分的文号{sanction.document_no}与决定书编号{again.number}不一致")
    if issued != decided:
        problems.append(f"成文日期{issued}不是监察机关作出决定之日{decided}（首次在决定前生成于{early.number}）")
    assert not problems, problems


def test_a_number_the_organ_gave_is_kept_over_one_allocated_before(store, rules):  # noqa: F811
    case = Case(store, rules).walk(*ROUTE)
    with pytest.raises(InputError) as early:  # nothing can be numbered before the organ decides
        documents.render(store, case.id, "gov_sanction_decision", today=date(2026, 11, 30), rules=rules)
    assert early.value.code == "document_not_due" and "政务处分尚未作出决定" in early.value.message
    typed = "青山监处〔2026〕7号"
    case.act(type="decide_gov_sanction", type_id="gov_warning", decided_on=(case.day + timedelta(days=2)).isoformat(),
             organ="青山县监察委员会", document_no=typed)
    again = documents.render(store, case.id, "gov_sanction_decision", today=date(2026, 12, 1), rules=rules)
    assert again.number == typed and gov_row(store, case.id).document_no == typed, \
        (again.number, gov_row(store, case.id).document_no)
