"""The date field: typed or picked from a calendar built only when 日历… is first opened (a case step
has several date fields; building each calendar up front cost the step's first paint)."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCalendarWidget

from app.ui.field_editors import DateEditor


def test_the_calendar_is_built_when_first_opened_and_picks_a_date(qtbot, styled_app):
    editor = DateEditor()
    qtbot.addWidget(editor)
    editor.show()
    assert editor.calendar is None and editor.findChild(QCalendarWidget) is None
    editor.set_value("2026-03-02")
    menu = editor.menu
    QTest.mouseClick(editor.pick, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    calendar = editor.calendar
    assert calendar is not None and calendar.isVisible() and calendar.selectedDate() == QDate(2026, 3, 2)
    assert menu.sizeHint().height() >= calendar.sizeHint().height()
    changed = []
    editor.sig_changed.connect(lambda: changed.append(editor.value()))
    calendar.clicked.emit(QDate(2026, 3, 9))
    assert editor.value() == "2026-03-09" and changed == ["2026-03-09"] and not menu.isVisible()
    QTest.mouseClick(editor.pick, Qt.MouseButton.LeftButton)  # opened again: the same calendar
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    assert editor.calendar is calendar and len(menu.actions()) == 1
    menu.close()
