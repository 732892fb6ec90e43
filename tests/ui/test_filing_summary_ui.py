"""处分备案汇总 from the 统计 page of a township: the quarter is asked, the workbook written off the GUI
thread, and the message says when it is due (每季度首月15日前, 处分违纪党员批准权限和程序规定第二十条第二款)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from openpyxl import load_workbook


def test_the_township_exports_a_quarters_filing_summary(qtbot, unlocked, prompter, tmp_path):
    page = unlocked.main_window.show_page("统计")
    button = page.filing_button
    assert button.isVisible() and button.text() == "处分备案汇总…"
    target = tmp_path / "备案汇总.xlsx"
    prompter.choice_answers.append(2)  # 第三季度
    prompter.save_paths.append(str(target))
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(prompter.infos), timeout=5000)
    assert prompter.errors == []
    text, options = prompter.choices[-1]
    assert "哪一季度" in text and options[-1] == "取消"
    year = page.year.value()
    assert f"请于{year}-10-15前报送" in prompter.infos[-1]
    book = load_workbook(target)
    assert book.sheetnames == ["备案汇总", "执行情况汇总"] and book["备案汇总"]["A5"].value == "本季度无此类处分。"


def test_cancelling_the_quarter_writes_nothing(qtbot, unlocked, prompter, tmp_path):
    page = unlocked.main_window.show_page("统计")
    prompter.choice_answers.append(4)  # 取消
    prompter.save_paths.append(str(tmp_path / "x.xlsx"))
    QTest.mouseClick(page.filing_button, Qt.MouseButton.LeftButton)
    assert not (tmp_path / "x.xlsx").exists() and prompter.infos == [] and prompter.save_paths  # never asked where
