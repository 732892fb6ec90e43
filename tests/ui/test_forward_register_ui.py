"""转送登记 in the GUI: the registration form keeps only the received date and the channel of a complaint
a higher office accepts (《纪检监察机关处理检举控告工作规则》第十五条第二款: 不得复制、摘抄检举控告内容，不得扩大知情范围)."""

from __future__ import annotations

from ui_support import PASSWORD

from app.services import cases, unlock


def test_the_forward_register_hides_the_content_and_registers_none_of_it(unlocked, paths):
    window = unlocked.main_window
    window.show_page("登记线索")
    page = window.pages["登记线索"]
    page.editors["summary"].set_value("不应保存的内容")
    assert not page.about_head.isEnabled()
    page.forward.setChecked(True)
    assert page.about_head.isEnabled()
    assert not page.reporter_box.isVisible()
    assert not page.editors["summary"].isVisible() and page.editors["source"].isVisible()
    page.editors["source"].set_value("信访举报（来信）")
    page.submit_button.click()
    assert "转送登记" in page.result.text(), page.message.text()
    view = window.open_case(page.last_case_id)  # a case with no person opens like any other
    assert view is not None and view.data is not None and view.data.shown["step"]["id"] == "forward_upward"
    unlocked.shutdown()
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        [row] = cases.list_cases(store)
        shown = cases.show_case(store, row.case_id)
    finally:
        store.close()
    assert shown["step"]["id"] == "forward_upward"
    assert shown["summary"] == "" and shown["persons"] == []


def test_an_administrator_cannot_register_a_complaint_about_the_head(unlocked):
    # 第十五条第一款: 反映本机关主要负责人的 径送上一级 — not by the 书记/管理员's account
    window = unlocked.main_window
    window.show_page("登记线索")
    page = window.pages["登记线索"]
    page.forward.setChecked(True)
    page.about_head.setChecked(True)
    page.editors["source"].set_value("信访举报（来信）")
    page.submit_button.click()
    assert "书记/管理员账户不能办理" in page.message.text()
    assert not page.result.isVisible()
