"""Issue 19, the GUI: 办案 → 导入原有台账… and 人员档案 → 导入人员名单…, driven through the wizard's own
buttons on real .xlsx files and the real store — mapping, preview buckets, a cancel that leaves the
store as it was, re-reading a fixed file, the commit, and what the archive then holds."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from ui_support import PASSWORD, screenshot, type_text

from app.services import archive, cases
from app.ui.import_wizard import LEDGER, NOT_IMPORTED, ImportWizard

LEDGER_TOP = ["线索编号", "收件日期", "线索来源", "被反映人", None, "反映内容", "办理情况", None, "备注", "经办人"]
LEDGER_SUB = [None, None, None, "姓名", "单位及职务", None, "处置方式", "办理结果", None, None]


def ledger_rows(bad_date: str) -> list[list]:
    return [
        ["青石纪线〔2025〕1号", "2025-03-05", "来信", "王建国", "青石村党支部书记", "优亲厚友评定低保", "初步核实", "", "", "李专干"],
        ["青石纪线〔2025〕2号", "2025/4/1", "来访", "李明", "白沙村会计", "侵占村集体资金", "谈话函询", "", "", ""],
        [None] * 10,
        ["青石纪线〔2025〕3号", "2025年6月1日", "12388电话", "赵六", "河口村村委会主任", "吃拿卡要", "初步核实", "", "", ""],
        ["青石纪线〔2025〕1号", "2025-03-05", "来信", "王建国", "青石村党支部书记", "优亲厚友评定低保", "初步核实", "", "", ""],
        ["青石纪线〔2025〕5号", bad_date, "来信", "钱七", "青石镇财政所工作人员", "违规收受礼金", "暂存待查", "", "待补充材料", ""],
        ["合计", "5件"] + [None] * 8,
    ]


def ledger_xlsx(path: Path, bad_date: str = "2025-13-40") -> Path:
    """A title row, a two-row header with merged group cells, a blank row, a row repeating row 4,
    a date that cannot be read (row 9) and a 合计 row; the summary column has a header no office
    convention names (反映内容), so the user maps it by hand."""
    book = Workbook()
    sheet = book.active
    sheet.title = "2025年台账"
    sheet.append(["青石镇纪委问题线索台账（2025年）"])
    sheet.merge_cells("A1:J1")
    sheet.append(LEDGER_TOP)
    sheet.append(LEDGER_SUB)
    for col in "ABCFIJ":
        sheet.merge_cells(f"{col}2:{col}3")
    sheet.merge_cells("D2:E2")
    sheet.merge_cells("G2:H2")
    for row in ledger_rows(bad_date):
        sheet.append(row)
    book.save(path)
    return path


def roster_xlsx(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["青石镇村（社区）干部花名册"])
    sheet.append(["姓名", "身份证号", "村（社区）", "职务", "任期", "政治面貌", "联系电话"])
    sheet.append(["王建国", "", "青石村", "党支部书记、村委会主任", "2021-2026", "中共党员", "13800000001"])
    sheet.append(["刘芳", "110101198001011234", "白沙村", "妇联主席", "2021-2026", "群众", ""])
    sheet.append(["刘芳", "110101198001011234", "白沙村", "妇联主席", "2021-2026", "群众", ""])
    sheet.append(["周强", "", "河口村", "监委会主任", "2021-2026", "中共党员", ""])
    book.save(path)
    return path


def button(widget, text: str) -> QPushButton:
    found = [b for b in widget.findChildren(QPushButton) if b.text() == text and b.isVisible()]
    assert len(found) == 1, f"one visible “{text}” button, found {len(found)}"
    return found[0]


def click(widget, text: str) -> None:
    QTest.mouseClick(button(widget, text), Qt.MouseButton.LeftButton)


def open_ledger_wizard(window) -> ImportWizard:
    work = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("办案"))
    next(a for a in work.actions() if a.text() == "导入原有台账…").trigger()
    (wizard,) = [w for w in window.findChildren(ImportWizard) if w.isVisible()]
    wizard.resize(1040, 700)  # what it opens at on a 1366×768 screen (resize_within_screen)
    return wizard


def case_numbers(store) -> list[str]:
    return sorted(row.number for row in cases.list_cases(store))


@pytest.fixture
def window(unlocked):
    window = unlocked.main_window
    window.resize(1366, 768)
    return window


def test_ledger_mapped_previewed_cancelled_fixed_and_imported(qtbot, window, prompter, tmp_path):
    store = window.ctx.store
    path = ledger_xlsx(tmp_path / "台账.xlsx")
    prompter.open_paths.append(str(path))
    wizard = open_ledger_wizard(window)
    screenshot(wizard, "import_ledger_1_file")
    click(wizard, "选择文件…")

    # mapping: the merged header read as one header per column; the summary column is not guessed
    combos = wizard.combos
    assert list(combos) == ["线索编号", "收件日期", "线索来源", "姓名", "单位及职务", "反映内容", "处置方式", "办理结果",
                            "备注", "经办人"]
    assert combos["姓名"].currentData() == "name" and combos["反映内容"].currentText() == NOT_IMPORTED
    samples = [wizard.mapping_grid.itemAtPosition(row, 1).widget().text() for row in range(1, len(combos) + 1)]
    assert samples[3] == "王建国；李明；赵六" and samples[-1] == "李专干"
    assert "表头在第3行，数据 5 行" in wizard.file_info.text()
    click(wizard, "下一步")
    assert "问题性质/主要问题" in wizard.message.text()  # a required field has no column yet
    assert wizard.stack.currentIndex() == 1
    summary = combos["反映内容"]
    QTest.mouseClick(summary, Qt.MouseButton.LeftButton)  # focused by the user: its choice may change
    summary.hidePopup()
    summary.setCurrentIndex(summary.findData("summary"))
    screenshot(wizard, "import_ledger_2_mapping")

    # the choice kept as a reusable mapping, and read back into a combo box that was changed since
    saved = tmp_path / "台账对应关系.json"
    prompter.save_paths.append(str(saved))
    click(wizard, "保存对应关系…")
    assert json.loads(saved.read_text(encoding="utf-8")) == {"kind": "ledger", "columns": wizard.mapping()}
    summary.setCurrentIndex(0)
    prompter.open_paths.append(str(saved))
    click(wizard, "载入对应关系…")
    assert summary.currentData() == "summary"

    # preview: every bucket counted and listed; an invalid date named by row and column
    click(wizard, "下一步")
    assert wizard.stack.currentIndex() == 2, wizard.message.text()
    counts = wizard.counts_label.text()
    assert "新增 3 条" in counts and "已在库中 0 条" in counts and "文件内重复 1 行" in counts and "有误 1 行" in counts
    assert "空行和合计行 2 行" in counts
    assert [wizard.tabs.tabText(i) for i in range(4)] == ["新增（3）", "已在库中（0）", "文件内重复（1）", "有误（1）"]
    assert [r.row for r in wizard.bucket_models["new"].rows] == [4, 5, 7]
    assert [(r.row, r.match) for r in wizard.bucket_models["duplicate"].rows] == [(8, "第4行")]
    (problem,) = wizard.problems_model.rows
    assert (problem.row, problem.column) == (9, "收件日期")
    assert not button(wizard, "导入").isEnabled()  # an invalid row refuses the whole commit
    screenshot(wizard, "import_ledger_3_preview_invalid")

    # a file that no longer reads (saved in the wrong format over it) leaves nothing to import
    path.write_bytes(b"not a workbook")
    click(wizard, "重新读取文件")
    assert "无法读取" in wizard.message.text() or "损坏" in wizard.message.text(), wizard.message.text()
    assert not button(wizard, "导入").isEnabled()

    # the user fixes the file and reads it again: the mapping chosen by hand is kept
    ledger_xlsx(path, bad_date="2025.7.10")
    click(wizard, "重新读取文件")
    assert "新增 4 条" in wizard.counts_label.text() and "有误 0 行" in wizard.counts_label.text()
    assert wizard.combos["反映内容"].currentData() == "summary"
    assert button(wizard, "导入").isEnabled()
    screenshot(wizard, "import_ledger_3_preview")

    # 取消导入 pressed while the commit runs: nothing written, and the wizard says so
    before = case_numbers(store)

    def cancel_once(value: int) -> None:
        if wizard.stack.currentIndex() == 3 and not wizard.cancel_event.is_set():
            screenshot(wizard, "import_ledger_4_commit")
            click(wizard, "取消导入")

    wizard.progress.valueChanged.connect(cancel_once)
    click(wizard, "导入")
    wizard.progress.valueChanged.disconnect(cancel_once)
    assert wizard.message.text() == "已取消导入，数据库未作任何改动。"
    assert wizard.stack.currentIndex() == 2
    assert case_numbers(store) == before

    # the commit: every new row a real case, counted by the step it entered at
    click(wizard, "导入")
    assert wizard.stack.currentIndex() == 4, wizard.message.text()
    assert wizard.result.imported == 4 and sum(wizard.result.by_step.values()) == 4
    assert "已从“台账.xlsx”导入 4 条线索和案件" in wizard.result_label.text()
    assert "文件内重复 1 条未导入" in wizard.result_label.text()
    assert case_numbers(store) == sorted(before + [f"青石纪线〔2025〕{n}号" for n in (1, 2, 3, 5)])
    # entered at the step each row's recorded outcome implies (处置方式 without a result: still open there)
    at_step = {row.number: (row.persons, row.step_title) for row in cases.list_cases(store)}
    assert at_step == {"青石纪线〔2025〕1号": ("王建国", "初步核实"), "青石纪线〔2025〕2号": ("李明", "谈话函询"),
                       "青石纪线〔2025〕3号": ("赵六", "初步核实"), "青石纪线〔2025〕5号": ("钱七", "暂存待查")}
    assert wizard.result.by_step == {"初步核实": 2, "谈话函询": 1, "暂存待查": 1}
    assert "初步核实 2 条" in wizard.result_label.text()
    screenshot(wizard, "import_ledger_5_result")
    click(wizard, "打开案件列表")
    assert not wizard.isVisible()
    assert window.stack.currentWidget() is window.pages["案件"]

    # the same file again: everything is already in the store, nothing to import
    prompter.open_paths.append(str(path))
    again = open_ledger_wizard(window)
    click(again, "选择文件…")
    again.combos["反映内容"].setCurrentIndex(again.combos["反映内容"].findData("summary"))
    click(again, "下一步")
    # row 8, a repeat of row 4, now matches the store too and is counted there
    assert "新增 0 条，已在库中 5 条" in again.counts_label.text()
    assert "文件中没有需要导入的新记录" in again.preview_hint.text()
    assert not button(again, "导入").isEnabled()
    click(again, "取消")
    assert not again.isVisible()


def test_unreadable_file_is_one_chinese_sentence_and_closing_writes_nothing(qtbot, window, prompter, tmp_path):
    store = window.ctx.store
    wrong = tmp_path / "台账.xls"
    wrong.write_bytes(b"\xd0\xcf\x11\xe0 not a workbook")
    wizard = open_ledger_wizard(window)
    wizard.file_edit.setFocus()
    type_text(wizard.file_edit, str(wrong))
    QTest.keyClick(wizard.file_edit, Qt.Key.Key_Return)
    assert "只能导入 .xlsx、.csv、.tsv 文件" in wizard.message.text()
    assert wizard.stack.currentIndex() == 0
    click(wizard, "取消")
    assert not wizard.isVisible() and cases.list_cases(store) == []


def test_roster_updates_the_person_already_in_the_archive(qtbot, window, prompter, tmp_path):
    store = window.ctx.store
    cases.register_clue(store, {"received_on": "2026-05-06", "source": "信访举报（来信）", "summary": "优亲厚友评定低保",
                                "persons": [{"name": "王建国", "unit": "青石村", "post": "村委会主任"}]},
                        today=date(2026, 5, 6))
    page = window.show_page("人员档案")
    QApplication.processEvents()
    screenshot(window, "import_roster_0_archive_page", window=True)
    path = roster_xlsx(tmp_path / "花名册.xlsx")
    prompter.open_paths.append(str(path))
    click(page, "导入人员名单…")
    wizard = page.findChild(ImportWizard)
    assert wizard is not None and wizard.isVisible()
    wizard.resize(1040, 700)  # what it opens at on a 1366×768 screen (resize_within_screen)
    click(wizard, "选择文件…")
    assert wizard.combos["联系电话"].currentText() == NOT_IMPORTED  # kept in the note
    click(wizard, "下一步")
    counts = wizard.counts_label.text()
    assert "新增 2 人" in counts and "将更新 1 人" in counts and "文件内重复 1 行" in counts
    (updated,) = wizard.bucket_models["known"].rows
    assert (updated.name, updated.match) == ("王建国", "王建国（青石村）")
    assert wizard.tabs.tabText(1) == "将更新（1）"
    screenshot(wizard, "import_roster_3_preview")
    click(wizard, "导入")
    assert wizard.stack.currentIndex() == 4, wizard.message.text()
    assert "新建档案 2 人，更新 1 人" in wizard.result_label.text()
    people = {(p.name, p.unit): p for p in archive.list_persons(store)}
    assert sorted(people) == [("刘芳", "白沙村"), ("周强", "河口村"), ("王建国", "青石村")]
    assert people[("王建国", "青石村")].post == "党支部书记、村委会主任"
    assert people[("刘芳", "白沙村")].id_number == "110101198001011234"
    click(wizard, "打开人员档案")
    assert not wizard.isVisible()
    QApplication.processEvents()
    assert page.model.rowCount() == 3


def test_every_step_fits_1366x768_at_150_percent(qtbot, window, prompter, tmp_path):
    """910×512 logical pixels (see test_scaling_layout.py): no horizontal scroll bar, nothing squeezed,
    with the longest messages of each step shown."""
    from test_scaling_layout import SCREEN, problems, settle

    path = ledger_xlsx(tmp_path / "台账.xlsx")
    wizard = open_ledger_wizard(window)
    wizard.resize(*SCREEN)
    failures: list[str] = []

    def look(name: str) -> None:
        settle()
        failures.extend(f"{name}: {p}" for p in problems(wizard))
        screenshot(wizard, f"import_150_{name}")

    look("file")
    prompter.open_paths.append(str(path))
    click(wizard, "选择文件…")
    click(wizard, "下一步")  # the required-field message shown under the columns
    look("mapping")
    wizard.combos["反映内容"].setCurrentIndex(wizard.combos["反映内容"].findData("summary"))
    click(wizard, "下一步")
    look("preview_invalid")
    ledger_xlsx(path, bad_date="2025.7.10")
    click(wizard, "重新读取文件")
    look("preview")
    click(wizard, "导入")
    look("result")
    assert failures == []


def test_the_wheel_over_a_mapping_combo_box_changes_nothing_until_it_is_focused(qtbot, window, prompter, tmp_path):
    """Scrolling down a long list of columns must not re-map the column the pointer passes over."""
    from test_wheel_guard import wheel_down

    from app.ui import wheel_guard

    guard = wheel_guard.install(QApplication.instance())
    try:
        prompter.open_paths.append(str(ledger_xlsx(tmp_path / "台账.xlsx")))
        wizard = open_ledger_wizard(window)
        click(wizard, "选择文件…")
        wizard.activateWindow()
        qtbot.waitUntil(wizard.isActiveWindow)
        combo = wizard.combos["处置方式"]
        other = wizard.combos["线索编号"]
        # the boxes were made in an open window: the guard takes them in hand at its next repaint
        qtbot.waitUntil(lambda: bool(combo.property(wheel_guard.GUARDING) and other.property(wheel_guard.GUARDING)))
        other.setFocus(Qt.FocusReason.TabFocusReason)  # the user is on another row
        qtbot.waitUntil(other.hasFocus)
        wheel_down(combo)
        assert combo.currentData() == "disposition" and other.currentData() == "number"
        combo.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(combo.hasFocus)
        wheel_down(combo)
        assert combo.currentData() != "disposition"
    finally:
        guard.unfollow(QApplication.instance())
        guard.deleteLater()


def test_on_the_worker_thread_the_preview_reports_progress_and_the_wizard_stays_usable(qtbot, window, prompter, tmp_path):
    """The app's own runner (not the synchronous one of these tests): reading and previewing 1,200
    rows run off the GUI thread, their progress reaches the bar, and the result arrives."""
    from app.ui.session import SessionContext
    from app.ui.tasks import TaskRunner

    book = Workbook()
    sheet = book.active
    sheet.append(["线索编号", "收件日期", "线索来源", "被反映人", "单位及职务", "主要问题", "处置方式"])
    for n in range(1, 1201):
        sheet.append([f"青石纪线〔2024〕{n}号", "2024-05-06", "来信", f"张{n}", "青石村村委会委员", f"反映问题{n}", "初步核实"])
    path = tmp_path / "大台账.xlsx"
    book.save(path)
    runner = TaskRunner()
    ctx = SessionContext(window.ctx.store, runner, prompter)
    wizard = ImportWizard(ctx, LEDGER, window)
    qtbot.addWidget(wizard)
    wizard.show()
    seen: list[int] = []
    wizard.progress.valueChanged.connect(seen.append)
    wizard.file_edit.setText(str(path))
    click(wizard, "下一步")
    # the result comes back through the event loop: until then the wizard waits, not the GUI thread
    assert wizard.busy and not wizard.next_button.isEnabled() and wizard.progress.isVisible()
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == 1 and not wizard.busy, timeout=20_000)
    click(wizard, "下一步")
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == 2 and not wizard.busy, timeout=20_000)
    assert "新增 1200 条" in wizard.counts_label.text(), wizard.message.text()
    assert 200 in seen and seen[-1] == 1200  # reported every 200 rows, then done
    assert not wizard.progress.isVisible()
    runner.wait()


def test_a_staff_account_imports_the_ledger_but_not_its_reporters(qtbot, paths, recovery_code, prompter, tmp_path):
    """Registering clues is 工作人员's work, so importing them is too (audited under their name);
    the reporter's identity is not: a 反映人 column is refused for them, with nothing written."""
    from app.services import accounts, unlock
    from app.ui.session import SessionContext
    from app.ui.tasks import TaskRunner

    admin = unlock.unlock(paths, None, PASSWORD).store
    accounts.add_account(admin, "李专干", "staff", "lizhuangan1")
    admin.close()
    staff = unlock.unlock(paths, "李专干", "lizhuangan1").store
    try:
        book = Workbook()
        sheet = book.active
        sheet.append(["线索编号", "收件日期", "线索来源", "反映人", "被反映人", "单位及职务", "主要问题", "处置方式"])
        sheet.append(["红星纪线〔2025〕1号", "2025-03-05", "来信", "陈实名", "王建国", "青石村党支部书记", "优亲厚友", "初步核实"])
        path = tmp_path / "台账.xlsx"
        book.save(path)
        wizard = ImportWizard(SessionContext(staff, TaskRunner(sync=True), prompter), LEDGER)
        qtbot.addWidget(wizard)
        wizard.show()
        assert any("只有书记/管理员能导入" in label.text() for label in wizard.findChildren(QLabel))
        prompter.open_paths.append(str(path))
        click(wizard, "选择文件…")
        assert wizard.combos["反映人"].currentData() == "reporter"
        click(wizard, "下一步")
        assert "书记/管理员" in wizard.message.text() and wizard.stack.currentIndex() == 1
        assert cases.list_cases(staff) == []

        # without the column (the administrator imports the reporters later): imported by the staff account
        sheet.delete_cols(4)
        book.save(path)
        click(wizard, "上一步")
        click(wizard, "下一步")
        click(wizard, "下一步")
        click(wizard, "导入")
        assert wizard.stack.currentIndex() == 4, wizard.message.text()
        assert [r.number for r in cases.list_cases(staff)] == ["红星纪线〔2025〕1号"]
    finally:
        staff.close()
