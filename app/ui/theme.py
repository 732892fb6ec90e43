"""Fonts and Qt's own Chinese translations, applied once to the application."""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

UI_FAMILIES = ("Noto Sans CJK SC", "Microsoft YaHei", "SimSun")
MONO_FAMILIES = ("Noto Sans Mono CJK SC", "Consolas", "DejaVu Sans Mono")
BODY_POINT_SIZE = 10


def first_installed(candidates: tuple[str, ...]) -> str | None:
    installed = set(QFontDatabase.families())
    return next((family for family in candidates if family in installed), None)


def apply_app_font(app: QApplication) -> None:
    family = first_installed(UI_FAMILIES)
    if family:
        app.setFont(QFont(family, BODY_POINT_SIZE))


def install_translations(app: QApplication) -> None:
    """Chinese texts for Qt's standard buttons and dialogs (QMessageBox, QFileDialog, QWizard)."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        app.installTranslator(translator)


def monospace_font(point_size: int, *, bold: bool = False) -> QFont:
    family = first_installed(MONO_FAMILIES)
    font = QFont(family) if family else QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * factor)
    font.setBold(bold)
    return font
