"""Table models without a window."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services.accounts import AccountRow
from app.services.audit_log import AuditRow
from app.ui.table_models import AccountColumn, AccountTableModel, AuditColumn, AuditTableModel, entity_label


def test_audit_model_turns_codes_into_chinese(styled_app):
    model = AuditTableModel([
        AuditRow(2, "2026-01-05T02:00:00Z", "张书记", "update", "setting:auto_lock_minutes", "修改字段：value"),
        AuditRow(1, "not a time", "张书记", "mystery", "office:" + "a" * 32, "新建"),
    ])
    assert model.rowCount() == 2 and model.columnCount() == len(AuditColumn)
    assert model.headerData(AuditColumn.ACTION, Qt.Orientation.Horizontal) == "操作"
    assert model.data(model.index(0, AuditColumn.ACTION)) == "修改"
    assert model.data(model.index(0, AuditColumn.ENTITY)) == "设置：自动锁定时间"
    assert model.data(model.index(0, AuditColumn.AT)).startswith("2026-01-05")
    assert model.data(model.index(1, AuditColumn.ACTION)) == "mystery"
    assert model.data(model.index(1, AuditColumn.AT)) == "not a time"
    assert model.data(model.index(1, AuditColumn.ENTITY)) == "单位：aaaaaaaa"
    assert model.data(model.index(0, AuditColumn.SEQ), Qt.ItemDataRole.ToolTipRole) is None


def test_entity_label_without_reference(styled_app):
    assert entity_label("file:") == "文件"
    assert entity_label("account:李专干") == "账户：李专干"


def test_account_model(styled_app):
    model = AccountTableModel()
    assert model.rowCount() == 0
    model.set_rows([AccountRow("李专干", "staff", "工作人员", True, "2026-01-05T02:00:00")])
    assert model.data(model.index(0, AccountColumn.STATE)) == "已停用"
    assert model.data(model.index(0, AccountColumn.ROLE)) == "工作人员"
    assert model.data(model.index(0, AccountColumn.CREATED)).startswith("2026-01-05")
    assert model.row_at(0).name == "李专干"
