"""What the pages and dialogs of an unlocked window share, passed to each through `__init__`."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner


class SessionContext(QObject):
    """The open store plus the shared helpers; the controller listens to the requests.

    `sig_restore_requested(file, password)` asks the controller to lock and restore a backup;
    `sig_settings_changed(settings)` carries the saved `OfficeSettings`.
    """

    sig_lock_requested = Signal()
    sig_restore_requested = Signal(str, str)
    sig_settings_changed = Signal(object)

    def __init__(self, store, runner: TaskRunner, prompter: Prompter, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.prompter = prompter
