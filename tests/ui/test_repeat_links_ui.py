"""A 重复检举控告 in the GUI: the registration form offers the flag and the earlier clue's number, and the
case screen's 线索和人员 tab shows the link both ways (《纪检监察机关处理检举控告工作规则》第十四条第一款:
对于重复检举控告，按规定登记后留存备查)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QLabel, QTabWidget
from ui_support import PASSWORD, screenshot, unlock_with

from app.services import cases, unlock


def info_texts(view) -> str:
    tabs = view.findChild(QTabWidget)
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "线索和人员"))
    return " ".join(w.text() for w in tabs.currentWidget().findChildren(QLabel))


def test_the_links_of_a_repeat_complaint_are_shown_both_ways(qtbot, make_controller, desk_paths):
    store = unlock.unlock(desk_paths, None, PASSWORD).store
    clue = {"source": "信访举报（来信）", "persons": [{"name": "重复件标记戊"}], "summary": "反映重复件标记戊违规发放补贴"}
    try:
        first = cases.register_clue(store, {**clue, "received_on": (date.today() - timedelta(days=9)).isoformat()})
        again = cases.register_clue(store, {**clue, "received_on": date.today().isoformat(), "repeat_of": [first.number]})
    finally:
        store.close()

    controller = make_controller(at=desk_paths)
    controller.start()
    window = unlock_with(controller, PASSWORD)
    page = window.pages["登记线索"]
    assert {"repeat_complaint", "repeat_of"} <= set(page.editors)
    view = window.open_case(again.case_id)
    assert view is not None and view.data is not None
    qtbot.waitUntil(lambda: "重复件，原线索" in info_texts(view), timeout=3000)
    assert first.number in info_texts(view)
    screenshot(window, "case-repeat-complaint-links", window=True)
    window.show_page("案件")
    view = window.open_case(first.case_id)
    qtbot.waitUntil(lambda: "此后的重复件" in info_texts(view), timeout=3000)
    assert again.number in info_texts(view)
