"""Run slow service calls off the GUI thread (after Anki's taskman/progress).

A task is a plain function, either without arguments or `fn(progress, cancelled)` where
`progress(done, total, label)` reports and `cancelled()` tells whether the user pressed 取消.
Its result or exception comes back on the GUI thread — unless the widget that started it (`parent`)
has been deleted meanwhile (the window disposed at a lock, a dialog closed): then it is dropped,
since nothing is left to show it on. (The case view, reused from case to case, drops results for
a case it no longer shows by itself: `CaseViewPage.for_case`.) All tasks share one worker thread, so database writes never race
each other. A progress dialog appears only when a task with a label
runs longer than `show_after_ms`. With `sync=True` (tests) the task runs inline.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

SHOW_AFTER_MS = 500


def positional_arity(fn: Callable) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 0
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in params if p.kind in kinds and p.default is inspect.Parameter.empty)


class Task(QObject):
    """One running call. Signals arrive on the GUI thread, where this object lives."""

    sig_finished = Signal(object)
    sig_failed = Signal(object)
    sig_progress = Signal(int, int, str)

    def __init__(self, fn: Callable, label: str | None, parent: QObject | None = None):
        super().__init__(parent)
        arity = positional_arity(fn)
        if arity not in (0, 2):
            raise TypeError("a task takes no arguments or (progress, cancelled)")
        self.fn = fn
        self.label = label
        self.cancellable = arity == 2
        self.done = False
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int, label: str = "") -> None:
        self.sig_progress.emit(done, total, label)

    def call(self):
        return self.fn(self.report, self.is_cancelled) if self.cancellable else self.fn()


class Job(QRunnable):
    def __init__(self, task: Task):
        super().__init__()
        self.task = task

    def run(self) -> None:
        try:
            result = self.task.call()
        except Exception as exc:  # delivered to the GUI thread, which shows or logs it
            self.task.sig_failed.emit(exc)
        else:
            self.task.sig_finished.emit(result)


class TaskRunner(QObject):
    """Emits `sig_all_done` whenever the last running task has delivered its result."""

    sig_all_done = Signal()

    def __init__(self, parent: QObject | None = None, *, sync: bool = False, show_after_ms: int = SHOW_AFTER_MS):
        super().__init__(parent)
        self.sync = sync
        self.show_after_ms = show_after_ms
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        # one long-lived worker: the store's connection pool keeps one connection per thread
        self.pool.setExpiryTimeout(-1)
        self.active: set[Task] = set()

    @property
    def busy(self) -> bool:
        return bool(self.active)

    def run(
        self,
        fn: Callable,
        *,
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
        label: str | None = None,
        parent: QWidget | None = None,
    ) -> Task:
        """Start `fn`; with a label and a parent widget a progress dialog shows if it takes long.
        `on_done`/`on_error` are not called once `parent` has been deleted."""
        task = Task(fn, label, self)
        if self.sync:
            self.run_inline(task, on_done, on_error)
            return task
        dialog = ProgressDialogLater(task, parent, self.show_after_ms) if label and parent is not None else None

        def finish(callback: Callable, value) -> None:
            task.done = True
            self.active.discard(task)
            if dialog is not None:
                dialog.close()
            task.deleteLater()
            if parent is None or isValid(parent):
                callback(value)
            if not self.active:
                self.sig_all_done.emit()

        task.sig_finished.connect(lambda result: finish(on_done, result))
        task.sig_failed.connect(lambda exc: finish(on_error, exc))
        self.active.add(task)
        self.pool.start(Job(task))
        return task

    @staticmethod
    def run_inline(task: Task, on_done: Callable, on_error: Callable) -> None:
        task.deleteLater()
        try:
            result = task.call()
        except Exception as exc:
            task.done = True
            on_error(exc)
        else:
            task.done = True
            on_done(result)

    def wait(self) -> None:
        self.pool.waitForDone()


class ProgressDialogLater(QObject):
    """A modal progress dialog created only if the task is still running after `delay_ms`."""

    def __init__(self, task: Task, parent: QWidget, delay_ms: int):
        super().__init__(task)
        self.task = task
        self.parent_widget = parent
        self.dialog: QProgressDialog | None = None
        self.last = (0, 0, "")
        task.sig_progress.connect(self.on_progress)
        QTimer.singleShot(delay_ms, self, self.show_dialog)

    @Slot()
    def show_dialog(self) -> None:
        if self.task.done or not isValid(self.parent_widget):
            return
        dialog = QProgressDialog(self.task.label, "取消" if self.task.cancellable else None, 0, 0, self.parent_widget)
        dialog.setWindowTitle("请稍候")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(360)
        dialog.canceled.connect(self.on_cancel)
        self.dialog = dialog
        self.on_progress(*self.last)
        dialog.show()

    @Slot(int, int, str)
    def on_progress(self, done: int, total: int, label: str) -> None:
        self.last = (done, total, label)
        if self.dialog is None or not isValid(self.dialog):
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total > 0 else 0)
        if label:
            self.dialog.setLabelText(f"{self.task.label}\n{label}")

    @Slot()
    def on_cancel(self) -> None:
        self.task.cancel()
        if self.dialog is not None:
            # QProgressDialog hides itself on cancel; the task is still finishing, so say so
            self.dialog.setLabelText("正在取消……")
            self.dialog.show()

    def close(self) -> None:
        if self.dialog is not None and isValid(self.dialog):  # gone with its parent otherwise
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = None
