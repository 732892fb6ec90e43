"""What a staff account's screens hold of a reporter: nothing. A clue registered by the administrator
with marker strings as the reporter's identity is opened by the staff account; every text of every
widget (labels, fields, buttons, lists, tables, all model data) of the case screen and the
registration screen is searched for the markers, and the screens are saved as PNGs to look at.
The same search finds the markers in the administrator's reporter dialog: it can fail."""

from __future__ import annotations

from datetime import date

from desk_support import STAFF, STAFF_PASSWORD
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from ui_support import PASSWORD, screenshot, unlock_with

from app.services import cases, unlock
from app.ui.case_dialogs import ReporterDialog

REPORTER = {"name": "举报人标记乙QX", "phone": "17700067890", "id_number": "11010519491231005X", "address": "标记街QX7号",
            "real_name": True}
MARKERS = [REPORTER[k] for k in ("name", "phone", "id_number", "address")]
ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.UserRole)


def columns(model) -> int:
    try:
        return max(model.columnCount(QModelIndex()), 1)
    except TypeError:  # a list widget's own model keeps columnCount private: one column
        return 1


def widget_texts(root: QWidget) -> list[str]:
    """Every text a widget tree shows or holds, including the data behind every list and table."""
    texts = []
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, QLabel | QAbstractButton | QLineEdit):
            texts.append(w.text())
        if isinstance(w, QPlainTextEdit | QTextEdit):
            texts.append(w.toPlainText())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        texts += [w.toolTip(), w.windowTitle(), w.accessibleName()]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            for row in range(model.rowCount(QModelIndex())):
                for col in range(columns(model)):
                    index = model.index(row, col)
                    texts += [str(model.data(index, role)) for role in ROLES]
    return texts


def leaks(root: QWidget) -> list[str]:
    return sorted({m for m in MARKERS for t in widget_texts(root) if m in t})


def test_staff_screens_hold_no_reporter_identity(qtbot, make_controller, desk_paths, prompter):
    store = unlock.unlock(desk_paths, None, PASSWORD).store
    try:
        case_id = cases.register_clue(store, {"received_on": date.today().isoformat(), "source": "信访举报（来信）",
                                              "persons": [{"name": "被反映人标记丁"}], "summary": "反映被反映人标记丁违规收受礼金",
                                              "reporter": REPORTER}).case_id
    finally:
        store.close()

    staff = make_controller(at=desk_paths)
    staff.start()
    window = unlock_with(staff, STAFF_PASSWORD, STAFF)
    assert window is not None and not staff.store.account.is_admin
    view = window.open_case(case_id)
    assert view is not None and view.data is not None and "被反映人标记丁" in " ".join(widget_texts(view))
    tabs = view.findChild(QTabWidget)
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "线索和人员"))
    # the reporter row is there, masked (the tab is filled in the event-loop turn after the step)
    qtbot.waitUntil(lambda: "＊＊＊" in " ".join(widget_texts(tabs.currentWidget())), timeout=3000)
    screenshot(window, "staff-case-reporter-masked", window=True)
    assert leaks(window) == []
    window.show_page("登记线索")
    screenshot(window, "staff-register-reporter-masked", window=True)
    assert leaks(window) == []
    window.show_page("案件")
    assert leaks(window) == []

    # with an administrator's confirmation (their own password) the staff account sees it, read-only
    view = window.open_case(case_id)
    prompter.passwords.clear()
    view.open_reporter()  # the administrator does not type a password: nothing is shown
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, ReporterDialog) and w.isVisible()]
    prompter.passwords.append(PASSWORD)
    view.open_reporter()
    qtbot.waitUntil(lambda: isinstance(view.dialog, ReporterDialog) and view.dialog.isVisible(), timeout=5000)
    shown = view.dialog
    assert leaks(shown) == sorted(MARKERS)
    assert all(edit.isReadOnly() for edit in shown.edits.values()) and not shown.ok_button.isVisible()
    shown.close()
    staff.lock()

    # the control: the administrator's reporter dialog shows them, and the same search finds them
    admin = make_controller(at=desk_paths)
    admin.start()
    admin_window = unlock_with(admin, PASSWORD)
    dialog = admin_window.open_case(case_id).open_reporter()
    assert leaks(dialog) == sorted(MARKERS)
    dialog.close()
