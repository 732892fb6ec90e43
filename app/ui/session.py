"""What the pages and dialogs of an unlocked window share, passed to each through `__init__`."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner


class SessionContext(QObject):
    """The open store plus the shared helpers; the controller listens to the requests.

    `sig_restore_requested(file, password)` asks the controller to lock and restore a backup;
    `sig_settings_changed(settings)` carries the saved `OfficeSettings`;
    `sig_open_case(case_id)` asks the main window to show a case (from any list);
    `sig_data_changed()` says a case, clue, person or rule table was written: lists reload;
    `sig_show_page(title)` asks the main window to switch to one of its navigation areas.
    `drafts` holds unsaved form values across a lock (memory only, never on disk): the controller
    fills it from the window being locked and hands it to the next window of the same account.
    `approvers` remembers, for this session, who approved last in each role (to prefill dialogs).
    `case_notices` holds, per case id, a sentence the case view shows when it next opens that case
    (what 登记线索 just did, for the user who lands in the new case).
    """

    sig_lock_requested = Signal()
    sig_restore_requested = Signal(str, str)
    sig_settings_changed = Signal(object)
    sig_open_case = Signal(str)
    sig_data_changed = Signal()
    sig_show_page = Signal(str)

    def __init__(self, store, runner: TaskRunner, prompter: Prompter, parent: QObject | None = None,
                 drafts: dict | None = None):
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.prompter = prompter
        self.drafts: dict = drafts if drafts is not None else {}
        self.approvers: dict[str, str] = {}
        self.case_notices: dict[str, str] = {}
