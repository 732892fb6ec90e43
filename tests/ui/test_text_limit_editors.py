"""The form editors carry the services' text limits (issue 19 point 10), so the user learns them while
typing instead of at 保存."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.domain import text_hygiene as hygiene
from app.ui.field_editors import LineEditor, LongTextEditor


def test_a_line_editor_stops_at_its_limit(qtbot, styled_app):
    editor = LineEditor(limit=hygiene.NUMBER.limit)
    qtbot.addWidget(editor)
    qtbot.keyClicks(editor.edit, "7" * (hygiene.NUMBER.limit + 5))
    assert editor.value() == "7" * hygiene.NUMBER.limit
    assert LineEditor().edit.maxLength() == hygiene.LONG.limit  # a step field: what `case act` takes


def test_a_long_text_editor_says_when_a_paste_passes_its_limit(qtbot, styled_app):
    editor = LongTextEditor(limit=10)
    qtbot.addWidget(editor)
    editor.edit.setPlainText("很" * 10)
    assert editor.problem() == ""
    editor.edit.setPlainText("很" * 11)
    assert editor.problem() == "过长：最多10个字，现有11个字。"
    editor.edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(editor.edit, Qt.Key.Key_Backspace)
    assert editor.problem() == ""
