"""One GUI per data directory. The GUI holds `<data>/gui.lock` for its whole life; a second start
that finds it taken leaves a raise request file and exits, and the running GUI, watching the
data directory, brings its window to the front. Files only: the app has no sockets of any kind."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout
from PySide6.QtCore import QFileSystemWatcher, QObject, Signal

LOCK_NAME = "gui.lock"
REQUEST_NAME = "gui-raise-request"
ALREADY_RUNNING = "纪案通已在运行（同一数据目录），已将其窗口调到最前面。"


def acquire(data_dir: Path) -> FileLock | None:
    """The held lock, or None while another GUI holds it. Where no lock file can be made the lock is
    not held and nothing is refused here: the store's own lock then says what is wrong."""
    lock = FileLock(str(data_dir / LOCK_NAME), timeout=0, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return None
    except OSError:
        pass
    return lock


def request_raise(data_dir: Path) -> None:
    try:
        (data_dir / REQUEST_NAME).write_text("raise\n", encoding="utf-8")
    except OSError:
        pass  # the running window simply stays where it is


class RaiseWatcher(QObject):
    """Emits `sig_raise_requested` for each request a second start leaves in the data directory."""

    sig_raise_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.request = data_dir / REQUEST_NAME
        self.watcher = QFileSystemWatcher([str(data_dir)], self)
        self.watcher.directoryChanged.connect(self.check)

    def check(self, *_args) -> None:
        """Also called once at start: a request left while this GUI was starting is not lost."""
        if not self.request.exists():
            return
        self.sig_raise_requested.emit()
        self.request.unlink(missing_ok=True)
