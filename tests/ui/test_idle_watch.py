"""Auto-lock's idle timer (app/ui/idle.py) restarts on input at any window of the app, also one
opened after the timer started; without input it fires."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QWindow
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout

from app.ui.idle import IdleWatcher
from app.ui.window_watch import RESCAN_MS

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


def test_text_an_input_method_commits_keeps_the_app_unlocked(qtbot, qapp):
    """Pinyin: the keys go to the input method, and what it commits reaches the widget with the
    focus as a QInputMethodEvent — not through a window, and no QInputEvent."""
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    field.activateWindow()
    qtbot.waitUntil(field.hasFocus)
    watcher = IdleWatcher(qapp)
    fired = []
    watcher.sig_idle.connect(lambda: fired.append(True))
    watcher.start(TIMEOUT_MS)
    try:
        for _ in range(2 * TIMEOUT_MS // STEP_MS):
            qtbot.wait(STEP_MS)
            event = QInputMethodEvent()
            event.setCommitString("案")
            QApplication.sendEvent(QGuiApplication.focusObject(), event)  # as the platform's input context does
        assert field.text() == "案" * (2 * TIMEOUT_MS // STEP_MS)
        assert fired == []
    finally:
        watcher.stop()


def test_a_window_never_activated_is_watched_all_the_same(qtbot, qapp):
    """A window the system shows without activating it (the user is in another program meanwhile)
    still takes the wheel and clicks: it is watched within RESCAN_MS."""
    watcher = IdleWatcher(qapp)
    watcher.start(TIMEOUT_MS)
    try:
        window = QWindow()  # never shown, never the focus window
        qtbot.waitUntil(lambda: bool(window.property(watcher.marker)), timeout=4 * RESCAN_MS)
        assert QGuiApplication.focusWindow() is not window
    finally:
        watcher.stop()
