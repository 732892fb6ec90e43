"""The smallest screen the app must serve: 1366×768 at 150 % scaling, which layouts see as 910×512
logical pixels. Every page of the main window (township and county, practice mode too), the
dialogs, the set-up wizard and the unlock screen fit it without a horizontal scroll bar, no
window asks for more than it, and no input is squeezed below its height, with messages shown too.

Run in this process at scale factor 1 with the windows sized to 910×512: QT_SCALE_FACTOR (like
Windows' or GNOME's 150 %) multiplies device pixels only; the logical pixels and font metrics that
layouts compute with are those of factor 1 (the app's 9 pt font is 14 px high at 1 and at 1.5),
so no larger font is needed to be equivalent, and a subprocess with the variable set would only
be slower. What does depend on the screen (how big a dialog opens) is bounded explicitly here.
"""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QTabWidget,
    QWidget,
    QWizard,
)
from ui_support import PASSWORD, unlock_with

SCREEN = (910, 512)  # 1366×768 at 150 %
# 统计 › 各乡镇 compares 18 indicators per township, sortable like a spreadsheet: it scrolls sideways
# where the screen is narrower than 18 columns, as a ledger does (the page itself does not)
WIDE_TABLES = {"township_table"}


def settle() -> None:
    for _ in range(4):
        QApplication.processEvents()


def problems(root: QWidget) -> list[str]:
    found = []
    for size, what in ((root.minimumSizeHint(), "minimumSizeHint"), (root.minimumSize(), "minimumSize")):
        if size.width() > SCREEN[0] or size.height() > SCREEN[1]:
            found.append(f"{what} {size.width()}×{size.height()} exceeds {SCREEN[0]}×{SCREEN[1]}")
    if root.width() > SCREEN[0] or root.height() > SCREEN[1]:
        found.append(f"is {root.width()}×{root.height()}")
    for area in root.findChildren(QAbstractScrollArea):
        if area.isVisible() and area.horizontalScrollBar().isVisible() and area.objectName() not in WIDE_TABLES:
            found.append(f"horizontal scroll bar on {type(area).__name__} {area.objectName()!r} "
                         f"in {type(area.parentWidget()).__name__}")
    for edit in root.findChildren(QLineEdit):
        if edit.isVisible() and not isinstance(edit.parentWidget(), (QComboBox, QAbstractSpinBox)) \
                and edit.height() < edit.sizeHint().height() - 2:
            found.append(f"line edit {edit.objectName()!r} squeezed to {edit.height()} px")
    return found


def check(root: QWidget, name: str, failures: list[str], *, window: bool = False) -> None:
    """A window at the whole screen; a dialog at the size it opens at, bounded by the screen, and
    at 2/3 of the screen's height, as high as Qt opens a dialog that sizes itself."""
    root.show()
    settle()
    sizes = [SCREEN] if window else [(min(root.width(), SCREEN[0]), min(root.height(), SCREEN[1])),
                                     (min(root.width(), SCREEN[0]), SCREEN[1] * 2 // 3)]
    for size in sizes:
        root.resize(*size)
        settle()
        failures += [f"{name} at {size[0]}×{size[1]}: {p}" for p in problems(root)]


def check_pages(window, prefix: str, failures: list[str]) -> None:
    for title in window.titles:
        page = window.show_page(title)
        check(window, f"{prefix} {title}", failures, window=True)
        for tabs in page.findChildren(QTabWidget):
            if not tabs.isVisible():
                continue
            for index in range(1, tabs.count()):
                tabs.setCurrentIndex(index)
                check(window, f"{prefix} {title} › {tabs.tabText(index)}", failures, window=True)
            tabs.setCurrentIndex(0)


def test_township_pages_dialogs_and_unlock_fit(qtbot, desk):
    from app.ui.manual_dialog import ManualDialog
    from app.ui.pages.sync_page import FingerprintDialog, OfficeDialog, OpinionDialog, TransferDialog
    from app.ui.procedure_map import ProcedureMapDialog

    failures: list[str] = []
    window = desk.main_window
    check_pages(window, "乡镇", failures)
    rows = [window.pages["案件"].model.all_rows[i] for i in range(window.pages["案件"].model.total)]

    def case(predicate):
        return window.open_case(next(r.case_id for r in rows if predicate(r)))

    view = case(lambda r: r.step == "county_review")
    dialogs = [("集体研究", view.open_study()), ("决定", view.open_decision("to_branch")),
               ("流程图", ProcedureMapDialog(view.data.rules, view.data.shown, window)), ("使用说明", ManualDialog(window))]
    view = case(lambda r: r.step == "disposition")
    dialogs.append(("决定（报批）", view.open_decision("to_prelim")))
    view = case(lambda r: r.step == "intake_register" and r.source == "上级交办")
    extension = view.open_extension("assigned_case")
    dialogs += [("延长期限", extension), ("举报人信息", view.open_reporter())]
    view.back_button.click()
    password = window.open_change_password()
    dialogs += [("节假日表", window.show_page("设置").open_holidays(None, editable=True)), ("修改密码", password),
                ("账户管理", window.open_accounts()), ("关于", window.open_about()),
                ("登记单位", OfficeDialog("county", window)),
                ("转办", TransferDialog([("T001", "青石镇纪委")], ("信访举报（来信）",), window)),
                ("核对指纹", FingerprintDialog("青石镇纪委", "58843 87351 29975 31010 39483 03155", window)),
                ("录入意见", OpinionDialog(SimpleNamespace(kind_title="审理意见", choices=["同意"], office_name="青石镇纪委",
                                                           number="红星纪立〔2026〕1号", persons="张某"), window))]
    for name, dialog in dialogs:
        check(dialog, name, failures)
        if dialog is extension:
            extension.submit()  # the messages under the fields: they push on, never squeeze them
            check(extension, "延长期限（提示）", failures)
        if dialog is password:
            password.ok_button.click()
            check(password, "修改密码（提示）", failures)
        dialog.close()
    settle()

    unlock = desk.lock()
    check(unlock, "解锁", failures, window=True)
    recover = unlock.open_recovery()
    check(recover, "恢复密钥", failures)
    recover.submit_button.click()
    check(recover, "恢复密钥（提示）", failures)
    recover.close()
    assert not failures, "\n".join(failures)


def test_county_pages_fit(qtbot, make_controller, tmp_path):
    from app.paths import store_paths
    from app.services import offices, setup

    paths = store_paths(tmp_path / "county")
    setup.create_store(paths, setup.SetupRequest("C01", "青山县纪委", "county", "李主任", PASSWORD, parent_code="S01",
                                                 office_abbr="青山", kdf_profile="fast"))
    controller = make_controller(at=paths)
    controller.start()
    window = unlock_with(controller, PASSWORD)
    offices.add_office(controller.store, "T001", "青石镇纪委", "township", abbr="青石")
    failures: list[str] = []
    check_pages(window, "县", failures)
    assert window.pages["同步"].tabs.count() == 4  # the county's variant of 同步
    assert not failures, "\n".join(failures)


def test_wizard_fits(qtbot, make_controller):
    failures: list[str] = []
    controller = make_controller()
    controller.start()
    wizard = controller.wizard
    check(wizard, "设置向导", failures)
    wizard.button(QWizard.WizardButton.NextButton).click()  # every field's message at once
    check(wizard, "设置向导（提示）", failures)
    office = wizard.office_page
    office.code.setText("HX-01")
    office.name.setText("红星镇纪委")
    office.parent_code.setText("LX")
    wizard.button(QWizard.WizardButton.NextButton).click()
    check(wizard, "设置向导 第二步", failures)
    assert not failures, "\n".join(failures)


def test_practice_pages_and_score_card_fit(qtbot, make_controller, recovery_code):
    from test_practice_ui import TRAINER, TRAINER_PASSWORD, play

    from app.services import practice, ruleset

    failures: list[str] = []
    controller = make_controller()
    controller.start()
    controller.unlock_window.mode_button.click()
    setup = controller.wizard
    check(setup, "建立练习库", failures, window=True)
    setup.account.setText(TRAINER)
    setup.password.setText(TRAINER_PASSWORD)
    setup.confirm.setText(TRAINER_PASSWORD)
    setup.create_button.click()
    window = controller.main_window
    check_pages(window, "练习", failures)
    page = window.show_page("练习")
    page.table.selectRow([r.id for r in page.model.rows].index("gift_money_warning"))
    page.name_edit.setText("王学员")
    page.start_button.click()
    check(window, "练习 办案", failures, window=True)
    store = controller.store
    scenario = practice.get_scenario(store, "gift_money_warning", ruleset.load(store))
    play(store, page.case_id, scenario.reference, "王学员")
    controller.session.sig_data_changed.emit()
    settle()
    check(page.card_dialog, "成绩单", failures)
    page.card_dialog.accept()
    assert not failures, "\n".join(failures)
