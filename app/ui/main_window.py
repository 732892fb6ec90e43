"""The unlocked window: navigation on the left, the selected area (or an open case) on the right,
the 办案, 账户 and 帮助 menus."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.ui.account_dialogs import AboutDialog, AccountsDialog, ChangePasswordDialog
from app.ui.case_view import DRAFT_KEY as CASE_DRAFT
from app.ui.case_view import CaseViewPage
from app.ui.errors import error_message
from app.ui.pages import PAGES, PageFactory
from app.ui.pages.base import DataPage
from app.ui.session import SessionContext
from app.ui.theme import scaled_font
from app.ui.widgets import HINT_COLOR, tint

ROLE_LABELS = {"admin": "书记/管理员", "staff": "工作人员"}
NAV_WIDTH = 150
CASES_PAGE = "案件"
REGISTER_PAGE = "登记线索"
PAGE_DRAFT = "page"


class Pages(Mapping[str, QWidget]):
    """The navigation areas by title, each built the first time it is asked for: unlocking builds
    only the page it lands on, and the others as the user first opens them."""

    def __init__(self, factories: list[tuple[str, PageFactory]], ctx: SessionContext, stack: QStackedWidget):
        self.factories = dict(factories)
        self.ctx = ctx
        self.stack = stack
        self.built: dict[str, QWidget] = {}

    def __getitem__(self, title: str) -> QWidget:
        page = self.built.get(title)
        if page is None:
            page = self.factories[title](self.ctx)
            self.stack.addWidget(page)
            self.built[title] = page
        return page

    def __contains__(self, title: object) -> bool:
        return title in self.factories

    def __iter__(self) -> Iterator[str]:
        return iter(self.factories)

    def __len__(self) -> int:
        return len(self.factories)


class MainWindow(QMainWindow):
    def __init__(self, ctx: SessionContext, pages: list[tuple[str, PageFactory]] = PAGES,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        store = ctx.store
        from app.services import status as store_status

        # a store made with the fast key profile for tests says so wherever it is seen
        test_mark = f"（{store_status.TEST_STORE_LABEL}）" if store_status.is_test_store(store) else ""
        self.setWindowTitle(f"{APP_NAME} — {store.office.name}{test_mark}")

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
        self.pages = Pages(pages, ctx, self.stack)
        self.titles = list(self.pages)
        for title in self.titles:
            self.nav.addItem(title)
        self.case_view: CaseViewPage | None = None  # the view while a case is open
        self.case_page: CaseViewPage | None = None  # the same view, kept once built
        self.return_row = 0
        self.nav.currentRowChanged.connect(self.on_nav)
        self.nav.itemClicked.connect(self.on_nav_clicked)
        first = ctx.drafts.pop(PAGE_DRAFT, None)
        if self.titles:
            title = first if first in self.pages else self.titles[0]
            landing = self.pages[title]  # built here, not in a signal handler: a failure must reach the controller
            if isinstance(landing, DataPage):
                landing.refresh()  # loads on the worker while the rest of the window is built
            self.nav.setCurrentRow(self.titles.index(title))
        ctx.sig_open_case.connect(self.open_case)
        ctx.sig_show_page.connect(self.show_page)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.stack.setContentsMargins(12, 12, 12, 12)
        self.setCentralWidget(central)

        work = self.menuBar().addMenu("办案(&W)")
        self.new_clue_action = self.add_action(work, "登记线索", lambda: self.show_page(REGISTER_PAGE))
        self.new_clue_action.setShortcut(QKeySequence("Ctrl+N"))
        self.import_ledger_action = self.add_action(work, "导入原有台账…", self.open_import_ledger)
        self.find_action = self.add_action(work, "查找案件", self.find_case)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.refresh_action = self.add_action(work, "刷新", self.refresh_current)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        for index, title in enumerate(self.titles[:9], start=1):
            action = self.add_action(work, f"转到“{title}”", lambda _=False, t=title: self.show_page(t))
            action.setShortcut(QKeySequence(f"Alt+{index}"))
            if index == 1:
                work.insertSeparator(action)

        menu = self.menuBar().addMenu("账户(&A)")
        self.change_password_action = self.add_action(menu, "修改密码…", self.open_change_password)
        self.lock_action = self.add_action(menu, "立即锁定", ctx.sig_lock_requested.emit)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.accounts_action = self.add_action(menu, "账户管理…", self.open_accounts)
        self.accounts_action.setVisible(store.account.is_admin)

        from app.ui.help_menu import add_help_menu  # 帮助(&H): 办案流程图, 使用说明 (F1), 关于 (about_action)

        self.help_menu = add_help_menu(self)

        account = store.account
        self.account_label = QLabel(f"当前账户：{account.name}（{ROLE_LABELS.get(account.role, account.role)}）")
        self.shortcut_label = QLabel("Ctrl+N 登记线索　Ctrl+F 查找案件　F5 刷新　F1 使用说明")
        tint(self.shortcut_label, HINT_COLOR)
        self.lock_label = QLabel()
        self.statusBar().addWidget(self.account_label)
        self.statusBar().addWidget(self.shortcut_label)
        self.statusBar().addPermanentWidget(self.lock_label)
        self.restore_drafts()

    def add_action(self, menu, text: str, slot) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # --- navigation -------------------------------------------------------------------

    def on_nav(self, row: int) -> None:
        if row < 0:
            return
        if self.case_open:
            # leaving the open case: its unsaved edits are asked about first, and until that is
            # settled the highlight stays on the list the case was opened from
            self.select_nav(self.return_row)
            self.case_view.request_leave(lambda: self.leave_case(row))
            return
        page = self.built_page(row)
        if page is not None:
            self.stack.setCurrentWidget(page)

    def built_page(self, row: int) -> QWidget | None:
        """The area at `row`, built if it was not yet; None after telling the user it could not be."""
        try:
            return self.pages[self.titles[row]]
        except Exception as exc:  # noqa: BLE001 - a page that cannot be built must not take the window down
            self.ctx.prompter.error(self, f"“{self.titles[row]}”页面无法打开：{error_message(exc)}")
            return None

    def on_nav_clicked(self, item) -> None:
        """A click on the highlighted area while a case is open goes back to that area."""
        if self.case_open and self.nav.row(item) == self.return_row:
            self.back_from_case()

    def select_nav(self, row: int) -> None:
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)

    @property
    def case_open(self) -> bool:
        return self.case_view is not None and self.stack.currentWidget() is self.case_view

    def show_page(self, title: str) -> QWidget:
        """Switch to a navigation area (after asking about unsaved case edits, if a case is open)."""
        row = self.titles.index(title)
        if self.case_open:
            self.case_view.request_leave(lambda: self.leave_case(row))
        elif self.nav.currentRow() == row:
            self.stack.setCurrentWidget(self.pages[title])
        else:
            self.nav.setCurrentRow(row)
        return self.pages[title]

    def find_case(self) -> None:
        page = self.show_page(CASES_PAGE)
        if not self.case_open:
            page.focus_search()

    def refresh_current(self) -> None:
        current = self.stack.currentWidget()
        refresh = getattr(current, "reload", None) or getattr(current, "refresh", None)
        if refresh is not None:
            refresh()

    # --- the open case ----------------------------------------------------------------

    def open_case(self, case_id: str) -> CaseViewPage | None:
        if self.case_view is not None and self.case_view.case_id == case_id:
            self.stack.setCurrentWidget(self.case_view)
            return self.case_view
        if self.case_open:
            self.case_view.request_leave(lambda: self.show_case(case_id))
            # None while the user is still asked about unsaved edits, or chose to stay
            return self.case_view if self.case_view is not None and self.case_view.case_id == case_id else None
        return self.show_case(case_id)

    def show_case(self, case_id: str, draft: dict | None = None) -> CaseViewPage:
        if self.nav.currentRow() >= 0:
            self.return_row = self.nav.currentRow()
        view = self.case_page
        if view is None:  # built once, then reused for every case opened
            view = CaseViewPage(self.ctx, case_id)
            if draft:
                view.restore_draft(draft)
            view.sig_back.connect(self.back_from_case)
            self.stack.addWidget(view)
            self.case_page = view
            view.reload()
        else:
            view.switch_to(case_id, draft)
        self.stack.setCurrentWidget(view)
        # the navigation keeps a current row while a case is open: focus landing on it then selects
        # nothing new, so it can never carry the user out of the case
        self.select_nav(self.return_row)
        self.case_view = view
        view.setFocus()
        return view

    def back_from_case(self) -> None:
        if self.case_view is not None:
            self.case_view.request_leave(lambda: self.leave_case(self.return_row))

    def leave_case(self, row: int) -> None:
        page = self.built_page(row)  # first: a page that cannot be built leaves the user in the case
        if page is None:
            self.select_nav(self.return_row)
            return
        self.drop_case_view()
        self.select_nav(row)
        self.stack.setCurrentWidget(page)
        # the case's widgets go in a turn of their own once the list is back on screen: opening
        # the next case then builds its step without first deleting this one's
        QTimer.singleShot(0, self, self.empty_case_page)

    def empty_case_page(self) -> None:
        if self.case_page is not None and self.case_view is None:
            self.case_page.empty()

    def drop_case_view(self) -> None:
        """No case is open any more; the view itself stays, hidden, for the next one."""
        self.case_view = None

    # --- drafts across a lock ---------------------------------------------------------

    def collect_drafts(self) -> dict:
        """Unsaved form values and where the user was; the controller keeps them in memory."""
        drafts: dict = dict(self.ctx.drafts)  # those of pages not opened since the last unlock
        drafts[PAGE_DRAFT] = self.titles[self.return_row if self.case_open else max(self.nav.currentRow(), 0)]
        for page in self.pages.built.values():
            draft = getattr(page, "draft", None)
            value = draft() if draft is not None else None
            if value:
                drafts[page.DRAFT_KEY] = value
        if self.case_open:
            drafts[CASE_DRAFT] = self.case_view.draft()
        return drafts

    def restore_drafts(self) -> None:
        case = self.ctx.drafts.pop(CASE_DRAFT, None)
        if case:
            self.show_case(case["case_id"], case)

    def unsaved(self) -> list[str]:
        found = []
        register = self.pages.built.get(REGISTER_PAGE)
        if register is not None and getattr(register, "dirty", False):
            found.append("登记线索表单")
        if self.case_view is not None and self.case_view.dirty:
            found.append("案件的本环节信息")
        return found

    def closeEvent(self, event) -> None:
        unsaved = self.unsaved()
        if unsaved and not self.ctx.prompter.confirm(
                self, f"{'和'.join(unsaved)}有尚未保存的内容，退出后将丢失。确定要退出吗？", "退出"):
            event.ignore()
            return
        event.accept()

    def show_banner(self, text: str, style: str) -> QLabel:
        """A permanent line above everything (练习模式): it cannot be closed, moved or hidden."""
        banner = QLabel(text)
        banner.setObjectName("mode_banner")
        banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        banner.setStyleSheet(style)
        body = self.takeCentralWidget()
        wrapper = QWidget()
        column = QVBoxLayout(wrapper)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(banner)
        column.addWidget(body, 1)
        self.setCentralWidget(wrapper)
        self.banner = banner
        return banner

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

    def open_import_ledger(self) -> QDialog:
        from app.ui.import_wizard import LEDGER, ImportWizard

        return self.open_dialog(ImportWizard(self.ctx, LEDGER, self))

    def open_about(self) -> AboutDialog:
        return self.open_dialog(AboutDialog(self.ctx, self))

    # --- locking ----------------------------------------------------------------------

    def dispose(self) -> None:
        """Drop every page (and with them every widget showing data), then the window itself."""
        self.hide()  # first: a page uncovered while the others go must not start loading from a closing store
        self.drop_case_view()
        while self.stack.count():
            page = self.stack.widget(0)
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages.built.clear()
        self.case_page = None
        self.nav.clear()
        self.deleteLater()
