"""A new secretary's case, all through the widgets: register a clue, dispose it to 初核, complete the
verification checklist, propose 立案, watch the filing gate refuse without a collective study,
record it, file the case. The store is checked after every step."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlmodel import select
from ui_support import ADMIN, WINDOW_SIZE, screenshot, type_text

from app.models import Case, Clue, CollectiveStudy, Decision, Person, Reporter
from app.services import cases

TODAY = date.today().isoformat()


def tick_all(view, *items: str) -> None:
    for item in items:
        view.checks[item].setChecked(True)  # each tick is saved at once and the case reloads


def record_study(qtbot, view, conclusion: str) -> None:
    view.findChild(QPushButton, "record_study").click()
    dialog = view.dialog
    assert dialog.windowTitle().startswith("录入集体研究")
    assert dialog.held_on.value() == date.today().isoformat()  # proposes today (read now: a run may cross midnight)
    dialog.attendees.edit.clear()
    type_text(dialog.attendees.edit, "张书记、李副书记、王委员")
    type_text(dialog.conclusion.edit, conclusion)
    dialog.ok_button.click()
    assert not dialog.isVisible(), dialog.message.text()


def decide(view, decision_id: str, approver: str | None = None):
    button = view.decision_buttons[decision_id]
    assert button.isEnabled(), view.decision_reasons[decision_id].text()
    button.click()
    dialog = view.dialog
    if approver is not None:
        assert dialog.approver is not None
        dialog.approver.setText(approver)
    else:
        assert dialog.approver is None
    dialog.ok_button.click()
    assert view.updatesEnabled()  # held back only until the case is loaded again
    return dialog


def shown(store, case_id: str) -> dict:
    return cases.show_case(store, case_id)


def test_register_dispose_verify_and_file_through_the_widgets(qtbot, unlocked, prompter):
    window = unlocked.main_window
    store = unlocked.store

    # --- 登记线索: first the empty form, whose messages say what is missing ----------------
    window.new_clue_action.trigger()
    page = window.pages["登记线索"]
    assert window.stack.currentWidget() is page
    page.submit_button.click()
    assert page.form.error("source") == "请选择线索来源。"
    assert page.form.error("reporter_real_name") == "请选择是否实名举报。"
    assert page.form.error("persons").startswith("请至少添加一名被反映人")
    assert page.form.error("summary") == "请填写主要问题。"
    with store.read() as s:
        assert s.exec(select(Clue)).all() == []

    source = page.editors["source"].combo
    source.setCurrentIndex(source.findText("信访举报（来信）"))
    real = page.editors["reporter_real_name"].combo
    real.setCurrentIndex(real.findText("是"))
    type_text(page.reporter["name"], "刘举报")
    type_text(page.reporter["phone"], "13900001111")
    picker = page.picker
    type_text(picker.name, "王建国")
    type_text(picker.unit, "青石村村民委员会")
    type_text(picker.post, "村党支部书记")
    picker.add_button.click()
    assert picker.persons() == [{"name": "王建国", "unit": "青石村村民委员会", "post": "村党支部书记"}]
    type_text(page.editors["summary"].edit, "反映王建国在2025年低保评定中优亲厚友，将不符合条件的亲属纳入低保")
    page.editors["categories"].boxes[3].setChecked(True)  # 违反群众纪律
    screenshot(window, "flow-1-register-filled", window=True)
    page.submit_button.click()
    assert prompter.errors == []
    # the user lands in the new case, which says what was registered; the form keeps the message too
    assert window.case_open and "红星纪线〔" in window.case_view.notice.text()
    assert page.result.isVisibleTo(page) and "红星纪线〔" in page.result.text()
    with store.read() as s:
        clue = s.exec(select(Clue)).one()
        case = s.exec(select(Case)).one()
        reporter = s.exec(select(Reporter)).one()
        person = s.exec(select(Person)).one()
    assert clue.number == f"红星纪线〔{date.today().year}〕1号" and clue.real_name and clue.categories == ["违反群众纪律"]
    assert (reporter.name, reporter.phone) == ("刘举报", "13900001111")
    assert (person.name, person.unit) == ("王建国", "青石村村民委员会")
    assert case.step_id == "intake_register"
    case_id = case.id
    assert not page.dirty  # the form is empty again for the next clue

    # --- the case: 受理 ---------------------------------------------------------------------
    page.open_button.click()
    view = window.case_view
    assert view is not None and window.stack.currentWidget() is view
    assert view.title.text().startswith(clue.number) and "王建国" in view.title.text()
    assert view.stage_bar.texts()[0] == "线索 当前"
    assert not view.decision_buttons["accept"].isEnabled()
    assert "已编号登记进问题线索台账" in view.decision_reasons["accept"].text()
    tick_all(view, "ledger_numbered", "jurisdiction_checked", "reporter_protected")
    assert set(shown(store, case_id)["checklist_done"]) == {"ledger_numbered", "jurisdiction_checked", "reporter_protected"}
    decide(view, "accept")
    assert shown(store, case_id)["step"]["id"] == "disposition"
    assert "已作出决定“受理" in view.notice.text()

    # --- 处置: fields, collective study, approval → 初步核实 --------------------------------
    assert "acceptance_notified_on" in view.editors  # a real-name clue: telling the reporter is required
    assert view.chips["acceptance_notice"].text().startswith("实名举报：15个工作日内告知是否受理")
    tick_all(view, "plan_drafted", "reported_dual")
    type_text(view.editors["handler"].edit, "李专干")
    type_text(view.editors["analysis"].edit, "反映问题具体，有低保名册可查，建议初步核实。")
    type_text(view.editors["acceptance_notified_on"].edit, TODAY)
    assert view.dirty and "尚未保存" in view.dirty_label.text()
    view.findChild(QPushButton, "save_fields").click()
    assert not view.dirty
    fields = shown(store, case_id)["fields"]
    assert fields["disposition.handler"] == "李专干" and fields["disposition.acceptance_notified_on"] == TODAY
    assert not view.decision_buttons["to_prelim"].isEnabled()
    assert "集体研究" in view.decision_reasons["to_prelim"].text()
    record_study(qtbot, view, "同意对王建国问题线索进行初步核实。")
    assert view.decision_buttons["to_prelim"].isEnabled()
    decide(view, "to_prelim", approver="张书记")
    state = shown(store, case_id)
    assert state["step"]["id"] == "prelim_verify"
    with store.read() as s:
        decision = s.exec(select(Decision).where(Decision.decision_id == "to_prelim")).one()
        study = s.exec(select(CollectiveStudy).where(CollectiveStudy.step_id == "disposition")).one()
    assert (decision.approver, decision.decided_by) == ("张书记", ADMIN)
    assert study.attendees == ["张书记", "李副书记", "王委员"]

    # --- 初步核实: the whole checklist, the report, → 拟立案 ---------------------------------
    assert view.stage_bar.texts()[2] == "谈话函询/初核 初步核实"
    tick_all(view, "plan_approved", "evidence_collected", "report_signed", "review_opinion")
    assert set(shown(store, case_id)["checklist_done"]) == {"plan_approved", "evidence_collected", "report_signed",
                                                            "review_opinion"}
    type_text(view.editors["checkers"].edit, "李专干、赵委员")
    type_text(view.editors["report_on"].edit, TODAY)
    finding = view.editors["finding"].combo
    finding.setCurrentIndex(finding.findText("反映问题基本属实"))
    view.findChild(QPushButton, "save_fields").click()
    fields = shown(store, case_id)["fields"]
    assert fields["prelim_verify.checkers"] == ["李专干", "赵委员"] and fields["prelim_verify.finding"] == "反映问题基本属实"
    record_study(qtbot, view, "经集体研究，同意提请立案审查调查。")
    decide(view, "propose_filing", approver="张书记")
    assert shown(store, case_id)["step"]["id"] == "filing"

    # --- 立案审批: the gate refuses while the collective study is missing ---------------------
    tick_all(view, "report_drafted", "reported_county")
    type_text(view.editors["basis"].edit, "经初核，王建国优亲厚友的事实有低保档案和谈话笔录证明。")
    view.findChild(QPushButton, "save_fields").click()
    file_button, reason = view.decision_buttons["file"], view.decision_reasons["file"]
    assert not file_button.isEnabled()
    assert reason.text() == "暂不能选：\n• 尚未记录本环节（立案审批）的集体研究：请先召开会议集体研究，并录入研究日期、参加人员和研究意见。"
    window.resize(*WINDOW_SIZE)
    for _ in range(2):
        QApplication.processEvents()
    view.scroll.ensureWidgetVisible(reason)
    screenshot(window, "flow-2-filing-gate")
    # a screen left open from before the gate closed: the engine refuses, the dialog says why
    dialog = view.open_decision("file")
    dialog.approver.setText("刘党委书记")
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert "尚未记录本环节（立案审批）的集体研究" in dialog.message.text()
    dialog.reject()
    state = shown(store, case_id)
    assert state["step"]["id"] == "filing" and state["number"] == clue.number
    with store.read() as s:
        assert s.exec(select(Decision).where(Decision.decision_id == "file")).all() == []

    record_study(qtbot, view, "同意立案，报乡镇党委书记批准。")
    assert file_button is not view.decision_buttons["file"]  # the case was reloaded
    decide(view, "file", approver="刘党委书记")
    state = shown(store, case_id)
    assert state["step"]["id"] == "investigation"
    assert state["number"] == f"红星纪立〔{date.today().year}〕1号"
    with store.read() as s:
        filed = s.get(Case, case_id)
        decision = s.exec(select(Decision).where(Decision.decision_id == "file")).one()
    assert filed.filed_on == date.today() and decision.approver == "刘党委书记"
    assert view.title.text().startswith("红星纪立〔")
    assert view.stage_bar.texts()[3] == "立案审查调查 当前"
    def history():
        return [view.history_model.data(view.history_model.index(r, 2)) for r in range(view.history_model.rowCount())]

    qtbot.waitUntil(lambda: {"进入环节：审查调查", f"编立案号：{state['number']}"} <= set(history()[:3]), timeout=3000)
    history = history()
    assert any(text.startswith("作出决定：批准立案") and "刘党委书记" in text for text in history)
    screenshot(window, "flow-3-filed", window=True)

    # the list shows the filed case; Esc goes back to where the case was opened
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view.back_button.setFocus()
    qtbot.keyClick(view.back_button, Qt.Key.Key_Escape)
    assert window.case_view is None and window.stack.currentWidget() is page
    cases_page = window.show_page("案件")
    assert cases_page.model.rowCount() == 1
    assert cases_page.model.row_at(0).number == state["number"]
    assert cases_page.model.row_at(0).step_title == "审查调查"
