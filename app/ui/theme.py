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


# texts Qt 6 changed or moved that qtbase_zh_CN does not have yet: two file dialog labels got
# accelerators, and the file list's 类型 column moved to QAbstractFileIconProvider
MISSING_QT_TEXTS = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "File Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
    ("QAbstractFileIconProvider", "Unknown"): "未知",
}


class MissingTexts(QTranslator):
    """Consulted after qtbase_zh_CN, for the few texts it lacks."""

    def translate(self, context, source, disambiguation=None, n=-1):
        return MISSING_QT_TEXTS.get((context, source))  # None: not translated here

    def isEmpty(self) -> bool:
        return False


def install_translations(app: QApplication) -> None:
    """Chinese texts for Qt's standard buttons and dialogs (QMessageBox, QFileDialog, QWizard, the
    line edit's menu) and a Chinese locale for calendars and dates."""
    china = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    QLocale.setDefault(china)
    app.installTranslator(MissingTexts(app))  # installed first, so asked last
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(china, "qtbase", "_", folder):
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
