"""Auto-lock's idle timer (app/ui/idle.py) restarts on input at any window of the app, also one
opened after the timer started; without input it fires."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

from app.ui.idle import IdleWatcher

TIMEOUT_MS = 1500
STEP_MS = 150  # input ten times as often as the timeout: a loaded machine still keeps well inside it


def click(widget) -> None:
    """A click as the window system delivers it: to the window, which hands it to the widget."""
    window = widget.window()
    QTest.mouseClick(window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     widget.mapTo(window, widget.rect().center()))


def test_input_at_any_window_keeps_the_app_unlocked_and_silence_locks_it(qtbot, qapp):
    watcher = IdleWatcher(qapp)
    fired = []
    watcher.sig_idle.connect(lambda: fired.append(True))
    first = QLineEdit()
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    watcher.start(TIMEOUT_MS)
    try:
        later = QDialog()  # opened after the timer started, as a case dialog is
        qtbot.addWidget(later)
        field = QLineEdit(later)
        QVBoxLayout(later).addWidget(field)
        later.show()
        qtbot.waitExposed(later)
        later.activateWindow()
        qtbot.waitUntil(later.isActiveWindow)
        for i in range(2 * TIMEOUT_MS // STEP_MS):  # twice the timeout, clicking now here, now there
            qtbot.wait(STEP_MS)
            click(field if i % 2 else first)
        assert fired == []
        qtbot.waitUntil(lambda: fired == [True], timeout=3 * TIMEOUT_MS)
    finally:
        watcher.stop()
