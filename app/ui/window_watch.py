"""Event filters on the application's windows rather than on the application itself.

A filter on the QApplication is called, from Python, for every event of every widget: building a
case step sends well over a thousand (polish, show, layout, child events), and each such filter
made building it 30–40 % slower (bench/bench_case_actions.py). What comes from the user — keys,
clicks, the wheel — reaches a window first, before any widget, so a filter there sees all of it
and little else.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication, QWindow
from shiboken6 import isValid

RESCAN_MS = 250


class WindowWatcher(QObject):
    """Filters the events of every window: those open when `follow` is called, each later one as
    it becomes the active window, and within RESCAN_MS any other (a window the system shows without
    activating it, as when the user is in another program meanwhile, still takes the wheel)."""

    marker = ""
    focused: QObject | None = None
    with_focus = False

    def follow(self, app: QGuiApplication, *, focus: bool = False) -> None:
        """`focus`: also the object that has the keyboard focus, which is where an input method's
        text (pinyin) goes, not through a window."""
        self.marker = f"window_watch_{uuid.uuid4().hex}"  # a dynamic property on each window watched
        self.rescan = QTimer(self)
        self.rescan.setInterval(RESCAN_MS)
        self.rescan.timeout.connect(self.watch_all)
        app.focusWindowChanged.connect(self.watch_window)
        self.watch_all()
        self.rescan.start()
        self.with_focus = focus
        if focus:
            app.focusObjectChanged.connect(self.watch_focus)
            self.watch_focus(app.focusObject())

    def unfollow(self, app: QGuiApplication) -> None:
        self.rescan.stop()
        self.rescan.deleteLater()  # the next `follow` makes its own: auto-lock follows at every unlock
        app.focusWindowChanged.disconnect(self.watch_window)
        for window in app.allWindows():
            window.removeEventFilter(self)
            window.setProperty(self.marker, None)
        if self.with_focus:
            app.focusObjectChanged.disconnect(self.watch_focus)
            self.watch_focus(None)

    def watch_focus(self, target: QObject | None) -> None:
        if self.focused is not None and isValid(self.focused):
            self.focused.removeEventFilter(self)
        self.focused = target
        if target is not None:
            target.installEventFilter(self)

    def watch_all(self) -> None:
        for window in QGuiApplication.allWindows():
            self.watch_window(window)

    def watch_window(self, window: QWindow | None) -> None:
        if window is not None and not window.property(self.marker):
            window.setProperty(self.marker, True)
            window.installEventFilter(self)
            self.window_added(window)

    def window_added(self, window: QWindow) -> None:
        """A window watched from now on (for a subclass to take in hand what it holds)."""
