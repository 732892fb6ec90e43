"""Table models over the services' frozen rows, one per list, each with a column enum."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

ACTION_LABELS = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "init": "初始设置",
    "unlock": "解锁",
    "backup": "备份",
    "recover": "用恢复密钥重设密码",
    "view_reporter": "查看举报人信息",
    "export": "导出",
    "export_bundle": "生成数据包",
    "import_bundle": "导入数据包",
    "trust_keys": "确认密钥指纹",
    "setup_package": "生成设置包",
    "practice_mark": "标记为练习库",
    "practice_start": "开始练习",
    "practice_finish": "完成练习",
    "practice_export": "导出练习成绩",
    "practice_reset": "重置练习记录",
}
ENTITY_LABELS = {
    "office": "单位",
    "account": "账户",
    "setting": "设置",
    "file": "文件",
    "person": "人员",
    "clue": "线索",
    "case": "案件",
    "document": "文书",
    "reporter": "举报人信息",
    "clue_subject": "被反映人",
    "step_record": "办理环节",
    "collective_study": "集体研究",
    "decision": "决定",
    "deadline_extension": "期限延长",
    "sanction": "处分（处理）",
    "attachment": "附件",
    "transfer": "上级转办",
    "review_opinion": "县纪委审核意见",
    "statistics_snapshot": "统计数据",
    "office_key": "单位密钥",
    "bundle_log": "数据包记录",
    "practice_attempt": "练习记录",
    "practice_scenario": "练习案例",
}
SETTING_LABELS = {
    "auto_lock_minutes": "自动锁定时间",
    "due_soon_working_days": "临期提醒",
    "font_body": "正文字体",
    "font_title": "标题字体",
    "font_heading": "一级标题字体",
    "font_kai": "楷体字体",
    "office_id": "本单位标识",
    "store_id": "数据库标识",
}
UUID_HEX = re.compile(r"^[0-9a-f]{32}$")
AUDIT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def local_time(at: str) -> str:
    try:
        moment = datetime.strptime(at, AUDIT_TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def local_from_iso(text: str) -> str:
    """Account times are stored in UTC, read back without a zone: show them in local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def entity_label(entity: str) -> str:
    kind, _, ref = entity.partition(":")
    label = ENTITY_LABELS.get(kind, kind)
    if kind == "setting":
        ref = SETTING_LABELS.get(ref, ref)
    elif UUID_HEX.match(ref):
        ref = ref[:8]
    return f"{label}：{ref}" if ref else label


class RowTableModel(QAbstractTableModel):
    """Rows of frozen dataclasses; subclasses say how each column shows a row."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, rows: list | None = None, parent=None):
        super().__init__(parent)
        self.rows = list(rows or [])

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self.colour(row, index.column())
            return QBrush(QColor(color)) if color else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, index.column())
        return None

    def display(self, row, column: int) -> str:
        raise NotImplementedError

    def colour(self, row, column: int) -> str | None:
        """Text colour of a cell ("#rrggbb"), None for the default."""
        return None

    def tooltip(self, row, column: int) -> str | None:
        return None

    def row_at(self, index: int):
        return self.rows[index]


class AuditColumn(IntEnum):
    SEQ = 0
    AT = 1
    ACCOUNT = 2
    ACTION = 3
    ENTITY = 4
    SUMMARY = 5


class AuditTableModel(RowTableModel):
    HEADERS = ("序号", "时间", "账户", "操作", "对象", "说明")

    def display(self, row, column: int) -> str:
        match AuditColumn(column):
            case AuditColumn.SEQ:
                return str(row.seq)
            case AuditColumn.AT:
                return local_time(row.at)
            case AuditColumn.ACCOUNT:
                return row.account
            case AuditColumn.ACTION:
                return ACTION_LABELS.get(row.action, row.action)
            case AuditColumn.ENTITY:
                return entity_label(row.entity)
            case AuditColumn.SUMMARY:
                return row.summary


class AccountColumn(IntEnum):
    NAME = 0
    ROLE = 1
    STATE = 2
    CREATED = 3


class AccountTableModel(RowTableModel):
    HEADERS = ("账户名", "角色", "状态", "建立时间")

    def display(self, row, column: int) -> str:
        match AccountColumn(column):
            case AccountColumn.NAME:
                return row.name
            case AccountColumn.ROLE:
                return row.role_label
            case AccountColumn.STATE:
                return "已停用" if row.disabled else "正常"
            case AccountColumn.CREATED:
                return local_from_iso(row.created_at)
