"""A real word processor reads the documents: LibreOffice converts them to PDF, pdftotext reads them back.

Every template is rendered from a walked case, and the dossier; the app's own conversion
(app/documents/pdf.py: one soffice call for every file, a private profile, the shipped fonts.conf)
makes the PDFs. Installed by tools/install.sh --test (libreoffice-writer-nogui, poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import subprocess

from app.documents import pdf
from app.errors import InputError
from app.services import cases, documents, dossier_volume, ruleset

from tests.integration.test_documents import CLUE, ROUTE, TODAY, case_template_ids, make_store, open_store, walk
from tests.integration.test_documents_layout import body_lines, too_wide

CJK_LINE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def test_libreoffice_converts_every_document_and_the_case_data_is_in_the_pdf(tmp_path):
    pdftotext = shutil.which("pdftotext")
    assert pdf.available() and pdftotext, "install the test tools: bash tools/install.sh --test"
    data = tmp_path / "data"
    make_store(data)
    store = open_store(data)
    out = tmp_path / "docx"
    out.mkdir()
    try:
        rules = ruleset.load(store)
        case_id = cases.register_clue(store, CLUE, today=TODAY, rules=rules).case_id
        walk(store, case_id, ROUTE, rules)
        numbers = {}
        templates = case_template_ids(store)
        for template_id in templates:
            target = out / f"{template_id}.docx"
            try:
                numbers[template_id] = documents.render(store, case_id, template_id, today=TODAY, out=target, rules=rules).number
            except InputError as exc:  # not due on this case's route: its 样稿 (preview) is converted instead
                assert exc.code == "document_not_due", (template_id, exc.message)
                target.write_bytes(documents.preview(store, case_id, template_id, today=TODAY, rules=rules)[0])
        dossier_volume.build_dossier(store, case_id, out=out / "dossier.docx", today=TODAY, rules=rules)
    finally:
        store.close()
    files = sorted(out.glob("*.docx"))
    pdfs = pdf.convert(files, tmp_path / "pdf", timeout=300)
    texts = {}
    for source, target in zip(files, pdfs, strict=True):
        assert target.name == f"{source.stem}.pdf" and pdf.page_count(target) >= 1, target
        read = subprocess.run([pdftotext, "-enc", "UTF-8", str(target), "-"], capture_output=True, text=True, timeout=60)
        assert read.returncode == 0, read.stderr
        texts[source.stem] = read.stdout
    assert pdf.page_count(tmp_path / "pdf" / "dossier.pdf") > len(numbers)  # the 卷内目录, then each document made
    # pdftotext puts spaces between Chinese and digits and breaks lines: compare without white space
    flat = {name: re.sub(r"\s+", "", text) for name, text in texts.items()}
    assert len(templates) >= 45
    for name in templates:
        # the 转送函 names nobody: a complaint another body accepts is not copied ([J] 第十五条第二款)
        assert ("王建国" in flat[name]) is (name != "forward_letter"), name
    assert numbers["sanction_decision"] == "青石纪处〔2026〕1号" and "青石纪处〔2026〕1号" in flat["sanction_decision"]
    assert "青石纪立〔2026〕1号" in flat["filing_decision"]
    assert "违规领取低保金，涉及金额4800" in flat["investigation_report"]  # the fact the case established
    assert "—1—" in flat["sanction_decision"]
    # GB/T 9704: a full line of body text holds 28 characters, never more (but what compressed punctuation gains)
    widest = max(len(m) for text in texts.values() for line in text.splitlines() for m in CJK_LINE.findall(line))
    assert widest >= 28, widest
    wide = {target.stem: too_wide(body_lines(target)) for target in pdfs}
    assert {name: lines for name, lines in wide.items() if lines} == {}
    dossier = flat["dossier"]
    assert dossier.index("卷内目录") < dossier.index("线索受理登记表") < dossier.index("党内警告处分的决定")
