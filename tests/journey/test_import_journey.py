"""Issue 19 on the real app: the new secretary brings in the predecessor's 台账 — 办案 → 导入原有台账…,
the file typed in, a column the app could not guess chosen in its combo box, the preview read, 导入,
and the imported clues in 案件, at the steps the ledger says they reached."""

from __future__ import annotations

from openpyxl import Workbook

from app.services import cases
from tests.journey.secretary import Secretary

WIZARD = "导入原有台账"


def predecessor_ledger(path) -> None:
    """A title row, the header, two clues, a blank row and a 合计 row; 反映内容 is no usual header."""
    book = Workbook()
    sheet = book.active
    sheet.append(["红星镇纪委问题线索台账"])
    sheet.append(["线索编号", "收件日期", "线索来源", "被反映人", "单位及职务", "反映内容", "处置方式", "经办人"])
    sheet.append(["红星纪线〔2025〕3号", "2025.3.5", "来信", "王建国", "青石村党支部书记", "优亲厚友评定低保", "初步核实", "李专干"])
    sheet.append(["红星纪线〔2025〕4号", "2025年4月1日", "来访", "李明", "白沙村会计", "侵占村集体资金", "谈话函询", ""])
    sheet.append([None] * 8)
    sheet.append(["合计", "2件"])
    book.save(path)


def test_the_predecessors_ledger_imported_through_the_wizard(app_session, tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    predecessor_ledger(ledger)

    def route(user):
        secretary = Secretary(user, "import")
        secretary.set_up_office()
        user.menu("办案(W)", "导入原有台账…")
        user.wait_until(lambda: user.shows("第1步（共5步）：选择文件"), 5, "the import wizard", user.where)
        user.type_into("文件", str(ledger), within=WIZARD)
        user.click("下一步", within=WIZARD)
        assert user.shows("第2步（共5步）：对应各列"), user.where()
        secretary.no_message("reading the file")
        user.choose("反映内容", "问题性质/主要问题（必填）", within=WIZARD)
        secretary.shot("import-mapping")
        user.click("下一步", within=WIZARD)
        assert user.shows("新增 2 条，已在库中 0 条，文件内重复 0 行，有误 0 行；空行和合计行 2 行已跳过。尚未写入任何内容。"), \
            user.where()
        secretary.shot("import-preview")
        assert user.gui(lambda: cases.list_cases(secretary.store())) == []  # the preview wrote nothing
        user.click("导入", within=WIZARD)
        assert user.shows("第5步（共5步）：完成"), user.where()
        secretary.no_message("导入")
        secretary.shot("import-result")
        rows = user.gui(lambda: cases.list_cases(secretary.store()))
        assert sorted((r.number, r.persons, r.step_title) for r in rows) == [
            ("红星纪线〔2025〕3号", "王建国", "初步核实"), ("红星纪线〔2025〕4号", "李明", "谈话函询")]
        user.click("打开案件列表", within=WIZARD)
        window = user.controller.main_window
        user.wait_until(lambda: window.stack.currentWidget() is window.pages["案件"], 5, "the list 案件", user.where)

    app_session.play(route)
