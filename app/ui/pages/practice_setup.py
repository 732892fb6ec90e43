"""建立练习库: the first time a PC enters practice mode, the trainer names the room's admin and sets a password."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.paths import StorePaths
from app.ui.errors import error_message
from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner
from app.ui.theme import scaled_font
from app.ui.widgets import Form, hint_label, message_label, password_edit, scroll_area, show_message, tint

PRACTICE_BANNER_STYLE = ("QLabel { background: #ffe3c2; color: #7a3300; border-bottom: 3px solid #e8590c;"
                         " padding: 6px 12px; font-weight: bold; }")
PRACTICE_BANNER_TEXT = "练习模式 · 练习库中都是模拟案件，与正式数据完全隔离，不能导出上报"
DEFAULT_TRAINER = "培训管理员"


class PracticeSetupWindow(QWidget):
    """Emits `sig_unlocked(store, warnings)` once the practice store exists and is open;
    `sig_mode_requested(False)` goes back to the real store's screen."""

    sig_unlocked = Signal(object, tuple)
    sig_mode_requested = Signal(bool)

    def __init__(self, paths: StorePaths, runner: TaskRunner, prompter: Prompter, parent: QWidget | None = None):
        super().__init__(parent)
        self.paths = paths
        self.runner = runner
        self.prompter = prompter
        self.setWindowTitle(f"{APP_NAME} — 练习模式 — 建立练习库")

        mode = QLabel(PRACTICE_BANNER_TEXT)
        mode.setObjectName("mode_banner")
        mode.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mode.setStyleSheet(PRACTICE_BANNER_STYLE)
        title = QLabel("建立练习库")
        title.setFont(scaled_font(self.font(), 1.8, bold=True))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        intro = hint_label(
            "这台电脑还没有练习库。练习库供培训时“案卷模拟、以案代训”使用，放在数据目录的 practice 文件夹中，"
            "与正式数据库完全分开。请培训管理员设置管理员账户和密码：以后由管理员解锁练习库，学员输入姓名即可练习，"
            "不需要各自的账户。"
        )
        weak = hint_label("注意：练习库要另设一个密码，不能使用正式数据库任何账户的密码（培训机房里练习库密码常会告诉多人）；"
                          "能打开正式数据库的密码会被拒绝。练习库只能存放模拟案件，不要录入任何真实案件信息。")
        tint(weak, "#7a3300")
        self.form = Form()
        self.account = self.form.add_row("account", "管理员账户", QLineEdit(DEFAULT_TRAINER))
        self.account.setObjectName("practice_account")
        self.password = self.form.add_row("password", "练习库密码", password_edit(),
                                          "至少 8 位，同时含字母和数字；不要与正式数据库的密码相同")
        self.password.setObjectName("practice_password")
        self.confirm = self.form.add_row("confirm", "再次输入密码", password_edit())
        self.confirm.setObjectName("practice_confirm")
        self.confirm.returnPressed.connect(self.submit)
        self.message = message_label()
        self.create_button = QPushButton("建立并进入练习库")
        self.create_button.setObjectName("create_practice")
        self.create_button.setDefault(True)
        self.create_button.setMinimumHeight(36)
        self.create_button.clicked.connect(self.submit)
        back = QPushButton("返回正式数据库")
        back.setObjectName("leave_practice")
        back.setFlat(True)
        back.setCursor(Qt.CursorShape.PointingHandCursor)
        back.setStyleSheet("QPushButton { color: #1a5fb4; text-decoration: underline; border: none; }")
        back.clicked.connect(lambda: self.sig_mode_requested.emit(False))
        location = hint_label(f"练习库位置：{paths.root}")
        location.setAlignment(Qt.AlignmentFlag.AlignCenter)

        card = QFrame()
        card.setObjectName("practice_card")
        card.setFixedWidth(520)
        card.setStyleSheet("QFrame#practice_card { background: white; border: 1px solid #e8a86b; border-radius: 10px; }")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 26, 32, 22)
        inner.setSpacing(10)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addWidget(weak)
        inner.addSpacing(6)
        inner.addWidget(self.form)
        inner.addWidget(self.message)
        inner.addWidget(self.create_button)
        inner.addWidget(back, alignment=Qt.AlignmentFlag.AlignCenter)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(mode)
        content = QWidget()
        content.setObjectName("practice_content")
        middle = QVBoxLayout(content)
        # the card is centred by a gap set from its height without messages (place_card), not by
        # stretches: a message wrapping onto a second line then grows the card downwards only
        self.top_gap = QSpacerItem(0, 12, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        middle.addItem(self.top_gap)
        # in a row with stretches, not aligned: an aligned widget gets its size hint, which squashes
        # the word-wrapped hint and error lines of the form
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(card)
        centred.addStretch(1)
        middle.addLayout(centred)
        middle.addSpacing(12)
        middle.addWidget(location)
        middle.addStretch(1)
        scroll = scroll_area(content)  # scrolls on a low screen: 1366×768 at 150 % is 910×512
        scroll.viewport().setAutoFillBackground(False)
        content.setAutoFillBackground(False)
        outer.addWidget(scroll, 1)
        self.card, self.location, self.middle, self.scroll = card, location, middle, scroll
        self.setStyleSheet("PracticeSetupWindow { background: #fbf4ec; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.place_card()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.place_card()

    def place_card(self) -> None:
        if self.message.isVisible() or any(label.isVisible() for label in self.form.errors.values()):
            return  # the card stays where it was while messages show
        card = self.card.heightForWidth(self.card.width()) if self.card.hasHeightForWidth() else -1
        card = max(card, self.card.sizeHint().height())
        below = 12 + self.location.sizeHint().height() + self.middle.spacing() * 3
        free = self.scroll.viewport().height() - card - below - self.middle.contentsMargins().top() * 2
        gap = max(free // 2, 12)
        if self.top_gap.sizeHint().height() != gap:
            self.top_gap.changeSize(0, gap, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            self.middle.invalidate()

    def submit(self) -> None:
        from app.domain.password_rule import password_problem

        self.form.clear_errors()
        show_message(self.message, "")
        account, password = self.account.text().strip(), self.password.text()
        problems = {}
        if not account or ":" in account:
            problems["account"] = "请填写管理员账户名（不能含冒号）。"
        problem = password_problem(password)
        if problem:
            problems["password"] = problem
        elif self.confirm.text() != password:
            problems["confirm"] = "两次输入的密码不一致。"
        for key, text in problems.items():
            self.form.set_error(key, text)
        if problems:
            return
        paths = self.paths

        def create():
            from app.services import practice, unlock

            result = practice.create_store(paths, account, password)
            return result.recovery_code, unlock.unlock(paths, account, password)

        self.create_button.setEnabled(False)
        self.create_button.setText("正在建立……")
        self.runner.run(create, on_done=self.on_created, on_error=self.on_failed, label="正在建立练习库……", parent=self)

    def on_created(self, result) -> None:
        code, unlocked = result
        self.prompter.info(self, "练习库已建立。这是练习库的恢复密钥（忘记练习库密码时用），请培训管理员记下：\n\n"
                                 f"{code}")
        self.sig_unlocked.emit(unlocked.store, unlocked.warnings)

    def on_failed(self, exc: BaseException) -> None:
        self.create_button.setEnabled(True)
        self.create_button.setText("建立并进入练习库")
        show_message(self.message, error_message(exc))
