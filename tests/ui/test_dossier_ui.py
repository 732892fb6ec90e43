"""组卷 in the case view: at 立卷归档 the documents box offers the volume as Word, and as PDF where
LibreOffice is installed; the work runs as a background task and the notice says what was made."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from app.documents import pdf
from app.services import cases, documents, ruleset

from tests.integration.test_documents import CLUE, ROUTE, TODAY, walk


@pytest.fixture
def filing_case(unlocked):
    store = unlocked.store
    rules = ruleset.load(store)
    case_id = cases.register_clue(store, CLUE, today=TODAY, rules=rules).case_id
    walk(store, case_id, ROUTE + ("to_close", "to_archive"), rules)
    assert cases.case_state(store, case_id).step_id == "archive_filing"
    for template_id in ("clue_register_form", "filing_decision", "sanction_decision"):
        documents.render(store, case_id, template_id, today=TODAY, rules=rules)
    return case_id


def test_the_archive_step_builds_the_dossier(qtbot, unlocked, prompter, filing_case, tmp_path, monkeypatch):
    window = unlocked.main_window
    view = window.open_case(filing_case)
    word, as_pdf = view.findChild(QPushButton, "dossier_docx"), view.findChild(QPushButton, "dossier_pdf")
    assert word is not None and as_pdf is not None
    assert as_pdf.isEnabled() == pdf.available()
    monkeypatch.setattr(pdf, "program", lambda: None)  # the Word volume without LibreOffice: quick, 页号 未排版
    prompter.save_paths.append(str(tmp_path / "案卷"))
    word.click()
    assert (tmp_path / "案卷.docx").is_file(), view.notice.text()
    assert "已组卷：3份文书" in view.notice.text() and "未排版" in view.notice.text()
    monkeypatch.undo()
    if not pdf.available():
        return
    view = window.open_case(filing_case)
    prompter.save_paths.append(str(tmp_path / "案卷.pdf"))
    view.findChild(QPushButton, "dossier_pdf").click()
    assert pdf.page_count(tmp_path / "案卷.pdf") >= 5, view.notice.text()
    assert "卷内文件共" in view.notice.text()
