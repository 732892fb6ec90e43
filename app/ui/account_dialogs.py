"""The 账户 menu's dialogs: change password, account management (admins); and 关于 (AboutDialog),
opened from the 帮助 menu (app/ui/help_menu.py)."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.domain.password_rule import RULE_TEXT, password_problem
from app.ui.errors import error_message
from app.ui.session import SessionContext
from app.ui.table_models import AccountColumn, AccountTableModel
from app.ui.theme import scaled_font
from app.ui.widgets import FitScrollArea, Form, hint_label, message_label, password_edit, resize_within_screen, show_message

ROLE_CHOICES = (("staff", "工作人员"), ("admin", "书记/管理员"))
CHANGE_FIELDS = {"wrong_password": "old", "throttled": "old", "weak_password": "new", "same_password": "new"}
ADD_FIELDS = {"bad_account": "name", "account_exists": "name", "weak_password": "password", "bad_role": "role"}


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


def administrator_for(ctx: SessionContext, parent: QWidget | None, purpose: str, what: str = "本单位私钥"):
    """What a task that needs the office's private keys runs inside: nothing in an administrator's
    session; in a 工作人员 session an administrator chooses their account and types their own password
    (checked by the task, behind the wrong-password delay, and audited). None when cancelled.

    Use: `confirm = administrator_for(...)`, then `with confirm(): ...` in the task.
    """
    from contextlib import nullcontext

    from app.services import accounts, unlock

    store = ctx.store
    if unlock.can_read_role_data(store):
        return nullcontext
    admins = tuple(a.name for a in accounts.list_accounts(store) if a.role == "admin" and not a.disabled)
    if not admins:
        ctx.prompter.error(parent, f"{purpose}要用{what}，只有书记/管理员的密码能解开，但本库没有可用的书记/管理员账户。未进行任何操作。")
        return None
    text = (f"{purpose}要用{what}，只有书记/管理员的密码能解开。\n"
            f"当前登录的是工作人员账户“{store.account.name}”，请由书记/管理员确认。")
    if len(admins) == 1:
        name = admins[0]
        if not ctx.prompter.confirm(parent, text + f"\n由“{name}”输入密码确认？", "输入密码"):
            return None
    else:
        index = ctx.prompter.choose(parent, text + "\n请选择确认的书记/管理员账户：", (*admins, "取消"))
        if index >= len(admins):
            return None
        name = admins[index]
    password = ctx.prompter.password(parent, f"请书记/管理员“{name}”输入自己的密码（此次确认记入日志）：")
    if not password:
        return None
    return lambda: unlock.administrator(store, name, password, purpose=purpose)


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("修改密码")
        self.form = Form()
        account = QLabel(ctx.store.account.name)
        self.form.add_row("account", "账户", account)
        self.old = self.form.add_row("old", "原密码", password_edit())
        self.new = self.form.add_row("new", "新密码", password_edit(), RULE_TEXT)
        self.new2 = self.form.add_row("new2", "再次输入新密码", password_edit())
        self.message = message_label()
        self.ok_button = QPushButton("修改密码")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(hint_label("只改变本账户的密码，不影响其他账户和恢复密钥。"))
        column.addSpacing(6)
        column.addWidget(self.form)
        column.addWidget(self.message)
        column.addStretch(1)
        column.addSpacing(8)
        column.addLayout(button_row(self.ok_button, cancel))
        self.setMinimumWidth(520)

    def submit(self) -> None:
        self.form.clear_errors()
        show_message(self.message, "")
        old, new = self.old.text(), self.new.text()
        if not old:
            self.form.set_error("old", "请输入原密码。")
            return
        problem = password_problem(new)
        if problem:
            self.form.set_error("new", problem)
            return
        if new != self.new2.text():
            self.form.set_error("new2", "两次输入的密码不一致。")
            return
        paths, name = self.ctx.store.paths, self.ctx.store.account.name

        def change():
            from app.services import unlock

            unlock.change_password(paths, name, old, new)

        self.ok_button.setEnabled(False)
        self.ctx.runner.run(change, on_done=self.on_changed, on_error=self.on_failed, label="正在修改密码……", parent=self)

    def on_changed(self, _result) -> None:
        self.ok_button.setEnabled(True)
        self.ctx.prompter.info(self, "密码已修改。下次解锁请使用新密码。")
        self.accept()

    def on_failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if getattr(exc, "code", "") in ("wrong_password", "throttled"):
            self.old.clear()
            self.old.setFocus()
        field = CHANGE_FIELDS.get(getattr(exc, "code", ""))
        if field:
            self.form.set_error(field, error_message(exc))
        else:
            show_message(self.message, error_message(exc))


class AccountsDialog(QDialog):
    """书记/管理员 only: list, add and disable the office's accounts."""

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("账户管理")
        self.model = AccountTableModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("accounts_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in AccountColumn:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AccountColumn.NAME, QHeaderView.ResizeMode.Stretch)
        self.disable_button = QPushButton("停用所选账户…")
        self.disable_button.clicked.connect(self.disable_selected)
        self.rekey_button = QPushButton("密码可能已泄露：更换密钥…")
        self.rekey_button.setObjectName("accounts_rekey")
        self.rekey_button.clicked.connect(self.rekey)
        list_box = QGroupBox("本单位的账户")
        list_column = QVBoxLayout(list_box)
        list_column.addWidget(self.table)
        list_column.addWidget(hint_label("停用后该账户的密码不能再解锁；其操作记录仍保留。"))
        list_column.addLayout(button_row(self.rekey_button, self.disable_button))

        self.form = Form()
        self.name = self.form.add_row("name", "账户名", QLineEdit())
        self.name.setPlaceholderText("如：李专干")
        self.role = self.form.add_row("role", "角色", QComboBox())
        for key, label in ROLE_CHOICES:
            self.role.addItem(label, key)
        self.password = self.form.add_row("password", "初始密码", password_edit(), RULE_TEXT + "请当面告知本人，并请其登录后修改。")
        self.password2 = self.form.add_row("password2", "再次输入密码", password_edit())
        self.add_button = QPushButton("添加账户")
        self.add_button.clicked.connect(self.add)
        self.message = message_label()
        add_box = QGroupBox("添加账户")
        add_column = QVBoxLayout(add_box)
        add_column.addWidget(self.form)
        add_column.addWidget(self.message)
        add_column.addLayout(button_row(self.add_button))

        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        body = QWidget()
        body_column = QVBoxLayout(body)
        body_column.setContentsMargins(0, 0, 0, 0)
        body_column.addWidget(list_box, 1)
        body_column.addWidget(add_box)
        column = QVBoxLayout(self)
        column.addWidget(FitScrollArea(body), 1)  # scrolls only on a low screen (1366×768 at 150 % is 910×512)
        column.addLayout(button_row(close))
        resize_within_screen(self, 640, 600)
        self.refresh()

    def refresh(self) -> None:
        from app.services import accounts

        self.model.set_rows(accounts.list_accounts(self.ctx.store))

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).name if rows else None

    def add(self) -> None:
        self.form.clear_errors()
        show_message(self.message, "")
        name, password = self.name.text().strip(), self.password.text()
        if not name:
            self.form.set_error("name", "请填写账户名。")
            return
        problem = password_problem(password)
        if problem:
            self.form.set_error("password", problem)
            return
        if password != self.password2.text():
            self.form.set_error("password2", "两次输入的密码不一致。")
            return
        store, role = self.ctx.store, self.role.currentData()

        def add_account():
            from app.services import accounts

            return accounts.add_account(store, name, role, password)

        self.add_button.setEnabled(False)
        self.ctx.runner.run(add_account, on_done=self.on_added, on_error=self.on_add_failed, label="正在添加账户……", parent=self)

    def on_added(self, row) -> None:
        self.add_button.setEnabled(True)
        for field in (self.name, self.password, self.password2):
            field.clear()
        self.refresh()
        show_message(self.message, "")
        self.ctx.prompter.info(self, f"已添加账户“{row.name}”（{row.role_label}）。")

    def on_add_failed(self, exc: BaseException) -> None:
        self.add_button.setEnabled(True)
        field = ADD_FIELDS.get(getattr(exc, "code", ""))
        if field:
            self.form.set_error(field, error_message(exc))
        else:
            show_message(self.message, error_message(exc))

    def disable_selected(self) -> None:
        from app.services import accounts

        name = self.selected_name()
        if name is None:
            self.ctx.prompter.error(self, "请先在列表中选中要停用的账户。")
            return
        if not self.ctx.prompter.confirm(self, f"确定停用账户“{name}”吗？停用后该账户不能再解锁；"
                                               "同时更换数据库密钥，旧的密钥槽文件和旧备份不再能打开本库。", "停用"):
            return
        try:
            warning = accounts.disable_account(self.ctx.store, name)
        except Exception as exc:
            self.ctx.prompter.error(self, error_message(exc))
            self.refresh()
            return
        self.refresh()
        if warning:
            self.ctx.prompter.error(self, warning)
        else:
            self.ctx.prompter.info(self, f"已停用账户“{name}”，并已更换数据库密钥。")

    def rekey(self) -> None:
        """"密码可能已泄露": new keys for the store, every account's password unchanged."""
        from app.services import accounts

        if not self.ctx.prompter.confirm(self, "更换数据库密钥和角色密钥：各账户密码不变，旧的密钥槽文件和旧备份将不再能打开本库"
                                               "（旧备份恢复时按“另一个数据库”处理）。泄露的密码仍须修改，或停用其账户。", "更换密钥"):
            return
        try:
            accounts.password_may_be_known(self.ctx.store)
        except Exception as exc:
            self.ctx.prompter.error(self, error_message(exc))
            return
        self.ctx.prompter.info(self, "已更换数据库密钥。请重新备份一次：此前的备份恢复时将按“另一个数据库”处理。")


class AboutDialog(QDialog):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        from app.services import status

        super().__init__(parent)
        self.setWindowTitle(f"关于{APP_NAME}")
        info = status.status(ctx.store)
        title = QLabel(f"{APP_NAME} {__version__}")
        title.setFont(scaled_font(self.font(), 1.6, bold=True))
        form = QFormLayout()
        self.values: dict[str, str] = {
            "数据库文件": info["store_path"],
            "加密组件": f"SQLCipher {info['cipher_version']}",
            "数据结构版本": info["schema_version"] or "（未知）",
            "Qt 版本": qVersion(),
            "PySide6 版本": pyside_version,
            "Python 版本": platform.python_version(),
        }
        for label, text in self.values.items():
            value = QLabel(text)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
        close = QPushButton("关闭")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        column = QVBoxLayout(self)
        column.addWidget(title)
        column.addWidget(hint_label("乡镇纪委离线办案助手。数据全部加密保存在本机，不联网。"))
        column.addSpacing(8)
        column.addLayout(form)
        column.addStretch(1)
        column.addLayout(button_row(close))
        self.setMinimumWidth(520)
