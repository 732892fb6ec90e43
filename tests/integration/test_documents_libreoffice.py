"""A real word processor reads the documents: LibreOffice converts them to PDF, pdftotext reads them back.

Every template is rendered from a walked case, and the dossier; one soffice call converts every file (its own profile directory under tmp_path, so runs never share
or damage a user profile). Installed by tools/install.sh --test (libreoffice-writer-nogui, poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import subprocess

from app.services import cases, documents, ruleset

from tests.integration.test_documents import CLUE, ROUTE, TODAY, case_template_ids, make_store, open_store, walk

CJK_LINE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def test_libreoffice_converts_every_document_and_the_case_data_is_in_the_pdf(tmp_path):
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    assert soffice and pdftotext, "install the test tools: bash tools/install.sh --test"
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
            made = documents.render(store, case_id, template_id, today=TODAY, out=out / f"{template_id}.docx", rules=rules)
            numbers[template_id] = made.number
        documents.build_dossier(store, case_id, out=out / "dossier.docx", today=TODAY, rules=rules)
    finally:
        store.close()
    pdf = tmp_path / "pdf"
    files = sorted(str(p) for p in out.glob("*.docx"))
    done = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                           "--convert-to", "pdf", "--outdir", str(pdf), *files], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    texts = {}
    for name in [p.rsplit("/", 1)[1].removesuffix(".docx") for p in files]:
        target = pdf / f"{name}.pdf"
        assert target.is_file(), f"LibreOffice did not convert {name}: {done.stdout} {done.stderr}"
        read = subprocess.run([pdftotext, "-enc", "UTF-8", str(target), "-"], capture_output=True, text=True, timeout=60)
        assert read.returncode == 0, read.stderr
        texts[name] = read.stdout
    # pdftotext puts spaces between Chinese and digits and breaks lines: compare without white space
    flat = {name: re.sub(r"\s+", "", text) for name, text in texts.items()}
    assert len(templates) >= 45
    for name in templates:
        assert "王建国" in flat[name], name
    assert numbers["sanction_decision"] == "青石纪处〔2026〕1号" and "青石纪处〔2026〕1号" in flat["sanction_decision"]
    assert "青石纪立〔2026〕1号" in flat["filing_decision"]
    assert "违规领取低保金4800元" in flat["investigation_report"]
    assert "—1—" in flat["sanction_decision"]
    # GB/T 9704: a full line of body text holds 28 characters, never more
    widest = max(len(m) for text in texts.values() for line in text.splitlines() for m in CJK_LINE.findall(line))
    assert widest == 28, widest
    dossier = flat["dossier"]
    assert dossier.index("卷内目录") < dossier.index("线索受理登记表") < dossier.index("党内警告处分的决定")
