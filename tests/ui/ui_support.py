"""Helpers shared by the UI tests: constants, a scripted prompter, unlocking, screenshots."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
WINDOW_SIZE = (1366, 768)
OFFICE_NAME = "红星镇纪委"
ADMIN = "张书记"
PASSWORD = "hongxing2026"


class FakePrompter:
    """Answers modal questions from queues and records every message instead of blocking."""

    def __init__(self):
        self.infos: list[str] = []
        self.errors: list[str] = []
        self.questions: list[str] = []
        self.confirm_answers: list[bool] = []
        self.choices: list[tuple[str, tuple[str, ...]]] = []
        self.choice_answers: list[int] = []
        self.passwords: list[str] = []
        self.texts: list[str] = []
        self.save_paths: list[str] = []
        self.open_paths: list[str] = []

    def info(self, parent, text: str) -> None:
        self.infos.append(text)

    def error(self, parent, text: str) -> None:
        self.errors.append(text)

    def confirm(self, parent, text: str, ok_text: str) -> bool:
        self.questions.append(text)
        return self.confirm_answers.pop(0) if self.confirm_answers else True

    def choose(self, parent, text: str, options: tuple[str, ...]) -> int:
        self.choices.append((text, tuple(options)))
        return self.choice_answers.pop(0) if self.choice_answers else 0

    def password(self, parent, text: str) -> str | None:
        return self.passwords.pop(0) if self.passwords else None

    def text(self, parent, text: str, ok_text: str) -> str | None:
        self.questions.append(text)
        return self.texts.pop(0) if self.texts else None

    def save_file(self, parent, title: str, suggested: str, file_filter: str) -> str | None:
        return self.save_paths.pop(0) if self.save_paths else None

    def open_file(self, parent, title: str, file_filter: str) -> str | None:
        return self.open_paths.pop(0) if self.open_paths else None

    def choose_folder(self, parent, title: str) -> str | None:
        return self.open_paths.pop(0) if self.open_paths else None


def unlock_with(controller, password: str, account: str | None = None):
    window = controller.unlock_window
    if account is not None:
        window.account.setCurrentText(account)
    window.password.setText(password)
    window.unlock_button.click()
    return controller.main_window


def screenshot(widget: QWidget, name: str, *, window: bool = False) -> Path:
    if window:
        widget.resize(*WINDOW_SIZE)
    for _ in range(2):  # a second pass settles layouts that changed in the first
        QApplication.processEvents()
    SCREENS.mkdir(parents=True, exist_ok=True)
    target = SCREENS / f"{name}.png"
    assert widget.grab().save(str(target))
    return target


def type_text(widget: QWidget, text: str) -> None:
    """Type like a user (QTest.keyClicks handles ASCII only): one key event per character."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char))
