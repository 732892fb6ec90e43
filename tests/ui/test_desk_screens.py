"""The secretary's desk on a store with realistic cases: every screen rendered at 1366×768 and
1920×1080, rows that open their cases, search and filters, the archive's marks, reporter identity,
drafts across auto-lock, unsaved edits, extensions, sanctions, documents, holiday tables."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea
from sqlmodel import select
from ui_support import PASSWORD, SCREENS, type_text, unlock_with

from desk_support import STAFF, STAFF_PASSWORD
from app.models import AuditEvent, Sanction
from app.services import cases, documents, search
from app.ui.case_models import CaseColumn

SIZES = ((1366, 768), (1920, 1080))


def settle(widget, size=None) -> None:
    if size is not None:
        widget.resize(*size)
    for _ in range(3):
        QApplication.processEvents()


def shoot(widget, name: str, size=None) -> None:
    """A window at `size` (the name says which), or a dialog at the size it asks for."""
    if size is None:
        widget.adjustSize()
    settle(widget, size)
    SCREENS.mkdir(parents=True, exist_ok=True)
    suffix = f"-{size[0]}x{size[1]}" if size else ""
    assert widget.grab().save(str(SCREENS / f"{name}{suffix}.png"))


def find_case(window, predicate) -> str:
    page = window.pages["案件"]
    if page.stale:
        page.refresh()
    rows = [page.model.all_rows[i] for i in range(page.model.total)]
    return next(r.case_id for r in rows if predicate(r))


def open_case(window, predicate):
    view = window.open_case(find_case(window, predicate))
    assert view is not None and view.data is not None
    QApplication.processEvents()  # the tabs beside the step are drawn in the next turn of the event loop
    return view


def test_every_screen_at_both_sizes(qtbot, desk):
    window = desk.main_window
    for size in SIZES:
        for title, name in (("工作台", "desk-home"), ("案件", "desk-cases"), ("登记线索", "desk-register"),
                            ("人员档案", "desk-archive"), ("设置", "desk-settings")):
            window.show_page(title)
            shoot(window, name, size)
        settings = window.pages["设置"]
        settings.findChild(QScrollArea).ensureWidgetVisible(settings.holiday_table)
        shoot(window, "desk-settings-holidays", size)
        view = open_case(window, lambda r: r.step == "county_review")
        shoot(window, "desk-case-guidance", size)
        view.tabs.setCurrentIndex(1)
        shoot(window, "desk-case-info", size)
        view.tabs.setCurrentIndex(2)
        shoot(window, "desk-case-history", size)
        view.tabs.setCurrentIndex(0)
        settle(window)
        view.scroll.ensureWidgetVisible(view.decision_reasons["convert_to_consult"])
        shoot(window, "desk-case-decisions", size)
    for make, name in ((view.open_study, "dialog-study"), (lambda: view.open_decision("to_branch"), "dialog-decision")):
        dialog = make()
        shoot(dialog, name)
        dialog.reject()
    view = open_case(window, lambda r: r.step == "disposition")
    dialog = view.open_decision("to_prelim")
    shoot(dialog, "dialog-decision-approval")
    dialog.reject()
    view = open_case(window, lambda r: r.step == "intake_register" and r.source == "上级交办")
    dialog = view.open_extension("assigned_case")
    shoot(dialog, "dialog-extension")
    dialog.reject()
    dialog = view.open_reporter()
    shoot(dialog, "dialog-reporter")
    dialog.reject()
    settings = window.show_page("设置")
    dialog = settings.open_holidays(None, editable=True)
    shoot(dialog, "dialog-holidays")
    dialog.reject()
    assert (SCREENS / "desk-home-1920x1080.png").is_file()


def test_home_lists_every_case_waiting_most_urgent_first_and_rows_open_cases(qtbot, desk):
    window = desk.main_window
    home = window.pages["工作台"]
    assert window.stack.currentWidget() is home
    counts = home.row_count()
    assert counts["county"] == 1 and counts["shelved"] == 2 and counts["effects"] == 1
    rows = [home.todo.model.row_at(r) for r in range(counts["todo"])]
    open_cases = [r for r in search.case_list(desk.store) if not r.step.startswith("archive")
                  and r.step not in ("county_review", "shelved")]
    assert {r.case_id for r in rows} >= {r.case_id for r in open_cases} and len(rows) >= 5
    waiting = {r.waiting_for for r in rows}
    assert {"待受理：决定是否受理", "待作出处置决定"} <= waiting
    dated = [r.due for r in rows if r.due]
    assert dated == sorted(dated) and all(r.due is None for r in rows[len(dated):])  # undated last
    assert rows[0].state == "overdue" and home.overdue_banner.isVisible()
    cell = home.todo.model.index(0, 5)
    assert home.todo.model.data(cell, Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    assert f"等待本单位办理 {len(rows)} 件" in home.summary.text()
    # shipped holiday tables end in 2026 and these deadlines run into the next year
    years = {d.due.year for d in home.desk.todo if d.due} | {s.review_due.year for s in home.desk.shelved}
    if any(y > 2026 for y in years):
        assert home.holiday_warning.isVisible() and "节假日数据" in home.holiday_warning.text()
    effect = home.effects.model.row_at(0)
    assert effect.sanction == "警告" and 0 <= effect.days_left <= 30

    # Enter on a 待办 row opens its case
    home.todo.table.setFocus()
    home.todo.table.selectRow(1)
    qtbot.keyClick(home.todo.table, Qt.Key.Key_Return)
    view = window.case_view
    assert view is not None and view.case_id == rows[1].case_id
    view.back_button.click()
    assert window.case_view is None and window.stack.currentWidget() is home

    home.county.table.selectRow(0)
    home.county.table.activated.emit(home.county.model.index(0, 0))
    view = window.case_view
    assert view is not None and view.data.shown["step"]["id"] == "county_review"
    assert "乡案县审" in view.stage_bar.texts()[4] or view.stage_bar.texts()[4].startswith("审理")
    view.back_button.click()
    assert window.case_view is None and window.stack.currentWidget() is home


def test_a_registered_clue_opens_as_a_case_and_waits_on_the_desk(qtbot, desk):
    window = desk.main_window
    page = window.show_page("登记线索")
    page.editors["source"].set_value("信访举报（来信）")
    page.editors["reporter_real_name"].set_value(False)
    type_text(page.picker.name, "孙新来")
    type_text(page.picker.unit, "河口村村民委员会")
    page.picker.add_button.click()
    type_text(page.editors["summary"].edit, "反映孙新来在惠农补贴发放中吃拿卡要")
    page.submit_button.click()
    view = window.case_view
    assert view is not None and window.stack.currentWidget() is view and view.case_id == page.last_case_id
    assert view.data.shown["step"]["id"] == "intake_register" and "孙新来" in view.title.text()
    view.back_button.click()
    assert window.stack.currentWidget() is page and page.result.isVisible()
    assert page.result.text().startswith("已登记线索 红星纪线〔")
    home = window.show_page("工作台")
    [row] = [home.todo.model.row_at(r) for r in range(home.todo.model.rowCount())
             if home.todo.model.row_at(r).case_id == page.last_case_id]
    assert (row.waiting_for, len(row.open_items), row.persons) == ("待受理：决定是否受理", 3, ("孙新来",))


def test_case_list_search_filters_sort_and_keyboard(qtbot, desk):
    window = desk.main_window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    page = window.pages["案件"]
    assert window.stack.currentWidget() is page and page.search.hasFocus()
    total = page.model.total
    assert total == len(search.case_list(desk.store)) >= 14
    assert page.count.text() == f"共 {total} 件"
    target = page.model.all_rows[0]
    surname = target.persons[0]
    type_text(page.search, surname)
    qtbot.waitUntil(lambda: page.model.rowCount() < total, timeout=2000)  # the search runs after a short pause
    assert all(surname in "".join(page.model.row_at(r).persons) or surname in page.model.row_at(r).number
               for r in range(page.model.rowCount()))
    page.search.clear()
    page.apply_search()
    assert page.model.rowCount() == total

    page.due.setCurrentIndex(page.due.findData("overdue"))
    assert page.model.rowCount() >= 1
    assert all(page.model.row_at(r).due_state == "overdue" for r in range(page.model.rowCount()))
    page.clear_filters()
    page.stage.setCurrentIndex(page.stage.findData("shelved"))
    assert {page.model.row_at(r).step for r in range(page.model.rowCount())} == {"shelved"}
    page.clear_filters()
    page.search.setText("没有这个人")
    page.apply_search()
    assert page.model.rowCount() == 0 and page.stack.currentWidget() is page.empty
    assert "没有符合条件的案件" in page.empty.label.text()
    page.empty.button.click()
    assert page.model.rowCount() == total and page.search.text() == ""

    page.table.sortByColumn(CaseColumn.DUE_STATE, Qt.SortOrder.AscendingOrder)
    assert page.model.row_at(0).due_state == "overdue"
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert window.case_view is not None and window.case_view.case_id == page.model.case_id_at(0)

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.case_view is None and window.stack.currentWidget() is window.pages["登记线索"]


def test_archive_marks_effect_periods_and_opens_cases(qtbot, desk):
    window = desk.main_window
    page = window.show_page("人员档案")
    marked = [r for r in range(page.model.rowCount()) if page.model.row_at(r).in_effect]
    assert len(marked) >= 2
    row = marked[0]
    assert page.model.data(page.model.index(row, 0)).endswith("【影响期内】")
    page.table.selectRow(row)
    assert page.person_title.text().endswith("【影响期内】")
    assert "处分影响期内" in page.person_flags.text()
    assert page.sanctions_model.rowCount() >= 1 and page.sanctions_model.row_at(0).in_effect
    page.kind.setCurrentIndex(page.kind.findData("effect"))
    assert page.model.rowCount() == len(marked)
    page.cases_table.activated.emit(page.cases_model.index(0, 0))
    view = window.case_view
    name = page.model.row_at(0).name if window.case_view is None else None
    assert view is not None and name is None
    assert "【影响期内】" in view.title.text()

    # the same person is marked in the case list too
    cases_page = window.show_page("案件")
    flagged = [cases_page.model.row_at(r) for r in range(cases_page.model.rowCount())
               if cases_page.model.row_at(r).persons_in_effect]
    assert flagged and all("【影响期内】" in cases_page.model.data(cases_page.model.index(
        cases_page.model.visible.index(cases_page.model.positions[r.case_id]), CaseColumn.PERSONS)) for r in flagged)


def test_register_warns_about_a_person_already_in_the_archive(qtbot, desk):
    window = desk.main_window
    page = window.show_page("登记线索")
    marked = next(r for r in window.show_page("人员档案").all_rows if r.in_effect)
    window.show_page("登记线索")
    picker = page.picker
    assert marked.name in "".join(picker.completer_model.stringList())
    picker.choose_known(next(k for k in picker.registry if k.startswith(marked.name)))
    assert picker.unit.text() == marked.unit
    assert picker.preview_label.isVisible()
    assert "多次被反映" in picker.preview_label.text() and "处分影响期内" in picker.preview_label.text()
    picker.add_button.click()
    assert "⚠" in picker.list.item(0).text()
    type_text(picker.name, marked.name)  # the name alone, without the unit: the namesake is pointed out
    picker.update_preview()
    assert f"人员档案中有同名人员：{marked.name}（{marked.unit}" in picker.preview_label.text()
    shoot(window, "desk-register-warning", SIZES[0])


def test_staff_never_sees_reporter_identity(qtbot, make_controller, desk_paths):
    controller = make_controller(at=desk_paths)
    controller.start()
    window = unlock_with(controller, STAFF_PASSWORD, STAFF)
    page = window.pages["登记线索"]
    assert all(not e.isEnabled() and "＊＊＊" in e.text() for e in page.reporter.values())
    view = open_case(window, lambda r: True)
    # the only way to the identity is an administrator's confirmation (tests/ui/test_reporter_screens.py)
    shown = view.findChild(QPushButton, "show_reporter")
    assert shown is None or shown.text() == "请书记/管理员确认后查看…"
    from app.services import reporters

    with pytest.raises(Exception) as refused:
        reporters.reveal(controller.store, view.data.details.clue_id)
    assert "只有书记/管理员" in str(refused.value)


def test_admin_view_of_reporter_is_audited(qtbot, desk):
    window = desk.main_window
    store = desk.store
    real = [r for r in search.case_list(store)]
    view = None
    for row in real:
        view = window.open_case(row.case_id)
        if view.data.details.reporter_recorded:
            break
    assert view.data.details.reporter_recorded
    with store.read() as s:
        before = len(s.exec(select(AuditEvent).where(AuditEvent.action == "view_reporter")).all())
    dialog = view.open_reporter()
    assert dialog.edits["name"].text() and "＊" not in dialog.edits["name"].text()
    dialog.reject()
    with store.read() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "view_reporter")).all()
    assert len(events) == before + 1
    assert events[-1].entity == f"clue:{view.data.details.clue_id}" and dialog.edits["name"].text() not in events[-1].summary
    view.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: view.history_model.data(view.history_model.index(0, 2)) == "查看举报人信息", timeout=3000)


def test_drafts_survive_auto_lock_and_come_back(qtbot, desk):
    window = desk.main_window
    page = window.show_page("登记线索")
    type_text(page.editors["summary"].edit, "反映某村会计挪用集体资金")
    type_text(page.picker.name, "周会计")
    page.reporter["phone"].setText("13800002222")
    window.show_page("案件")  # the case is opened from the list, where the window comes back to
    view = open_case(window, lambda r: r.step == "form1_measure")
    case_id = view.case_id
    editor = view.editors["executed_by"]
    editor.set_value(None)
    type_text(editor.edit, "已按规定办理")
    assert view.dirty
    store = desk.store

    desk.on_idle()  # what the idle timer does
    assert desk.state == "locked" and store.master_key == b""
    window = unlock_with(desk, PASSWORD)
    view = window.case_view
    assert view is not None and view.case_id == case_id and view.dirty
    assert editor.field.id in view.changed_values()["values"]
    assert "已按规定办理" in str(view.changed_values()["values"][editor.field.id])
    # pages are built when first opened; a draft of one not opened since is kept across the next lock too
    assert "登记线索" not in window.pages.built
    desk.on_idle()
    window = unlock_with(desk, PASSWORD)
    assert "登记线索" not in window.pages.built and window.case_view is not None
    page = window.pages["登记线索"]
    assert page.editors["summary"].value() == "反映某村会计挪用集体资金"
    assert page.picker.current()["name"] == "周会计" and page.reporter["phone"].text() == "13800002222"
    assert page.message.text() == "已恢复锁定前未登记的内容。"
    # nothing of it was written to the store
    assert cases.show_case(desk.store, case_id)["fields"].get("form1_measure.executed_by") != "已按规定办理"


def test_leaving_a_case_with_unsaved_edits_asks_first(qtbot, desk, prompter):
    window = desk.main_window
    view = open_case(window, lambda r: r.step == "form1_measure")
    editor = view.editors["executed_by"]
    editor.set_value(None)
    type_text(editor.edit, "王委员")
    prompter.choice_answers.append(2)  # 取消
    view.back_button.click()
    assert prompter.choices[-1][1] == ("保存", "放弃修改", "取消") and window.case_view is view
    prompter.choice_answers.append(2)
    window.nav.setCurrentRow(window.titles.index("设置"))  # another area: asked, 取消 stays in the case
    assert len(prompter.choices) == 2
    # the highlight stays on the list the case came from
    assert window.case_view is view and window.stack.currentWidget() is view and window.nav.currentRow() == window.return_row
    prompter.choice_answers.append(0)  # 保存
    view.back_button.click()
    assert window.case_view is None
    assert cases.show_case(desk.store, view.case_id)["fields"]["form1_measure.executed_by"] == "王委员"


def test_extension_from_a_deadline_chip(qtbot, desk):
    window = desk.main_window
    view = open_case(window, lambda r: r.step == "intake_register" and r.source == "上级交办")
    chip = view.chips["assigned_case"]
    assert chip.extendable and "上级交办件3个月内办结" in chip.text()
    due_before = chip.deadline["due"]
    chip.click()
    dialog = view.dialog
    dialog.submit()
    assert dialog.form.error("approved_by") == "请填写批准人姓名。" and dialog.isVisible()
    dialog.approved_by.setText("张书记")
    type_text(dialog.reason.edit, "涉及多个村组，需调取三年账目")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    deadline = next(d for d in cases.show_case(desk.store, view.case_id)["deadlines"] if d["id"] == "assigned_case")
    assert deadline["extended"] and deadline["due"] > due_before
    assert "（已延长）" in view.chips["assigned_case"].text()
    # a 交办 ([J] 第二十一条) is no 转办: no 5-working-day rule; the deadlines beside it have no extension
    assert "register_passed_down" not in view.chips
    assert not any(chip.extendable for key, chip in view.chips.items() if key != "assigned_case")


def test_sanction_recorded_where_the_step_allows(qtbot, desk):
    window = desk.main_window
    view = open_case(window, lambda r: r.step == "form1_measure")
    assert not view.decision_buttons["done"].isEnabled()
    choice = view.sanction_choice
    choice.setCurrentIndex(next(i for i in range(choice.count()) if "提醒谈话" in choice.itemText(i)))
    view.findChild(QPushButton, "record_sanction").click()
    assert view.data.details.proposed_sanctions == (choice.itemData(choice.currentIndex()),) or view.data.details.proposed_sanctions
    with desk.store.read() as s:
        rows = s.exec(select(Sanction).where(Sanction.case_id == view.case_id)).all()
    assert len(rows) == 1 and rows[0].decided_on is None and rows[0].form == 1


def test_document_generated_from_the_step(qtbot, desk):
    window = desk.main_window
    view = open_case(window, lambda r: r.step == "county_review")
    template = view.step.documents[0].template
    view.document_buttons[template].click()
    assert "已生成《" in view.notice.text(), view.refusal.text()
    rows = [d for d in documents.list_documents(desk.store, view.case_id) if d.template_id == template]
    assert len(rows) == 1 and rows[0].version == 1
    assert view.document_buttons[template].text() == "重新生成"
    opened = []
    view.open_external = lambda path: opened.append(path) or True
    view.findChild(QPushButton, f"open_{template}").click()
    assert opened and opened[0].suffix == ".docx" and opened[0].is_file()
    opened[0].write_bytes(opened[0].read_bytes())  # saved unchanged: nothing to offer
    view.offer_edited_versions()
    assert len([d for d in documents.list_documents(desk.store, view.case_id) if d.template_id == template]) == 1
    # 作废: cancelled, nothing changes; with a reason, every version is marked and the number stays used
    void = view.findChild(QPushButton, f"void_{template}")
    void.click()
    assert not any(d.voided for d in documents.list_documents(desk.store, view.case_id))
    desk.prompter.texts.append("文号录入错误")
    view.findChild(QPushButton, f"void_{template}").click()
    rows = [d for d in documents.list_documents(desk.store, view.case_id) if d.template_id == template]
    assert [(d.voided, d.void_reason) for d in rows] == [(True, "文号录入错误")]
    assert "已作废" in view.notice.text() and view.document_buttons[template].text() == "生成"
    states = [w.text() for w in view.findChildren(QLabel, f"document_state_{template}")]
    assert any("已作废" in t for t in states), states


def test_holiday_year_typed_in_by_the_administrator(qtbot, desk, prompter):
    window = desk.main_window
    page = window.show_page("设置")
    year = date.today().year + 1
    dialog = page.open_holidays(None, editable=True)
    dialog.year.setValue(year)
    dialog.holidays.setPlainText(f"{year}-01-01 元旦\n{year}-13-01 春节")
    dialog.save()
    assert "第2行" in dialog.form.error("holidays") and dialog.isVisible()
    first = date(year, 1, 1)
    saturday = first + timedelta(days=(5 - first.weekday()) % 7 + 7)
    dialog.holidays.setPlainText(f"{year}-01-01 元旦\n{year}-10-01~{year}-10-07 国庆节")
    dialog.workdays.setPlainText(saturday.isoformat())
    dialog.save()
    assert not dialog.isVisible()
    assert prompter.infos[-1].startswith(f"已保存{year}年节假日表（放假8天")
    assert page.holiday_model.row_at(0).year == year and page.holiday_model.row_at(0).origin == "本单位录入"
    home = window.show_page("工作台")
    assert year not in home.desk.missing_holiday_years


def test_staff_cannot_enter_holidays(qtbot, make_controller, desk_paths):
    controller = make_controller(at=desk_paths)
    controller.start()
    window = unlock_with(controller, STAFF_PASSWORD, STAFF)
    page = window.show_page("设置")
    assert not page.enter_button.isVisible() and not page.enter_button.isVisibleTo(page)
    dialog = page.open_holidays(2026)
    assert dialog.holidays.isReadOnly() and "元旦" in dialog.holidays.toPlainText() and not dialog.save_button.isVisibleTo(dialog)


def test_empty_store_says_what_to_do(qtbot, unlocked):
    window = unlocked.main_window
    home = window.pages["工作台"]
    assert home.todo.empty.isVisible() and not home.todo.table.isVisible()
    assert home.todo.empty.text().startswith("没有等待本单位办理的案件。") and "Ctrl+N" in home.todo.empty.text()
    cases_page = window.show_page("案件")
    assert cases_page.stack.currentWidget() is cases_page.empty
    assert cases_page.empty.label.text().startswith("还没有案件")
    cases_page.empty.button.click()
    assert window.stack.currentWidget() is window.pages["登记线索"]
    archive = window.show_page("人员档案")
    assert archive.list_stack.currentWidget() is archive.empty
    for size in SIZES:
        window.show_page("工作台")
        shoot(window, "desk-home-empty", size)
        window.show_page("案件")
        shoot(window, "desk-cases-empty", size)
