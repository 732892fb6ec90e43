"""Attacks: a township's per-person and voided documents arriving at the county in a bundle.

Bundles the township's own export wrote, opened, edited, sealed and signed again with its own keys
(the helpers of test_sync_poison): only the meaning of the content can give an edit away."""

from __future__ import annotations

import copy
import json
import os
import uuid

import pytest
from sqlmodel import select

from app.models import Document
from app.services import sync
from app.sync import quarantine
from tests.integration.conftest import run_cli_captured as run_cli
from tests.integration.test_sync_poison import fresh_bundle, read_payload, refused_unchanged, reseal
from tests.integration.test_sync_roundtrip import make_chain, ok, opened, pair


@pytest.fixture
def world(tmp_path):
    tmp = tmp_path / "w"
    tmp.mkdir()
    chain = make_chain(tmp, run_cli)
    spec = tmp / "spec.json"
    spec.write_text(json.dumps({"year": 2026, "seed": 3, "routes": {"filed_three_persons": 1, "filed_sanctioned": 1},
                                "documents": True}), encoding="utf-8")
    made = ok(run_cli("--data-dir", chain.township, "demo-data", "--spec", spec, "--json"))
    three = made["case_ids"]["filed_three_persons"][0]
    other = made["case_ids"]["filed_sanctioned"][0]
    listed = ok(run_cli("--data-dir", chain.township, "doc", "list", three, "--json"))
    voided = next(r for r in listed if r["template_id"] == "sanction_decision" and r["latest"])
    ok(run_cli("--data-dir", chain.township, "doc", "void", voided["document_id"], "--reason", "处分种类写错", "--json"))
    # demo cases never leave the township: these two are taken as real ones (set-up only; what is probed
    # is what the county accepts of document rows, whatever made them)
    from app.models import Clue
    with opened(chain.township) as store, store.write() as s:
        for clue in s.exec(select(Clue).where(Clue.is_demo == True)).all():  # noqa: E712
            clue.is_demo = False
            s.add(clue)
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    yield chain, three, other, voided
    os.environ.pop("JIANTONG_PASSWORD", None)


def county_docs(chain, case_id):
    with opened(chain.county) as store, store.read() as s:
        return s.exec(select(Document.id, Document.subject_id, Document.template_id, Document.doc_version,
                             Document.number, Document.voided_on, Document.sha256)
                      .where(Document.case_id == case_id)).all()


def import_forged(chain, tmp_path, change) -> sync.ImportResult:
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    change(records)
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    with opened(chain.county) as store:
        return sync.import_one(store, forged)


def refused_as_history(chain, result: sync.ImportResult, *words: str) -> None:
    """Reported as the other rewritten histories are (docs/BUNDLE.md §7 history_conflict): the whole
    bundle refused and held in quarantine, the reason naming the sending office and the document."""
    assert result.refused and result.code == "history_conflict", result
    assert "未导入" in result.reason and "数据库未改动" in result.reason and "青石镇纪委（T001）" in result.reason, result.reason
    for word in words:
        assert word in result.reason, (word, result.reason)
    held = [h for h in quarantine.held(chain.county) if h.original_name == result.file]
    assert held and held[-1].reason_code == "history_conflict"


def test_per_person_and_voided_documents_arrive_as_they_are(world):
    chain, three, _, voided = world
    rows = county_docs(chain, three)
    mine = [r for r in rows if r.id == voided["document_id"]]
    assert mine and mine[0].voided_on is not None and mine[0].subject_id == voided["subject_id"]
    assert any(r.subject_id for r in rows)


def test_a_voided_document_cannot_be_unvoided_by_a_bundle(world, tmp_path):
    chain, three, _, voided = world

    def change(records):
        row = next(r for r in records["document"] if r["id"] == voided["document_id"])
        row["voided_on"], row["void_reason"], row["voided_by"] = None, "", ""
        row["version"] += 1

    result = import_forged(chain, tmp_path, change)
    after = next(r for r in county_docs(chain, three) if r.id == voided["document_id"])
    assert result.refused or after.voided_on is not None, f"县纪委库中已作废的文书被数据包恢复为未作废：{result}"
    refused_as_history(chain, result, voided["number"], "恢复为未作废", "处分种类写错")


def test_a_stored_document_version_cannot_be_renumbered_by_a_bundle(world, tmp_path):
    chain, three, _, _ = world
    target = next(r for r in county_docs(chain, three) if r.number and r.voided_on is None)

    def change(records):
        row = next(r for r in records["document"] if r["id"] == target.id)
        row["number"] = "T001纪处〔2026〕99号"
        row["version"] += 1

    result = import_forged(chain, tmp_path, change)
    after = next(r for r in county_docs(chain, three) if r.id == target.id)
    assert result.refused or after.number == target.number, f"已收到的文书编号被改为{after.number}：{result}"
    refused_as_history(chain, result, target.number, "T001纪处〔2026〕99号")


def test_a_second_case_document_with_the_same_version_is_refused(world, tmp_path):
    """(case, template, NULL, version) twice: the unique constraint does not see it (NULLs differ)."""
    chain, three, _, _ = world
    target = next(r for r in county_docs(chain, three) if r.subject_id is None and r.number)

    def change(records):
        row = next(r for r in records["document"] if r["id"] == target.id)
        records["document"].append({**copy.deepcopy(row), "id": uuid.uuid4().hex, "version": 1,
                                    "number": "T001纪〔2026〕98号"})

    result = import_forged(chain, tmp_path, change)
    same = [r for r in county_docs(chain, three) if r.template_id == target.template_id and r.subject_id is None
            and r.doc_version == target.doc_version]
    assert result.refused or len(same) == 1, f"县纪委库中同一文书同一版本有{len(same)}份：{[(r.number) for r in same]}"
    refused_as_history(chain, result, target.number, "T001纪〔2026〕98号", "同一版本只能有一份")


def test_a_document_about_a_person_of_another_case_is_refused(world, tmp_path):
    chain, three, other, _ = world
    with opened(chain.county) as store, store.read() as s:
        from app.models import CaseSubject
        foreign = s.exec(select(CaseSubject.id).where(CaseSubject.case_id == other)).first()
    target = next(r for r in county_docs(chain, three) if r.subject_id)

    def change(records):
        row = next(r for r in records["document"] if r["id"] == target.id)
        records["document"].append({**copy.deepcopy(row), "id": uuid.uuid4().hex, "version": 1, "subject_id": foreign,
                                    "doc_version": 1})

    result = import_forged(chain, tmp_path, change)
    wrong = [r for r in county_docs(chain, three) if r.subject_id == foreign]
    assert result.refused or not wrong, f"县纪委库接受了对另一案件人员的文书：{wrong}"
    refused_as_history(chain, result, foreign, "另一案件")


def test_re_hashed_re_assigned_or_deleted_document_versions_are_refused(world, tmp_path):
    """The other fixed columns of a stored version, a changed reason of a voided one, and deletion."""
    chain, three, other, voided = world
    rows = county_docs(chain, three)
    hashed = next(r for r in rows if r.voided_on is None and r.subject_id is None)
    moved = next(r for r in rows if r.subject_id and r.id != voided["document_id"])
    doomed = next(r for r in rows if r.id not in (hashed.id, moved.id, voided["document_id"]))

    def change(records):
        by_id = {r["id"]: r for r in records["document"]}
        files = {r["sha256"] for r in records["document"]}
        row = by_id[hashed.id]
        row["sha256"] = next(iter(files - {row["sha256"]}))
        row["content"] = {"$file": row["sha256"]}
        row["template_id"], row["version"] = "case_other_template", row["version"] + 1
        row = by_id[moved.id]
        row["case_id"], row["version"] = other, row["version"] + 1
        row = by_id[voided["document_id"]]
        row["void_reason"], row["version"] = "另一个原因", row["version"] + 1
        row = by_id[doomed.id]
        row["deleted"], row["version"] = True, row["version"] + 1

    result = import_forged(chain, tmp_path, change)
    refused_as_history(chain, result, "文件内容", "文书模板", "所属案件", "作废原因", "被删除")
    assert county_docs(chain, three) == rows


def test_a_second_persons_document_with_the_same_version_is_a_history_conflict(world, tmp_path):
    """With a person the unique constraint would refuse the write only at commit (apply_failed)."""
    chain, three, _, _ = world
    target = next(r for r in county_docs(chain, three) if r.subject_id and r.voided_on is None)

    def change(records):
        row = next(r for r in records["document"] if r["id"] == target.id)
        records["document"].append({**copy.deepcopy(row), "id": uuid.uuid4().hex, "version": 1})

    refused_as_history(chain, import_forged(chain, tmp_path, change), target.subject_id, "同一版本只能有一份")


def test_an_unvoiding_bundle_is_refused_in_the_preview_too_and_changes_nothing(world, tmp_path):
    chain, three, _, voided = world
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    row = next(r for r in records["document"] if r["id"] == voided["document_id"])
    row["voided_on"], row["version"] = None, row["version"] + 1
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    refused_unchanged(chain.county, forged, "history_conflict")


def test_a_document_voided_after_it_arrived_still_arrives_voided(world, tmp_path):
    """Voiding goes one way: empty to a date, in the township's next bundle as usual."""
    chain, three, _, voided = world
    listed = ok(run_cli("--data-dir", chain.township, "doc", "list", three, "--json"))
    later = next(r for r in listed if r["latest"] and not r.get("voided_on") and r["document_id"] != voided["document_id"]
                 and r["number"])
    ok(run_cli("--data-dir", chain.township, "doc", "void", later["document_id"], "--reason", "文号有误", "--json"))
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    with opened(chain.county) as store:
        result = sync.import_one(store, bundle)
    assert not result.refused and result.updated >= 1, result
    after = next(r for r in county_docs(chain, three) if r.id == later["document_id"])
    assert after.voided_on is not None
