"""The window filters (app/ui/window_watch.py) where the application-wide ones saw everything: the
wheel guard over fields reached through popups, modal dialogs and the window system's own wheel;
the idle timer over input inside a popup; Python's full collections once the collectors are gone."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QDate, QEvent, QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QLineEdit,
    QMenu,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from app.ui import quiet_collector, wheel_guard
from app.ui.idle import IdleWatcher
from app.ui.tasks import TaskRunner
from app.ui.widgets import scroll_area

SANCTIONS = ["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"]


@pytest.fixture
def guard(qapp):
    installed = wheel_guard.install(qapp)
    yield installed
    installed.unfollow(qapp)
    installed.deleteLater()


def sanction_box() -> QComboBox:
    combo = QComboBox()
    combo.addItems(SANCTIONS)
    return combo


def wheel_over(widget: QWidget) -> None:
    """One notch down from the window system (a spontaneous event: Qt's wheel focus applies)."""
    window = widget.window()
    point = widget.mapTo(window, widget.rect().center())
    under = window.childAt(point)
    assert under is widget or widget.isAncestorOf(under)  # the pointer is really over it
    QTest.wheelEvent(window.windowHandle(), QPointF(point), QPoint(0, -120))


def test_the_window_systems_wheel_over_a_box_made_after_the_sweep_neither_focuses_nor_changes_it(qtbot, guard):
    content = QWidget()
    column = QVBoxLayout(content)
    column.addWidget(QLineEdit())
    column.addSpacing(2000)
    area = scroll_area(content)
    area.resize(400, 300)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow)
    late = sanction_box()
    days = QDateEdit(QDate(2026, 3, 2))  # the pointer is over its line edit, a child of the spin box
    column.insertWidget(1, late)
    column.insertWidget(2, days)
    late.show()
    days.show()
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)  # laid out, not yet repainted
    assert not late.property(wheel_guard.GUARDING) and late.focusPolicy() == Qt.FocusPolicy.WheelFocus
    top = area.verticalScrollBar().value()
    wheel_over(late)
    assert late.currentIndex() == 0 and not late.hasFocus()
    assert area.verticalScrollBar().value() > top
    top = area.verticalScrollBar().value()
    wheel_over(days.findChild(QLineEdit))
    assert days.date() == QDate(2026, 3, 2) and not days.hasFocus()
    assert area.verticalScrollBar().value() > top


def test_a_box_in_a_popup_menu_is_guarded(qtbot, guard):
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.resize(300, 200)
    owner.show()
    qtbot.waitExposed(owner)
    menu = QMenu(owner)
    combo = sanction_box()
    action = QWidgetAction(menu)
    action.setDefaultWidget(combo)
    menu.addAction(action)
    menu.popup(owner.mapToGlobal(QPoint(10, 10)))
    qtbot.waitUntil(lambda: menu.isVisible() and combo.isVisible())
    wheel_over(combo)
    assert combo.currentIndex() == 0 and combo.focusPolicy() == Qt.FocusPolicy.StrongFocus
    menu.close()


def test_a_box_in_a_modal_dialog_is_guarded_also_one_added_while_it_is_open(qtbot, guard):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    column = QVBoxLayout(dialog)
    column.addWidget(QLineEdit())
    first = sanction_box()
    column.addWidget(first)
    seen = {}

    def inside() -> None:
        late = sanction_box()  # a row the dialog adds once its data arrives
        column.addWidget(late)
        late.show()
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
        wheel_over(first)
        wheel_over(late)
        seen.update(first=first.currentIndex(), late=late.currentIndex(), late_focus=late.hasFocus())
        dialog.reject()

    QTimer.singleShot(200, inside)
    dialog.exec()
    assert seen == {"first": 0, "late": 0, "late_focus": False}


def test_clicks_inside_a_popup_keep_the_app_unlocked(qtbot, qapp):
    timeout_ms, step_ms = 1000, 100
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.resize(300, 200)
    owner.show()
    qtbot.waitExposed(owner)
    watcher = IdleWatcher(qapp)
    fired = []
    watcher.sig_idle.connect(lambda: fired.append(True))
    watcher.start(timeout_ms)
    try:
        menu = QMenu(owner)  # opened after the timer started, as the date field's calendar is
        field = QLineEdit()
        action = QWidgetAction(menu)
        action.setDefaultWidget(field)
        menu.addAction(action)
        menu.popup(owner.mapToGlobal(QPoint(10, 10)))
        qtbot.waitUntil(lambda: menu.isVisible() and field.isVisible())
        for _ in range(2 * timeout_ms // step_ms):
            qtbot.wait(step_ms)
            QTest.mouseClick(menu.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                             field.mapTo(menu, field.rect().center()))
        assert fired == [] and menu.isVisible()
        menu.close()
    finally:
        watcher.stop()


def test_python_collects_by_itself_again_once_every_collector_is_gone(qapp):
    runner = TaskRunner()
    young, middle, full = gc.get_threshold()
    owners = [QObject() for _ in range(5)]  # controllers, as the tests make them
    for owner in owners:
        quiet_collector.QuietCollector(qapp, runner, owner)
    assert gc.get_threshold()[2] == quiet_collector.NEVER
    for owner in owners[:-1]:
        owner.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert gc.get_threshold()[2] == quiet_collector.NEVER  # one still collects at quiet moments
    del owners[-1]  # the last one dropped without deleteLater: Python's wrapper deletes it
    gc.collect()
    assert gc.get_threshold() == (young, middle, full) and quiet_collector.running == [0]
