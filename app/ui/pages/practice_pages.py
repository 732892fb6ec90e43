"""The navigation areas in practice mode: 练习 and 培训管理 first, then the ordinary case screens.

The sync area is left out: practice data never leaves the training room.
"""

from __future__ import annotations

from app.ui.pages import PageFactory
from app.ui.pages.practice_trainee import PracticeTraineePage
from app.ui.pages.practice_trainer import PracticeTrainerPage
from app.ui.pages.sync_page import SyncPage

PRACTICE_FIRST: list[tuple[str, PageFactory]] = [("练习", PracticeTraineePage), ("培训管理", PracticeTrainerPage)]
LEFT_OUT = (SyncPage,)


def practice_pages(pages: list[tuple[str, PageFactory]]) -> list[tuple[str, PageFactory]]:
    return PRACTICE_FIRST + [(title, factory) for title, factory in pages if factory not in LEFT_OUT]
