"""The application's state machine: setup → unlocked ↔ locked.

One object owns the windows and the open store. Unlocking (by the wizard, the unlock screen or
the recovery dialog) builds the main window; locking (idle timer, Ctrl+L, before a restore)
destroys it with every page, disposes the store's engine and shows the unlock screen again.
Unsaved form values are taken from the window before it is destroyed and kept in memory per
account (`drafts`, never on disk) for the next window of that account.
Practice mode (练习模式) runs the same machine on the practice store `<data>/practice/`: entered
from the unlock screen or started with `--practice`, created on first use, shown with a banner.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize
from PySide6.QtWidgets import QApplication, QWidget

from app.paths import StorePaths, store_paths
from app.ui.errors import error_message
from app.ui.idle import IdleWatcher
from app.ui.prompter import Prompter
from app.ui.quiet_collector import QuietCollector
from app.ui.session import SessionContext
from app.ui.tasks import TaskRunner
from app.ui.unlock_window import UnlockWindow

if TYPE_CHECKING:  # the main window and its pages load after unlock, not at start-up
    from app.ui.main_window import MainWindow
    from app.ui.pages import PageFactory

SETUP, LOCKED, UNLOCKED = "setup", "locked", "unlocked"
MAIN_SIZE = QSize(1366, 768)
FRAME_ALLOWANCE = QSize(16, 48)  # a window manager's borders and title bar around the main size
MAX_MODAL_CLOSES = 10


def close_out_documents(store) -> None:
    """Documents opened for editing: changed ones kept as new versions, the plain-text copies removed."""
    from app.services import document_files

    try:
        document_files.close_out(store)
    except Exception:  # noqa: BLE001 - locking must never fail because of a temporary file
        logging.getLogger(__name__).exception("closing out opened documents failed")


def preload_services() -> tuple:
    from app.services import setup, unlock

    return setup, unlock


def show_in_place(window: QWidget, previous: QWidget | None) -> None:
    """Show `window` where the screen it replaces was, maximised if that was; a first window at the
    main size, or maximised on a screen no larger than that (a 1366×768 office PC), where a window
    of the main size would push its title bar or status bar off the screen."""
    if previous is not None and not previous.isMaximized():
        window.setGeometry(previous.geometry())
        window.show()
        return
    screen = QApplication.primaryScreen()
    room = screen.availableGeometry().size() if screen is not None else MAIN_SIZE + FRAME_ALLOWANCE
    if previous is not None or not room.expandedTo(MAIN_SIZE + FRAME_ALLOWANCE) == room:
        window.showMaximized()
        return
    window.resize(MAIN_SIZE)
    window.show()


class AppController(QObject):
    """`kdf_profile` lets tests build fast stores; `idle_ms` overrides the office's auto-lock minutes;
    `practice` starts in practice mode (`paths` stays the real store's, the practice store is beside it);
    `pages` replaces the navigation areas of `app.ui.pages.PAGES`, which load only once a store is unlocked."""

    def __init__(self, paths: StorePaths, runner: TaskRunner, prompter: Prompter, *, kdf_profile: str = "standard",
                 idle_ms: int | None = None, account: str | None = None,
                 pages: list[tuple[str, PageFactory]] | None = None, practice: bool = False,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.real_paths = paths
        self.practice = practice
        self.runner = runner
        self.prompter = prompter
        self.kdf_profile = kdf_profile
        self.idle_ms = idle_ms
        self.preferred_account = account
        self.page_factories = pages
        self.state = LOCKED
        self.store = None
        self.session: SessionContext | None = None
        self.wizard = None
        self.unlock_window: UnlockWindow | None = None
        self.main_window: MainWindow | None = None
        self.lock_pending = False
        self.drafts: dict[str, dict] = {}
        self.idle = IdleWatcher(QApplication.instance(), self)
        self.idle.sig_idle.connect(self.on_idle)
        self.collector = QuietCollector(QApplication.instance(), runner, self)
        runner.sig_all_done.connect(self.on_tasks_done)

    @property
    def paths(self) -> StorePaths:
        """The store of the current mode."""
        return store_paths(self.real_paths.root, practice=True) if self.practice else self.real_paths

    def start(self) -> None:
        if self.paths.exists():
            self.show_unlock()
        elif self.practice:
            self.show_practice_setup()
        else:
            self.show_setup()

    def switch_mode(self, practice: bool) -> None:
        """From the entry screen of one store to that of the other (练习模式 / 返回正式数据库)."""
        if self.state == UNLOCKED or practice == self.practice:
            return
        old = [w for w in (self.unlock_window, self.wizard) if w is not None]
        previous = old[0] if old else None
        self.unlock_window = self.wizard = None
        self.practice = practice
        self.preferred_account = None
        # the new screen first, so the application never runs out of visible windows
        if self.paths.exists():
            self.show_unlock(previous)
        elif practice:
            self.show_practice_setup(previous)
        else:
            self.show_setup()
        for window in old:
            window.hide()
            window.deleteLater()

    def show_practice_setup(self, previous: QWidget | None = None):
        from app.ui.pages.practice_setup import PracticeSetupWindow

        self.state = SETUP
        window = PracticeSetupWindow(self.paths, self.runner, self.prompter)
        self.present_entry(window, previous)
        self.wizard = window
        return window

    def present_entry(self, window, previous: QWidget | None) -> None:
        """Show an unlock or practice set-up window where the previous screen was."""
        window.sig_unlocked.connect(self.on_unlocked)
        window.sig_mode_requested.connect(self.switch_mode)
        show_in_place(window, previous)

    # --- screens ----------------------------------------------------------------------

    def show_setup(self):
        from app.ui.setup_wizard import SetupWizard

        self.state = SETUP
        self.wizard = SetupWizard(self.paths, self.runner, self.prompter, kdf_profile=self.kdf_profile)
        self.wizard.sig_completed.connect(self.on_setup_completed)
        self.wizard.show()
        # the wizard validates with the set-up service: load it while the user types
        self.runner.run(preload_services, on_done=lambda _modules: None, on_error=error_message)
        return self.wizard

    def on_setup_completed(self, store, problem: str) -> None:
        if store is None:
            self.fail_to_unlock_screen(problem)
        else:
            self.on_unlocked(store, ())

    def show_unlock(self, previous: QWidget | None = None) -> UnlockWindow:
        window = UnlockWindow(self.paths, self.runner, self.prompter, preferred_account=self.preferred_account,
                              practice=self.practice)
        self.present_entry(window, previous)
        self.unlock_window = window
        self.state = LOCKED
        window.load_accounts()
        return window

    def on_unlocked(self, store, warnings: tuple) -> None:
        from app.services import settings
        from app.ui.main_window import MainWindow

        if self.practice:
            from app.services import practice  # noqa: F401 - the practice room grades this store's decisions

        session = SessionContext(store, self.runner, self.prompter, self, drafts=self.drafts.pop(self.draft_key(store), {}))
        try:
            values = settings.load(store)
            window = MainWindow(session, self.pages())
        except Exception as exc:
            # the store opened but a page could not be built: close it again, stay locked
            session.deleteLater()
            store.close()
            self.fail_to_unlock_screen(error_message(exc))
            return
        session.sig_lock_requested.connect(self.lock)
        session.sig_restore_requested.connect(self.restore)
        session.sig_settings_changed.connect(self.apply_settings)
        if self.practice:
            from app.ui.pages.practice_setup import PRACTICE_BANNER_STYLE, PRACTICE_BANNER_TEXT

            window.show_banner(PRACTICE_BANNER_TEXT, PRACTICE_BANNER_STYLE)
        show_in_place(window, self.unlock_window)
        self.close_entry_windows()
        self.store, self.session, self.main_window = store, session, window
        self.state = UNLOCKED
        self.apply_settings(values)
        for warning in warnings:
            self.prompter.info(window, warning)
        self.keep_left_edits(store, window)

    def keep_left_edits(self, store, window) -> None:
        """Documents changed in the word processor before the app last ended abnormally: now that
        the store is open again they are kept as new versions (app/bootstrap.py left them)."""
        from app.services import document_files

        if not document_files.pending_edits(store.paths):
            return
        try:
            kept = document_files.close_out(store)
        except Exception as exc:  # noqa: BLE001 - the unlock itself succeeded; say what failed
            self.prompter.error(window, f"上次异常退出前修改过的文书未能保存：{error_message(exc)}")
            return
        if kept:
            titles = "、".join(f"《{row.title}》" for row in kept)
            self.prompter.info(window, f"上次未正常退出前，在文字处理软件中修改过的{len(kept)}份文书已保存为新版本：{titles}。")

    def pages(self) -> list[tuple[str, PageFactory]]:
        from app.ui.pages import PAGES

        factories = PAGES if self.page_factories is None else self.page_factories
        if not self.practice:
            return factories
        from app.ui.pages.practice_pages import practice_pages

        return practice_pages(factories)

    def draft_key(self, store) -> str:
        """Drafts never cross between the real and the practice store, even for the same account name."""
        return f"practice:{store.account.name}" if self.practice else store.account.name

    def close_entry_windows(self) -> None:
        for old in (self.unlock_window, self.wizard):
            if old is not None:
                old.hide()
                old.deleteLater()
        self.unlock_window = self.wizard = None

    def fail_to_unlock_screen(self, message: str) -> None:
        if self.unlock_window is None:
            wizard = self.wizard
            self.show_unlock(wizard)
            if wizard is not None:
                wizard.hide()
                wizard.deleteLater()
                self.wizard = None
        self.unlock_window.show_error(message)

    def bring_to_front(self) -> None:
        """Another start of the app on this data directory asked for this window (app/ui/single_instance.py)."""
        window = self.main_window or self.unlock_window or self.wizard
        if window is None:
            return
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
        modal = QApplication.activeModalWidget()  # a dialog open on it stays on top
        if modal is not None:
            modal.raise_()
            modal.activateWindow()

    def apply_settings(self, values) -> None:
        timeout = self.idle_ms if self.idle_ms is not None else values.auto_lock_minutes * 60_000
        self.idle.start(timeout)
        if self.main_window is not None:
            self.main_window.set_auto_lock_minutes(timeout / 60_000)

    # --- locking ----------------------------------------------------------------------

    def on_idle(self) -> None:
        if self.runner.busy:
            self.idle.start(self.idle.timeout_ms)  # never pull the store from under a running task
            return
        self.lock()

    def on_tasks_done(self) -> None:
        if self.lock_pending:
            self.lock()

    def lock(self) -> UnlockWindow | None:
        """Close dialogs, destroy the main window and its pages, dispose the engine, show unlock."""
        if self.state != UNLOCKED:
            return None
        if self.runner.busy:
            self.lock_pending = True
            return None
        self.lock_pending = False
        self.idle.stop()
        self.close_modals()
        window, store, session = self.main_window, self.store, self.session
        self.preferred_account = store.account.name
        close_out_documents(store)
        self.drafts[self.draft_key(store)] = window.collect_drafts()
        # the unlock screen first, so the application never runs out of visible windows
        unlock_window = self.show_unlock(window)
        window.dispose()
        session.deleteLater()
        store.close()
        self.main_window = self.store = self.session = None
        return unlock_window

    @staticmethod
    def close_modals() -> None:
        for _ in range(MAX_MODAL_CLOSES):
            modal: QWidget | None = QApplication.activeModalWidget()
            if modal is None:
                return
            modal.close()

    # --- restore ----------------------------------------------------------------------

    def restore(self, file: str, password: str) -> None:
        """Lock (the store must be closed), restore the backup, and return to the unlock screen."""
        if self.runner.busy:
            self.prompter.error(self.main_window, "有任务正在进行，请等它完成后再从备份恢复。")
            return
        account = self.store.account.name
        unlock_window = self.lock()
        self.drafts.clear()  # they describe data the backup is about to replace
        self.run_restore(unlock_window, file, account, password)

    def run_restore(self, unlock_window, file: str, account: str, password: str, backup_password: str = "") -> None:
        """`backup_password`: the user chose to replace this store by the backup's (another store)."""
        unlock_window.set_busy("正在从备份恢复，请稍候……")
        paths = self.paths

        def run_restore():
            from app.services import backup
            from app.storage import instance_lock

            with instance_lock.held(paths):  # no other window may open the store while its files are swapped
                return backup.restore(paths, Path(file), account, password, replace_store=bool(backup_password),
                                      backup_password=backup_password or None)

        def done(result) -> None:
            unlock_window.load_accounts()
            moved = f"原数据库已另存到：{result.previous}。" if result.previous else ""
            unlock_window.show_notice(f"已从备份恢复（审计事件{result.events}条）。{moved}请重新解锁。")

        def failed(exc: BaseException) -> None:
            unlock_window.load_accounts()
            if getattr(exc, "code", "") == "other_store" and not backup_password:
                replacing = self.ask_replace_store(unlock_window)
                if replacing:
                    self.run_restore(unlock_window, file, account, password, replacing)
                    return
            unlock_window.show_error(f"从备份恢复失败：{error_message(exc)}",
                                     (getattr(exc, "detail", None) or {}).get("retry_after", 0))

        self.runner.run(run_restore, on_done=done, on_error=failed, label="正在从备份恢复……", parent=unlock_window)

    def ask_replace_store(self, parent) -> str:
        """The explicit choice to replace this store by another one's backup; its administrator's password, or ""."""
        if not self.prompter.confirm(parent, "这个备份不是当前数据库的备份，而是另一个数据库的。\n\n"
                                             "如果用它整个替换当前数据库：当前数据库的全部线索、案件、文书和账户都将被该备份中的取代，"
                                             "当前数据库另存到数据目录的 restore-previous 文件夹；此后要用该备份中的账户和密码解锁。\n\n"
                                             "确定要替换为另一个数据库吗？", "替换为另一个数据库"):
            return ""
        return self.prompter.password(parent, "请输入该备份中书记/管理员账户（建立那个数据库的账户）的密码：") or ""

    def shutdown(self) -> None:
        self.idle.stop()
        self.lock_pending = False  # a queued "tasks done" must not lock a store that is going away
        self.runner.wait()
        if self.main_window is not None:
            self.main_window.dispose()
            self.main_window = None
        if self.store is not None:
            close_out_documents(self.store)
            self.store.close()
            self.store = None
        self.state = LOCKED
