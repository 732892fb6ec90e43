"""办案流程图 and the 帮助 menu: the map shows every stage, step and decision of the rules (shipped or a
county's own), marks where a case stands and what it can do next; 帮助 opens the map, the manual and 关于."""

from __future__ import annotations

import random
import re
import tomllib
from datetime import date, timedelta

from desk_support import walk
from PySide6.QtWidgets import QApplication
from ui_support import screenshot

from app.domain.procedure_map import EXIT, decision_kind, main_line
from app.domain.rules import parse_workflow
from app.paths import resources_dir
from app.services import cases, demo_data, ruleset
from app.ui.account_dialogs import AboutDialog
from app.ui.manual_dialog import ManualDialog
from app.ui.procedure_map import ProcedureMapDialog, case_html, map_html, open_procedure_map

TO_REVIEW = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept")


def plain(browser) -> str:
    """The browser's text with runs of spaces (and no-break spaces) as one space."""
    return re.sub(r"[ \u00a0]+", " ", browser.toPlainText())


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def case_at_review(store) -> dict:
    rules = ruleset.load(store)
    today = date.today()
    writer = demo_data.Writer(random.Random(3), today.year, today, "红星")
    case_id = walk(store, rules, writer, today - timedelta(days=30), TO_REVIEW)
    return cases.show_case(store, case_id, rules=rules)


def test_map_lists_every_stage_step_and_decision_of_the_shipped_rules(qtbot):
    wf = ruleset.shipped_workflow(resources_dir() / "rules" / "workflow.toml")
    dialog = ProcedureMapDialog(wf)
    qtbot.addWidget(dialog)
    text = plain(dialog.map)
    for stage in wf.stages:
        assert stage.title in text
    for step in wf.steps.values():
        assert step.title in text and step.role in text
        for d in step.decisions:
            assert d.title in text
    assert "◆" not in text and dialog.summary is None  # no case: nothing is marked current
    line = main_line(wf)
    assert line[0] == "intake" and line[-1] == "archive" and "shelved" not in line
    disposition = wf.steps["disposition"]
    kinds = {d.id: decision_kind(wf, disposition, d, line) for d in disposition.decisions}
    assert [d.title for d in disposition.decisions if kinds[d.id] == EXIT] == ["暂存待查", "予以了结"]


def test_map_follows_a_countys_own_rules(qtbot):
    data = tomllib.loads("""
[workflow]
id = "county_case"
title = "某县试行流程"
version = "1"
initial_step = "first"
start_event = "clue_received"
[stages.a]
title = "甲阶段"
[stages.b]
title = "乙阶段"
[steps.first]
stage = "a"
title = "第一步骤"
role = "某某人员"
citation = ["某规定"]
guidance = { what = "w", why = "w", how = "w", mistakes = "w" }
decisions = [{ id = "go", title = "转下一步", target = "last", approver_role = "某书记" }]
[steps.last]
stage = "b"
title = "最后步骤"
role = "—"
citation = ["某规定"]
terminal = true
guidance = { what = "w", why = "w", how = "w", mistakes = "w" }
""")
    dialog = ProcedureMapDialog(parse_workflow(data, "workflow.toml"))
    qtbot.addWidget(dialog)
    text = plain(dialog.map)
    for words in ("某县试行流程", "一、甲阶段", "二、乙阶段", "第一步骤", "办理：某某人员", "转下一步 → “最后步骤”（乙阶段）",
                  "须经某书记审批", "终点：流程到此结束。"):
        assert words in text
    assert "线索受理" not in text


def test_map_for_a_case_at_review_marks_it_and_lists_what_comes_next(qtbot, unlocked):
    window = unlocked.main_window
    case = case_at_review(unlocked.store)
    assert case["step"]["id"] == "review"
    rules = ruleset.load(unlocked.store)
    dialog = open_procedure_map(window, rules, case)
    text = plain(dialog.map)
    assert text.count("◆ 本案当前环节") == 1
    assert "审理 ◆ 本案当前环节" in text and "审理 ◆ 本案所在阶段" in text
    assert "审查调查 ✓ 已办" in text and "立案审批 ✓ 已办" in text
    assert "立案审查调查 ✓ 本案经过" in text
    summary = plain(dialog.summary)
    assert "接下来可以" in summary and "当前：审理 › 审理" in summary
    for option in case["decisions"]:
        assert option["title"] in summary
    assert "已作出的决定" in summary and "批准立案" in summary
    dialog.resize(1180, 700)  # the size it opens at on a 1366×768 screen
    settle()
    assert dialog.map.horizontalScrollBar().maximum() == 0
    assert dialog.map.verticalScrollBar().value() > 0  # scrolled to the case's stage
    screenshot(dialog, "procedure-map-case")
    dialog.close()
    settle()


def test_help_menu_opens_the_map_the_manual_and_about(qtbot, unlocked):
    window = unlocked.main_window
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert list(menus)[-2:] == ["账户(&A)", "帮助(&H)"]
    assert [a.text() for a in menus["帮助(&H)"].actions() if not a.isSeparator()] == \
        ["办案流程图…", "使用说明", "关于纪案通…"]
    assert all("关于" not in a.text() for a in menus["账户(&A)"].actions())
    assert window.manual_action.shortcut().toString() == "F1"

    window.procedure_map_action.trigger()
    maps = [d for d in window.findChildren(ProcedureMapDialog) if d.isVisible()]
    assert len(maps) == 1 and maps[0].summary is None
    wf = ruleset.load(unlocked.store).workflow
    assert all(s.title in plain(maps[0].map) for s in wf.steps.values())
    maps[0].resize(860, 700)  # as on a 1366×768 screen (the offscreen screen is smaller)
    settle()
    assert maps[0].map.horizontalScrollBar().maximum() == 0
    screenshot(maps[0], "procedure-map")

    window.manual_action.trigger()
    manuals = [d for d in window.findChildren(ManualDialog) if d.isVisible()]
    assert len(manuals) == 1
    text = plain(manuals[0].browser)
    for heading in ("首次设置", "登记线索", "办理案件", "必办事项", "本环节信息", "集体研究", "作出决定", "文书", "期限",
                    "同步", "统计", "练习模式", "锁定与密码", "备份与恢复"):
        assert heading in text
    window.manual_action.trigger()  # F1 again brings the same guide forward
    assert [d for d in window.findChildren(ManualDialog) if d.isVisible()] == manuals
    manuals[0].resize(860, 700)
    settle()
    assert manuals[0].browser.horizontalScrollBar().maximum() == 0
    screenshot(manuals[0], "manual")

    window.about_action.trigger()
    assert [d for d in window.findChildren(AboutDialog) if d.isVisible()]


def test_summary_for_a_case_that_can_decide_now_and_for_a_finished_one():
    wf = ruleset.shipped_workflow(resources_dir() / "rules" / "workflow.toml")
    base = {"number": "红星纪立〔2026〕2号", "stage": {"id": "archive", "title": "办结归档"},
            "stage_path": [{"id": "intake", "title": "线索受理", "side": False}], "required": [], "history": []}
    ready = {**base, "step": {"id": "archive_filing", "title": "立卷归档", "round": 1, "entered_on": "2026-05-01"},
             "terminal": False, "decisions": [{"id": "archive", "title": "归档完毕", "target": "archived", "enabled": True,
                                               "approver_role": "", "problems": []}]}
    summary = re.sub(r"<[^>]+>", "", case_html(wf, ready))
    assert "接下来可以" in summary and "归档完毕 → 转入“已归档”" in summary and "条件已具备，可以作出" in summary
    assert "现在可选" in map_html(wf, ready)
    done = {**base, "step": {"id": "archived", "title": "已归档", "round": 1}, "terminal": True, "decisions": []}
    assert "本案办理流程已结束" in case_html(wf, done) and "接下来可以" not in case_html(wf, done)
