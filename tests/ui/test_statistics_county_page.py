"""Issue 15 on screen: the counting setting on 设置, and the new measures on 统计 (成案率, 自主发现占比,
立案 by subject category, each township's share of the county)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from ui_support import screenshot, unlock_with

from app.domain import clue_sources
from app.services import settings
from app.ui.pages.statistics_page import NOT_APPLICABLE, StatisticsPage
from tests.integration.statistics_support import FILED, PASSWORD, Walker, copy_records, make_store

YEAR = 2026


def person(name: str, category: str) -> dict:
    return {"name": name, "unit": "某村民委员会", "category": category}


def test_the_counting_setting_is_kept_and_shown(qtbot, unlocked):
    page = unlocked.main_window.show_page("设置")
    assert page.referred_as_self.isChecked()
    page.referred_as_self.setChecked(False)
    page.auto_lock.setValue(12)
    page.save_button.click()
    assert settings.load(unlocked.store).count_referred_as_self is False
    page.load()
    assert not page.referred_as_self.isChecked()
    # saving another setting keeps the counting choice
    page.auto_lock.setValue(13)
    page.save_button.click()
    assert settings.load(unlocked.store).count_referred_as_self is False


def test_county_page_shows_ratios_subjects_and_shares(qtbot, make_controller, paths):
    county = make_store(paths.root, "C01", "青山县纪委", "county", "S01")
    root = paths.root.parent
    t1 = make_store(root / "T001", "T001", "青石镇纪委", "township", "C01")
    w = Walker(t1)
    w.walk(w.clue(date(YEAR, 3, 2), source=clue_sources.TRANSFERRED, person=person("甲", "村（社区）干部")),
           *w.dated(FILED, date(YEAR, 3, 3)))
    w.walk(w.clue(date(YEAR, 4, 1), source="自行发现", person=person("乙", "乡镇干部")), *w.dated(FILED, date(YEAR, 4, 2)))
    t2 = make_store(root / "T002", "T002", "河口乡纪委", "township", "C01")
    w = Walker(t2)
    w.walk(w.clue(date(YEAR, 5, 6), person=person("丙", "其他")), ("accept", date(YEAR, 5, 7)), ("to_prelim", date(YEAR, 5, 8)))
    for t in (t1, t2):
        copy_records(t, county)
        t.close()
    county.close()

    controller = make_controller()
    controller.start()
    window = unlock_with(controller, PASSWORD)
    page = window.show_page("统计")
    page.set_period(YEAR, "全年")
    rollup = page.report["rollup"]
    assert rollup["zero_filing_townships"] == ["T002"]  # T001's 上级转办 filing is its own
    cards = {key: card.value.text() for key, card in page.overview.cards.items()}
    assert cards["filing_rate_pct"] == "67%" and cards["self_discovered_pct"] == "33%"
    subjects = page.overview.charts["subjects"]
    assert subjects.showing_chart
    bars = subjects.view.chart().series()[0].barSets()[0]
    assert [bars.at(i) for i in range(bars.count())] == [1.0, 1.0, 0.0]  # 乡镇干部, 村干部, 其他

    model = page.township_model
    keys = [c.key for c in model.columns]
    rows = {r["code"]: i for i, r in enumerate(model.rows)}
    share = keys.index("share_filings")
    assert model.data(model.index(rows["T001"], share)) == "100"
    assert model.data(model.index(rows["T002"], share)) == "0"
    rate = keys.index("filing_rate_pct")
    assert model.data(model.index(rows["T002"], rate)) == "0"
    sanctioned = keys.index("share_people_sanctioned")
    assert model.data(model.index(rows["T001"], sanctioned)) == NOT_APPLICABLE  # nobody sanctioned in the county
    assert model.data(model.index(rows["T001"], sanctioned), model.SORT_ROLE) == -1
    assert "全县" in model.headerData(share, Qt.Orientation.Horizontal)

    # the page at the size of a common office screen
    alone = StatisticsPage(window.ctx)
    alone.resize(1366, 768)
    alone.show()
    alone.set_period(YEAR, "全年")
    screenshot(alone, "statistics-county-measures")
    alone.overview.resize(1366, 1000)
    screenshot(alone.overview, "statistics-county-measures-charts")
    alone.tabs.setCurrentIndex(1)
    bar = alone.township_table.horizontalScrollBar()
    bar.setValue(bar.maximum())  # the ratio and share columns are the last ones
    screenshot(alone, "statistics-county-shares")
    alone.close()


def test_township_page_shows_the_ratios_undefined_until_there_is_something_to_divide(qtbot, make_controller, paths):
    store = make_store(paths.root, "T001", "青石镇纪委", "township", "C01")
    store.close()
    controller = make_controller()
    controller.start()
    window = unlock_with(controller, PASSWORD)
    page = window.show_page("统计")
    page.set_period(YEAR, "全年")
    cards = {key: card.value.text() for key, card in page.overview.cards.items()}
    assert cards["filing_rate_pct"] == NOT_APPLICABLE and cards["self_discovered_pct"] == NOT_APPLICABLE
    alone = StatisticsPage(window.ctx)
    alone.resize(1366, 768)
    alone.show()
    alone.set_period(YEAR, "全年")
    screenshot(alone, "statistics-township-measures")
    alone.close()
