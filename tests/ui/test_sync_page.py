"""同步 page: a township exports through the page, the county previews, confirms the fingerprint and
imports it, records its opinion in the queue, and the township takes the downward bundle."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QLabel
from ui_support import PASSWORD, FakePrompter, screenshot

from app.paths import store_paths
from app.services import batch, offices, setup, unlock
from app.ui.pages.sync_page import FingerprintDialog, OfficeDialog, OpinionDialog, SyncPage, TransferDialog
from app.ui.session import SessionContext
from app.ui.tasks import TaskRunner
from tests.integration.test_case_paths import TO_REVIEW, Walk


@pytest.fixture
def stores(tmp_path):
    county_paths = store_paths(tmp_path / "county")
    setup.create_store(county_paths, setup.SetupRequest("C01", "青山县纪委", "county", "李主任", PASSWORD, parent_code="S01",
                                                        office_abbr="青山", kdf_profile="fast"))
    county = unlock.unlock(county_paths, None, PASSWORD).store
    offices.add_office(county, "T001", "青石镇纪委", "township", abbr="青石")
    offices.add_office(county, "T002", "白沙镇纪委", "township", abbr="白沙")
    package = tmp_path / "T001_setup.jab"
    offices.make_setup_package(county, "T001", package)
    township_paths = store_paths(tmp_path / "township")
    setup.create_store(township_paths, setup.SetupRequest("", "", "township", "张书记", PASSWORD, kdf_profile="fast",
                                                          setup_package=offices.read_setup_package(package)))
    township = unlock.unlock(township_paths, None, PASSWORD).store
    yield county, township
    county.close()
    township.close()


def page_for(store, prompter) -> SyncPage:
    ctx = SessionContext(store, TaskRunner(sync=True), prompter)
    page = SyncPage(ctx)
    page.resize(1366, 768)
    page.show()
    return page


def test_export_and_import_through_the_page(qtbot, stores, tmp_path):
    county, township = stores
    stick = tmp_path / "stick"
    stick.mkdir()
    report = batch.apply_lines(township, [json.dumps(line, ensure_ascii=False)
                                          for line in Walk().path(*TO_REVIEW, "+party_warning", "submit_county_review").lines])
    assert report.failed is None
    case_id = report.refs["c"]

    town_prompter = FakePrompter()
    town = page_for(township, town_prompter)
    qtbot.addWidget(town)
    tab = town.bundles
    assert tab.peer.currentData() == "C01"  # the county is trusted from the set-up package
    assert "本单位指纹" in town.findChild(QLabel, "sync_fingerprint").text()
    tab.set_target_folder(str(stick))
    tab.export_button.click()
    assert "可以安全拔出U盘" in tab.export_status.text(), tab.export_status.text()
    bundle = stick / "T001_C01_1.jab"
    assert bundle.exists()
    assert tab.history.rowCount() == 1 and tab.history.data(tab.history.index(0, 7)) == "待对方确认"
    screenshot(town, "sync-township-exported", window=True)

    county_prompter = FakePrompter()
    county_prompter.open_paths = [str(bundle)]  # chosen once: confirming the fingerprint takes it from quarantine
    page = page_for(county, county_prompter)
    qtbot.addWidget(page)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["数据包", "下级单位", "审理/审批队列", "转办"]
    page.bundles.choose_button.click()
    assert "尚未确认" in page.bundles.preview.text() and not page.bundles.apply_button.isEnabled()
    screenshot(page, "sync-county-fingerprint-unconfirmed", window=True)

    page.tabs.setCurrentWidget(page.offices)
    row = next(r for r in page.offices.model.rows if r.code == "T001")
    assert row.key_state == "unconfirmed" and row.pending_fingerprint == offices.fingerprint(township).fingerprint
    page.offices.table.selectRow(page.offices.model.rows.index(row))
    screenshot(page, "sync-county-offices", window=True)
    assert not page.offices.submit_fingerprint("T001", "11111 11111 11111 11111 11111 11111")
    assert "不一致" in page.offices.message.text()
    assert page.offices.submit_fingerprint("T001", row.pending_fingerprint.replace(" ", ""))

    # issue 17 §8: the bundle that waited for the fingerprint is previewed at once, in 数据包
    assert page.tabs.currentWidget() is page.bundles
    assert "预览" in page.bundles.preview.text() and page.bundles.apply_button.isEnabled(), page.bundles.preview.text()
    assert county_prompter.open_paths == []
    screenshot(page, "sync-county-preview", window=True)
    page.bundles.apply_button.click()
    assert "已导入" in page.bundles.preview.text(), page.bundles.preview.text()

    page.tabs.setCurrentWidget(page.queue)
    assert [r.case_id for r in page.queue.model.rows] == [case_id]
    page.queue.table.selectRow(0)
    screenshot(page, "sync-county-queue", window=True)
    queued = page.queue.model.rows[0]
    dialog = OpinionDialog(queued, page)
    dialog.number.setText("青山纪审〔2026〕7号")
    screenshot(dialog, "sync-county-opinion-dialog")
    dialog.close()
    assert not page.queue.submit(case_id, "", queued.entered_on, "同意", "")
    assert page.queue.submit(case_id, "青山纪审〔2026〕7号", queued.entered_on, "同意", "同意报支部大会")
    assert page.queue.model.rowCount() == 0

    page.tabs.setCurrentWidget(page.transfers)
    assert page.transfers.submit("T001", {"persons": [{"name": "赵德明", "unit": "青石镇农业服务中心"}],
                                          "summary": "反映赵德明虚报冒领惠农补贴", "source": "信访举报（来信）"}, "请三个月内办结")
    screenshot(page, "sync-county-transfers", window=True)
    assert page.transfers.model.rows[0].mode == "转办"
    # 转送 ([J] 第十六条), 发函交办 ([J] 第二十条) or 指定办理 ([R] 第九条, [S] 第四十八条第三款) is the county's
    # choice; its own sources never say 上级…
    offered = TransferDialog(page.transfers.townships(), page.transfers.sources(), page)
    assert [offered.mode.itemText(i) for i in range(offered.mode.count())] == ["转办", "交办", "指定办理"]
    assert not {"上级转办", "上级交办"} & {offered.source.itemText(i) for i in range(offered.source.count())}
    offered.close()
    for name, dialog in (("office", OfficeDialog("county", page)), ("transfer", TransferDialog(page.transfers.townships(), page.transfers.sources(), page)),
                         ("fingerprint", FingerprintDialog("青石镇纪委", row.pending_fingerprint, page))):
        screenshot(dialog, f"sync-county-{name}-dialog")
        dialog.close()

    down = tmp_path / "down"
    down.mkdir()
    page.tabs.setCurrentWidget(page.bundles)
    page.bundles.set_target_folder(str(down))
    page.bundles.peer.setCurrentIndex(page.bundles.peer.findData("T001"))
    page.bundles.export_button.click()
    assert (down / "C01_T001_1.jab").exists(), page.bundles.export_status.text()
    screenshot(page, "sync-county-exported", window=True)

    town_prompter.open_paths = [str(down / "C01_T001_1.jab")]
    town.bundles.choose_button.click()
    town.bundles.apply_button.click()
    text = town.bundles.preview.text()
    assert "青山纪审〔2026〕7号" in text and "上级转办" in text, text
    town.refresh()
    assert town.bundles.history.data(town.bundles.history.index(
        [r.direction for r in town.bundles.history.rows].index("out"), 7)) == "对方已确认收到"
    screenshot(town, "sync-township-imported", window=True)
    assert [town.tabs.tabText(i) for i in range(town.tabs.count())] == ["数据包", "上级单位"]
    town.tabs.setCurrentWidget(town.offices)
    assert [(r.code, r.key_state) for r in town.offices.model.rows] == [("C01", "trusted")]
    screenshot(town, "sync-township-parent", window=True)
