"""Case documents on a real store: every template from a walked case, numbering, versions, county
templates, the CLI contract, 打开/编辑 files, practice documents, the dossier and golden XML."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import threading
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document as open_docx
from lxml import etree
from sqlmodel import func, select

from app.documents.manifest import parse_manifest
from app.documents.registry import shipped_dir
from app.documents.report_context import is_report
from app.errors import InputError
from app.models import Counter, Document, Setting
from app.paths import store_paths
from app.services import cases, demo_data, document_files, documents, ruleset, setup, template_registry, unlock
from app.storage import audit

from tests.integration.conftest import PASSWORD

TODAY = date(2026, 6, 30)
START = date(2026, 3, 2)
REPORTER = {"name": "钱举报", "phone": "13912345678", "id_number": "11010119800101123X", "address": "青石镇幸福路8号",
            "real_name": True}
CLUE = {
    "received_on": START.isoformat(),
    "source": "信访举报（来信）",
    "reporter": REPORTER,
    "persons": [{"name": "王建国", "unit": "青石村民委员会", "post": "村委会主任", "political_status": "中共党员",
                 "id_number": "510123197503021234"}],
    "summary": "反映王建国在2025年低保评定中优亲厚友，将不符合条件的亲属纳入低保对象",
    "categories": ["违反群众纪律"],
    "incoming_no": "信〔2026〕12号",
}
ROUTE = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept", "+party_warning",
         "submit_county_review", "to_branch", "to_township_approval", "approve", "to_execution")
VALUES = {
    "prelim_verify": {"checkers": ["李委员", "赵干事"], "finding": "反映问题基本属实"},
    "filing": {"basis": "王建国在2025年低保评定中，将其不符合条件的弟弟王建军纳入低保对象，违规领取低保金4800元。"},
    "investigation": {"investigators": ["李委员", "赵干事"], "subject_opinion": "签署无异议",
                      "proposal": "建议给予王建国党内警告处分。"},
    "review": {"reviewers": ["张书记", "钱委员"], "opinion": "王建国违纪事实清楚，证据确实充分，建议给予党内警告处分。"},
    "county_review": {"county_opinion_no": "县纪审〔2026〕7号", "county_opinion": "同意"},
    "branch_meeting": {"eligible": 15, "present": 13, "in_favour": 12, "subject_opinion": "同意"},
    "township_approval": {"approver_body": "乡镇纪委"},
    "announce": {"decision_no": "青石纪处〔2026〕1号", "subject_opinion": "对处分决定无异议。"},
}
# fields a secretary leaves empty on the way; repeat_of is only for a 重复件 ([J] 第十四条)
OPTIONAL_LEFT_EMPTY = {"skip_reason", "revoke_reason", "return_reason", "referred_org", "new_evidence", "repeat_of"}
GOLDEN = Path(__file__).parent / "golden_documents"


def open_store(data: Path):
    return unlock.unlock(store_paths(data), None, PASSWORD).store


def make_store(data: Path) -> None:
    setup.create_store(store_paths(data), setup.SetupRequest("T001", "青石镇纪委", "township", "张书记", PASSWORD,
                                                             parent_code="C01", office_abbr="青石", kdf_profile="fast"))


def field_value(step, f, day: date):
    fixed = VALUES.get(step.id, {})
    if f.id in fixed:
        return fixed[f.id]
    if f.type == "date":
        return day.isoformat()
    if f.type == "number":
        return 1
    if f.type == "bool":
        return False
    if f.type == "choice":
        return [f.choices[0]] if f.multiple else f.choices[0]
    if f.type == "person":
        return [{"name": "李委员"}] if f.multiple else {"name": "李委员"}
    return ["李委员", "赵干事"] if f.multiple else f"{f.label}：已依规办理。"


def walk(store, case_id: str, route, rules, start: date = START) -> None:
    """A secretary's work on the case: every step's checklist, fields, study and decision, three days apart."""
    day = start
    for token in route:
        if token.startswith("+"):
            cases.act(store, case_id, {"type": "record_sanction", "type_id": token[1:]}, today=TODAY, rules=rules)
            continue
        day += timedelta(days=3)
        state = cases.case_state(store, case_id)
        step = rules.workflow.steps[state.step_id]
        for item in step.checklist:
            cases.act(store, case_id, {"type": "complete_item", "item_id": item.id}, today=TODAY, rules=rules)
        values = {f.id: field_value(step, f, day) for f in step.fields
                  if f.id not in OPTIONAL_LEFT_EMPTY and f"{step.id}.{f.id}" not in state.fields}
        if values:
            cases.act(store, case_id, {"type": "set_fields", "values": values}, today=TODAY, rules=rules)
        if step.id == "investigation" and not cases.show_case(store, case_id, today=TODAY, rules=rules)["subjects"][0]["facts"]:
            cases.act(store, case_id, {"type": "add_evidence", "kind": "书证", "title": "低保评定花名册复印件",
                                       "source": "青石村村民委员会提供", "obtained_on": day.isoformat(), "pages": 3},
                      today=TODAY, rules=rules)
            cases.act(store, case_id, {"type": "add_fact", "occurred": "2025年3月",
                                       "narrative": "将其不符合条件的弟弟王建军纳入低保对象，违规领取低保金",
                                       "amount": "4800", "evidence": [1], "attitude": "对事实无异议"},
                      today=TODAY, rules=rules)
        rule = step.decision(token)
        if "qualification" in rule.requires:
            demo_data.qualify(store, rules, case_id, "违反群众纪律", TODAY)
        if "study" in rule.requires:
            cases.act(store, case_id, {"type": "record_study", "held_on": day.isoformat(), "attendees": ["张书记", "李委员", "赵委员"],
                                       "conclusion": "经集体研究，同意。"}, today=TODAY, rules=rules)
        action = {"type": "decide", "decision_id": token, "decided_on": day.isoformat()}
        if "approval" in rule.requires:  # 立案 is the 乡镇党委书记's ([R] 第三十八条)
            action["approver"] = "刘党委书记" if rule.approver_role == "乡镇党委书记" else "张书记"
        cases.act(store, case_id, action, today=TODAY, rules=rules)


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """(data dir, id of a case walked to execution, id of a case just registered)."""
    data = tmp_path_factory.mktemp("documents") / "data"
    make_store(data)
    store = open_store(data)
    try:
        rules = ruleset.load(store)
        full = cases.register_clue(store, CLUE, today=TODAY, rules=rules).case_id
        walk(store, full, ROUTE, rules)
        minimal = cases.register_clue(store, {"received_on": "2026-06-01", "source": "自行发现", "persons": [{"name": "李四"}],
                                              "summary": "反映李四有关问题"}, today=TODAY, rules=rules).case_id
    finally:
        store.close()
    return data, full, minimal


@pytest.fixture
def store(walked):
    s = open_store(walked[0])
    yield s
    s.close()


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml") or n.endswith(".rels"))


def docx_text(data: bytes) -> str:
    doc = open_docx(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    lines += [p.text for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs]
    return "\n".join(lines)


def count(store, model, *where) -> int:
    with store.read() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


# --- every template, from real cases ----------------------------------------------------------

def case_template_ids(store) -> list[str]:
    """Every template a case document is made from: all but the report templates (app/documents/report_context.py),
    which print a period report and are rendered by `report --out FILE.docx` (tests/integration/test_report_cli.py)."""
    reg = template_registry.registry(store)
    return [i for i in reg.ids() if not is_report(reg.entry(i).stage)]


def test_every_template_renders_from_a_full_and_a_minimal_case(store, walked):
    """Each template renders where the rules allow it; elsewhere `render` refuses with the reason
    (and nothing is numbered or stored) while a 样稿 (preview) still shows the template filled."""
    _, full, minimal = walked
    rules = ruleset.load(store)
    ids = case_template_ids(store)
    assert len(ids) >= 45
    refused = {}
    for case_id, name in ((full, "王建国"), (minimal, "李四")):
        for template_id in ids:
            before = count(store, Document)
            try:
                result = documents.render(store, case_id, template_id, today=TODAY, rules=rules)
            except InputError as exc:
                assert exc.code == "document_not_due", (template_id, exc.message)
                assert count(store, Document) == before
                refused.setdefault(case_id, set()).add(template_id)
                data, _ = documents.preview(store, case_id, template_id, today=TODAY, rules=rules)
                assert "样稿" in all_xml(data)
            else:
                row, data = documents.content(store, result.document_id)
                assert hashlib.sha256(data).hexdigest() == result.sha256 == row.sha256
            text = docx_text(data)  # python-docx opens every one
            xml = all_xml(data)
            assert "{{" not in xml and "{%" not in xml
            # the 转送函 names no one: [J] 第十五条第二款 不得复制、摘抄检举控告内容，不得扩大知情范围
            assert (name in text) != (template_id == "forward_letter"), template_id
            for secret in ("钱举报", "13912345678", "11010119800101123X", "幸福路"):
                assert secret not in xml, (template_id, "reporter identity must never reach a document")
    # a case just registered may make only the documents of its first step
    named = {d.template for st in rules.workflow.steps.values() for d in st.documents}  # a county's own may go anywhere
    assert (set(ids) & named) - refused[minimal] == {"clue_register_form"}
    # the walked case went to execution: its route's documents are made, side paths' are refused
    assert {"appeal_decision", "revoke_decision", "exemption_decision", "inquiry_letter"} <= refused[full]
    assert {"sanction_decision", "filing_decision", "review_report", "execution_notice"}.isdisjoint(refused[full])
    # what the walked case holds fills the documents of the steps it went through
    for template_id in ("disposition_approval_form", "prelim_report", "filing_decision", "investigation_report",
                        "review_report", "branch_resolution", "sanction_decision", "execution_notice"):
        assert documents.render(store, full, template_id, today=TODAY, rules=rules).blanks == (), template_id
    with store.read() as s:
        assert audit.verify_chain(s).ok


def test_document_text_carries_the_case(store, walked):
    _, full, _ = walked
    data = documents.content(store, documents.render(store, full, "sanction_decision", today=TODAY).document_id)[1]
    text = docx_text(data)
    for expected in ("关于给予王建国同志", "党内警告处分的决定", "王建国，男，1975年3月出生，中共党员，现任青石村民委员会村委会主任。",
                     "违规领取低保金，涉及金额4800", "中共青石镇纪律检查委员会", "影响期自2026年", "〔2026〕"):
        assert expected in text, expected
    assert documents.list_documents(store, full)[-1].title == "关于给予王建国同志党内警告处分的决定"


# --- numbering and versions -------------------------------------------------------------------

def fresh_case(store, name: str) -> str:
    return cases.register_clue(store, {"received_on": "2026-06-01", "source": "自行发现", "persons": [{"name": name}],
                                       "summary": f"反映{name}有关问题"}, today=TODAY).case_id


def seq_of(number: str) -> int:
    return int(number.split("〕")[1].removesuffix("号"))


def test_numbers_versions_and_shared_counters(store, walked):
    _, full, _ = walked
    rules = ruleset.load(store)
    a, b, c = (fresh_case(store, n) for n in ("编号甲", "编号乙", "编号丙"))
    for case_id in (a, b):
        walk(store, case_id, ("accept", "to_prelim"), rules, start=date(2026, 6, 1))
        cases.act(store, case_id, {"type": "set_fields", "values": {"referred_org": "中共青石村支部委员会"}},
                  today=TODAY, rules=rules)
        walk(store, case_id, ("refer",), rules, start=date(2026, 6, 7))
    first = documents.render(store, a, "referral_letter", today=TODAY)
    second = documents.render(store, b, "referral_letter", today=TODAY)
    assert first.number.startswith("青石纪移〔2026〕") and seq_of(second.number) == seq_of(first.number) + 1
    reg = template_registry.registry(store)  # the 涉嫌犯罪案件移送函 counts on the same sequence
    assert reg.entry("judicial_transfer_letter").counter_kind == reg.entry("referral_letter").counter_kind
    again = documents.render(store, a, "referral_letter", today=TODAY)
    assert again.number == first.number and again.version == first.version + 1 and again.document_id != first.document_id
    rows = [r for r in documents.list_documents(store, a) if r.template_id == "referral_letter"]
    assert [(r.version, r.latest, r.number) for r in rows] == [(1, False, first.number), (2, True, first.number)]
    assert documents.content(store, first.document_id)[1] != b""  # the old version is kept
    walk(store, c, ("accept", "to_prelim", "propose_filing", "file"), rules, start=date(2026, 6, 1))
    cases.act(store, c, {"type": "set_fields", "values": {"revoke_reason": "现有证据不足以证明其存在违纪行为"}},
              today=TODAY, rules=rules)
    walk(store, c, ("revoke",), rules, start=date(2026, 6, 20))
    # the 撤销案件决定书 is numbered in the year of the act it records: not decided yet, so the day it is made
    assert documents.render(store, c, "revoke_decision", today=date(2027, 1, 4)).number == "青石纪撤〔2027〕1号"
    talk = fresh_case(store, "编号丁")
    walk(store, talk, ("accept", "to_talk"), rules, start=date(2026, 6, 1))
    cases.act(store, talk, {"type": "set_fields", "values": {"method": "谈话"}}, today=TODAY, rules=rules)
    assert documents.render(store, talk, "talk_plan", today=TODAY).number == ""
    # the 立案决定书 carries the case's own 立案 number, not a number of its own
    decision = documents.render(store, full, "filing_decision", today=TODAY)
    assert decision.number == cases.show_case(store, full, today=TODAY)["number"] == "青石纪立〔2026〕1号"


def test_decision_numbers_follow_the_order_of_the_decisions_not_of_the_renders(store):
    """Two 党纪处分决定 decided one after the other: each takes its number with the act, so the one
    decided first has the lower number although its 决定书 is printed last; the case's
    处分决定书文号 is that number from the moment of the decision (one source)."""
    rules = ruleset.load(store)
    first, second = (cases.register_clue(store, {**CLUE, "persons": [{"name": name, "political_status": "中共党员"}]},
                                         today=TODAY, rules=rules).case_id for name in ("顺序甲", "顺序乙"))
    walk(store, first, ROUTE[:-1], rules, start=START)  # decided on its approval day
    walk(store, second, ROUTE[:-1], rules, start=START + timedelta(days=7))
    later = documents.render(store, second, "sanction_decision", today=TODAY)
    earlier = documents.render(store, first, "sanction_decision", today=TODAY)
    assert seq_of(earlier.number) == seq_of(later.number) - 1, (earlier.number, later.number)
    for case_id, made in ((first, earlier), (second, later)):
        assert cases.show_case(store, case_id, today=TODAY)["fields"]["announce.decision_no"] == made.number


def test_the_filing_decision_takes_the_number_the_case_gets_when_filed(store):
    rules = ruleset.load(store)
    case_id = fresh_case(store, "立案甲")
    with pytest.raises(InputError) as refused:  # no 立案决定书 for a case never filed
        documents.render(store, case_id, "filing_decision", today=TODAY)
    assert refused.value.code == "document_not_due" and "立案审批" in refused.value.message
    walk(store, case_id, ("accept", "to_prelim", "propose_filing", "file"), rules, start=date(2026, 6, 1))
    later = documents.render(store, case_id, "filing_decision", today=TODAY)
    assert later.number == cases.show_case(store, case_id, today=TODAY)["number"] and later.number.startswith("青石纪立〔2026〕")
    assert later.version == 1
    offered = documents.case_templates(store, case_id, rules=rules)
    ids = [t.template_id for t in offered]
    assert ids[:2] == ["clue_register_form", "disposition_approval_form"] and ids.index("filing_decision") < ids.index("fact_material")
    by_id = {t.template_id: t for t in offered}
    assert by_id["filing_decision"].produced and by_id["filing_decision"].latest_document_id == later.document_id
    assert by_id["fact_material"].current_step and not by_id["fact_material"].produced
    assert by_id["fact_material"].step_title == "审查调查" and not by_id["filing_report"].current_step


def test_two_threads_rendering_at_once_get_no_gap_and_no_duplicate(tmp_path):
    """Numbers under concurrent writers. A second process cannot open the store at all (instance lock,
    tests/security/test_single_instance.py); inside one process the GUI's worker threads still write at once."""
    data = tmp_path / "data"
    make_store(data)
    store = open_store(data)
    try:
        rules = ruleset.load(store)
        ids = [cases.register_clue(store, {"received_on": "2026-06-01", "source": "自行发现", "persons": [{"name": f"甲{i}"}],
                                           "summary": f"反映甲{i}有关问题"}, today=TODAY).case_id for i in range(12)]
        for case_id in ids:
            walk(store, case_id, ("forward_up",), rules, start=date(2026, 6, 1))
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def render(part: list[str]) -> None:
            start.wait()
            try:
                for case_id in part:
                    documents.render(store, case_id, "forward_letter", today=date(2026, 6, 30))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=render, args=(part,)) for part in (ids[0::2], ids[1::2])]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        with store.read() as s:
            numbers = s.exec(select(Document.number).where(Document.template_id == "forward_letter")).all()
    finally:
        store.close()
    assert sorted(numbers) == sorted(f"青石纪转〔2026〕{i}号" for i in range(1, 13))


# --- refused templates, county templates ---------------------------------------------------------

def malicious_docx() -> bytes:
    doc = open_docx()
    doc.add_paragraph("{{ person.__class__.__mro__ }}")
    doc.add_paragraph("{%p for i in range(10**9) %}")
    doc.add_paragraph("x")
    doc.add_paragraph("{%p endfor %}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_bad_template_in_the_store_is_refused_and_nothing_is_written(store, walked):
    _, full, _ = walked
    import base64

    entry = {"id": "sanction_decision", "title": "党纪处分决定书", "file": "sanction_decision.docx", "version": "evil",
             "stage": "decision", "archive_order": 950, "number": "{office_abbr}纪处〔{year}〕{seq}号", "counter": "sanction"}
    before_docs, before_counters = count(store, Document), count(store, Counter)
    with store.read() as s:
        before_state = cases.load_case(s, full).state
    # as if a tampered store or a bypassed lint had put it there
    with store.write() as s:
        s.add(Setting(key="template:sanction_decision", value={"entry": entry, "docx": base64.b64encode(malicious_docx()).decode()}))
    try:
        with pytest.raises(InputError) as refused:
            documents.render(store, full, "sanction_decision", today=TODAY)
        assert refused.value.code == "template_refused" and "__class__" in refused.value.message
        assert (count(store, Document), count(store, Counter)) == (before_docs, before_counters)
        with store.read() as s:
            assert cases.load_case(s, full).state == before_state
    finally:
        with store.write() as s:
            s.delete(s.get(Setting, "template:sanction_decision"))


def test_county_templates_are_installed_only_when_lint_passes(store, walked, tmp_path):
    _, full, _ = walked
    good = tmp_path / "good"
    shutil.copytree(shipped_dir(), good)
    manifest = (good / "manifest.toml").read_text("utf-8")
    marker = 'id = "review_report"\ntitle = "审理报告"\nfile = "review_report.docx"\nversion = "2026.1"'
    assert marker in manifest
    (good / "manifest.toml").write_text(manifest.replace(marker, marker.replace('"2026.1"', '"2026.7-县"')), "utf-8")
    installed = documents.install_templates(store, good)
    assert "review_report" in installed.installed
    made = documents.render(store, full, "review_report", today=TODAY)
    assert made.template_version == "2026.7-县"
    assert [r.template_version for r in documents.list_documents(store, full) if r.document_id == made.document_id] == ["2026.7-县"]
    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    (bad / "review_report.docx").write_bytes(malicious_docx())
    (bad / "manifest.toml").write_text(manifest.replace(marker, marker.replace('"2026.1"', '"2026.8"')), "utf-8")
    with pytest.raises(InputError) as refused:
        documents.install_templates(store, bad)
    assert refused.value.code == "templates_refused" and "review_report.docx" in refused.value.message
    assert documents.render(store, full, "review_report", today=TODAY).template_version == "2026.7-县"
    with store.write() as s:
        for row in s.exec(select(Setting).where(Setting.key.startswith("template:"))).all():
            s.delete(row)


# --- CLI ------------------------------------------------------------------------------------

def test_cli_contract(walked, run_cli, tmp_path):
    data, full, _ = walked
    out = tmp_path / "执行通知.docx"
    made = run_cli("--data-dir", data, "doc", "render", full, "execution_notice", "--out", out, "--json")
    assert made.code == 0, made.err
    assert set(made.json) == {"document_id", "number", "sha256"}
    assert made.json["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert made.json["number"].startswith("青石纪通〔")
    listed = run_cli("--data-dir", data, "doc", "list", full, "--json")
    assert listed.code == 0
    mine = [r for r in listed.json if r["document_id"] == made.json["document_id"]]
    assert mine and mine[0]["latest"] and mine[0]["template_id"] == "execution_notice"
    assert mine[0]["kind"] == "处分执行通知及处分内容告知书"
    not_due = run_cli("--data-dir", data, "doc", "render", full, "inquiry_letter", "--json")  # the case had no 函询
    assert not_due.code == 2 and "函询函" in not_due.err
    exported = tmp_path / "export.docx"
    assert run_cli("--data-dir", data, "doc", "export", made.json["document_id"], "--out", exported).code == 0
    assert exported.read_bytes() == out.read_bytes()
    store = open_store(data)  # every document the route allows, so the volume has them all whatever ran before
    try:
        for t in documents.case_templates(store, full):
            if not t.produced and not t.not_now:
                documents.render(store, full, t.template_id, today=TODAY, subject=t.subject_id)
    finally:
        store.close()
    dossier = tmp_path / "案卷.docx"
    result = run_cli("--data-dir", data, "dossier", full, "--out", dossier, "--json")
    assert result.code == 0, result.err
    text = docx_text(dossier.read_bytes())
    assert text.index("卷内目录") < text.index("线索受理登记表") < text.index("初步核实情况的报告") < text.index("立案决定书") \
        < text.index("审查调查报告") < text.index("党内警告处分的决定")
    assert result.json["documents"] >= 20
    for args, code in (((full, "no_such_template"), 2), (("nonexistent", "inquiry_letter"), 2)):
        refused = run_cli("--data-dir", data, "doc", "render", *args)
        assert refused.code == code and refused.err.strip() and "Traceback" not in refused.err
    assert run_cli("--data-dir", data, "dossier", full).code == 2


def test_cli_templates_lint(run_cli, tmp_path):
    shipped = run_cli("templates", "lint", shipped_dir(), "--json")
    assert shipped.code == 0, shipped.out
    assert shipped.json["ok"] and shipped.json["missing_templates"] == [] and len(shipped.json["files"]) >= 45
    bad = tmp_path / "county"
    bad.mkdir()
    (bad / "evil.docx").write_bytes(malicious_docx())
    (bad / "manifest.toml").write_text('[[templates]]\nid = "evil"\ntitle = "坏模板"\nfile = "evil.docx"\nversion = "1"\n'
                                       'stage = "filing"\nvariables = []\nrequired = ["person.name"]\n', encoding="utf-8")
    report = run_cli("templates", "lint", bad, "--json")
    assert report.code == 2
    problems = report.json["files"][0]["problems"]
    assert {(p["code"], p["file"], p["paragraph"]) for p in problems} >= {
        ("sandbox_violation", "evil.docx", 1), ("sandbox_violation", "evil.docx", 2),
        ("required_variable_missing", "evil.docx", 0)}
    assert "sanction_decision" in report.json["missing_templates"]
    text = run_cli("templates", "lint", bad)
    assert text.code == 2 and "evil.docx：正文第1段" in text.out


# --- 打开/编辑 ------------------------------------------------------------------------------

def test_open_edit_store_back_and_purge(store, walked):
    _, full, _ = walked
    made = documents.render(store, full, "review_report", today=TODAY)
    session = document_files.export_for_editing(store, made.document_id)
    root = document_files.temp_root(store.paths)
    assert session.path.is_file() and session.path.suffix == ".docx" and root in session.path.parents
    if os.name == "posix":
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
        assert stat.S_IMODE(session.path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(session.path.stat().st_mode) == 0o600
    assert not document_files.changed_since_export(session)
    doc = open_docx(session.path)
    doc.add_paragraph("书记修改：补充谈话提纲第四项。")
    doc.save(session.path)
    assert document_files.changed_since_export(session)
    row, session = document_files.store_edited_version(store, session)
    assert (row.version, row.origin, row.number, row.latest) == (made.version + 1, "edited", made.number, True)
    assert "补充谈话提纲第四项" in docx_text(documents.content(store, row.document_id)[1])
    assert not document_files.changed_since_export(session)
    docs_before = count(store, Document)
    session.path.write_bytes(b"not a word file")
    with pytest.raises(InputError) as refused:
        document_files.store_edited_version(store, session)
    assert refused.value.code == "not_docx" and count(store, Document) == docs_before
    # lock or exit: a changed file is kept as a new version, then every plain copy is gone
    doc.add_paragraph("锁定前又改了一处。")
    doc.save(session.path)
    stored = document_files.close_out(store)
    assert [r.origin for r in stored] == ["edited"] and count(store, Document) == docs_before + 1
    assert not root.exists()
    # a crash leaves files behind: the next start removes them
    leftover = document_files.export_for_editing(store, made.document_id)
    assert leftover.path.exists()
    assert document_files.purge_temp(store.paths) and not root.exists()


# --- practice -------------------------------------------------------------------------------

def test_practice_documents_have_a_mark_and_a_practice_number(store):
    case_id = cases.register_clue(store, {"received_on": "2026-06-02", "source": "自行发现", "persons": [{"name": "练习甲"}],
                                          "summary": "练习案例"}, today=TODAY).case_id
    walk(store, case_id, ("forward_up",), ruleset.load(store), start=date(2026, 6, 2))
    first = documents.render(store, case_id, "forward_letter", today=TODAY, practice=True)
    second = documents.render(store, case_id, "clue_register_form", today=TODAY, practice=True)
    assert first.number.startswith("练习〔2026〕") and second.number.startswith("练习〔2026〕") and first.number != second.number
    data = documents.content(store, first.document_id)[1]
    headers = "".join(p.text for sec in open_docx(io.BytesIO(data)).sections for p in sec.header.paragraphs)
    assert "练习" in headers and first.number in headers and first.number in docx_text(data)
    assert all(r.practice for r in documents.list_documents(store, case_id))


def test_a_practice_store_makes_practice_documents_whoever_asks(tmp_path):
    from app.services import practice

    data = tmp_path / "data"
    make_store(data)
    store = open_store(data)
    try:
        practice.mark(store)
        case_id = fresh_case(store, "练习乙")
        made = documents.render(store, case_id, "clue_register_form", today=TODAY)  # as the case screen calls it
        assert made.number == "练习〔2026〕1号"
        assert documents.list_documents(store, case_id)[0].practice
    finally:
        store.close()


# --- demo data ------------------------------------------------------------------------------

def test_demo_data_renders_the_documents_of_every_step(township, run_cli, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"year": 2025, "seed": 5, "routes": {"talk_inquiry_closed": 1, "verification_form1": 1},
                                "documents": True}), encoding="utf-8")
    made = run_cli("--data-dir", township, "demo-data", "--spec", spec, "--json")
    assert made.code == 0, made.err
    rules_wf = ruleset.shipped_workflow(Path(__file__).resolve().parents[2] / "resources" / "rules" / "workflow.toml")
    for ids in made.json["case_ids"].values():
        shown = run_cli("--data-dir", township, "case", "show", ids[0], "--json").json
        visited = [h["step"] for h in shown["history"]] + [shown["step"]["id"]]
        method = shown["fields"].get("talk_inquiry.method") if isinstance(shown.get("fields"), dict) else None
        # every unconditional document of the steps it went through, and of the conditional ones only
        # those whose condition the case meets (a 谈话 case has no 函询函)
        refs = [d for step_id in visited for d in rules_wf.steps[step_id].documents]
        listed = {r["template_id"] for r in run_cli("--data-dir", township, "doc", "list", ids[0], "--json").json}
        assert {d.template for d in refs if not d.when} <= listed <= {d.template for d in refs}
        assert {d.template for d in refs if any(c.startswith("talk_inquiry.method=") and c != f"talk_inquiry.method={method}"
                                                for c in d.when)}.isdisjoint(listed)
        assert all(r["created_by"] == "张书记"
                   for r in run_cli("--data-dir", township, "doc", "list", ids[0], "--json").json)


# --- golden XML -----------------------------------------------------------------------------

def normalised(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"), etree.XMLParser(remove_blank_text=True))
    for el in root.iter():
        for name in [n for n in el.attrib if n.rsplit("}", 1)[-1].startswith("rsid")]:
            del el.attrib[name]
    return etree.tostring(root, pretty_print=True, encoding="unicode")


SHIPPED_CASE_TEMPLATES = sorted(e.id for e in parse_manifest((shipped_dir() / "manifest.toml").read_text(encoding="utf-8")).values()
                                if not is_report(e.stage))


@pytest.fixture(scope="module")
def golden_case(tmp_path_factory):
    """A case walked to execution in a store of its own that no other test writes to, so its
    documents (the 卷内目录's rows) are always the same: none."""
    data = tmp_path_factory.mktemp("golden") / "data"
    make_store(data)
    store = open_store(data)
    try:
        rules = ruleset.load(store)
        case_id = cases.register_clue(store, CLUE, today=TODAY, rules=rules).case_id
        walk(store, case_id, ROUTE, rules)
    finally:
        store.close()
    return data, case_id


@pytest.mark.parametrize("template_id", SHIPPED_CASE_TEMPLATES)
def test_golden_document_xml(golden_case, template_id):
    """Every template's 样稿 for the walked case, as XML: a change to a template or to what the
    context holds shows here first."""
    data_dir, case_id = golden_case
    store = open_store(data_dir)
    try:
        data, _ = documents.preview(store, case_id, template_id, today=TODAY)
    finally:
        store.close()
    got = normalised(data)
    golden = GOLDEN / f"{template_id}.xml"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8"), f"{template_id}: rerun with UPDATE_GOLDEN=1 after a deliberate change"


def test_a_report_template_is_not_a_case_document(store):
    case_id = fresh_case(store, "周报告")
    before = count(store, Document)
    with pytest.raises(InputError) as refused:
        documents.render(store, case_id, "period_report", today=TODAY)
    assert "统计报告模板" in refused.value.message
    assert count(store, Document) == before
    assert "period_report" not in {t.template_id for t in documents.list_templates(store)}
