"""统计 page: a township with demo data, an empty store, a county with townships, a city with counties."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from PySide6.QtCore import Qt
from ui_support import screenshot, unlock_with

from app.domain import statistics as stats
from app.services import demo_data, statistics
from app.ui.pages.statistics_page import SPANS, OfficeTableModel
from tests.integration.statistics_support import PASSWORD, copy_records, make_store

YEAR = 2026
ROUTES = {"closed_directly": 2, "talk_inquiry_closed": 2, "shelved": 1, "verification_closed": 2,
          "verification_form1": 1, "filed_open": 2, "filed_sanctioned": 2}
TOWNSHIPS = (("T001", "青石镇纪委", {"filed_open": 2, "filed_sanctioned": 1, "closed_directly": 2, "talk_inquiry_closed": 1}),
             ("T002", "河口乡纪委", {"filed_sanctioned": 1, "verification_closed": 2, "shelved": 1}),
             ("T003", "龙泉镇纪委", {"verification_form1": 2, "closed_directly": 1}),
             ("T004", "白沙乡纪委", {}))


def demo(store, routes: dict, seed: int) -> None:
    if routes:
        demo_data.generate(store, {"year": YEAR, "seed": seed, "routes": routes})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Stores built once: a township with demo data, a county with four townships, a city with two counties."""
    root = tmp_path_factory.mktemp("built")
    township = make_store(root / "township", "T001", "青石镇纪委", "township", "C01")
    demo(township, ROUTES, 3)
    township.close()
    county = make_store(root / "county", "C01", "青山县纪委", "county", "S01")
    for i, (code, name, routes) in enumerate(TOWNSHIPS):
        t = make_store(root / code, code, name, "township", "C01")
        demo(t, routes, 10 + i)
        copy_records(t, county)
        t.close()
    other = make_store(root / "county2", "C02", "白水县纪委", "county", "S01")
    t = make_store(root / "T201", "T201", "三合镇纪委", "township", "C02")
    demo(t, {"filed_open": 1, "closed_directly": 1}, 30)
    copy_records(t, other)
    t.close()
    city = make_store(root / "city", "S01", "临溪市纪委", "city", None)
    for c in (county, other):
        statistics.refresh_periods(c, list(stats.standard_periods(YEAR)))
        copy_records(c, city, ("office", "statistics_snapshot"))
    for s in (county, other, city):
        s.close()
    return root


def open_page(make_controller, paths, source):
    shutil.copytree(source, paths.root)
    controller = make_controller()
    controller.start()
    window = unlock_with(controller, PASSWORD)
    assert window is not None
    page = window.show_page("统计")
    page.set_period(YEAR, "全年")
    return window, page


def card_values(page) -> dict[str, str]:
    return {key: card.value.text() for key, card in page.overview.cards.items()}


def test_township_cards_and_charts_match_the_report(qtbot, make_controller, paths, built):
    window, page = open_page(make_controller, paths, built / "township")
    report = page.report
    ind = report["indicators"]
    assert ind["clues_received"] == sum(ROUTES.values()) and ind["filings"] == 4
    values = card_values(page)
    assert values["clues_received"] == f"{sum(ROUTES.values())} 件次"
    assert values["filings"] == "4 件" and values["cases_closed"] == "2 件"
    assert not page.overview.empty.isVisible()
    assert all(box.showing_chart for box in page.overview.charts.values())
    assert page.tabs is None and page.snapshot_button.isHidden()
    assert "按各项决定的日期统计" in page.status.text()
    screenshot(window, "statistics-township", window=True)
    page.overview.resize(1200, 1000)
    screenshot(page.overview, "statistics-township-charts")

    page.set_period(YEAR, "第一季度")
    assert page.report["period"]["label"] == "2026年第一季度"
    quarters = []
    for span in ("第一季度", "第二季度", "第三季度", "第四季度"):
        page.set_period(YEAR, span)
        quarters.append(page.report["indicators"]["filings"])
    assert sum(quarters) == 4


def test_custom_period_and_a_bad_one(qtbot, make_controller, paths, built):
    _, page = open_page(make_controller, paths, built / "township")
    page.span.setCurrentIndex(SPANS.index("自定义"))
    assert page.date_from.isVisible() and page.date_to.isVisible()
    page.date_from.setDate(page.date_from.date().addMonths(6))  # 07-01
    assert page.report["period"]["from"] == "2026-07-01" and page.report["period"]["to"] == "2026-12-31"
    page.date_to.setDate(page.date_from.date().addDays(-1))  # before the start: refused, said in words
    assert page.message.isVisible() and "晚于" in page.message.text()
    assert page.report["period"]["from"] == "2026-07-01"  # the last good figures stay


def test_empty_store_says_what_to_do(qtbot, make_controller, paths, unlocked):
    page = unlocked.main_window.show_page("统计")
    assert page.overview.empty.isVisible() and "本期没有数据" in page.overview.empty.text()
    assert not any(box.showing_chart for box in page.overview.charts.values())
    assert page.overview.charts["source"].empty.text() == "本期没有数据"
    screenshot(unlocked.main_window, "statistics-empty", window=True)


def test_exports_from_the_page(qtbot, make_controller, paths, built, prompter, tmp_path):
    _, page = open_page(make_controller, paths, built / "township")
    prompter.save_paths.append(str(tmp_path / "报表"))
    page.export_button.click()
    assert (tmp_path / "报表.xlsx").exists() and "统计报表已导出" in prompter.infos[-1]
    assert openpyxl.load_workbook(tmp_path / "报表.xlsx").sheetnames == ["指标", "分类统计"]
    prompter.save_paths.append(str(tmp_path / "台账.xlsx"))
    page.ledger_button.click()
    rows = list(openpyxl.load_workbook(tmp_path / "台账.xlsx").active.iter_rows(values_only=True))
    assert len(rows) == 1 + sum(ROUTES.values()) and "问题线索台账" in prompter.infos[-1]
    prompter.save_paths.append(str(tmp_path / "nope" / "x.xlsx"))
    page.ledger_button.click()
    assert "不存在" in prompter.errors[-1]
    page.ledger_button.click()  # cancelled in the dialog: nothing happens
    assert len(prompter.errors) == 1


def test_county_sees_townships_with_zero_filing_highlighted(qtbot, make_controller, paths, built, prompter):
    window, page = open_page(make_controller, paths, built / "county")
    rollup = page.report["rollup"]
    assert rollup["townships_total"] == 4
    assert "T004" in rollup["zero_filing_townships"] and "T003" in rollup["zero_filing_townships"]
    model = page.township_model
    assert model.rowCount() == 4
    zero_rows = [model.rows[i]["code"] for i in range(4)
                 if model.data(model.index(i, 0), Qt.ItemDataRole.BackgroundRole) is not None]
    assert sorted(zero_rows) == sorted(rollup["zero_filing_townships"])
    first = {r["code"]: r["rank"] for r in model.rows}
    assert first["T001"] == 1  # most filings
    assert card_values(page)["townships_total"] == "4 个"
    assert page.overview.scope.text() == "各乡镇合计"
    screenshot(window, "statistics-county-overview", window=True)
    page.tabs.setCurrentIndex(1)
    table = page.township_table
    filings = [c.key for c in model.columns].index("filings")
    table.sortByColumn(filings, Qt.SortOrder.DescendingOrder)
    proxy = table.model()
    shown = [proxy.data(proxy.index(r, filings), OfficeTableModel.SORT_ROLE) for r in range(4)]
    assert shown == sorted(shown, reverse=True)
    screenshot(window, "statistics-county-townships", window=True)

    prompter.confirm_answers.append(True)
    page.snapshot_button.click()
    assert "上报统计" in prompter.infos[-1]


def test_city_sees_counties_and_townships(qtbot, make_controller, paths, built):
    window, page = open_page(make_controller, paths, built / "city")
    counties = page.county_model.rows
    assert [r["code"] for r in counties] == ["C01", "C02"]
    assert counties[0]["townships_total"] == 4 and counties[1]["townships_total"] == 1
    assert page.township_model.rowCount() == 5
    assert {r["parent"] for r in page.township_model.rows} == {"C01", "C02"}
    assert page.ledger_button.isHidden()
    screenshot(window, "statistics-city-overview", window=True)
    page.tabs.setCurrentIndex(1)
    screenshot(window, "statistics-city-counties", window=True)
