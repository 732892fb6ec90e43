"""Table models of the case screens, each with a column enum; tested without a window.

`CaseListModel` filters and sorts itself instead of sitting behind a QSortFilterProxyModel: a
Python `filterAcceptsRow` per row per keystroke would be the slowest part of a 10,000-row list.
It keeps every row once and shows a list of indices; sort keys are computed once per column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.ui.table_models import RowTableModel
from app.ui.widgets import EFFECT_MARK, marked_names

OVERDUE_COLOUR = "#b3261e"
SOON_COLOUR = "#a35200"
OVERDUE_BACKGROUND = "#fdecea"
SOON_BACKGROUND = "#fff4e5"
MUTED_COLOUR = "#5f6368"
CASE_ID_ROLE = Qt.ItemDataRole.UserRole
DUE_FILTERS = {"running": "有期限在计时", "overdue": "已超期", "due_soon": "即将到期", "normal": "正常", "none": "无计时期限"}
_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """"〔2026〕12号" after "〔2026〕3号": digit runs compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text))


def due_text(state: str, left: int | None) -> str:
    if state == "overdue":
        return f"已超期 {-left} 个工作日"
    if state == "due_soon":
        return f"即将到期（剩 {left} 个工作日）"
    if state == "normal":
        return f"正常（剩 {left} 个工作日）"
    return "—"


def state_colour(state: str) -> str | None:
    return {"overdue": OVERDUE_COLOUR, "due_soon": SOON_COLOUR}.get(state)


# --- the case list --------------------------------------------------------------------


class CaseColumn(IntEnum):
    NUMBER = 0
    PERSONS = 1
    SOURCE = 2
    RECEIVED = 3
    STAGE = 4
    STEP = 5
    DUE = 6
    DUE_STATE = 7


CASE_HEADERS = ("编号", "被反映人", "线索来源", "收件日期", "阶段", "当前环节", "下一期限", "期限状态")
CASE_COLUMNS = tuple(CaseColumn)
CASE_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, CASE_ID_ROLE, Qt.ItemDataRole.ForegroundRole,
                        Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole})


@dataclass(frozen=True)
class CaseFilter:
    stage: str = ""  # stage id; "" for every stage
    due: str = ""  # a key of DUE_FILTERS; "" for every row
    source: str = ""
    year: int | None = None
    ids: frozenset[str] | None = None  # the search result; None when nothing is typed


class CaseListModel(QAbstractTableModel):
    """Rows of `app.services.search.CaseListRow`."""

    def __init__(self, stage_order: dict[str, int] | None = None, parent=None):
        super().__init__(parent)
        self.stage_order = stage_order or {}
        self.all_rows: list = []
        self.positions: dict[str, int] = {}
        self.visible: list[int] = []
        self.filter = CaseFilter()
        self.sort_column: int | None = None
        self.sort_order = Qt.SortOrder.AscendingOrder
        self.keys: dict[int, list] = {}

    # --- content ----------------------------------------------------------------------

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.all_rows = list(rows)
        self.positions = {row.case_id: i for i, row in enumerate(self.all_rows)}
        self.keys = {}
        self.visible = self.filtered()
        self.sort_visible()
        self.endResetModel()

    def set_filter(self, case_filter: CaseFilter) -> None:
        if case_filter == self.filter:
            return
        self.beginResetModel()
        self.filter = case_filter
        self.visible = self.filtered()
        self.sort_visible()
        self.endResetModel()

    def filtered(self) -> list[int]:
        f = self.filter
        rows = self.all_rows
        indices = range(len(rows))
        if f.ids is not None:
            # a search hit is usually a handful of cases: look them up instead of scanning every row
            positions = self.positions
            indices = sorted(positions[cid] for cid in f.ids if cid in positions)
        if f.stage:
            indices = [i for i in indices if rows[i].stage == f.stage]
        if f.source:
            indices = [i for i in indices if rows[i].source == f.source]
        if f.year is not None:
            indices = [i for i in indices if rows[i].received_on.year == f.year]
        if f.due == "running":
            indices = [i for i in indices if rows[i].due_state]
        elif f.due == "none":
            indices = [i for i in indices if not rows[i].due_state]
        elif f.due:
            indices = [i for i in indices if rows[i].due_state == f.due]
        return list(indices)

    @property
    def total(self) -> int:
        return len(self.all_rows)

    def row_at(self, index: int):
        return self.all_rows[self.visible[index]]

    def case_id_at(self, index: int) -> str:
        return self.row_at(index).case_id

    def sources(self) -> list[str]:
        return sorted({r.source for r in self.all_rows})

    def years(self) -> list[int]:
        return sorted({r.received_on.year for r in self.all_rows}, reverse=True)

    # --- sorting ----------------------------------------------------------------------

    def sort_key(self, row, column: CaseColumn):
        match column:
            case CaseColumn.NUMBER:
                return natural_key(row.number)
            case CaseColumn.PERSONS:
                return row.persons
            case CaseColumn.SOURCE:
                return row.source
            case CaseColumn.RECEIVED:
                # same prefix and year: a longer number is a later one (cheaper than natural_key on 10,000 rows)
                return (row.received_on, len(row.clue_number), row.clue_number)
            case CaseColumn.STAGE:
                return (self.stage_order.get(row.stage, len(self.stage_order)), row.step_title)
            case CaseColumn.STEP:
                return row.step_title
            case CaseColumn.DUE:
                return (row.next_due is None, row.next_due or date.max)
            case CaseColumn.DUE_STATE:
                rank = {"overdue": 0, "due_soon": 1, "normal": 2}.get(row.due_state, 3)
                return (rank, row.next_due or date.max)

    def column_keys(self, column: int) -> list:
        if column not in self.keys:
            which = CaseColumn(column)
            self.keys[column] = [self.sort_key(r, which) for r in self.all_rows]
        return self.keys[column]

    def sort_visible(self) -> None:
        if self.sort_column is None:
            return
        keys = self.column_keys(self.sort_column)
        self.visible.sort(key=keys.__getitem__, reverse=self.sort_order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(CASE_HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        self.sort_column, self.sort_order = column, order
        self.sort_visible()
        self.layoutChanged.emit()

    # --- Qt model ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(CASE_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return CASE_HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        # the view asks for a dozen roles per cell on every repaint: answer the unused ones first
        if role not in CASE_ROLES or not index.isValid():
            return None
        row = self.all_rows[self.visible[index.row()]]
        column = CASE_COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == CASE_ID_ROLE:
            return row.case_id
        if role == Qt.ItemDataRole.ForegroundRole:
            if column is CaseColumn.DUE_STATE or (column is CaseColumn.DUE and row.due_state == "overdue"):
                colour = state_colour(row.due_state)
                return QBrush(QColor(colour)) if colour else None
            if column is CaseColumn.PERSONS and row.persons_in_effect:
                return QBrush(QColor(OVERDUE_COLOUR))
            if row.terminal:
                return QBrush(QColor(MUTED_COLOUR))
            return None
        if role == Qt.ItemDataRole.BackgroundRole and column is CaseColumn.DUE_STATE:
            background = {"overdue": OVERDUE_BACKGROUND, "due_soon": SOON_BACKGROUND}.get(row.due_state)
            return QBrush(QColor(background)) if background else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        return None

    @staticmethod
    def display(row, column: CaseColumn) -> str:
        match column:
            case CaseColumn.NUMBER:
                return row.number
            case CaseColumn.PERSONS:
                return marked_names(row.persons, row.persons_in_effect)
            case CaseColumn.SOURCE:
                return row.source
            case CaseColumn.RECEIVED:
                return row.received_on.isoformat()
            case CaseColumn.STAGE:
                return row.stage_title
            case CaseColumn.STEP:
                return row.step_title
            case CaseColumn.DUE:
                return row.next_due.isoformat() if row.next_due else "—"
            case CaseColumn.DUE_STATE:
                return due_text(row.due_state, row.working_days_left)

    @staticmethod
    def tooltip(row, column: CaseColumn) -> str | None:
        if column is CaseColumn.DUE and row.next_due:
            return f"{row.next_due_title}：截止 {row.next_due.isoformat()}"
        if column is CaseColumn.NUMBER and row.number != row.clue_number:
            return f"线索编号：{row.clue_number}"
        if column is CaseColumn.PERSONS and row.persons_in_effect:
            return f"{EFFECT_MARK}表示此人正处于处分影响期内：{'、'.join(row.persons_in_effect)}"
        return None


# --- 工作台 -------------------------------------------------------------------------------


class TodoItemsModel(RowTableModel):
    HEADERS = ("编号", "被反映人", "当前环节", "待办事项", "最近期限", "期限状态")

    def display(self, row, column: int) -> str:
        return (row.number, marked_names(row.persons, row.persons_in_effect), row.step_title, row.waiting_for,
                row.due.isoformat() if row.due else "—", row.when or "—")[column]

    def colour(self, row, column: int) -> str | None:
        if column in (4, 5):
            return state_colour(row.state)
        return OVERDUE_COLOUR if column == 1 and row.persons_in_effect else None

    def tooltip(self, row, column: int) -> str | None:
        lines = [row.waiting_for]
        if row.open_items:
            lines.append(f"本环节还有 {len(row.open_items)} 项必办事项：")
            lines += [f"· {item}" for item in row.open_items]
        if row.due:
            lines.append(f"最近期限：{row.due_title}，截止 {row.due.isoformat()}（{row.when}）")
        if row.persons_in_effect:
            lines.append(f"{EFFECT_MARK}表示此人正处于处分影响期内：{'、'.join(row.persons_in_effect)}")
        return "\n".join(lines + ["双击或按回车打开案件。"])


class CountyItemsModel(RowTableModel):
    HEADERS = ("编号", "被反映人", "等待事项", "报送（进入环节）日期", "已等待")

    def display(self, row, column: int) -> str:
        return (row.number, marked_names(row.persons, row.persons_in_effect), row.waiting_for,
                row.since.isoformat(), f"{row.days} 天")[column]

    def colour(self, row, column: int) -> str | None:
        return OVERDUE_COLOUR if column == 1 and row.persons_in_effect else None


class ShelvedItemsModel(RowTableModel):
    HEADERS = ("编号", "被反映人", "暂存日期", "定期清理期限", "状态")

    def display(self, row, column: int) -> str:
        return (row.number, marked_names(row.persons, row.persons_in_effect), row.shelved_since.isoformat(),
                row.review_due.isoformat(), row.when)[column]

    def colour(self, row, column: int) -> str | None:
        if column in (3, 4):
            return state_colour(row.state)
        return OVERDUE_COLOUR if column == 1 and row.persons_in_effect else None


class EffectItemsModel(RowTableModel):
    HEADERS = ("姓名", "单位", "处分（处理）", "决定日期", "影响期至", "剩余")

    def display(self, row, column: int) -> str:
        return (row.person, row.unit, row.sanction, row.decided_on.isoformat(), row.effect_end.isoformat(),
                "今天届满" if row.days_left == 0 else f"{row.days_left} 天")[column]

    def tooltip(self, row, column: int) -> str | None:
        return f"案件 {row.number}。影响期届满后无需办理手续（《中国共产党纪律处分条例》第四十六条）。"


# --- 人员档案 -------------------------------------------------------------------------------


class PersonColumn(IntEnum):
    NAME = 0
    UNIT = 1
    POST = 2
    CATEGORY = 3
    CLUES = 4
    FILED = 5
    SANCTIONS = 6
    EFFECT = 7


def effect_text(in_effect: bool, effect_end: date | None) -> str:
    if not in_effect:
        return "—"
    return f"影响期内（至 {effect_end.isoformat()}）" if effect_end else "影响期内（长期）"


class PersonTableModel(RowTableModel):
    HEADERS = ("姓名", "单位", "职务", "人员类别", "线索", "立案", "处分", "处分影响期")

    def display(self, row, column: int) -> str:
        match PersonColumn(column):
            case PersonColumn.NAME:
                return f"{row.name}{EFFECT_MARK}" if row.in_effect else row.name
            case PersonColumn.UNIT:
                return row.unit
            case PersonColumn.POST:
                return row.post
            case PersonColumn.CATEGORY:
                return row.category
            case PersonColumn.CLUES:
                return f"{row.clues} 件"
            case PersonColumn.FILED:
                return f"{row.filed} 件"
            case PersonColumn.SANCTIONS:
                return f"{row.sanctions} 次"
            case PersonColumn.EFFECT:
                return effect_text(row.in_effect, row.effect_end)

    def colour(self, row, column: int) -> str | None:
        if row.in_effect and column in (PersonColumn.NAME, PersonColumn.EFFECT):
            return OVERDUE_COLOUR
        if column == PersonColumn.CLUES and row.clues > 1:
            return SOON_COLOUR
        return None

    def tooltip(self, row, column: int) -> str | None:
        if column == PersonColumn.CLUES and row.clues > 1:
            return "多次被反映"
        return None


class PersonCasesModel(RowTableModel):
    HEADERS = ("编号", "收件日期", "当前环节", "主要问题", "谈话函询")

    def display(self, row, column: int) -> str:
        return (row.number, row.received_on.isoformat(), row.step_title, row.summary, row.talk)[column]

    def colour(self, row, column: int) -> str | None:
        return MUTED_COLOUR if row.closed else None

    def tooltip(self, row, column: int) -> str | None:
        return {3: row.summary, 4: row.talk or None}.get(column, f"{row.stage_title} › {row.step_title}")


class PersonSanctionsModel(RowTableModel):
    HEADERS = ("处分（处理）", "决定日期", "影响期至", "状态", "案件")

    def display(self, row, column: int) -> str:
        if row.decided_on is None:
            decided, end, state = "（尚未决定）", "—", "拟给予"
        else:
            decided = row.decided_on.isoformat()
            end = row.effect_end.isoformat() if row.effect_end else "长期"
            state = "影响期内" if row.in_effect else "影响期已满"
        name = f"{row.name}（{row.kind_label}）" if row.kind_label else row.name
        return (name, decided, end, state, row.case_number)[column]

    def colour(self, row, column: int) -> str | None:
        return OVERDUE_COLOUR if row.in_effect and column in (0, 3) else None


# --- 案件详情 -------------------------------------------------------------------------------


class HistoryTableModel(RowTableModel):
    HEADERS = ("时间", "账户", "事项")

    def display(self, row, column: int) -> str:
        return (row.at, row.account, row.text)[column]

    def tooltip(self, row, column: int) -> str | None:
        return row.text if column == 2 else None
