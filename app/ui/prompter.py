"""Modal questions and messages in one place, so tests can pass a scripted stand-in."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from app import APP_NAME
from app.ui.file_dialogs import start_path


class Prompter:
    def info(self, parent: QWidget | None, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, text, QMessageBox.StandardButton.NoButton, parent)
        box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
        box.exec()

    def error(self, parent: QWidget | None, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, text, QMessageBox.StandardButton.NoButton, parent)
        box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
        box.exec()

    def confirm(self, parent: QWidget | None, text: str, ok_text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, APP_NAME, text, QMessageBox.StandardButton.NoButton, parent)
        ok = box.addButton(ok_text, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is ok

    def choose(self, parent: QWidget | None, text: str, options: tuple[str, ...]) -> int:
        """The index of the answer; the first is the default, the last is what Esc or closing gives."""
        box = QMessageBox(QMessageBox.Icon.Question, APP_NAME, text, QMessageBox.StandardButton.NoButton, parent)
        roles = [QMessageBox.ButtonRole.ActionRole] * (len(options) - 1) + [QMessageBox.ButtonRole.RejectRole]
        buttons = [box.addButton(option, role) for option, role in zip(options, roles)]
        box.setDefaultButton(buttons[0])
        box.setEscapeButton(buttons[-1])
        box.exec()
        clicked = box.clickedButton()
        return buttons.index(clicked) if clicked in buttons else len(options) - 1

    def password(self, parent: QWidget | None, text: str) -> str | None:
        dialog = QInputDialog(parent)
        dialog.setWindowTitle(APP_NAME)
        dialog.setLabelText(text)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setOkButtonText("确定")
        dialog.setCancelButtonText("取消")
        if dialog.exec() != QInputDialog.DialogCode.Accepted or not dialog.textValue():
            return None
        return dialog.textValue()

    def text(self, parent: QWidget | None, text: str, ok_text: str) -> str | None:
        """A line of text the user types (a reason); None when cancelled or left empty."""
        dialog = QInputDialog(parent)
        dialog.setWindowTitle(APP_NAME)
        dialog.setLabelText(text)
        dialog.setOkButtonText(ok_text)
        dialog.setCancelButtonText("取消")
        if dialog.exec() != QInputDialog.DialogCode.Accepted or not dialog.textValue().strip():
            return None
        return dialog.textValue().strip()

    # the file dialogs start on the USB stick, else in 文档 (app/ui/file_dialogs.py)

    def save_file(self, parent: QWidget | None, title: str, suggested: str, file_filter: str) -> str | None:
        """`suggested` is a file name (placed in the start folder) or a full path."""
        path, _ = QFileDialog.getSaveFileName(parent, title, start_path(suggested), file_filter)
        return path or None

    def open_file(self, parent: QWidget | None, title: str, file_filter: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, title, start_path(), file_filter)
        return path or None

    def choose_folder(self, parent: QWidget | None, title: str) -> str | None:
        return QFileDialog.getExistingDirectory(parent, title, start_path()) or None
