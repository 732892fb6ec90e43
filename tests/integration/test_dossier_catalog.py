"""The dossier as an archive wants it (纪检监察机关案件档案管理办法 第十条): 案卷封面, 卷内目录 with the
true page numbers, the documents numbered from 1, 卷内备考表 — checked on real files.

A case walked to execution, with every document its steps make, one edited and one voided and made
again: the 卷内目录's rows (责任者 per document, 8-digit dates, 备注), the volume without LibreOffice
(页号 say 未排版, a note says why), and with LibreOffice (tools/install.sh --test) the PDF of
`dossier --pdf` and the merged .docx laid out: pdftotext shows each document's title on the page
the catalogue gives it and the page number — n — printed there, the front matter and the 备考表
unnumbered, and the practice mark on every page of a practice dossier.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.enum.section import WD_SECTION

from app.documents import context, manifest, pdf
from app.documents.registry import Registry, shipped_dir
from app.errors import InputError
from app.services import cases, documents, dossier_volume, ruleset, template_registry

from tests.integration.test_documents import CLUE, ROUTE, TODAY, docx_text, make_store, open_store, walk

ROUTE_WITH_GOV = ROUTE[:7] + ("+gov_warning",) + ROUTE[7:]  # a 政务处分 too: its decision comes from the 监察办公室
COMMISSION, SUPERVISION, BRANCH = "中共青石镇纪律检查委员会", "青石镇监察办公室", "青石村党支部"
PAGE_NUMBER = re.compile(r"—(\d+)—")

needs_libreoffice = pytest.mark.skipif(not (pdf.available() and shutil.which("pdftotext")),
                                       reason="LibreOffice and pdftotext not installed (bash tools/install.sh --test)")


def render_all(store, case_id, rules, *, practice: bool = False) -> list[str]:
    """Every document the case's steps allow now; the template ids made."""
    made = []
    for t in documents.case_templates(store, case_id, rules=rules):
        if getattr(t, "not_now", ""):  # the rules do not allow it now
            continue
        documents.render(store, case_id, t.template_id, today=TODAY, rules=rules, practice=practice)
        made.append(t.template_id)
    return made


@pytest.fixture(scope="module")
def walked_case(tmp_path_factory):
    """(data dir, case id, template ids made): every document made, one edited, one voided and made again."""
    data = tmp_path_factory.mktemp("dossier") / "data"
    make_store(data)
    store = open_store(data)
    try:
        rules = ruleset.load(store)
        case_id = cases.register_clue(store, CLUE, today=TODAY, rules=rules).case_id
        walk(store, case_id, ROUTE_WITH_GOV, rules)
        # the 政务处分决定书 records the 监察机关's own decision: made once it is decided ([Z] 第八条)
        cases.act(store, case_id, {"type": "decide_gov_sanction", "type_id": "gov_warning", "decided_on": TODAY.isoformat(),
                                   "organ": "青山县监察委员会"}, today=TODAY, rules=rules)
        made = render_all(store, case_id, rules)
        latest = {d.template_id: d for d in documents.list_documents(store, case_id) if d.latest}
        edited = open_docx(io.BytesIO(documents.content(store, latest["investigation_plan"].document_id)[1]))
        edited.add_paragraph("书记修改：补充调查措施。")
        # Word users add section breaks: the page numbers must still run on through the new section
        edited.add_section(WD_SECTION.NEW_PAGE).different_first_page_header_footer = True
        edited.add_paragraph("附：补充调查措施清单")
        buf = io.BytesIO()
        edited.save(buf)
        documents.store_version(store, latest["investigation_plan"].document_id, buf.getvalue())
        documents.void(store, latest["execution_notice"].document_id, "送达单位写错", today=TODAY)
        documents.render(store, case_id, "execution_notice", today=TODAY, rules=rules)
    finally:
        store.close()
    return data, case_id, made


@pytest.fixture
def store(walked_case):
    s = open_store(walked_case[0])
    yield s
    s.close()


def rows_of(store, case_id):
    with store.read() as s:
        reg = template_registry.registry_in(s)
        return documents.catalog_rows(s, case_id, reg, "青石镇纪委")


def page_texts(path: Path) -> list[str]:
    """The text of every page of a PDF, white space removed (pdftotext breaks lines and spaces digits)."""
    out = []
    for i in range(1, pdf.page_count(path) + 1):
        read = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(i), "-l", str(i), str(path), "-"],
                              capture_output=True, text=True, timeout=60)
        assert read.returncode == 0, read.stderr
        out.append(read.stdout)
    return out


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the catalogue's rows ---------------------------------------------------------------------

def test_catalog_rows_name_who_made_each_document_with_dates_that_fit(store, walked_case):
    _, case_id, made = walked_case
    rows = rows_of(store, case_id)
    with store.read() as s:
        docs = documents.dossier_documents(s, case_id, template_registry.registry_in(s))
    assert [r["seq"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)] and len(rows) == len(docs) >= 20
    by_template = {}
    for row, doc in zip(rows, docs, strict=True):
        by_template.setdefault(doc.template_id, []).append(row)
        assert row["title"] == doc.title and row["number"] == doc.number
        assert re.fullmatch(r"2026\d{4}", row["date"]), row  # 8 digits, as the catalogue's column holds them
        assert row["pages"] == context.UNPAGED  # nothing laid out yet
    assert {r["author"] for r in by_template["branch_resolution"] + by_template["branch_minutes"]} == {BRANCH}
    assert "gov_sanction_decision" in made and by_template["gov_sanction_decision"][0]["author"] == SUPERVISION
    for template_id in ("clue_register_form", "filing_decision", "sanction_decision", "county_review_request"):
        assert by_template[template_id][0]["author"] == COMMISSION, template_id
    assert by_template["investigation_plan"][0]["note"] == "修改稿"
    # the voided 执行通知 stays in the file, marked, before the one made again in its place
    voided, again = by_template["execution_notice"]
    assert voided["note"] == "作废" and again["note"] == "" and voided["number"] != again["number"]
    assert not {"dossier_catalog", "dossier_cover", "dossier_note"} & set(by_template)


def test_authors_come_from_the_manifest_and_older_manifests_stay_valid():
    problems: list[str] = []
    base = {"id": "x", "title": "X", "file": "x.docx", "version": "1", "stage": "filing"}
    assert manifest.parse_entry(base, "x", problems).author == "" and problems == []  # an older manifest: no author
    assert manifest.parse_entry({**base, "author": "supervision"}, "x", problems).author == "supervision"
    manifest.parse_entry({**base, "author": "township"}, "x", problems)
    manifest.parse_entry({**base, "author": ["branch"]}, "x", problems)
    assert len(problems) == 2 and all("author" in p for p in problems)
    entry = manifest.TemplateEntry("x", "X", "x.docx", "1", "filing", 0, author="county")
    assert manifest.parse_manifest(manifest.to_toml([entry]))["x"].author == "county"
    shipped = Registry(shipped_dir(), {})
    assert documents.author_of(shipped, "gov_sanction_decision") == "supervision"
    assert documents.author_of(shipped, "branch_minutes") == "branch"
    assert documents.author_of(shipped, "sanction_decision") == "commission"
    # a county's template that does not say keeps the shipped template's 责任者
    county = manifest.TemplateEntry("gov_sanction_decision", "政务处分决定书", "g.docx", "2026.2-县", "decision", 960)
    assert documents.author_of(Registry(shipped_dir(), {county.id: (county, b"")}),
                               county.id) == "supervision"
    assert documents.author_of(shipped, "no_such_template") == "commission"


def test_titles_and_branches():
    assert context.dossier_title(["林敏", "王建国"], True) == "关于林敏等人违纪案"
    assert context.dossier_title(["王建国"], True) == "关于王建国违纪案"
    assert context.dossier_title(["李四"], False) == "关于李四问题线索"
    assert context.branch_name("青石村民委员会") == "青石村党支部"
    assert context.branch_name("幸福居民委员会") == "幸福社区党支部"
    assert context.branch_name("青石镇农业服务中心") == "青石镇农业服务中心党支部"
    assert context.branch_name("") == ""
    assert dossier_volume.page_range(3, 3) == "3-5" and dossier_volume.page_range(7, 1) == "7"


# --- without LibreOffice ------------------------------------------------------------------------

def test_without_libreoffice_the_page_column_says_so(store, walked_case, tmp_path, monkeypatch):
    _, case_id, _ = walked_case
    monkeypatch.setattr(pdf, "program", lambda: None)  # a PC without LibreOffice
    result = dossier_volume.build_dossier(store, case_id, out=tmp_path / "案卷.docx", folder=tmp_path / "files", today=TODAY)
    assert result.pages is None and result.pdf is None
    doc = open_docx(tmp_path / "案卷.docx")
    catalog = next(t for t in doc.tables if t.rows[0].cells[0].text == "序号")
    pages = [row.cells[5].text for row in catalog.rows[1:]]
    assert len(pages) == result.documents and set(pages) == {"未排版"}
    text = docx_text((tmp_path / "案卷.docx").read_bytes())
    assert context.UNPAGED_NOTE in text and "本卷共" in text and "件（页数未排版）" in text
    assert text.index("案件档案") < text.index("卷内目录") < text.index("线索受理登记表") < text.index("卷内备考表")
    assert result.files[0] == "00_1_案卷封面.docx" and result.files[-1] == "99_卷内备考表.docx"
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == sorted(result.files)
    with pytest.raises(InputError) as refused:
        dossier_volume.build_dossier(store, case_id, pdf_out=tmp_path / "案卷.pdf", today=TODAY)
    assert refused.value.code == "libreoffice_missing" and not (tmp_path / "案卷.pdf").exists()


def test_when_libreoffice_fails_the_word_volume_is_still_made(store, walked_case, tmp_path, monkeypatch):
    _, case_id, _ = walked_case
    monkeypatch.setattr(pdf, "program", lambda: "/usr/bin/soffice")

    def broken(files, out_dir, *, timeout=180):
        raise InputError("libreoffice_timeout", "LibreOffice 转换 PDF 超时（600 秒），请稍后重试或减少文件数量。")

    monkeypatch.setattr(pdf, "convert", broken)
    result = dossier_volume.build_dossier(store, case_id, out=tmp_path / "案卷.docx", today=TODAY)
    text = docx_text((tmp_path / "案卷.docx").read_bytes())
    assert result.pages is None and "未排版" in text and "LibreOffice 排版未成功：LibreOffice 转换 PDF 超时" in text
    with pytest.raises(InputError) as refused:  # a PDF cannot be made without the layout
        dossier_volume.build_dossier(store, case_id, pdf_out=tmp_path / "案卷.pdf", today=TODAY)
    assert refused.value.code == "libreoffice_timeout" and not (tmp_path / "案卷.pdf").exists()


# --- laid out by LibreOffice ----------------------------------------------------------------------

def check_volume(pages: list[str], rows: list[dict]) -> int:
    """Every document's title on the page its 页号 gives, that page printed with its number; the front
    matter and the 备考表 unnumbered. The number of front pages."""
    first = next(i for i, text in enumerate(pages) if PAGE_NUMBER.search(flat(text)))
    assert "案件档案" in flat(pages[0]) and "卷内目录" in flat(pages[1])
    assert all(not PAGE_NUMBER.search(flat(text)) for text in pages[:first])
    assert "卷内备考表" in flat(pages[-1]) and not PAGE_NUMBER.search(flat(pages[-1]))
    for row in rows:
        start, _, end = row["pages"].partition("-")
        start, end = int(start), int(end or start)
        page = flat(pages[first + start - 1])
        # the title heads the page (under the 版头 of a document that has one: organ and number)
        assert flat(row["title"])[:12] in page[:60], (row, page[:60])
        for n in range(start, end + 1):
            assert PAGE_NUMBER.findall(flat(pages[first + n - 1]))[-1] == str(n), (row, n)
    assert len(pages) == first + int(rows[-1]["pages"].partition("-")[2] or rows[-1]["pages"]) + 1
    return first


@needs_libreoffice
def test_the_pdf_and_the_docx_have_the_pages_the_catalogue_gives(store, walked_case, tmp_path):
    _, case_id, _ = walked_case
    result = dossier_volume.build_dossier(store, case_id, out=tmp_path / "案卷.docx", pdf_out=tmp_path / "案卷.pdf", today=TODAY)
    doc = open_docx(tmp_path / "案卷.docx")
    catalog = next(t for t in doc.tables if t.rows[0].cells[0].text == "序号")
    keys = ("seq", "number", "author", "title", "date", "pages", "note")
    rows = [dict(zip(keys, (c.text for c in row.cells), strict=True)) for row in catalog.rows[1:]]
    assert len(rows) == result.documents and result.pages == int(rows[-1]["pages"].split("-")[-1])
    assert rows[0]["pages"] == "1" and all(r["pages"] != context.UNPAGED for r in rows)
    pdf_pages = page_texts(tmp_path / "案卷.pdf")
    first = check_volume(pdf_pages, rows)
    # the merged .docx, laid out as a whole, has the same pages: the 页号 hold for the .docx too
    merged = pdf.convert([tmp_path / "案卷.docx"], tmp_path / "docx-pdf")[0]
    assert check_volume(page_texts(merged), rows) == first
    catalogue = "".join(pdf_pages[1:first])
    # the dates stand on one line each, every 责任者 is printed
    assert re.findall(r"(?<!\d)2026\d{4}(?!\d)", catalogue) == [r["date"] for r in rows]
    for author in (BRANCH, SUPERVISION):
        assert flat(catalogue).count(author) == sum(r["author"] == author for r in rows) >= 1, author
    assert "作废" in catalogue
    cover, note = flat(pdf_pages[0]), flat(pdf_pages[-1])
    for expected in ("关于王建国违纪案", COMMISSION, "青石纪立〔2026〕1号", "起止日期", f"{result.documents}件、{result.pages}页",
                     "保管期限"):
        assert expected in cover, expected
    for expected in (f"本卷共{result.documents}件、{result.pages}页", "立卷人：张书记", "检查人", "立卷时间：2026年6月30日",
                     "已作废（送达单位写错）"):
        assert expected in note, expected


@needs_libreoffice
def test_a_practice_dossier_says_so_on_every_page(walked_case, tmp_path):
    data = tmp_path / "data"
    make_store(data)
    store = open_store(data)
    try:
        rules = ruleset.load(store)
        case_id = cases.register_clue(store, {**CLUE, "persons": [{"name": "练习丙", "unit": "青石村民委员会"}]},
                                      today=TODAY, rules=rules).case_id
        walk(store, case_id, ROUTE[:4], rules)
        made = render_all(store, case_id, rules, practice=True)
        assert len(made) >= 4
        # one document made without the practice flag: in a practice dossier it is marked as well
        documents.render(store, case_id, made[0], today=TODAY, rules=rules)
        result = dossier_volume.build_dossier(store, case_id, out=tmp_path / "练习.docx", pdf_out=tmp_path / "练习.pdf",
                                         today=TODAY, rules=rules)
    finally:
        store.close()
    merged = pdf.convert([tmp_path / "练习.docx"], tmp_path / "docx-pdf")[0]
    for path in (tmp_path / "练习.pdf", merged):
        pages = page_texts(path)
        assert len(pages) >= result.pages + 3
        unmarked = [i for i, text in enumerate(pages, 1) if "练习" not in text.replace("练习丙", "")]
        assert unmarked == [], (path.name, unmarked)


@needs_libreoffice
def test_cli_dossier_pdf(walked_case, run_cli, tmp_path):
    data, case_id, _ = walked_case
    out = tmp_path / "案卷.pdf"
    made = run_cli("--data-dir", data, "dossier", case_id, "--pdf", out, "--json")
    assert made.code == 0, made.err
    assert made.json["pdf"] == str(out) and made.json["out"] is None and made.json["pages"] >= made.json["documents"]
    assert pdf.page_count(out) >= made.json["pages"] + 3  # cover, catalogue, 备考表
