"""同步 page, issue 17 point 10: a township set up without the county's package takes it through
“导入上级设置包…”, confirms what will happen, and can then export to the county."""

from __future__ import annotations

import json

import pytest
from ui_support import PASSWORD, FakePrompter

from app.paths import store_paths
from app.services import batch, offices, setup, sync, unlock
from app.ui.pages.sync_page import SyncPage
from app.ui.session import SessionContext
from app.ui.tasks import TaskRunner
from tests.integration.test_case_paths import TO_REVIEW, Walk


@pytest.fixture
def stores(tmp_path):
    county_paths = store_paths(tmp_path / "county")
    setup.create_store(county_paths, setup.SetupRequest("C01", "青山县纪委", "county", "李主任", PASSWORD, parent_code="S01",
                                                        kdf_profile="fast"))
    county = unlock.unlock(county_paths, None, PASSWORD).store
    offices.add_office(county, "T001", "青石镇纪委", "township", abbr="青石")
    package = tmp_path / "C01_T001_setup.jab"
    offices.make_setup_package(county, "T001", package)
    township_paths = store_paths(tmp_path / "township")
    # set up before the package arrived: a plain set-up with the same code and name
    setup.create_store(township_paths, setup.SetupRequest("T001", "青石镇纪委", "township", "张书记", PASSWORD,
                                                          parent_code="C01", office_abbr="青石", kdf_profile="fast"))
    township = unlock.unlock(township_paths, None, PASSWORD).store
    yield county, township, package
    county.close()
    township.close()


def page_for(store, prompter) -> SyncPage:
    page = SyncPage(SessionContext(store, TaskRunner(sync=True), prompter))
    page.resize(1366, 768)
    page.show()
    return page


def test_adopt_button_pairs_a_plainly_set_up_township(qtbot, stores, tmp_path):
    county, township, package = stores
    report = batch.apply_lines(township, [json.dumps(line, ensure_ascii=False)
                                          for line in Walk().path(*TO_REVIEW, "+party_warning", "submit_county_review").lines])
    assert report.failed is None
    case_id = report.refs["c"]

    prompter = FakePrompter()
    page = page_for(township, prompter)
    qtbot.addWidget(page)
    tab = page.offices
    page.tabs.setCurrentWidget(tab)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "上级单位"
    assert tab.adopt_button.isVisible() and page.bundles.peer.currentData() is None

    # declined at the confirmation: nothing happens
    prompter.open_paths = [str(package)]
    prompter.confirm_answers = [False]
    tab.adopt_button.click()
    assert "青山县纪委" in prompter.questions[-1] and "案件" in prompter.questions[-1] and "指纹" in prompter.questions[-1]
    assert not offices.has_parent(township)

    prompter.open_paths = [str(package)]
    tab.adopt_button.click()
    assert "已导入青山县纪委（C01）的设置包" in tab.message.text(), tab.message.text()
    assert offices.fingerprint(county).fingerprint in tab.message.text()
    assert not tab.adopt_button.isVisible()  # paired now
    assert page.bundles.peer.currentData() == "C01"  # the 数据包 tab can export to the county

    stick = tmp_path / "stick"
    stick.mkdir()
    page.bundles.set_target_folder(str(stick))
    page.bundles.export_button.click()
    bundle = stick / "T001_C01_1.jab"
    assert bundle.exists(), page.bundles.export_status.text()
    first = sync.import_one(county, bundle)
    assert first.refused and first.code == "fingerprint_unconfirmed"
    offices.trust(county, "T001", offices.fingerprint(township).fingerprint)
    taken = sync.import_held(county, "T001")
    assert [r.refused for r in taken] == [False]
    with county.read() as s:
        from app.models import Case

        assert s.get(Case, case_id).owner_office_id == township.office.id


def test_adopt_button_shows_a_refusal(qtbot, stores, tmp_path):
    _, township, package = stores
    tampered = tmp_path / "bad_setup.jab"
    data = bytearray(package.read_bytes())
    data[40] ^= 0x01
    tampered.write_bytes(bytes(data))
    prompter = FakePrompter()
    page = page_for(township, prompter)
    qtbot.addWidget(page)
    prompter.open_paths = [str(tampered)]
    page.offices.adopt_button.click()
    assert page.offices.message.text() and "签名" in page.offices.message.text(), page.offices.message.text()
    assert prompter.questions == [] and not offices.has_parent(township)
