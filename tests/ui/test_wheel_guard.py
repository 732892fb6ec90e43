"""The wheel scrolls the page over a combo box, spin box or date field the user has not focused;
once focused (click or Tab) the wheel changes it; focus the window gave it on opening does not count
(app/ui/wheel_guard.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from app.ui import wheel_guard
from app.ui.widgets import scroll_area


@pytest.fixture
def guard(qapp):
    installed = wheel_guard.install(qapp)
    yield installed
    installed.unfollow(qapp)
    installed.deleteLater()


def wheel_down(widget: QWidget) -> None:
    """One notch down, as the mouse sends it, over the middle of `widget`."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def page(qtbot, guard):
    content = QWidget()
    column = QVBoxLayout(content)
    name = QLineEdit()  # where the focus is: the window gives it to its first field
    column.addWidget(name)
    combo = QComboBox()
    combo.addItems(["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"])
    spin = QSpinBox()
    spin.setRange(1, 30)
    spin.setValue(15)
    date = QDateEdit(QDate(2026, 3, 2))
    for widget in (combo, spin, date):
        column.addWidget(widget)
    column.addSpacing(3000)
    area = scroll_area(content)
    area.resize(400, 300)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    area.activateWindow()
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    return area, combo, spin, date


def test_the_wheel_over_an_unfocused_field_scrolls_the_page_and_changes_nothing(page):
    area, combo, spin, date = page
    bar = area.verticalScrollBar()
    # the date field's line edit is what the pointer is really over
    for widget, target, value in ((combo, combo, combo.currentIndex), (spin, spin, spin.value),
                                  (date, date.findChild(QLineEdit), date.date)):
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel cannot focus it
        before, top = value(), bar.value()
        wheel_down(target)
        assert value() == before, type(widget).__name__
        assert bar.value() > top, type(widget).__name__
        assert not widget.hasFocus()


def test_a_focused_field_takes_the_wheel(qtbot, page):
    area, combo, spin, date = page
    bar = area.verticalScrollBar()
    for widget, value in ((combo, combo.currentIndex), (spin, spin.value), (date, date.date)):
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus)
        before, top = value(), bar.value()
        wheel_down(widget)
        assert value() != before, type(widget).__name__
        assert bar.value() == top


def test_focus_the_window_gave_does_not_count_but_a_click_does(qtbot, guard):
    content = QWidget()
    column = QVBoxLayout(content)
    combo = QComboBox()  # the first field: the window focuses it when it opens
    combo.addItems(["警告", "严重警告", "撤销党内职务"])
    spin = QSpinBox()
    spin.setValue(15)
    column.addWidget(combo)
    column.addWidget(spin)
    column.addSpacing(3000)
    area = scroll_area(content)
    area.resize(400, 300)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    area.activateWindow()
    qtbot.waitUntil(combo.hasFocus)
    wheel_down(combo)
    assert combo.currentIndex() == 0 and area.verticalScrollBar().value() > 0

    area.verticalScrollBar().setValue(0)
    QTest.mouseClick(spin.findChild(QLineEdit), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(spin.hasFocus)
    wheel_down(spin)
    assert spin.value() == 14


def test_a_combo_box_made_after_the_window_opened_is_guarded_when_the_wheel_arrives(page):
    """A case step builds its combo boxes in an open window: the wheel reaches the window before
    any widget, and the guard takes the new box in hand there, before it could change or focus it."""
    area, combo, spin, date = page
    late = QComboBox()
    late.addItems(["党纪处分·警告", "留党察看二年"])
    content = area.widget()
    content.layout().insertWidget(1, late)
    late.show()
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)  # laid out, not yet repainted
    assert not late.property(wheel_guard.GUARDING) and late.focusPolicy() == Qt.FocusPolicy.WheelFocus
    window = area.window()
    centre = late.rect().center()
    top = area.verticalScrollBar().value()
    event = QWheelEvent(QPointF(late.mapTo(window, centre)), QPointF(late.mapToGlobal(centre)), QPoint(), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(window.windowHandle(), event)
    assert late.currentIndex() == 0 and not late.hasFocus()
    assert late.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert area.verticalScrollBar().value() > top
