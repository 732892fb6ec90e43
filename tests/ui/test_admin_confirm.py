"""同步 page in a 工作人员 session: exporting needs the office's private keys, so a 书记/管理员 confirms
with their own password (account_dialogs.administrator_for); cancelled or wrong, nothing is written.
A test store (fast key profile) says 测试库 on the page."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from ui_support import PASSWORD, FakePrompter

from app.paths import store_paths
from app.services import accounts, offices, setup, unlock
from app.ui.pages.sync_page import SyncPage
from app.ui.session import SessionContext
from app.ui.tasks import TaskRunner

STAFF, STAFF_PASSWORD = "李专干", "lizhuangan1"


def test_a_staff_export_asks_an_administrator_and_only_then_writes(qtbot, tmp_path):
    county_paths = store_paths(tmp_path / "county")
    setup.create_store(county_paths, setup.SetupRequest("C01", "青山县纪委", "county", "李主任", PASSWORD, parent_code="S01",
                                                        office_abbr="青山", kdf_profile="fast"))
    county = unlock.unlock(county_paths, None, PASSWORD).store
    offices.add_office(county, "T001", "青石镇纪委", "township", abbr="青石")
    package = tmp_path / "T001_setup.jab"
    offices.make_setup_package(county, "T001", package)
    county.close()
    township_paths = store_paths(tmp_path / "township")
    setup.create_store(township_paths, setup.SetupRequest("", "", "township", "张书记", PASSWORD, kdf_profile="fast",
                                                          setup_package=offices.read_setup_package(package)))
    admin = unlock.unlock(township_paths, None, PASSWORD).store
    accounts.add_account(admin, STAFF, "staff", STAFF_PASSWORD)
    admin.close()
    staff = unlock.unlock(township_paths, STAFF, STAFF_PASSWORD).store
    stick = tmp_path / "stick"
    stick.mkdir()
    try:
        prompter = FakePrompter()
        page = SyncPage(SessionContext(staff, TaskRunner(sync=True), prompter))
        qtbot.addWidget(page)
        tab = page.bundles
        note = page.findChild(QLabel, "sync_test_store")
        assert note is not None and "测试库" in note.text()
        tab.set_target_folder(str(stick))

        prompter.confirm_answers.append(False)  # the administrator is not there: nothing happens
        tab.export_button.click()
        assert "书记/管理员" in prompter.questions[-1] and STAFF in prompter.questions[-1]
        assert list(stick.iterdir()) == []

        prompter.confirm_answers.append(True)
        prompter.passwords.append("not-the-pass1")  # wrong: refused, behind the delay
        tab.export_button.click()
        assert "不正确" in tab.export_status.text() and "秒后再试" in tab.export_status.text()
        assert list(stick.iterdir()) == []

        unlock.clear_failures(township_paths)
        prompter.confirm_answers.append(True)
        prompter.passwords.append(PASSWORD)
        tab.export_button.click()
        assert "可以安全拔出U盘" in tab.export_status.text(), tab.export_status.text()
        assert (stick / "T001_C01_1.jab").exists()
        assert staff.engine.role_keys.private is None  # the keys were there for the export only
    finally:
        staff.close()
