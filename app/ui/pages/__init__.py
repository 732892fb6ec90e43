"""The navigation areas of the main window, in order. Adding an area is one line here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.ui.pages.archive_page import ArchivePage
from app.ui.pages.cases_page import CasesPage
from app.ui.pages.home_page import HomePage
from app.ui.pages.overview import OverviewPage
from app.ui.pages.register_page import RegisterPage
from app.ui.pages.settings_page import SettingsPage
from app.ui.pages.statistics_page import StatisticsPage
from app.ui.pages.sync_page import SyncPage
from app.ui.session import SessionContext

PageFactory = Callable[[SessionContext], QWidget]

PAGES: list[tuple[str, PageFactory]] = [
    ("工作台", HomePage),
    ("案件", CasesPage),
    ("登记线索", RegisterPage),
    ("人员档案", ArchivePage),
    ("统计", StatisticsPage),
    ("同步", SyncPage),
    ("概况", OverviewPage),
    ("设置", SettingsPage),
]
