"""The case screens' table models without a window: rows, sorting, filtering, 10,000 rows."""

from __future__ import annotations

import random
from datetime import date, timedelta

from PySide6.QtCore import Qt

from app.services.archive import PersonRow, PersonSanction
from app.services.desk import EffectItem, TodoItem
from app.services.search import CaseListRow
from app.ui.case_models import (
    CASE_ID_ROLE,
    CaseColumn,
    CaseFilter,
    CaseListModel,
    EffectItemsModel,
    PersonColumn,
    PersonSanctionsModel,
    PersonTableModel,
    TodoItemsModel,
    natural_key,
)

TODAY = date(2026, 11, 20)
STAGES = [("intake", "线索受理", "intake_register", "线索受理登记"), ("disposition", "线索处置", "disposition", "提出处置意见"),
          ("prelim", "初步核实", "prelim_verify", "初步核实"), ("filing", "立案审查调查", "investigation", "审查调查"),
          ("archive", "办结归档", "archived", "已归档")]
SOURCES = ["信访举报（来信）", "上级交办", "巡察移交", "自行发现"]
ORDER = {stage: i for i, (stage, _, _, _) in enumerate(STAGES)}


def make_rows(n: int, seed: int = 3) -> list[CaseListRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        stage, stage_title, step, step_title = rng.choice(STAGES)
        received = TODAY - timedelta(days=rng.randrange(0, 700))
        state = "" if step == "archived" else rng.choice(["", "normal", "due_soon", "overdue"])
        left = {"": None, "normal": 20, "due_soon": 2, "overdue": -5}[state]
        due = None if not state else TODAY + timedelta(days=left or 0)
        name = f"人员{i % 997}"
        rows.append(CaseListRow(
            f"{i:032x}", f"红星纪线〔{received.year}〕{i + 1}号", f"红星纪线〔{received.year}〕{i + 1}号", (name,),
            (name,) if i % 50 == 0 else (), rng.choice(SOURCES), stage, stage_title, step, step_title,
            step == "archived", due, "收到线索后1个月内提出处置意见" if due else "", state, left, received))
    return rows


def shown(model: CaseListModel, column: CaseColumn) -> list[str]:
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_ten_thousand_rows_sort_and_filter(styled_app):
    rows = make_rows(10_000)
    model = CaseListModel(ORDER)
    model.set_rows(rows)
    assert model.rowCount() == 10_000 and model.columnCount() == len(CaseColumn) == 8
    assert model.headerData(CaseColumn.DUE_STATE, Qt.Orientation.Horizontal) == "期限状态"

    model.sort(CaseColumn.DUE, Qt.SortOrder.AscendingOrder)
    dues = [model.row_at(r).next_due for r in range(model.rowCount())]
    dated = [d for d in dues if d is not None]
    assert dated == sorted(dated) and dues[len(dated):] == [None] * (len(dues) - len(dated))

    model.sort(CaseColumn.NUMBER, Qt.SortOrder.DescendingOrder)
    numbers = [model.row_at(r).number for r in range(model.rowCount())]
    assert numbers == sorted(numbers, key=natural_key, reverse=True)

    model.sort(CaseColumn.STAGE, Qt.SortOrder.AscendingOrder)
    ranks = [ORDER[model.row_at(r).stage] for r in range(model.rowCount())]
    assert ranks == sorted(ranks)

    model.set_filter(CaseFilter(stage="prelim", due="overdue"))
    expected = [r for r in rows if r.stage == "prelim" and r.due_state == "overdue"]
    assert model.rowCount() == len(expected) > 0
    assert {model.data(model.index(r, CaseColumn.DUE_STATE)) for r in range(model.rowCount())} == {"已超期 5 个工作日"}
    ranks = [ORDER[model.row_at(r).stage] for r in range(model.rowCount())]
    assert ranks == sorted(ranks)  # the sort survives filtering

    model.set_filter(CaseFilter(source="上级交办", year=2025))
    assert model.rowCount() == sum(r.source == "上级交办" and r.received_on.year == 2025 for r in rows)

    ids = frozenset(r.case_id for r in rows[:40])
    model.set_filter(CaseFilter(ids=ids, due="none"))
    assert {model.row_at(r).case_id for r in range(model.rowCount())} == {r.case_id for r in rows[:40] if not r.due_state}

    model.set_filter(CaseFilter(due="running"))
    assert model.rowCount() == sum(bool(r.due_state) for r in rows)
    model.set_filter(CaseFilter(ids=frozenset()))
    assert model.rowCount() == 0
    model.set_filter(CaseFilter())
    assert model.rowCount() == model.total == 10_000
    assert model.sources() == sorted(SOURCES) and model.years()[0] == 2026


def test_cells_colours_and_marks(styled_app):
    rows = make_rows(200)
    model = CaseListModel(ORDER)
    model.set_rows(rows)
    model.set_filter(CaseFilter(due="overdue"))
    index = model.index(0, CaseColumn.DUE_STATE)
    assert model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(index, CASE_ID_ROLE) == model.case_id_at(0)
    model.set_filter(CaseFilter())
    marked = rows[0]  # every 50th row's person is inside an effect period
    row = next(r for r in range(model.rowCount()) if model.row_at(r).case_id == marked.case_id)
    assert model.data(model.index(row, CaseColumn.PERSONS)) == f"{marked.persons[0]}【影响期内】"
    assert "影响期" in model.data(model.index(row, CaseColumn.PERSONS), Qt.ItemDataRole.ToolTipRole)
    undated = next(r for r in range(model.rowCount()) if model.row_at(r).next_due is None)
    assert model.data(model.index(undated, CaseColumn.DUE)) == "—"
    assert model.data(model.index(undated, CaseColumn.DUE_STATE)) == "—"


def test_natural_number_order():
    assert sorted(["X〔2026〕12号", "X〔2026〕3号", "X〔2025〕40号"], key=natural_key) == [
        "X〔2025〕40号", "X〔2026〕3号", "X〔2026〕12号"]


def test_desk_and_archive_models(styled_app):
    due = TodoItem("c1", "红星纪线〔2026〕1号", ("王建国", "李四"), ("李四",), "提出处置意见", "待作出处置决定",
                   ("已按规定向乡镇党委报告，并按要求报县纪委",), date(2026, 11, 1), "收到线索后1个月内提出处置意见", "overdue",
                   "已超期 14 个工作日")
    undated = TodoItem("c4", "红星纪线〔2026〕2号", ("赵六",), (), "线索受理登记", "待受理：决定是否受理", (), None, "", "", "")
    model = TodoItemsModel([due, undated])
    assert model.data(model.index(0, 1)) == "王建国、李四【影响期内】"
    assert [model.data(model.index(0, c)) for c in (3, 4, 5)] == ["待作出处置决定", "2026-11-01", "已超期 14 个工作日"]
    assert model.data(model.index(0, 5), Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    tip = model.data(model.index(0, 3), Qt.ItemDataRole.ToolTipRole)
    assert "· 已按规定向乡镇党委报告" in tip and "收到线索后1个月内提出处置意见，截止 2026-11-01" in tip
    assert [model.data(model.index(1, c)) for c in (3, 4, 5)] == ["待受理：决定是否受理", "—", "—"]
    assert model.row_at(0).case_id == "c1"

    effect = EffectItem("c2", "红星纪立〔2025〕3号", "p1", "赵六", "青石村村民委员会", "警告", date(2025, 12, 1), date(2026, 12, 1), 11)
    effects = EffectItemsModel([effect])
    assert [effects.data(effects.index(0, c)) for c in (0, 2, 4, 5)] == ["赵六", "警告", "2026-12-01", "11 天"]
    assert "第四十六条" in effects.data(effects.index(0, 0), Qt.ItemDataRole.ToolTipRole)

    person = PersonRow("p1", "赵六", "青石村村民委员会", "村委会主任", "", "村干部", "中共党员", "", 3, 1, 1, True,
                       date(2026, 12, 1))
    persons = PersonTableModel([person])
    assert persons.data(persons.index(0, PersonColumn.NAME)) == "赵六【影响期内】"
    assert persons.data(persons.index(0, PersonColumn.EFFECT)) == "影响期内（至 2026-12-01）"
    assert persons.data(persons.index(0, PersonColumn.CLUES), Qt.ItemDataRole.ToolTipRole) == "多次被反映"

    proposed = PersonSanction("c3", "红星纪立〔2026〕2号", "party_warning", "警告", "党纪处分", 2, None, None, False)
    sanctions = PersonSanctionsModel([proposed])
    assert [sanctions.data(sanctions.index(0, c)) for c in range(5)] == [
        "警告（党纪处分）", "（尚未决定）", "—", "拟给予", "红星纪立〔2026〕2号"]
