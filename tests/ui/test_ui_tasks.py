"""The task runner: threaded delivery on the GUI thread, errors, late progress dialog, cancel."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget
from ui_support import PASSWORD, unlock_with

from app.errors import InputError
from app.ui.app_controller import AppController
from app.ui.tasks import TaskRunner


@pytest.fixture
def threaded(styled_app):
    runner = TaskRunner(show_after_ms=50)
    yield runner
    runner.wait()


def test_result_arrives_on_the_gui_thread(qtbot, threaded):
    seen = {}

    def work():
        seen["worker"] = threading.current_thread()
        return 42

    with qtbot.waitSignal(threaded.sig_all_done, timeout=3000):
        threaded.run(work, on_done=lambda r: seen.update(result=r, done_in=threading.current_thread()),
                     on_error=pytest.fail)
    assert seen["result"] == 42
    assert seen["worker"] is not threading.main_thread()
    assert seen["done_in"] is threading.main_thread()
    assert not threaded.busy


def test_errors_arrive_as_exceptions(qtbot, threaded):
    failures = []

    def work():
        raise InputError("bad", "输入有误。")

    with qtbot.waitSignal(threaded.sig_all_done, timeout=3000):
        threaded.run(work, on_done=pytest.fail, on_error=failures.append)
    assert failures[0].message == "输入有误。"


def test_progress_dialog_appears_late_and_cancels(qtbot, threaded):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    results = []

    def work(progress, cancelled):
        for step in range(200):
            if cancelled():
                return "cancelled"
            progress(step, 200, f"第{step}项")
            time.sleep(0.01)
        return "finished"

    task = threaded.run(work, on_done=results.append, on_error=pytest.fail, label="正在处理……", parent=parent)
    assert task.cancellable
    assert parent.findChild(QProgressDialog) is None  # nothing flashes up for short tasks
    qtbot.waitUntil(lambda: parent.findChild(QProgressDialog) is not None, timeout=3000)
    dialog = parent.findChild(QProgressDialog)
    qtbot.waitUntil(lambda: dialog.maximum() == 200, timeout=3000)
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "取消")
    cancel.click()
    qtbot.waitUntil(lambda: results == ["cancelled"], timeout=3000)


def test_quick_task_shows_no_dialog(qtbot, threaded):
    parent = QWidget()
    qtbot.addWidget(parent)
    with qtbot.waitSignal(threaded.sig_all_done, timeout=3000):
        threaded.run(lambda: 1, on_done=lambda _r: None, on_error=pytest.fail, label="很快", parent=parent)
    qtbot.wait(100)
    assert parent.findChild(QProgressDialog) is None


def test_sync_mode_runs_inline(styled_app):
    runner = TaskRunner(sync=True)
    results = []
    runner.run(lambda: "ok", on_done=results.append, on_error=pytest.fail)
    assert results == ["ok"] and not runner.busy


def test_tasks_must_take_no_arguments_or_progress_and_cancel(styled_app):
    with pytest.raises(TypeError):
        TaskRunner(sync=True).run(lambda one: one, on_done=print, on_error=print)


def test_threaded_unlock_reaches_the_main_window(qtbot, threaded, paths, prompter, recovery_code):
    controller = AppController(paths, threaded, prompter, kdf_profile="fast", idle_ms=600_000)
    try:
        controller.start()
        qtbot.waitUntil(lambda: controller.unlock_window.unlock_button.isEnabled(), timeout=5000)
        unlock_with(controller, PASSWORD)
        qtbot.waitUntil(lambda: controller.state == "unlocked", timeout=5000)
        assert controller.main_window.show_page("概况").events.rowCount() > 0
        controller.lock()  # deferred while a page is still loading in the background, never dropped
        qtbot.waitUntil(lambda: controller.state == "locked", timeout=5000)
    finally:
        controller.shutdown()
        for widget in (controller.unlock_window, controller.main_window):
            if widget is not None:
                widget.close()
