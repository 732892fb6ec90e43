"""依据 on demand: a citation in the case guidance is a link; clicking it shows the article's text
from the shipped regulation texts (and a citation of a text the app does not hold says so)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services import cases, ruleset
from app.ui.citation_dialog import CitationDialog, article_html

from tests.integration.test_documents import CLUE, TODAY


def click_text(browser, text: str) -> None:
    cursor = browser.document().find(text, 0, QTextDocument.FindFlag.FindCaseSensitively)
    assert not cursor.isNull(), text
    browser.ensureCursorVisible()
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    rect = browser.cursorRect(cursor)
    QTest.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(rect.left() - 4, rect.center().y()))


def open_dialogs() -> list[CitationDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, CitationDialog) and w.isVisible()]


def test_clicking_a_citation_in_the_guidance_shows_the_article(qtbot, unlocked, prompter):
    store = unlocked.store
    case_id = cases.register_clue(store, CLUE, today=TODAY, rules=ruleset.load(store)).case_id
    view = unlocked.main_window.open_case(case_id)
    citation = view.step.citation[0]
    assert citation.startswith("《")
    qtbot.waitUntil(lambda: citation in view.guidance.toPlainText(), timeout=3000)  # the side tabs draw next
    view.guidance.resize(600, 2000)  # the whole guidance on screen, so the link can be clicked
    click_text(view.guidance, citation)
    qtbot.waitUntil(lambda: bool(open_dialogs()), timeout=3000)
    dialog = open_dialogs()[0]
    shown = dialog.browser.toPlainText()
    assert citation in shown and "文本：" in shown and "所附条文中没有" not in shown
    assert prompter.errors == []


def test_a_text_the_app_does_not_hold_is_named_as_such():
    shown = article_html("《事业单位工作人员处分规定》第十九条")
    assert "本软件未收录该文本" in shown and "人社部发〔2023〕58号" in shown
    wrong = article_html("《中国共产党纪律处分条例》第九百条")
    assert "所附条文中没有这一条" in wrong
