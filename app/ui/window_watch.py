"""Event filters on the application's windows rather than on the application itself.

A filter on the QApplication is called, from Python, for every event of every widget: building a
case step sends well over a thousand (polish, show, layout, child events), and each such filter
made building it 30–40 % slower (bench/bench_case_actions.py). What comes from the user — keys,
clicks, the wheel — reaches a window first, before any widget, so a filter there sees all of it
and little else.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication, QWindow


class WindowWatcher(QObject):
    """Filters the events of every window: those open when `follow` is called, and each later one
    as it becomes the active window (the one keys go to, and the one a click opens or activates)."""

    def follow(self, app: QGuiApplication) -> None:
        for window in app.allWindows():
            self.watch_window(window)
        app.focusWindowChanged.connect(self.watch_window)

    def unfollow(self, app: QGuiApplication) -> None:
        app.focusWindowChanged.disconnect(self.watch_window)
        for window in app.allWindows():
            window.removeEventFilter(self)

    def watch_window(self, window: QWindow | None) -> None:
        if window is not None:
            window.installEventFilter(self)  # installing twice keeps one filter
