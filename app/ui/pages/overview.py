"""概况: which store is open, who is signed in, and the latest audit events."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.session import SessionContext
from app.ui.table_models import AuditColumn, AuditTableModel
from app.ui.theme import scaled_font
from app.ui.widgets import ERROR_COLOR, tint

LEVEL_LABELS = {"township": "乡镇纪委", "county": "县纪委", "city": "市纪委"}
ROLE_LABELS = {"admin": "书记/管理员", "staff": "工作人员"}
EVENT_LIMIT = 50
WEAK_KDF_TEXT = ("警告：密码保护使用了测试用的快速配置，强度很弱，只适用于测试和练习，"
                 "不要在此数据库中存放真实案件数据。")


class OverviewPage(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.values: dict[str, QLabel] = {}

        office_box = QGroupBox("本单位")
        office_form = QFormLayout(office_box)
        store_box = QGroupBox("数据库")
        store_form = QFormLayout(store_box)
        for form, rows in ((office_form, (("name", "单位名称"), ("code", "单位代码"), ("level", "单位级别"),
                                          ("parent", "上级单位代码"), ("account", "当前账户"))),
                           (store_form, (("path", "数据库文件"), ("cipher", "加密组件版本"),
                                         ("schema", "数据结构版本"), ("kdf", "密码保护强度")))):
            for key, label in rows:
                value = QLabel()
                value.setObjectName(f"overview_{key}")
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                form.addRow(label, value)
                self.values[key] = value
        self.kdf_warning = QLabel(WEAK_KDF_TEXT)
        self.kdf_warning.setWordWrap(True)
        tint(self.kdf_warning, ERROR_COLOR)
        self.kdf_warning.setFont(scaled_font(self.kdf_warning.font(), 1.0, bold=True))
        self.kdf_warning.hide()
        store_form.addRow(self.kdf_warning)

        self.events = AuditTableModel(parent=self)
        table = QTableView()
        table.setObjectName("audit_table")
        table.setModel(self.events)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        for column in AuditColumn:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AuditColumn.SUMMARY, QHeaderView.ResizeMode.Stretch)
        self.table = table
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        events_box = QGroupBox(f"最近的操作记录（最多{EVENT_LIMIT}条，新的在前）")
        events_column = QVBoxLayout(events_box)
        events_column.addWidget(table)

        top = QHBoxLayout()
        top.addWidget(office_box, 1)
        top.addWidget(store_box, 1)
        refresh_row = QHBoxLayout()
        refresh_row.addStretch(1)
        refresh_row.addWidget(refresh)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(events_box, 1)
        column.addLayout(refresh_row)
        self.loaded = False  # filled when first shown, so counting the store does not delay the unlock

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.loaded:
            self.refresh()

    def refresh(self) -> None:
        from app.services import audit_log, status

        self.loaded = True
        store = self.ctx.store
        info = status.status(store)
        office, account = store.office, store.account
        weak = any(slot["weak"] for slot in info["kdf"])
        texts = {
            "name": office.name,
            "code": office.code,
            "level": LEVEL_LABELS.get(office.level, office.level),
            "parent": office.parent_code or "（无）",
            "account": f"{account.name}（{ROLE_LABELS.get(account.role, account.role)}）",
            "path": info["store_path"],
            "cipher": f"SQLCipher {info['cipher_version']}",
            "schema": info["schema_version"] or "（未知）",
            "kdf": "弱（测试配置）" if weak else "标准（Argon2id，已按本机性能校准）",
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        self.kdf_warning.setVisible(weak)
        self.events.set_rows(audit_log.recent_events(store, EVENT_LIMIT))
