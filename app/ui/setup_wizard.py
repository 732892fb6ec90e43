"""First start: office, first administrator, then the recovery code shown once."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.domain.password_rule import RULE_TEXT
from app.errors import InputError
from app.paths import StorePaths
from app.ui.errors import error_message
from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner
from app.ui.widgets import (
    FitScrollArea,
    Form,
    RecoveryCodePanel,
    hint_label,
    message_label,
    password_edit,
    resize_within_screen,
    show_message,
)

LEVELS = (("township", "乡镇纪委"), ("county", "县纪委"), ("city", "市纪委"))
# which form field a set-up InputError code belongs to
OFFICE_FIELDS = {"bad_office_code": "code", "bad_office_name": "name", "bad_level": "level", "parent_required": "parent"}
ACCOUNT_FIELDS = {"bad_account": "account", "weak_password": "password"}
PACKAGE_HINT = ("乡镇纪委、县纪委：如上级纪委已发来设置包（.jab 文件），请先选择它，单位信息将自动填好，"
                "以后与上级交换数据时无需再核对密钥。")


class OfficePage(QWizardPage):
    def __init__(self, paths: StorePaths):
        super().__init__()
        self.setTitle("第一步：本单位信息")
        self.setSubTitle("首次使用需建立本单位的加密数据库。数据只保存在这台电脑上，不联网。")
        # A township normally starts from the set-up package its county made: the office details,
        # the county's keys, holiday tables, templates and rules then come from the county.
        self.package_button = QPushButton("使用上级发来的设置包…")
        self.package_clear = QPushButton("不使用设置包")
        self.package_clear.hide()
        self.from_package = False  # the office fields come from a set-up package and are locked
        self.package_note = hint_label(PACKAGE_HINT)
        self.package_note.setTextFormat(Qt.TextFormat.RichText)
        self.package_message = message_label()
        package_row = QHBoxLayout()
        package_row.addWidget(self.package_button)
        package_row.addWidget(self.package_clear)
        package_row.addStretch(1)
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
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(package_row)
        column.addWidget(self.package_note)
        column.addWidget(self.package_message)
        column.addSpacing(8)
        column.addWidget(self.form)
        column.addStretch(1)
        column.addWidget(location)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = FitScrollArea(content)  # scrolls on a low screen only: 1366×768 at 150 % is 910×512
        outer.addWidget(self.scroll)

    def on_level_changed(self) -> None:
        city = self.level.currentData() == "city"
        self.parent_code.setEnabled(not city and not self.from_package)
        if city:
            self.form.set_error("parent", "")

    def show_package(self, package) -> None:
        """Fill the office from the package (or empty the fields again when `package` is None)."""
        self.from_package = package is not None
        office = package.office if package is not None else {}
        self.code.setText(office.get("code", ""))
        self.name.setText(office.get("name", ""))
        self.abbr.setText(office.get("abbr") or "")
        self.parent_code.setText(office.get("parent_code") or "")
        self.level.setCurrentIndex(next((i for i, (key, _) in enumerate(LEVELS) if key == office.get("level")), 0))
        for field in (self.code, self.name, self.level):
            field.setEnabled(not self.from_package)
        self.on_level_changed()
        self.package_clear.setVisible(package is not None)
        self.form.clear_errors()
        if package is None:
            self.package_note.setText(PACKAGE_HINT)
        else:
            parent = package.parent
            self.package_note.setText(f"设置包由{escape(parent['name'])}（{escape(parent['code'])}）制作，已验证签名。"
                                      f"请打电话向{escape(parent['name'])}核对其密钥指纹，一致后再继续：<br>"
                                      f"<b style='font-size:15px'>{package.fingerprint}</b>")
        show_message(self.package_message, "")

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
        self.prompter = prompter
        self.package = None  # offices.SetupPackage once one is chosen and verified
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
        self.office_page.package_button.clicked.connect(self.choose_package)
        self.office_page.package_clear.clicked.connect(lambda: self.set_package(None))
        self.office_id = self.addPage(self.office_page)
        self.account_id = self.addPage(self.account_page)
        self.recovery_id = self.addPage(self.recovery_page)
        resize_within_screen(self, 760, 600)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.property("fitted_to_screen"):
            self.setProperty("fitted_to_screen", True)
            QTimer.singleShot(0, self, self.fit_office_page)  # once the pages are laid out at their width

    def fit_office_page(self) -> None:
        """Taller than 600 when the office page needs it, as far as the screen allows; below that it scrolls."""
        area = self.office_page.scroll
        content = area.widget()
        need = content.heightForWidth(area.viewport().width()) if content.hasHeightForWidth() else -1
        need = max(need, content.minimumSizeHint().height())
        extra = need - area.viewport().height()
        if extra > 0:
            resize_within_screen(self, self.width(), self.height() + extra)

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
            setup_package=self.package,
        )

    def choose_package(self) -> None:
        chosen = self.prompter.open_file(self, "选择上级纪委发来的设置包", "纪案通设置包 (*.jab);;所有文件 (*)")
        if not chosen:
            return

        def read():
            from app.services import offices

            return offices.read_setup_package(Path(chosen))

        self.office_page.package_button.setEnabled(False)
        self.runner.run(read, on_done=self.set_package, on_error=self.on_package_refused)

    def set_package(self, package) -> None:
        self.package = package
        self.office_page.package_button.setEnabled(True)
        self.office_page.show_package(package)

    def on_package_refused(self, exc: BaseException) -> None:
        self.office_page.package_button.setEnabled(True)
        show_message(self.office_page.package_message, error_message(exc))

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
