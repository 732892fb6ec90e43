"""Full garbage collections at quiet moments, not in the middle of what the user is doing.

Python starts a full collection whenever enough objects have outlived the young generations,
wherever that happens: with 10,000 cases loaded it walks the lists' 30,000 objects in about 40 ms
(190 ms seen on a loaded machine), a stretch in which the GUI thread cannot react — often right
inside a case action, since it is the action's allocations that trigger it. The young generations
are still collected as they fill (a few milliseconds each); the full collection is left to this
timer: once the app has had no input for a second and no background task runs, or, however busy
the user keeps it, when ten times the usual amount of collections has piled up (memory stays
bounded).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication, QInputEvent, QInputMethodEvent

from app.ui.tasks import TaskRunner
from app.ui.window_watch import WindowWatcher

CHECK_MS = 1000
DUE = 10  # young collections since the last full one: when Python itself would start one
OVERDUE = 10 * DUE
NEVER = 2**31 - 1  # the full generation's threshold: Python never starts one by itself
running: list[int] = [0]  # collectors alive (tests make several controllers)


class QuietCollector(WindowWatcher):
    def __init__(self, app: QGuiApplication, runner: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.input_seen = False
        young, middle, _full = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER)
        running[0] += 1
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.follow(app, focus=True)
        self.timer.start()
        self.destroyed.connect(python_collects_again)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QInputEvent | QInputMethodEvent):  # as app/ui/idle.py
            self.input_seen = True
        return False

    def check(self) -> None:
        pending = gc.get_count()[2]
        quiet = not self.input_seen and not self.runner.busy
        self.input_seen = False
        if (pending >= DUE and quiet) or pending >= OVERDUE:
            gc.collect()


def python_collects_again() -> None:
    """Once no collector is left, Python starts full collections by itself again."""
    running[0] -= 1
    if running[0] == 0:
        young, middle, _full = gc.get_threshold()
        gc.set_threshold(young, middle, DUE)
