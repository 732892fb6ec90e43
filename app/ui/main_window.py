"""The unlocked window: navigation on the left, the selected area on the right, the 账户 menu."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QListWidget, QMainWindow, QStackedWidget, QWidget

from app import APP_NAME
from app.ui.account_dialogs import AboutDialog, AccountsDialog, ChangePasswordDialog
from app.ui.pages import PAGES, PageFactory
from app.ui.session import SessionContext
from app.ui.theme import scaled_font

ROLE_LABELS = {"admin": "书记/管理员", "staff": "工作人员"}
NAV_WIDTH = 150


class MainWindow(QMainWindow):
    def __init__(self, ctx: SessionContext, pages: list[tuple[str, PageFactory]] = PAGES,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        store = ctx.store
        self.setWindowTitle(f"{APP_NAME} — {store.office.name}")

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(NAV_WIDTH)
        self.nav.setFont(scaled_font(self.font(), 1.15))
        self.nav.setSpacing(3)
        self.nav.setStyleSheet(
            "QListWidget { background: #f3f5f8; border: none; border-right: 1px solid #d9dde3; padding-top: 8px;"
            " outline: 0; }"
            "QListWidget::item { padding: 8px 14px; }"
            "QListWidget::item:selected { background: #dbe6f5; color: #0b3d91; border-left: 3px solid #1a5fb4; }"
        )
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        for title, factory in pages:
            page = factory(ctx)
            self.pages[title] = page
            self.stack.addWidget(page)
            self.nav.addItem(title)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.stack.setContentsMargins(12, 12, 12, 12)
        self.setCentralWidget(central)

        menu = self.menuBar().addMenu("账户(&A)")
        self.change_password_action = self.add_action(menu, "修改密码…", self.open_change_password)
        self.lock_action = self.add_action(menu, "立即锁定", ctx.sig_lock_requested.emit)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.accounts_action = self.add_action(menu, "账户管理…", self.open_accounts)
        self.accounts_action.setVisible(store.account.is_admin)
        menu.addSeparator()
        self.about_action = self.add_action(menu, f"关于{APP_NAME}…", self.open_about)

        account = store.account
        self.account_label = QLabel(f"当前账户：{account.name}（{ROLE_LABELS.get(account.role, account.role)}）")
        self.lock_label = QLabel()
        self.statusBar().addWidget(self.account_label)
        self.statusBar().addPermanentWidget(self.lock_label)

    def add_action(self, menu, text: str, slot) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def show_page(self, title: str) -> QWidget:
        self.nav.setCurrentRow(list(self.pages).index(title))
        return self.pages[title]

    def set_auto_lock_minutes(self, minutes: float) -> None:
        shown = f"{minutes:g}" if minutes >= 1 else "不到1"
        self.lock_label.setText(f"无操作{shown}分钟后自动锁定（Ctrl+L 立即锁定）")

    # --- account menu -----------------------------------------------------------------

    def open_dialog(self, dialog: QDialog) -> QDialog:
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def open_change_password(self) -> ChangePasswordDialog:
        return self.open_dialog(ChangePasswordDialog(self.ctx, self))

    def open_accounts(self) -> AccountsDialog:
        return self.open_dialog(AccountsDialog(self.ctx, self))

    def open_about(self) -> AboutDialog:
        return self.open_dialog(AboutDialog(self.ctx, self))

    # --- locking ----------------------------------------------------------------------

    def dispose(self) -> None:
        """Drop every page (and with them every widget showing data), then the window itself."""
        while self.stack.count():
            page = self.stack.widget(0)
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        self.nav.clear()
        self.hide()
        self.deleteLater()
