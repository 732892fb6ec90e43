"""The unlock screen: account, password, 解锁; 忘记密码 opens the recovery dialog; 练习模式 switches stores."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import APP_NAME
from app.paths import StorePaths
from app.ui import preload
from app.ui.errors import error_message
from app.ui.prompter import Prompter
from app.ui.recovery_dialog import RecoverDialog
from app.ui.tasks import TaskRunner
from app.ui.theme import scaled_font
from app.ui.widgets import Form, hint_label, message_label, password_edit, show_message, tint

UNLOCK_TEXT = "解锁"
COUNTDOWN_TICK_MS = 200
NOTICE_COLOR = "#1e6b34"


class UnlockWindow(QWidget):
    """Emits `sig_unlocked(store, warnings)`; the store comes from a password or the recovery code.
    `sig_mode_requested(practice)` asks for the other store: the practice store, or back to the real one."""

    sig_unlocked = Signal(object, tuple)
    sig_mode_requested = Signal(bool)

    def __init__(self, paths: StorePaths, runner: TaskRunner, prompter: Prompter, *,
                 preferred_account: str | None = None, practice: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.practice = practice
        self.paths = paths
        self.preferred_account = preferred_account
        self.runner = runner
        self.prompter = prompter
        self.wait_seconds = 0
        self.wait_until = 0.0
        self.countdown = QTimer(self)
        self.countdown.setInterval(COUNTDOWN_TICK_MS)
        self.countdown.timeout.connect(self.tick)
        self.setWindowTitle(f"{APP_NAME} — {'练习模式 — ' if practice else ''}解锁")

        title = QLabel(f"{APP_NAME} · 练习模式" if practice else APP_NAME)
        title.setFont(scaled_font(self.font(), 2.4, bold=True))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle = hint_label("练习库 · 由培训管理员解锁，学员输入姓名即可练习" if practice
                              else "乡镇纪委离线办案助手 · 数据已加密，请解锁后使用")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.form = Form()
        self.account = self.form.add_row("account", "账户", QComboBox())
        self.password = self.form.add_row("password", "密码", password_edit())
        self.password.returnPressed.connect(self.submit)
        self.preloading = False
        self.password.textEdited.connect(self.start_preload)
        self.message = message_label()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        tint(self.notice, NOTICE_COLOR)
        self.notice.hide()
        self.unlock_button = QPushButton(UNLOCK_TEXT)
        self.unlock_button.setDefault(True)
        self.unlock_button.setMinimumHeight(36)
        self.unlock_button.setEnabled(False)
        self.unlock_button.clicked.connect(self.submit)
        self.forgot_button = QPushButton("忘记密码？用恢复密钥重设")
        self.forgot_button.setFlat(True)
        self.forgot_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.forgot_button.setStyleSheet("QPushButton { color: #1a5fb4; text-decoration: underline; border: none; }")
        self.forgot_button.setEnabled(False)
        self.forgot_button.clicked.connect(self.open_recovery)
        self.mode_button = QPushButton("返回正式数据库" if practice else "练习模式（培训用，与正式数据隔离）")
        self.mode_button.setObjectName("mode_switch")
        self.mode_button.setFlat(True)
        self.mode_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.mode_button.setStyleSheet("QPushButton { color: #b35300; text-decoration: underline; border: none; }")
        self.mode_button.clicked.connect(lambda: self.sig_mode_requested.emit(not practice))
        location = hint_label(f"数据目录：{paths.root}")
        location.setAlignment(Qt.AlignmentFlag.AlignCenter)
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        card = QFrame()
        card.setObjectName("unlock_card")
        card.setFixedWidth(440)
        card.setStyleSheet("QFrame#unlock_card { background: white; border: 1px solid #d0d4da; border-radius: 10px; }")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 24)
        inner.setSpacing(10)
        inner.addWidget(title)
        inner.addWidget(subtitle)
        inner.addSpacing(14)
        inner.addWidget(self.form)
        inner.addWidget(self.message)
        inner.addWidget(self.notice)
        inner.addWidget(self.unlock_button)
        inner.addWidget(self.forgot_button, alignment=Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.mode_button, alignment=Qt.AlignmentFlag.AlignCenter)

        outer = QVBoxLayout(self)
        if practice:
            from app.ui.pages.practice_setup import PRACTICE_BANNER_STYLE, PRACTICE_BANNER_TEXT

            mode = QLabel(PRACTICE_BANNER_TEXT)
            mode.setObjectName("mode_banner")
            mode.setAlignment(Qt.AlignmentFlag.AlignCenter)
            mode.setStyleSheet(PRACTICE_BANNER_STYLE)
            outer.setContentsMargins(0, 0, 0, 0)
            outer.addWidget(mode)
        outer.addStretch(1)
        # centred by stretches, not by alignment: an aligned widget gets the height its layout needs
        # at the window's width, and the card's wrapped messages would squeeze its fields
        centred = QWidget()
        row = QHBoxLayout(centred)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addWidget(centred)
        outer.addSpacing(12)
        outer.addWidget(location)
        outer.addStretch(1)
        self.setStyleSheet(f"UnlockWindow {{ background: {'#fbf4ec' if practice else '#eef1f5'}; }}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    # --- accounts ---------------------------------------------------------------------

    def load_accounts(self) -> None:
        """Fill the account list off the GUI thread (the services import takes a moment)."""
        paths = self.paths

        def names():
            from app.services import unlock

            return unlock.account_names(paths)

        self.runner.run(names, on_done=self.on_accounts, on_error=self.on_accounts_failed)

    def on_accounts(self, names: list[str]) -> None:
        self.account.clear()
        self.account.addItems(names)
        if self.preferred_account in names:
            self.account.setCurrentText(self.preferred_account)
        ready = bool(names)
        if not ready:
            show_message(self.message, "此数据库没有可登录的账户，请用恢复密钥重设密码。")
        self.forgot_button.setEnabled(True)
        self.mode_button.setEnabled(True)
        self.unlock_button.setEnabled(ready and self.wait_seconds == 0)
        self.password.setFocus()

    def on_accounts_failed(self, exc: BaseException) -> None:
        show_message(self.message, error_message(exc))

    # --- unlocking --------------------------------------------------------------------

    def start_preload(self) -> None:
        """On the first keystroke (or at 解锁): load what unlocking and the main window need
        (app/ui/preload.py)."""
        if self.preloading:
            return
        self.preloading = True
        # a module that fails to load fails again when unlocking, which shows the error
        self.runner.run(preload.load, on_done=lambda _modules: None, on_error=lambda _exc: None)

    def submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        self.form.clear_errors()
        show_message(self.message, "")
        show_message(self.notice, "")
        password = self.password.text()
        if not password:
            self.form.set_error("password", "请输入密码。")
            return
        paths, name = self.paths, self.account.currentText()
        self.start_preload()  # unless typing started it: the same worker runs it before the unlock

        def open_store():
            from app.services import unlock

            return unlock.unlock(paths, name, password)

        self.unlock_button.setEnabled(False)
        self.unlock_button.setText("正在解锁……")
        self.runner.run(open_store, on_done=self.on_unlocked, on_error=self.on_failed)

    def on_unlocked(self, unlocked) -> None:
        self.password.clear()
        self.unlock_button.setText(UNLOCK_TEXT)
        self.unlock_button.setEnabled(True)
        self.sig_unlocked.emit(unlocked.store, unlocked.warnings)

    def on_failed(self, exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()
        show_message(self.message, error_message(exc))
        wait = getattr(exc, "detail", {}).get("retry_after", 0)
        if wait:
            self.start_countdown(int(wait))
        else:
            self.unlock_button.setText(UNLOCK_TEXT)
            self.unlock_button.setEnabled(True)

    def start_countdown(self, seconds: int) -> None:
        self.wait_until = time.monotonic() + seconds
        self.wait_seconds = seconds
        self.unlock_button.setEnabled(False)
        self.unlock_button.setText(f"请等待 {seconds} 秒")
        self.countdown.start()

    def tick(self) -> None:
        self.wait_seconds = max(math.ceil(self.wait_until - time.monotonic()), 0)
        if self.wait_seconds > 0:
            self.unlock_button.setText(f"请等待 {self.wait_seconds} 秒")
            return
        self.countdown.stop()
        self.wait_seconds = 0
        self.unlock_button.setText(UNLOCK_TEXT)
        self.unlock_button.setEnabled(self.account.count() > 0)

    # --- recovery and notices -----------------------------------------------------------

    def open_recovery(self) -> RecoverDialog:
        names = [self.account.itemText(i) for i in range(self.account.count())]
        dialog = RecoverDialog(self.paths, names, self.runner, self.prompter, self)
        dialog.account.setCurrentText(self.account.currentText())
        dialog.sig_unlocked.connect(lambda store: self.sig_unlocked.emit(store, ()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def set_busy(self, text: str) -> None:
        """While the controller works on the store (a restore), unlocking waits."""
        self.unlock_button.setEnabled(False)
        self.forgot_button.setEnabled(False)
        self.mode_button.setEnabled(False)
        show_message(self.message, "")
        show_message(self.notice, text)

    def show_notice(self, text: str) -> None:
        show_message(self.notice, text)

    def show_error(self, text: str, retry_after: int = 0) -> None:
        """`retry_after`: a failed password elsewhere (a restore) also started the wrong-password wait."""
        show_message(self.message, text)
        if retry_after:
            self.start_countdown(int(retry_after))
