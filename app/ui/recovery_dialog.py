"""忘记密码: the recovery code and a new password open the store; a new code is shown once."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.password_rule import RULE_TEXT, password_problem
from app.errors import AppError
from app.paths import StorePaths
from app.storage import recovery_code
from app.ui.errors import error_message
from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner
from app.ui.theme import monospace_font
from app.ui.widgets import Form, RecoveryCodePanel, hint_label, message_label, password_edit, resize_within_screen, show_message

# which field an error from unlock.recover belongs to
RECOVER_FIELDS = {"bad_recovery_code": "code", "wrong_recovery_code": "code", "throttled": "code",
                  "weak_password": "password", "account_disabled": "account"}


class RecoverDialog(QDialog):
    """Emits `sig_unlocked(store)` after the new recovery code was confirmed."""

    sig_unlocked = Signal(object)

    def __init__(self, paths: StorePaths, accounts: list[str], runner: TaskRunner, prompter: Prompter,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.paths = paths
        self.runner = runner
        self.store = None
        self.pending = None  # unlock.PendingRecovery while the new code is shown, before it is committed
        self.setWindowTitle("忘记密码 — 用恢复密钥重设")
        self.setModal(True)

        intro = hint_label("输入初始设置时抄写的48位恢复密钥，并为账户设置新密码。重设后原恢复密钥作废，会显示新的恢复密钥。")
        self.form = Form()
        self.account = self.form.add_row("account", "账户", QComboBox())
        self.account.addItems(accounts)
        self.code = self.form.add_row("code", "恢复密钥", QLineEdit(), "8组，每组6位数字；组间可用空格或连字符分隔。")
        self.code.setFont(monospace_font(12))
        self.code.setPlaceholderText("000000-000000-000000-000000-000000-000000-000000-000000")
        self.password = self.form.add_row("password", "新密码", password_edit(), RULE_TEXT)
        self.password2 = self.form.add_row("password2", "再次输入新密码", password_edit())
        self.message = message_label()
        self.submit_button = QPushButton("重设密码")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(cancel)
        form_page = QWidget()
        column = QVBoxLayout(form_page)
        column.addWidget(intro)
        column.addSpacing(6)
        column.addWidget(self.form)
        column.addWidget(self.message)
        column.addStretch(1)
        column.addLayout(buttons)

        self.panel = RecoveryCodePanel(prompter)
        self.finish_button = QPushButton("完成")
        self.finish_button.setEnabled(False)
        self.finish_button.clicked.connect(self.accept)
        self.panel.sig_confirmed.connect(self.finish_button.setEnabled)
        finish_row = QHBoxLayout()
        finish_row.addStretch(1)
        finish_row.addWidget(self.finish_button)
        code_page = QWidget()
        code_column = QVBoxLayout(code_page)
        code_column.addWidget(self.panel)
        code_column.addLayout(finish_row)

        self.pages = QStackedWidget()
        self.pages.addWidget(form_page)
        self.pages.addWidget(code_page)
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)
        resize_within_screen(self, 680, 480)

    def submit(self) -> None:
        self.form.clear_errors()
        show_message(self.message, "")
        try:
            code = recovery_code.normalise(self.code.text())
        except AppError as exc:
            self.form.set_error("code", exc.message)
            return
        new = self.password.text()
        problem = password_problem(new)
        if problem:
            self.form.set_error("password", problem)
            return
        if new != self.password2.text():
            self.form.set_error("password2", "两次输入的密码不一致。")
            return
        paths, name = self.paths, self.account.currentText()

        def recover():
            from app.services import unlock

            # nothing is written yet: the new code is shown and confirmed first (commit in accept)
            return unlock.begin_recovery(paths, name, code, new)

        self.submit_button.setEnabled(False)
        self.submit_button.setText("正在验证……")
        self.runner.run(recover, on_done=self.on_recovered, on_error=self.on_failed, label="正在用恢复密钥解锁……", parent=self)

    def on_recovered(self, pending) -> None:
        self.pending = pending
        office = pending.store.office
        self.panel.set_code(pending.new_code, f"{office.name}（{office.code}）", f"纪案通恢复密钥-{office.code}")
        self.setWindowTitle("新的恢复密钥")
        self.pages.setCurrentIndex(1)

    def on_failed(self, exc: BaseException) -> None:
        self.submit_button.setEnabled(True)
        self.submit_button.setText("重设密码")
        field = RECOVER_FIELDS.get(getattr(exc, "code", ""))
        if field:
            self.form.set_error(field, error_message(exc))
        else:
            show_message(self.message, error_message(exc))

    def reject(self) -> None:
        # while the new code is shown, Esc does not throw it away: it takes effect only when confirmed,
        # and until then (even if the app is closed or killed) the old password and code stay valid
        if self.pending is None and self.store is None:
            super().reject()

    def done(self, result: int) -> None:
        if self.pending is not None and result != QDialog.DialogCode.Accepted:
            self.pending.cancel()  # the window goes away unconfirmed: nothing was written
            self.pending = None
        super().done(result)

    def accept(self) -> None:
        if self.pending is None or not self.panel.confirmed:
            return
        try:
            unlocked = self.pending.commit()  # only now do the new password and code replace the old ones
        except AppError as exc:
            self.pending = None
            self.pages.setCurrentIndex(0)
            self.submit_button.setEnabled(True)
            self.submit_button.setText("重设密码")
            show_message(self.message, f"{error_message(exc)}密码和恢复密钥未改动，原恢复密钥仍然有效。")
            return
        self.pending = None
        self.store = unlocked.store
        super().accept()
        self.sig_unlocked.emit(self.store)
