"""Auto-lock: any keyboard or mouse input anywhere in the app restarts the idle timer (seen where it
arrives: at the windows, app/ui/window_watch.py, and text an input method commits, at the widget
with the focus)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QInputEvent, QInputMethodEvent

from app.ui.window_watch import WindowWatcher

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
})


class IdleWatcher(WindowWatcher):
    sig_idle = Signal()

    def __init__(self, app: QGuiApplication, parent: QObject | None = None):
        super().__init__(parent)
        self.app = app
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sig_idle)
        self.watching = False

    def start(self, timeout_ms: int) -> None:
        self.timer.setInterval(timeout_ms)
        if not self.watching:
            self.follow(self.app, focus=True)
            self.watching = True
        self.timer.start()

    def stop(self) -> None:
        if self.watching:
            self.unfollow(self.app)
            self.watching = False
        self.timer.stop()

    @property
    def timeout_ms(self) -> int:
        return self.timer.interval()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # the isinstance test first: turning event.type() into its Python enum costs several times more
        if (isinstance(event, QInputEvent) and event.type() in INPUT_EVENTS) or isinstance(event, QInputMethodEvent):
            self.timer.start()
        return False
