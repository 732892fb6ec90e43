"""使用说明: a short user guide in the app (F1). The text is `resources/manual.md`, shipped with the
rules and packaged by build.spec with the rest of `resources/`."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout, QWidget

from app import APP_NAME
from app.paths import resources_dir
from app.ui.widgets import close_row, resize_within_screen

MANUAL_FILE = "manual.md"


def manual_text() -> str:
    """The guide as Markdown; a one-line note when the file is missing from the installation."""
    try:
        return (resources_dir() / MANUAL_FILE).read_text(encoding="utf-8")
    except OSError:
        return f"# 使用说明\n\n未找到使用说明文件（{MANUAL_FILE}），请重新安装{APP_NAME}。"


class ManualDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}使用说明")
        self.browser = QTextBrowser()
        self.browser.setObjectName("manual")
        self.browser.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.browser.setOpenExternalLinks(False)
        self.browser.setMarkdown(manual_text())
        column = QVBoxLayout(self)
        column.addWidget(self.browser, 1)
        column.addLayout(close_row(self))
        resize_within_screen(self, 860, 700)


def open_manual(parent: QWidget | None) -> ManualDialog:
    """Show the guide (non-modal); a second call brings the open one to the front."""
    for existing in parent.findChildren(ManualDialog) if parent is not None else ():
        if existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return existing
    dialog = ManualDialog(parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
