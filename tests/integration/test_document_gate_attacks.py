"""Attacks on per-person documents, numbers and 作废 (real stores, real files, no mocks)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pytest
from sqlmodel import select

from app.models import Document, Sanction
from app.documents.registry import shipped_dir
from app.paths import store_paths
from app.services import case_codec, documents, unlock

from tests.integration.conftest import PASSWORD
from tests.integration.test_documents_persons import demo_case, listed, text_of, three  # noqa: F401 - three is a fixture


def open_store(data):
    return unlock.unlock(store_paths(data), None, PASSWORD).store




def test_voiding_the_decision_whose_number_the_case_field_holds_then_remaking_moves_the_field(three, run_cli):
    """The case's 处分决定书文号 (announce.decision_no) must not keep a voided number after the decision
    is made again with a new one."""
    data, case_id, subjects = three
    shown = run_cli("--data-dir", data, "case", "show", case_id, "--json").json
    held = shown["fields"]["announce.decision_no"]
    doc = next(r for r in listed(run_cli, data, case_id)
               if r["template_id"] == "sanction_decision" and r["number"] == held and r["latest"])
    name = next(n for n, s in subjects.items() if s["id"] == doc["subject_id"])
    assert run_cli("--data-dir", data, "doc", "void", doc["document_id"], "--reason", "处分种类写错").code == 0
    remade = run_cli("--data-dir", data, "doc", "render", case_id, "sanction_decision", "--subject", name, "--json")
    assert remade.code == 0, remade.err
    assert remade.json["number"] != held
    after = run_cli("--data-dir", data, "case", "show", case_id, "--json").json["fields"]["announce.decision_no"]
    assert after != held, f"案件的处分决定书文号仍是已作废的{held}（新文书编号{remade.json['number']}）"


def test_voiding_one_persons_decision_leaves_the_case_counting_it_made(three, run_cli):
    """state.documents is per template: with 袁德明's decision voided and 彭明亮's kept, the case still
    counts sanction_decision as made — record what a gate would see."""
    data, case_id, subjects = three
    doc = next(r for r in listed(run_cli, data, case_id)
               if r["template_id"] == "sanction_decision" and r["subject_id"] == subjects["袁德明"]["id"])
    assert run_cli("--data-dir", data, "doc", "void", doc["document_id"], "--reason", "写错").code == 0
    store = open_store(data)
    try:
        with store.read() as s:
            from app.models import Case
            state = case_codec.from_json(s.get(Case, case_id).state)
        rows = documents.case_templates(store, case_id)
    finally:
        store.close()
    assert "sanction_decision" in state.documents  # 彭明亮's still stands
    mine = [r for r in rows if r.template_id == "sanction_decision" and r.subject_id == subjects["袁德明"]["id"]]
    # the 文书 list must show 袁德明's as not made (so it is made again)
    assert mine and not mine[0].produced, mine


def crafted_folder(tmp_path, template_id: str, *, drop_variables: bool = False, stage: str | None = None):
    """The shipped templates, with one entry's manifest changed as a county could."""
    folder = tmp_path / "county_templates"
    shutil.copytree(shipped_dir(), folder)
    manifest = folder / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index(f'id = "{template_id}"')
    end = text.find("[[templates]]", start)
    end = len(text) if end < 0 else end
    block = text[start:end]
    if drop_variables:
        block = re.sub(r"^variables = .*$", "variables = []", block, flags=re.M)
    if stage:
        block = re.sub(r'^stage = ".*"$', f'stage = "{stage}"', block, flags=re.M)
    manifest.write_text(text[:start] + block + text[end:], encoding="utf-8")
    return folder


@pytest.mark.parametrize("how", [{"drop_variables": True}, {"stage": "intake"}], ids=["no-variables", "clue-stage"])
def test_a_county_manifest_cannot_turn_a_per_person_decision_into_a_case_document(three, run_cli, tmp_path, how):
    """A county template for sanction_decision whose manifest lists no variables (lint then does not
    compare used with listed) or names a clue stage passes lint and stops being per-person: the
    second person's decision then reuses the first's number and overwrites their sanction's number."""
    data, case_id, subjects = three
    folder = crafted_folder(tmp_path, "sanction_decision", **how)
    store = open_store(data)
    try:
        try:
            documents.install_templates(store, folder)
        except Exception as exc:  # noqa: BLE001 - refused is the right outcome
            pytest.skip(f"refused at install (holds): {exc}")
        first = documents.render(store, case_id, "sanction_decision", subject="袁德明", today=date(2026, 12, 1))
        second = documents.render(store, case_id, "sanction_decision", subject="彭明亮", today=date(2026, 12, 1))
        with store.read() as s:
            numbers = dict(s.exec(select(Sanction.person_id, Sanction.document_no).where(
                Sanction.case_id == case_id, Sanction.kind == "party", Sanction.deleted == False)).all())  # noqa: E712
            rows = s.exec(select(Document.subject_id, Document.number).where(
                Document.id.in_([first.document_id, second.document_id]))).all()
        text = text_of(documents.content(store, second.document_id)[1])
    finally:
        store.close()
    assert first.number != second.number, f"两人的处分决定书同号：{first.number}；{rows}；{numbers}"
    assert "决定给予彭明亮" in text and "决定给予袁德明" not in text  # the facts of the demo name all three


def test_two_persons_with_the_same_name_cannot_be_confused(three, run_cli):
    """resolve() matches by name first-come: a second person named like the first gets the first's document."""
    data, case_id, subjects = three
    store = open_store(data)
    try:
        from app.models import Person
        with store.write() as s:
            other = s.exec(select(Person).where(Person.id == subjects["彭明亮"]["person_id"])).one() \
                if "person_id" in subjects["彭明亮"] else None
            if other is None:
                pytest.skip("case show has no person_id")
            other.name = "袁德明"  # two persons of the case now share a name (namesakes exist in a township)
            s.add(other)
        try:
            made = documents.render(store, case_id, "review_report", subject="袁德明", today=date(2026, 12, 1))
        except Exception as exc:  # noqa: BLE001 - asked which one: holds
            assert "袁德明" in str(exc)
            return
        with store.read() as s:
            chosen = s.get(Document, made.document_id).subject_id
        pytest.fail(f"同名两人时按姓名直接选中了其中一人（{chosen}；彭明亮={subjects['彭明亮']['id']}），未要求区分")
    finally:
        store.close()


def test_a_fact_narrative_is_printed_as_written_never_run_as_a_template(three, run_cli):
    """A narrative holding Jinja, XML-illegal characters and 60 000 characters prints literally."""
    data, case_id, subjects = three
    from app.models import SubjectFact
    evil = "{{ office.commission }}{% for x in range(3) %}循环{% endfor %}\x0b\x01\ufffe收受礼金1.5万元。" + "很长" * 30000
    store = open_store(data)
    try:
        with store.write() as s:
            fact = s.exec(select(SubjectFact).where(SubjectFact.subject_id == subjects["袁德明"]["id"])).first()
            fact.narrative = evil
            s.add(fact)
        made = documents.render(store, case_id, "sanction_decision", subject="袁德明", today=date(2026, 12, 1))
        text = text_of(documents.content(store, made.document_id)[1])
    finally:
        store.close()
    assert "{{ office.commission }}{% for x in range(3) %}循环{% endfor %}" in text
    assert "循环循环" not in text and "\x0b" not in text and "\x01" not in text
    assert "收受礼金1.5万元" in text and text.count("很长") >= 30000


@pytest.fixture
def two(township, run_cli, tmp_path):
    case_id, subjects = demo_case(township, run_cli, tmp_path, "filed_two_persons", 5)
    return township, case_id, subjects


POST_FILING = {"filing_decision", "filing_notice_subject", "investigation_report", "review_report", "sanction_decision",
               "fact_material", "approval_request", "case_analysis_report", "exemption_decision", "execution_notice",
               "closing_report", "talk_plan", "period_report", "service_receipt", "investigation_plan"}


def test_a_person_closed_before_filing_gets_no_document_of_the_filed_case(two, run_cli):
    """The second person was 了结 before 立案: no per-person document of the 立案 case may be made for them."""
    data, case_id, people = two
    closed = next(p for p in people if p["outcome"])
    made = []
    store = open_store(data)
    try:
        from app.documents import context
        from app.services import template_registry
        reg = template_registry.registry(store)
        for template_id in sorted(POST_FILING & set(reg.ids())):
            if not context.is_per_person(reg.entry(template_id)):
                continue
            try:
                r = documents.render(store, case_id, template_id, subject=closed["id"], today=date(2026, 12, 1))
            except Exception:  # noqa: BLE001 - refused: holds
                continue
            made.append((template_id, r.number))
    finally:
        store.close()
    assert not made, f"为已{closed['outcome']}（未立案）的{closed['name']}制作了：{made}"


def test_a_case_document_of_three_persons_never_names_only_one_of_them(three, run_cli):
    """A template that is not per-person speaks for the case: with three persons it must not print one
    person's particulars as if they were the case's (the first still in the case is the heading only)."""
    data, case_id, subjects = three
    from app.documents import context, report_context
    from app.services import template_registry
    store = open_store(data)
    lonely = []
    try:
        reg = template_registry.registry(store)
        for template_id in reg.ids():
            entry = reg.entry(template_id)
            if context.is_per_person(entry) or report_context.is_report(entry.stage) or \
                    template_id in documents.DOSSIER_TEMPLATES or entry.stage in context.CLUE_STAGES:
                continue
            text = text_of(documents.preview(store, case_id, template_id)[0])
            named = [n for n in subjects if n in text]
            if len(named) == 1:
                lonely.append((template_id, named[0]))
    finally:
        store.close()
    assert not lonely, f"案件文书只写了三人中的一人：{lonely}"


def test_a_person_of_another_case_cannot_be_named_for_a_document(township, run_cli, tmp_path):
    spec = tmp_path / "spec2.json"
    spec.write_text(json.dumps({"year": 2026, "seed": 4, "routes": {"filed_three_persons": 1, "filed_sanctioned": 1},
                                "documents": True}), encoding="utf-8")
    made = run_cli("--data-dir", township, "demo-data", "--spec", spec, "--json")
    assert made.code == 0, made.err
    three_id = made.json["case_ids"]["filed_three_persons"][0]
    other_id = made.json["case_ids"]["filed_sanctioned"][0]
    other = run_cli("--data-dir", township, "case", "show", other_id, "--json").json["subjects"][0]
    before = len(listed(run_cli, township, three_id))
    for given in (other["id"], other["person_id"], other["name"]):
        for command in ("render", "preview"):
            extra = ("--out", str(tmp_path / "p.docx")) if command == "preview" else ()
            r = run_cli("--data-dir", township, "doc", command, three_id, "sanction_decision", "--subject", given, *extra,
                        "--json")
            assert r.code == 2 and "不是本案的被审查调查人" in r.err, (command, given, r.out, r.err)
    assert len(listed(run_cli, township, three_id)) == before
