"""Background results that arrive after their widget is gone are dropped, never delivered to a
deleted object (issue 13: "Internal C++ object … already deleted" after acting in a case and on
立即锁定). Each test provokes one such race with the real threaded runner and the real store."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import delete, isValid
from ui_support import PASSWORD, unlock_with

from app.ui.app_controller import AppController
from app.ui.tasks import TaskRunner


@pytest.fixture
def threaded(styled_app):
    runner = TaskRunner(show_after_ms=20)
    yield runner
    runner.wait()


@pytest.fixture
def raised(monkeypatch):
    """Exceptions escaping a slot (Qt hands them to sys.excepthook instead of raising them)."""
    seen: list[BaseException] = []
    monkeypatch.setattr("sys.excepthook", lambda kind, exc, tb: seen.append(exc))
    return seen


def delete_now(widget: QWidget) -> None:
    delete(widget)  # as a deferred delete would, but now
    assert not isValid(widget)


def test_a_result_for_a_deleted_widget_is_dropped(qtbot, threaded, raised):
    owner = QWidget()
    label = QLabel(owner)
    owner.show()
    release = threading.Event()
    delivered = []

    def slow():
        release.wait(5)
        return "late"

    threaded.run(slow, on_done=lambda r: (delivered.append(r), label.setText(r)), on_error=delivered.append,
                 label="正在载入……", parent=owner)
    qtbot.wait(60)  # past show_after_ms: the progress dialog exists and goes with its parent
    delete_now(owner)
    with qtbot.waitSignal(threaded.sig_all_done, timeout=5000):
        release.set()
    assert delivered == [] and raised == []
    assert not threaded.busy


def test_an_error_for_a_deleted_widget_is_dropped(qtbot, threaded, raised):
    owner = QWidget()
    release = threading.Event()
    delivered = []

    def failing():
        release.wait(5)
        raise OSError("gone")

    threaded.run(failing, on_done=delivered.append, on_error=delivered.append, parent=owner)
    delete_now(owner)
    with qtbot.waitSignal(threaded.sig_all_done, timeout=5000):
        release.set()
    assert delivered == [] and raised == []


@pytest.fixture
def threaded_desk(qtbot, desk_paths, prompter, styled_app):
    """The case-filled store in a controller whose tasks really run on the worker thread."""
    runner = TaskRunner(show_after_ms=10_000)
    controller = AppController(desk_paths, runner, prompter, kdf_profile="fast", idle_ms=3_600_000)
    controller.start()
    qtbot.waitUntil(lambda: controller.unlock_window.unlock_button.isEnabled(), timeout=10_000)
    unlock_with(controller, PASSWORD)
    yield controller, runner
    controller.shutdown()
    for widget in (controller.unlock_window, controller.main_window):
        if widget is not None:
            widget.close()


def wait_idle(qtbot, controller, runner) -> None:
    qtbot.waitUntil(lambda: not runner.busy and controller.main_window is not None, timeout=20_000)


def case_rows(qtbot, controller, runner) -> tuple:
    """The main window once unlocked, and the rows of its 案件 list once loaded."""
    wait_idle(qtbot, controller, runner)
    window = controller.main_window
    page = window.show_page("案件")
    qtbot.waitUntil(lambda: not runner.busy and page.model.total > 1, timeout=20_000)
    return window, page.model.all_rows[: page.model.total]


def test_closing_a_case_while_it_loads_is_safe(qtbot, threaded_desk, prompter, raised):
    controller, runner = threaded_desk
    window, rows = case_rows(qtbot, controller, runner)
    case_id = rows[0].case_id
    for _ in range(3):  # open and leave before the load is back, then open again
        view = window.open_case(case_id)
        assert view is not None
        window.back_from_case()
    qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)
    view = window.open_case(case_id)
    qtbot.waitUntil(lambda: not runner.busy and view.data is not None, timeout=20_000)
    assert window.case_open and prompter.errors == [] and raised == []


def test_a_case_left_is_emptied_and_opens_again(qtbot, threaded_desk, prompter, raised):
    """Leaving a case empties the view in a turn of its own, so that opening the next case does not
    first delete this one's widgets; the case opens again whole."""
    controller, runner = threaded_desk
    window, rows = case_rows(qtbot, controller, runner)
    view = window.open_case(rows[0].case_id)
    qtbot.waitUntil(lambda: not runner.busy and view.data is not None, timeout=20_000)
    window.back_from_case()
    qtbot.waitUntil(lambda: view.data is None and view.step_column.count() == 0, timeout=3000)
    assert window.open_case(rows[0].case_id) is view
    qtbot.waitUntil(lambda: not runner.busy and view.data is not None, timeout=20_000)
    assert view.title.text().startswith(rows[0].number) and view.step_column.count() > 0
    assert prompter.errors == [] and raised == []


def test_locking_while_pages_load_is_safe(qtbot, threaded_desk, prompter, raised):
    controller, runner = threaded_desk
    wait_idle(qtbot, controller, runner)
    window = controller.main_window
    for title in ("案件", "工作台", "人员档案"):
        window.show_page(title)
    window.ctx.sig_data_changed.emit()  # every built page reloads
    window.lock_action.trigger()  # 立即锁定 while those loads run
    qtbot.waitUntil(lambda: controller.main_window is None and not runner.busy, timeout=20_000)
    qtbot.wait(50)  # deferred deletions and any late deliveries
    assert controller.unlock_window is not None and controller.unlock_window.isVisible()
    assert prompter.errors == [] and raised == []
    qtbot.waitUntil(lambda: controller.unlock_window.unlock_button.isEnabled(), timeout=10_000)
    unlock_with(controller, PASSWORD)
    qtbot.waitUntil(lambda: controller.main_window is not None and not runner.busy, timeout=20_000)
    assert prompter.errors == [] and raised == []


def test_a_late_load_of_the_case_shown_before_is_dropped(qtbot, threaded_desk, prompter, raised):
    """The case view is reused from case to case: what arrives for the previous one must not show."""
    controller, runner = threaded_desk
    window, rows = case_rows(qtbot, controller, runner)
    first, second = rows[0], rows[1]
    view = window.open_case(first.case_id)
    window.back_from_case()  # before the first case's load is back
    assert window.open_case(second.case_id) is view
    qtbot.waitUntil(lambda: not runner.busy and view.data is not None, timeout=20_000)
    qtbot.wait(20)  # the tabs beside the step
    assert view.data.shown["number"] == second.number and view.title.text().startswith(second.number)
    assert prompter.errors == [] and raised == []


def test_a_dialog_cannot_be_closed_while_it_saves(qtbot, threaded_desk, prompter, raised):
    """Esc or 取消 right after 保存: the dialog stays until the write is back, so the case view shows it
    (closed at once, the result would have no one to arrive at)."""
    controller, runner = threaded_desk
    window, rows = case_rows(qtbot, controller, runner)
    row = next(r for r in rows if r.step == "disposition")
    view = window.open_case(row.case_id)
    qtbot.waitUntil(lambda: not runner.busy and view.data is not None, timeout=20_000)
    studies = len(view.data.details.studies)
    dialog = view.open_study()
    dialog.attendees.set_value(["张书记", "李委员", "王委员"])
    dialog.conclusion.set_value("同意初步核实。")
    dialog.ok_button.click()
    dialog.reject()  # pressed while the save runs
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not runner.busy and len(view.data.details.studies) == studies + 1, timeout=20_000)
    qtbot.waitUntil(lambda: not isValid(dialog), timeout=3000)  # closed once saved, then deleted
    assert prompter.errors == [] and raised == []
