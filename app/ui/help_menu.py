"""The 帮助 menu's actions: 办案流程图 (the whole procedure of the rules this store works by),
使用说明 (F1) and 关于. `add_help_menu` builds the menu on the main window."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from app import APP_NAME
from app.ui.errors import error_message


def open_whole_map(window: QMainWindow) -> None:
    """Load the store's rules off the GUI thread, then show the map of the whole procedure."""
    from app.services import ruleset
    from app.ui.procedure_map import open_procedure_map

    store = window.ctx.store

    def failed(exc: BaseException) -> None:
        window.ctx.prompter.error(window, f"无法打开办案流程图：{error_message(exc)}")

    window.ctx.runner.run(lambda: ruleset.load(store), on_done=lambda rules: open_procedure_map(window, rules),
                          on_error=failed, label="正在读取办案流程规则……", parent=window)


def open_manual(window: QMainWindow):
    from app.ui.manual_dialog import open_manual as show

    return show(window)


def add_help_menu(window: QMainWindow) -> QMenu:
    """帮助(&H): 办案流程图, 使用说明 (F1), 关于纪案通 (the window's `open_about`). The actions are kept
    on the window as `procedure_map_action`, `manual_action` and `about_action`."""
    menu = window.menuBar().addMenu("帮助(&H)")

    def add(text: str, slot) -> QAction:
        action = QAction(text, window)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    window.procedure_map_action = add("办案流程图…", lambda: open_whole_map(window))
    window.manual_action = add("使用说明", lambda: open_manual(window))
    window.manual_action.setShortcut(QKeySequence("F1"))
    menu.addSeparator()
    window.about_action = add(f"关于{APP_NAME}…", window.open_about)
    return menu
