"""First start: office, first administrator, then the recovery code shown once."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QProgressBar, QVBoxLayout, QWidget, QWizard, QWizardPage

from app.domain.password_rule import RULE_TEXT
from app.errors import InputError
from app.paths import StorePaths
from app.ui.errors import error_message
from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner
from app.ui.widgets import Form, RecoveryCodePanel, hint_label, message_label, password_edit, show_message

LEVELS = (("township", "乡镇纪委"), ("county", "县纪委"), ("city", "市纪委"))
# which form field a set-up InputError code belongs to
OFFICE_FIELDS = {"bad_office_code": "code", "bad_office_name": "name", "bad_level": "level", "parent_required": "parent"}
ACCOUNT_FIELDS = {"bad_account": "account", "weak_password": "password"}


class OfficePage(QWizardPage):
    def __init__(self, paths: StorePaths):
        super().__init__()
        self.setTitle("第一步：本单位信息")
        self.setSubTitle("首次使用需建立本单位的加密数据库。数据只保存在这台电脑上，不联网。")
        self.form = Form()
        self.code = self.form.add_row("code", "单位代码", QLineEdit(), "只能使用字母、数字和连字符，如 LX-HX01。")
        self.code.setMaxLength(32)
        self.name = self.form.add_row("name", "单位名称", QLineEdit())
        self.name.setPlaceholderText("如：临溪县红星镇纪委")
        self.abbr = self.form.add_row("abbr", "单位简称", QLineEdit(), "用于编号：填“红星”，立案编号为“红星纪立〔2026〕1号”；不填则用单位代码。")
        self.level = self.form.add_row("level", "单位级别", QComboBox())
        for key, label in LEVELS:
            self.level.addItem(label, key)
        self.parent_code = self.form.add_row("parent", "上级单位代码", QLineEdit(), "乡镇纪委填所属县纪委的代码，县纪委填市纪委的代码；市纪委不填。")
        self.level.currentIndexChanged.connect(self.on_level_changed)
        location = hint_label(f"数据保存位置：{paths.root}")
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = QVBoxLayout(self)
        column.addWidget(self.form)
        column.addStretch(1)
        column.addWidget(location)

    def on_level_changed(self) -> None:
        city = self.level.currentData() == "city"
        self.parent_code.setEnabled(not city)
        if city:
            self.form.set_error("parent", "")

    def validatePage(self) -> bool:
        return self.wizard().check_office()


class AccountPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("第二步：书记/管理员账户")
        self.setSubTitle("这是第一个账户，可管理其他账户、备份和恢复。以后可在“账户管理”中添加工作人员。")
        self.setCommitPage(True)
        self.working = False
        self.form = Form()
        self.account = self.form.add_row("account", "账户名", QLineEdit())
        self.account.setPlaceholderText("如：张书记")
        self.password = self.form.add_row("password", "密码", password_edit(), RULE_TEXT)
        self.password2 = self.form.add_row("password2", "再次输入密码", password_edit())
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.status = QLabel("正在建立加密数据库，并按本机性能设置密码保护强度，约需几秒……")
        self.status.setWordWrap(True)
        self.status.hide()
        self.message = message_label()
        column = QVBoxLayout(self)
        column.addWidget(self.form)
        column.addSpacing(12)
        column.addWidget(self.status)
        column.addWidget(self.busy)
        column.addWidget(self.message)
        column.addStretch(1)

    def set_busy(self, busy: bool) -> None:
        self.working = busy
        self.status.setVisible(busy)
        self.busy.setVisible(busy)
        for field in (self.account, self.password, self.password2):
            field.setEnabled(not busy)

    def isComplete(self) -> bool:
        return not self.working

    def validatePage(self) -> bool:
        return self.wizard().create_store()


class RecoveryPage(QWizardPage):
    def __init__(self, prompter: Prompter):
        super().__init__()
        self.setTitle("第三步：恢复密钥")
        self.setSubTitle("数据库已建立。请抄写或打印下面的恢复密钥，勾选确认后点“完成”。")
        self.panel = RecoveryCodePanel(prompter)
        self.panel.sig_confirmed.connect(self.completeChanged)
        column = QVBoxLayout(self)
        column.addWidget(self.panel)

    def isComplete(self) -> bool:
        return self.panel.confirmed


class SetupWizard(QWizard):
    """Emits `sig_completed(store, problem)` once the store exists and its recovery code was confirmed.

    `store` is the opened store, or None with `problem` saying why opening it right after
    creation failed; the recovery code is shown either way, since the store now exists.
    """

    sig_completed = Signal(object, str)

    def __init__(self, paths: StorePaths, runner: TaskRunner, prompter: Prompter, *, kdf_profile: str = "standard",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.paths = paths
        self.runner = runner
        self.kdf_profile = kdf_profile
        self.created = None
        self.store = None
        self.open_problem = ""
        self.setWindowTitle("纪案通 — 初始设置")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        for button, text in ((QWizard.WizardButton.BackButton, "上一步"), (QWizard.WizardButton.NextButton, "下一步"),
                             (QWizard.WizardButton.CommitButton, "建立数据库"), (QWizard.WizardButton.FinishButton, "完成"),
                             (QWizard.WizardButton.CancelButton, "取消")):
            self.setButtonText(button, text)
        self.office_page = OfficePage(paths)
        self.account_page = AccountPage()
        self.recovery_page = RecoveryPage(prompter)
        self.office_id = self.addPage(self.office_page)
        self.account_id = self.addPage(self.account_page)
        self.recovery_id = self.addPage(self.recovery_page)
        self.resize(760, 600)

    def request(self):
        from app.services.setup import SetupRequest

        office, account = self.office_page, self.account_page
        return SetupRequest(
            office_code=office.code.text().strip(),
            office_name=office.name.text().strip(),
            level=office.level.currentData(),
            account=account.account.text().strip(),
            password=account.password.text(),
            parent_code=None if office.level.currentData() == "city" else office.parent_code.text().strip() or None,
            office_abbr=office.abbr.text().strip(),
            kdf_profile=self.kdf_profile,
        )

    def service_problem(self) -> InputError | None:
        from app.services import setup

        try:
            setup.validate(self.request())
        except InputError as exc:
            return exc
        return None

    def check_office(self) -> bool:
        form = self.office_page.form
        form.clear_errors()
        problem = self.service_problem()
        if problem is not None and problem.code in OFFICE_FIELDS:
            form.set_error(OFFICE_FIELDS[problem.code], problem.message)
            return False
        return True

    def create_store(self) -> bool:
        if self.created is not None:
            return True
        page = self.account_page
        if page.working:
            return False
        page.form.clear_errors()
        show_message(page.message, "")
        if page.password.text() != page.password2.text():
            page.form.set_error("password2", "两次输入的密码不一致。")
            return False
        problem = self.service_problem()
        if problem is not None:
            self.show_problem(problem)
            return False
        request, paths = self.request(), self.paths

        def create_and_open():
            from app.services import setup, unlock

            result = setup.create_store(paths, request)
            try:
                return result, unlock.unlock(paths, request.account, request.password).store, ""
            except Exception as exc:  # the store exists now: its recovery code must still be shown
                return result, None, error_message(exc)

        page.set_busy(True)
        page.completeChanged.emit()
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(False)
        self.runner.run(create_and_open, on_done=self.on_created, on_error=self.on_create_failed)
        return self.created is not None

    def on_created(self, outcome) -> None:
        self.created, self.store, self.open_problem = outcome
        request = self.request()
        self.recovery_page.panel.set_code(self.created.recovery_code, f"{request.office_name}（{self.created.office_code}）",
                                          f"纪案通恢复密钥-{self.created.office_code}")
        self.end_busy()
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        # in the threaded case validatePage already returned False: move on now
        QTimer.singleShot(0, self, self.advance_to_recovery)

    def advance_to_recovery(self) -> None:
        if self.currentId() == self.account_id:
            self.next()

    def on_create_failed(self, exc: BaseException) -> None:
        self.end_busy()
        self.button(QWizard.WizardButton.CancelButton).setEnabled(True)
        if isinstance(exc, InputError):
            self.show_problem(exc)
        else:
            show_message(self.account_page.message, error_message(exc))

    def end_busy(self) -> None:
        self.account_page.set_busy(False)
        self.account_page.completeChanged.emit()

    def show_problem(self, problem: InputError) -> None:
        if problem.code in ACCOUNT_FIELDS:
            self.account_page.form.set_error(ACCOUNT_FIELDS[problem.code], problem.message)
        else:
            show_message(self.account_page.message, problem.message)

    def reject(self) -> None:
        if self.created is None:
            super().reject()

    def accept(self) -> None:
        if self.created is None or not self.recovery_page.panel.confirmed:
            return
        super().accept()
        self.sig_completed.emit(self.store, self.open_problem)
