"""The navigation areas of the main window, in order. Adding an area is one line here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.ui.pages.overview import OverviewPage
from app.ui.pages.settings_page import SettingsPage
from app.ui.session import SessionContext

PageFactory = Callable[[SessionContext], QWidget]

PAGES: list[tuple[str, PageFactory]] = [
    ("概况", OverviewPage),
    ("设置", SettingsPage),
]
