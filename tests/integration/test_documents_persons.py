"""Documents of a case with three persons: each person's own facts, 定性 and sanction; a document
only where the rules allow it for that person; dates and numbers of the act; 作废.

Through the real CLI on a real store: demo route `filed_three_persons` (袁德明 党内警告, 马宏伟
免予处分, 彭明亮 党内严重警告, facts, evidence and 定性 recorded for each, documents made at every step).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document as open_docx

from app.documents import context, pdf
from app.errors import InputError
from app.paths import store_paths
from app.services import documents, template_registry, unlock

from tests.integration.conftest import PASSWORD


def text_of(data: bytes) -> str:
    doc = open_docx(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def demo_case(township, run_cli, tmp_path, route: str, seed: int) -> tuple[str, list[dict]]:
    """One demo case of `route` with its documents: (case id, its subjects as `case show` gives them)."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"year": 2026, "seed": seed, "routes": {route: 1}, "documents": True}), encoding="utf-8")
    made = run_cli("--data-dir", township, "demo-data", "--spec", spec, "--json")
    assert made.code == 0, made.err
    case_id = made.json["case_ids"][route][0]
    return case_id, run_cli("--data-dir", township, "case", "show", case_id, "--json").json["subjects"]


@pytest.fixture
def three(township, run_cli, tmp_path):
    case_id, subjects = demo_case(township, run_cli, tmp_path, "filed_three_persons", 3)
    return township, case_id, {s["name"]: s for s in subjects}


def listed(run_cli, data, case_id) -> list[dict]:
    return run_cli("--data-dir", data, "doc", "list", case_id, "--json").json


def content(run_cli, data, document_id, tmp_path) -> str:
    out = tmp_path / f"{document_id}.docx"
    assert run_cli("--data-dir", data, "doc", "export", document_id, "--out", out).code == 0
    return text_of(out.read_bytes())


def test_each_sanctioned_person_has_a_decision_of_their_own(three, run_cli, tmp_path):
    data, case_id, subjects = three
    rows = listed(run_cli, data, case_id)
    decisions = [r for r in rows if r["template_id"] == "sanction_decision"]
    by_subject = {r["subject_id"]: r for r in decisions}
    sanctioned = {n: s for n, s in subjects.items() if s["sanctions"]}
    assert set(sanctioned) == {"袁德明", "彭明亮"} and subjects["马宏伟"]["status"] == "免予处分"
    assert set(by_subject) == {s["id"] for s in sanctioned.values()}  # none for the person exempted
    assert len({r["number"] for r in decisions}) == 2
    for name, subject in sanctioned.items():
        row = by_subject[subject["id"]]
        text = content(run_cli, data, row["document_id"], tmp_path)
        others = set(subjects) - {name}
        assert f"关于给予{name}同志" in text and f"决定给予{name}同志" in text
        # 条例 第一百一十一条 ("利用职权或者职务上的影响，侵占非本人经管的公私财物", 违反廉洁纪律) is the
        # 定性 recorded for the person (侵占村集体土地流转收益), printed as the basis
        assert subject["articles"] == ["《中国共产党纪律处分条例》第一百一十一条"]
        assert "第八条、第十条的规定" not in text  # never the general articles alone
        assert "第一百一十一条" in text and "违反了廉洁纪律" in text
        assert subject["facts"][0]["narrative"][:20] in text
        assert "立案依据" not in text and "经初步核实" not in text
        # the 成文日期 is the date of the decision, not the day it was printed
        decided = next(x for x in subject["sanctions"] if x["type_id"].startswith("party"))["decided_on"]
        assert row["issued_on"] == decided
        d = date.fromisoformat(decided)
        assert f"{d.year}年{d.month}月{d.day}日" in text
        assert not any(o in text.split("决定给予")[1][:10] for o in others)
        for mark in ("。，", "。。", "None", "{{", "{%", "＿＿＿＿＿＿"):
            assert mark not in text, (name, mark)
    # the case's 处分决定书文号 is the number of a document, not a number typed apart
    shown = run_cli("--data-dir", data, "case", "show", case_id, "--json").json
    assert shown["fields"]["announce.decision_no"] in {r["number"] for r in decisions}


def test_a_document_is_made_only_for_whom_and_when_the_rules_allow(three, run_cli):
    data, case_id, subjects = three
    # three persons: a per-person document must say for whom
    asked = run_cli("--data-dir", data, "doc", "render", case_id, "review_report", "--json")
    assert asked.code == 2 and "请选择为谁制作" in asked.err and "袁德明" in asked.err
    before = len(listed(run_cli, data, case_id))
    # 马宏伟 was exempted: no 党纪处分决定书 for him, and nothing is numbered or stored
    refused = run_cli("--data-dir", data, "doc", "render", case_id, "sanction_decision", "--subject", "马宏伟", "--json")
    assert refused.code == 2 and "马宏伟" in refused.err and "没有党纪处分" in refused.err
    # a side path the case never took
    appeal = run_cli("--data-dir", data, "doc", "render", case_id, "appeal_decision", "--subject", "袁德明", "--json")
    assert appeal.code == 2 and "申诉复议复查" in appeal.err
    unknown = run_cli("--data-dir", data, "doc", "render", case_id, "review_report", "--subject", "赵六", "--json")
    assert unknown.code == 2 and "不是本案的被审查调查人" in unknown.err
    assert len(listed(run_cli, data, case_id)) == before
    # a 样稿 of any template is still possible for the people who write templates: unnumbered, not stored
    out = data.parent / "样稿.docx"
    preview = run_cli("--data-dir", data, "doc", "preview", case_id, "appeal_decision", "--subject", "袁德明",
                      "--out", out, "--json")
    assert preview.code == 0, preview.err
    assert "样稿" in "".join(p.text for s in open_docx(out).sections for p in s.header.paragraphs)
    assert len(listed(run_cli, data, case_id)) == before


def test_rendering_again_keeps_the_date_and_the_number(three, run_cli):
    data, case_id, subjects = three
    first = next(r for r in listed(run_cli, data, case_id)
                 if r["template_id"] == "sanction_decision" and r["subject_id"] == subjects["彭明亮"]["id"])
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        again = documents.render(store, case_id, "sanction_decision", subject="彭明亮", today=date(2027, 3, 9))
        row = next(r for r in documents.list_documents(store, case_id) if r.document_id == again.document_id)
    finally:
        store.close()
    assert again.number == first["number"] and again.version == first["version"] + 1
    assert row.issued_on.isoformat() == first["issued_on"] and row.subject_id == first["subject_id"]


def test_a_voided_document_keeps_its_number_and_the_next_takes_a_new_one(three, run_cli):
    data, case_id, subjects = three
    first = next(r for r in listed(run_cli, data, case_id)
                 if r["template_id"] == "sanction_decision" and r["subject_id"] == subjects["袁德明"]["id"])
    no_reason = run_cli("--data-dir", data, "doc", "void", first["document_id"], "--reason", " ", "--json")
    assert no_reason.code == 2 and "作废原因" in no_reason.err
    voided = run_cli("--data-dir", data, "doc", "void", first["document_id"], "--reason", "处分种类写错", "--json")
    assert voided.code == 0, voided.err
    mine = [r for r in listed(run_cli, data, case_id) if r["template_id"] == "sanction_decision"
            and r["subject_id"] == subjects["袁德明"]["id"]]
    assert [(r["voided_on"] is not None, r["void_reason"], r["number"]) for r in mine] == [(True, "处分种类写错", first["number"])]
    twice = run_cli("--data-dir", data, "doc", "void", first["document_id"], "--reason", "再次", "--json")
    assert twice.code == 2 and "已于" in twice.err
    remade = run_cli("--data-dir", data, "doc", "render", case_id, "sanction_decision", "--subject", "袁德明", "--json")
    assert remade.code == 0, remade.err
    numbers = {r["number"] for r in listed(run_cli, data, case_id) if r["template_id"] == "sanction_decision"}
    assert remade.json["number"] not in {first["number"]} and len(numbers) == 3  # the voided number is never reused
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        edited = documents.content(store, remade.json["document_id"])[1]
        with pytest.raises(InputError) as refused:  # an edit of the voided one cannot come back as its new version
            documents.store_version(store, first["document_id"], edited)
        assert refused.value.code == "document_voided"
    finally:
        store.close()


FACT_BEARING = {"sanction_decision", "review_report", "investigation_report", "fact_material", "approval_request",
                "case_analysis_report", "exemption_decision"}
# made once the 定性 is on record (the review's decisions require it): they print it
QUALIFYING = {"sanction_decision", "review_report"}
DOUBLED = re.compile(r"[，。；：、]{2}")


@pytest.mark.skipif(not (pdf.available() and shutil.which("pdftotext") and shutil.which("pdffonts")),
                    reason="needs LibreOffice and poppler-utils: bash tools/install.sh --test")
def test_every_document_of_the_three_persons_through_libreoffice(three, run_cli, tmp_path):
    """Every document the case made (for each person, where the rules allowed it) and a 样稿 of every
    other template, converted in one LibreOffice call and read back with pdftotext and pdffonts:
    the person's own facts and article where they belong, no placeholder, None, Jinja or doubled
    punctuation, and more than one face."""
    data, case_id, subjects = three
    basis = re.sub(r"\s+", "", run_cli("--data-dir", data, "case", "show", case_id, "--json").json["fields"]["filing.basis"])
    assert basis
    out = tmp_path / "docx"
    out.mkdir()
    names = {s["id"]: n for n, s in subjects.items()}
    made = {}
    for row in listed(run_cli, data, case_id):
        if row["latest"]:
            target = out / f"{row['template_id']}-{row['subject_id'] or 'case'}.docx"
            assert run_cli("--data-dir", data, "doc", "export", row["document_id"], "--out", target).code == 0
            made[target.stem] = (row["template_id"], names.get(row["subject_id"]))
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        reg = template_registry.registry(store)
        per_person = {t for t in reg.ids() if context.is_per_person(reg.entry(t))}
        others = [t for t in reg.ids() if not any(t == tid for tid, _ in made.values()) and reg.entry(t).stage != "report"]
        for template_id in others:
            target = out / f"{template_id}-preview.docx"
            target.write_bytes(documents.preview(store, case_id, template_id, subject="袁德明")[0])
            made[target.stem] = (template_id, "袁德明")
    finally:
        store.close()
    files = sorted(out.glob("*.docx"))
    assert len(files) >= 64
    pdfs = pdf.convert(files, tmp_path / "pdf", timeout=300)
    faces = set()
    for source, target in zip(files, pdfs, strict=True):
        template_id, name = made[source.stem]
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(target), "-"], capture_output=True, text=True,
                              timeout=60, check=True).stdout
        flat = re.sub(r"\s+", "", text)
        for bad in ("None", "{{", "{%", "}}", "不少于二人", "免予（不予）"):
            assert bad not in flat, (source.stem, bad)
        assert not DOUBLED.search(flat.replace("、、", "")), (source.stem, DOUBLED.search(flat).group())
        if name and (not source.stem.endswith("preview") or template_id in per_person):
            assert name in flat, (source.stem, name)
        if template_id in FACT_BEARING and not source.stem.endswith("preview"):
            fact = re.sub(r"\s+", "", subjects[name]["facts"][0]["narrative"])[:16]
            assert fact in flat, source.stem
            if template_id in QUALIFYING and subjects[name]["articles"]:
                assert "第一百一十一条" in flat, source.stem
            assert basis not in flat, source.stem  # never the 立案依据 where the facts belong
        listed_fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, timeout=60,
                                      check=True).stdout.splitlines()[2:]
        faces |= {line.split()[0].split("+", 1)[-1] for line in listed_fonts if line.strip()}
        assert pdf.page_count(target) >= 1
    assert len({f for f in faces if "Bold" not in f}) >= 4, sorted(faces)
