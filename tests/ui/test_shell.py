"""The application shell end to end: set-up, unlock, recovery, main window, locking, accounts, backup."""

from __future__ import annotations

import json
import time

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWizard
from ui_support import ADMIN, OFFICE_NAME, PASSWORD, screenshot, unlock_with

from app.storage import recovery_code as codes
from app.ui.app_controller import AppController

NEW_PASSWORD = "xinmima2026"


def test_first_start_wizard_shows_code_once_then_main_window(qtbot, make_controller, paths):
    controller = make_controller()
    controller.start()
    wizard = controller.wizard
    assert controller.state == "setup" and wizard.isVisible()
    office = wizard.office_page

    wizard.button(QWizard.WizardButton.NextButton).click()
    assert wizard.currentId() == wizard.office_id
    assert "单位代码不能为空" in office.form.error("code")
    screenshot(wizard, "wizard-1-office-errors")

    office.code.setText("HX-01")
    office.name.setText(OFFICE_NAME)
    office.abbr.setText("红星")
    wizard.button(QWizard.WizardButton.NextButton).click()
    assert "上级单位代码" in office.form.error("parent")
    office.level.setCurrentIndex(2)  # 市纪委 needs no parent: the field is disabled
    assert not office.parent_code.isEnabled()
    office.level.setCurrentIndex(0)
    office.parent_code.setText("LX")
    screenshot(wizard, "wizard-1-office")
    wizard.button(QWizard.WizardButton.NextButton).click()
    assert wizard.currentId() == wizard.account_id

    account = wizard.account_page
    account.account.setText(ADMIN)
    account.password.setText("short1")
    account.password2.setText("short1")
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert "密码太短" in account.form.error("password")
    account.password.setText(PASSWORD)
    account.password2.setText(PASSWORD + "x")
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert account.form.error("password2") == "两次输入的密码不一致。"
    assert not paths.exists()
    screenshot(wizard, "wizard-2-account-errors")
    account.password2.setText(PASSWORD)
    screenshot(wizard, "wizard-2-account")

    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert paths.exists()
    assert wizard.currentId() == wizard.recovery_id
    panel = wizard.recovery_page.panel
    shown = panel.code_label.text()
    assert codes.normalise(shown) == panel.code
    assert len(shown.replace("\n", " ").split()) == 8
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    wizard.reject()  # the code must be confirmed: closing is refused
    assert wizard.isVisible()
    screenshot(wizard, "wizard-3-recovery-code")
    panel.confirm_box.setChecked(True)
    assert finish.isEnabled()
    finish.click()

    assert controller.state == "unlocked"
    window = controller.main_window
    assert window.isVisible() and not wizard.isVisible()
    assert window.stack.currentWidget() is window.pages["工作台"]  # the desk comes first
    overview = window.show_page("概况")
    assert overview.values["name"].text() == OFFICE_NAME
    assert overview.values["level"].text() == "乡镇纪委"
    assert overview.kdf_warning.isVisible()  # the fast test profile is reported as weak
    assert overview.events.rowCount() >= 2
    screenshot(window, "main-overview", window=True)


def run_wizard_to_recovery_page(controller):
    controller.start()
    wizard = controller.wizard
    office = wizard.office_page
    office.code.setText("LX")
    office.name.setText("临溪市纪委")
    office.level.setCurrentIndex(2)
    wizard.next()
    wizard.account_page.account.setText(ADMIN)
    wizard.account_page.password.setText(PASSWORD)
    wizard.account_page.password2.setText(PASSWORD)
    wizard.next()
    assert wizard.currentId() == wizard.recovery_id
    return wizard


def test_saving_the_recovery_code_as_text(qtbot, make_controller, prompter, tmp_path):
    panel = run_wizard_to_recovery_page(make_controller()).recovery_page.panel
    prompter.save_paths.append(str(tmp_path / "恢复密钥"))
    panel.save_button.click()
    saved = (tmp_path / "恢复密钥.txt").read_text(encoding="utf-8-sig")
    assert panel.code in saved and "临溪市纪委（LX）" in saved
    assert "已保存到" in panel.saved_label.text()


def test_code_is_shown_even_if_opening_the_new_store_fails(qtbot, make_controller, monkeypatch):
    from app.errors import StoreError
    from app.services import unlock

    def refuse(*_args, **_kwargs):
        raise StoreError("store_unreadable", "数据库无法读取。")

    monkeypatch.setattr(unlock, "unlock", refuse)
    controller = make_controller()
    wizard = run_wizard_to_recovery_page(controller)
    assert codes.normalise(wizard.recovery_page.panel.code_label.text())
    wizard.recovery_page.panel.confirm_box.setChecked(True)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert controller.state == "locked"
    assert controller.unlock_window.message.text() == "数据库无法读取。"


def test_auto_lock_destroys_pages_and_disposes_the_engine(qtbot, make_controller, recovery_code):
    controller = make_controller(idle_ms=300)
    controller.start()
    window = unlock_with(controller, PASSWORD)
    store = controller.store
    overview = window.show_page("概况")
    name_label: QLabel = overview.values["name"]
    assert name_label.text() == OFFICE_NAME
    assert controller.idle.timeout_ms == 300

    qtbot.waitUntil(lambda: controller.state == "locked", timeout=5000)
    assert controller.unlock_window.isVisible()
    assert controller.main_window is None and controller.store is None
    assert store.master_key == b""
    qtbot.waitUntil(lambda: not shiboken6.isValid(overview) and not shiboken6.isValid(window), timeout=2000)
    assert not shiboken6.isValid(name_label)
    assert controller.unlock_window.account.currentText() == ADMIN
    screenshot(controller.unlock_window, "unlock", window=True)

    again = unlock_with(controller, PASSWORD)
    assert controller.state == "unlocked"
    assert again.show_page("概况").values["name"].text() == OFFICE_NAME


def test_lock_on_demand_with_ctrl_l(qtbot, unlocked):
    window = unlocked.main_window
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    window.lock_action.trigger()
    assert unlocked.state == "locked" and unlocked.unlock_window.isVisible()


def test_input_restarts_the_idle_timer(qtbot, unlocked):
    unlocked.idle.start(1000)
    qtbot.wait(400)
    assert unlocked.idle.timer.remainingTime() < 800
    unlocked.main_window.nav.setFocus()
    # as the window system delivers a key: to the active window, which hands it to the focused widget
    QTest.keyClick(unlocked.main_window.windowHandle(), Qt.Key.Key_Down)
    assert unlocked.idle.timer.remainingTime() > 800


def test_wrong_password_shows_chinese_message_and_waits(qtbot, make_controller, recovery_code):
    controller = make_controller()
    controller.start()
    window = controller.unlock_window
    unlock_with(controller, "wrongpass123")
    assert controller.state == "locked"
    assert window.message.text().startswith("账户名或密码不正确。请1秒后再试。")
    assert not window.unlock_button.isEnabled() and "请等待" in window.unlock_button.text()
    screenshot(window, "unlock-wrong-password", window=True)
    qtbot.waitUntil(window.unlock_button.isEnabled, timeout=3000)
    assert unlock_with(controller, PASSWORD) is not None, window.message.text()


def test_throttled_unlock_counts_down(qtbot, make_controller, recovery_code, paths):
    paths.throttle.write_text(json.dumps({"failures": 6, "not_before": time.time() + 30}), encoding="utf-8")
    controller = make_controller()
    controller.start()
    window = controller.unlock_window
    unlock_with(controller, PASSWORD)
    assert "密码输错次数较多" in window.message.text()
    assert window.unlock_button.text() in ("请等待 30 秒", "请等待 31 秒")
    assert not window.unlock_button.isEnabled()


def test_recovery_code_sets_a_new_password(qtbot, make_controller, recovery_code):
    controller = make_controller()
    controller.start()
    dialog = controller.unlock_window.open_recovery()
    groups = recovery_code.split("-")
    groups[2] = f"{(int(groups[2]) + 1) % 1_000_000:06d}"
    dialog.code.setText(" ".join(groups))
    dialog.password.setText(NEW_PASSWORD)
    dialog.password2.setText(NEW_PASSWORD)
    dialog.submit_button.click()
    assert "第3组" in dialog.form.error("code")
    screenshot(dialog, "recover-bad-group")

    dialog.code.setText(recovery_code.replace("-", " "))
    dialog.submit_button.click()
    assert dialog.pages.currentIndex() == 1
    new_code = dialog.panel.code
    assert new_code != recovery_code and codes.normalise(dialog.panel.code_label.text()) == new_code
    assert not dialog.finish_button.isEnabled()
    dialog.reject()
    assert dialog.isVisible()
    screenshot(dialog, "recover-new-code")
    dialog.panel.confirm_box.setChecked(True)
    dialog.finish_button.click()
    assert controller.state == "unlocked"

    controller.lock()
    unlock_with(controller, PASSWORD)
    assert controller.state == "locked" and "密码不正确" in controller.unlock_window.message.text()
    qtbot.waitUntil(controller.unlock_window.unlock_button.isEnabled, timeout=3000)
    assert unlock_with(controller, NEW_PASSWORD) is not None


def test_change_password(qtbot, unlocked, prompter):
    dialog = unlocked.main_window.open_change_password()
    dialog.old.setText("notmypass1")
    dialog.new.setText(NEW_PASSWORD)
    dialog.new2.setText(NEW_PASSWORD)
    dialog.ok_button.click()
    assert "密码不正确" in dialog.form.error("old")
    screenshot(dialog, "change-password-error")
    qtbot.wait(1100)  # the wrong-password delay
    dialog.old.setText(PASSWORD)
    dialog.ok_button.click()
    assert prompter.infos[-1].startswith("密码已修改")
    unlocked.lock()
    assert unlock_with(unlocked, NEW_PASSWORD) is not None


def test_change_password_screen(qtbot, unlocked):
    screenshot(unlocked.main_window.open_change_password(), "change-password")


def test_account_management_adds_staff_who_can_unlock(qtbot, unlocked, prompter):
    window = unlocked.main_window
    assert window.accounts_action.isVisible()
    dialog = window.open_accounts()
    assert dialog.model.rowCount() == 1
    dialog.name.setText("李专干")
    dialog.password.setText("lizhuangan1")
    dialog.password2.setText("lizhuangan1")
    dialog.add_button.click()
    assert dialog.model.rowCount() == 2
    assert prompter.infos[-1] == "已添加账户“李专干”（工作人员）。"
    dialog.name.setText("李专干")
    dialog.password.setText("lizhuangan1")
    dialog.password2.setText("lizhuangan1")
    dialog.add_button.click()
    assert dialog.form.error("name") == "账户“李专干”已存在。"
    dialog.name.clear()

    dialog.name.setText("王临时")
    dialog.password.setText("wanglinshi1")
    dialog.password2.setText("wanglinshi1")
    dialog.add_button.click()
    dialog.table.selectRow(2)
    dialog.disable_button.click()
    assert "王临时" in prompter.questions[-1]
    assert dialog.model.data(dialog.model.index(2, 2)) == "已停用"
    screenshot(dialog, "accounts")

    unlocked.lock()
    names = [unlocked.unlock_window.account.itemText(i) for i in range(unlocked.unlock_window.account.count())]
    assert names == [ADMIN, "李专干"]
    staff_window = unlock_with(unlocked, "lizhuangan1", "李专干")
    assert unlocked.store.account.name == "李专干"
    assert not staff_window.accounts_action.isVisible()
    settings_page = staff_window.pages["设置"]
    assert not settings_page.save_button.isEnabled()


def test_about_dialog(qtbot, unlocked):
    dialog = unlocked.main_window.open_about()
    assert dialog.values["加密组件"].startswith("SQLCipher 4.")
    screenshot(dialog, "about")


def test_settings_save_and_validation(qtbot, unlocked):
    window = unlocked.main_window
    page = window.show_page("设置")
    screenshot(window, "main-settings", window=True)
    page.fonts["font_body"].setCurrentText("   ")
    page.save_button.click()
    assert page.font_form.error("font_body") == "字体名称不能为空。"
    page.fonts["font_body"].setCurrentText("仿宋")
    page.auto_lock.setValue(15)
    page.save_button.click()
    assert page.font_form.error("font_body") == ""
    assert unlocked.idle.timeout_ms == 600_000  # the test's injected timeout wins over the setting
    from app.services import settings

    assert settings.load(unlocked.store).auto_lock_minutes == 15
    assert "无操作10分钟后自动锁定" in window.lock_label.text()


def test_backup_then_restore_through_settings(qtbot, unlocked, prompter, tmp_path):
    window = unlocked.main_window
    page = window.show_page("设置")
    backup_file = tmp_path / "备份"
    prompter.save_paths.append(str(backup_file))
    page.backup()
    assert (tmp_path / "备份.zip").is_file()
    assert prompter.infos[-1].startswith("备份已保存")

    page.auto_lock.setValue(42)  # written after the backup: the restore must take it away
    page.save_button.click()

    prompter.confirm_answers.append(True)
    prompter.open_paths.append(str(tmp_path / "备份.zip"))
    prompter.passwords.append("wrongpass123")
    page.restore()
    assert unlocked.state == "locked"
    assert "密码不正确" in unlocked.unlock_window.message.text()
    qtbot.waitUntil(unlocked.unlock_window.unlock_button.isEnabled, timeout=3000)
    window = unlock_with(unlocked, PASSWORD)
    assert window.pages["设置"].auto_lock.value() == 42  # a failed restore changed nothing

    prompter.confirm_answers.append(True)
    prompter.open_paths.append(str(tmp_path / "备份.zip"))
    prompter.passwords.append(PASSWORD)
    window.pages["设置"].restore()
    assert unlocked.state == "locked"
    assert "已从备份恢复" in unlocked.unlock_window.notice.text()
    window = unlock_with(unlocked, PASSWORD)
    assert unlocked.state == "unlocked"
    assert window.pages["设置"].auto_lock.value() == 10
    assert window.show_page("概况").values["name"].text() == OFFICE_NAME


def test_replacing_the_store_by_another_ones_backup_is_a_separate_explicit_choice(qtbot, unlocked, prompter, tmp_path):
    from app.paths import store_paths
    from app.services import backup, setup, unlock

    other_paths = store_paths(tmp_path / "other")
    setup.create_store(other_paths, setup.SetupRequest("QS-02", "青山镇纪委", "township", "王书记", "qingshan2026",
                                                       parent_code="LX", kdf_profile="fast"))
    other = unlock.unlock(other_paths, None, "qingshan2026").store
    try:
        made = backup.backup(other, tmp_path / "other.zip")
    finally:
        other.close()
    window = unlocked.main_window
    for answer in (False, True):
        prompter.confirm_answers += [True, answer]  # 从备份恢复, then 替换为另一个数据库
        prompter.open_paths.append(made.path)
        prompter.passwords += [PASSWORD, "qingshan2026"]
        window.pages["设置"].restore()
        assert unlocked.state == "locked"
        assert "另一个数据库" in prompter.questions[-1] and "restore-previous" in prompter.questions[-1]
        if not answer:  # declined: refused, this store untouched
            assert "不属于当前数据库" in unlocked.unlock_window.message.text()
            prompter.passwords.clear()
            qtbot.waitUntil(unlocked.unlock_window.unlock_button.isEnabled, timeout=3000)
            window = unlock_with(unlocked, PASSWORD)
            assert window.show_page("概况").values["name"].text() == OFFICE_NAME
    assert "已从备份恢复" in unlocked.unlock_window.notice.text()
    assert unlock_with(unlocked, "qingshan2026", "王书记") is not None
    assert unlocked.store.office.name == "青山镇纪委"


def test_restore_needs_confirmation(qtbot, unlocked, prompter):
    prompter.confirm_answers.append(False)
    unlocked.main_window.pages["设置"].restore()
    assert unlocked.state == "unlocked"
    assert "替换当前全部数据" in prompter.questions[-1]


def test_a_page_that_fails_to_build_leaves_the_store_closed(qtbot, paths, runner, prompter, recovery_code):
    opened = []

    def broken_page(ctx):
        opened.append(ctx.store)
        raise RuntimeError("页面坏了")

    controller = AppController(paths, runner, prompter, kdf_profile="fast", pages=[("坏页", broken_page)])
    try:
        controller.start()
        unlock_with(controller, PASSWORD)
        assert controller.state == "locked" and controller.main_window is None
        assert opened[0].master_key == b""
        assert controller.unlock_window.message.text() == "发生内部错误：页面坏了"
    finally:
        controller.shutdown()
        controller.unlock_window.close()


def test_wizard_sets_up_a_township_from_the_county_package(qtbot, make_controller, paths, prompter, tmp_path):
    from sqlmodel import select

    from app.models import Office, OfficeKey
    from app.paths import store_paths
    from app.services import offices, setup, unlock

    county_paths = store_paths(tmp_path / "county")
    setup.create_store(county_paths, setup.SetupRequest("C01", "青山县纪委", "county", "李主任", PASSWORD, parent_code="S01",
                                                        kdf_profile="fast"))
    county = unlock.unlock(county_paths, None, PASSWORD).store
    offices.add_office(county, "T001", "青石镇纪委", "township", abbr="青石")
    package = tmp_path / "T001_setup.jab"
    made = offices.make_setup_package(county, "T001", package)
    county.close()
    tampered = tmp_path / "tampered.jab"
    data = bytearray(package.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))

    controller = make_controller()
    controller.start()
    wizard = controller.wizard
    office = wizard.office_page
    prompter.open_paths.append(str(tampered))
    office.package_button.click()
    assert office.package_message.text()  # a clear refusal, and the fields stay the operator's to fill
    assert wizard.package is None and office.code.isEnabled() and office.code.text() == ""

    prompter.open_paths.append(str(package))
    office.package_button.click()
    assert wizard.package is not None and office.package_message.text() == ""
    assert (office.code.text(), office.name.text(), office.abbr.text(), office.parent_code.text()) == ("T001", "青石镇纪委", "青石", "C01")
    assert office.level.currentData() == "township" and not office.code.isEnabled() and not office.parent_code.isEnabled()
    assert made.fingerprint in office.package_note.text()  # read over the phone to the county
    screenshot(wizard, "wizard-1-office-from-package")

    wizard.button(QWizard.WizardButton.NextButton).click()
    account = wizard.account_page
    account.account.setText(ADMIN)
    account.password.setText(PASSWORD)
    account.password2.setText(PASSWORD)
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert wizard.currentId() == wizard.recovery_id
    wizard.recovery_page.panel.confirm_box.setChecked(True)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert controller.state == "unlocked"
    store = controller.session.store
    assert store.office.code == "T001" and store.office.parent_code == "C01"
    with store.read() as s:
        county_id = s.exec(select(Office.id).where(Office.code == "C01")).one()
        trusted = s.get(OfficeKey, county_id)
    assert trusted is not None and trusted.state == "trusted" and trusted.fingerprint == made.fingerprint


def test_a_page_that_fails_when_first_opened_is_told_and_the_window_stays(qtbot, paths, runner, prompter, recovery_code):
    from app.ui.pages.overview import OverviewPage

    def broken_page(ctx):
        raise RuntimeError("页面坏了")

    controller = AppController(paths, runner, prompter, kdf_profile="fast",
                               pages=[("概况", OverviewPage), ("坏页", broken_page)])
    try:
        controller.start()
        window = unlock_with(controller, PASSWORD)
        assert list(window.pages.built) == ["概况"]  # only the page unlocking lands on is built
        window.nav.setCurrentRow(1)
        assert prompter.errors[-1] == "“坏页”页面无法打开：发生内部错误：页面坏了"
        assert controller.state == "unlocked" and window.stack.currentWidget() is window.pages["概况"]
    finally:
        controller.shutdown()


def test_edits_a_crash_left_in_the_word_processor_are_kept_at_the_next_unlock(qtbot, make_controller, paths, prompter,
                                                                              recovery_code):
    from datetime import date

    from docx import Document as WordDocument

    from app.bootstrap import purge_left_documents
    from app.services import cases, document_files, documents, unlock

    today = date(2026, 6, 30)
    store = unlock.unlock(paths, None, PASSWORD).store
    case_id = cases.register_clue(store, {"received_on": "2026-06-01", "source": "自行发现", "persons": [{"name": "赵会计"}],
                                          "summary": "反映赵会计有关问题"}, today=today).case_id
    edited = document_files.export_for_editing(store, documents.render(store, case_id, "clue_register_form", today=today).document_id)
    untouched = document_files.export_for_editing(store, documents.render(store, case_id, "clue_register_form",
                                                                          today=today).document_id)  # its 2nd version
    word = WordDocument(str(edited.path))
    word.add_paragraph("承办人补充：已电话核实。")
    word.save(str(edited.path))  # the user saved in Word, then the app was killed: no close_out ran
    store.close()

    purge_left_documents(paths.root)  # the next start
    assert edited.path.is_file() and not untouched.path.exists()  # only what holds something new waits

    controller = make_controller()
    controller.start()
    unlock_with(controller, PASSWORD)
    assert controller.state == "unlocked"
    assert prompter.infos[-1].startswith("上次未正常退出前，在文字处理软件中修改过的1份文书已保存为新版本：")
    assert not document_files.temp_root(paths).exists()
    kept = [d for d in documents.list_documents(controller.session.store, case_id) if d.origin == "edited"]
    assert len(kept) == 1 and kept[0].template_id == "clue_register_form" and kept[0].version == 3
