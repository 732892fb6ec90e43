"""Practice mode in the GUI: entry from the unlock screen, the banner, the trainee and trainer pages, the score card."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QLabel
from ui_support import PASSWORD, screenshot, unlock_with

from app.paths import store_paths
from app.services import cases, practice, ruleset
from app.ui.app_controller import AppController
from app.ui.case_dialogs import DecisionDialog
from app.ui.score_card import ScoreCardDialog

TRAINER = "刘老师"
TRAINER_PASSWORD = "peixun2026"


def enter_practice(controller) -> None:
    """From the real store's unlock screen into a new practice room, as the trainer does the first time."""
    controller.unlock_window.mode_button.click()
    setup = controller.wizard
    setup.account.setText(TRAINER)
    setup.password.setText(TRAINER_PASSWORD)
    setup.confirm.setText(TRAINER_PASSWORD)
    setup.create_button.click()


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def play(store, case_id: str, entries, trainee: str) -> None:
    """What the trainee does in the case screen, through the same service the screen calls."""
    rules = ruleset.load(store)
    for entry in entries:
        try:
            practice.perform(store, rules, case_id, entry, trainee, date.today())
        except practice.PracticeHeld:
            pass


def test_the_unlock_screen_leads_into_a_new_practice_room_with_a_banner(qtbot, make_controller, recovery_code, paths,
                                                                      prompter):
    controller = make_controller()
    controller.start()
    unlock = controller.unlock_window
    assert unlock.mode_button.text().startswith("练习模式")
    screenshot(unlock, "practice-0-unlock-entry", window=True)
    unlock.mode_button.click()
    setup = controller.wizard
    assert setup.isVisible() and not store_paths(paths.root, practice=True).exists()
    assert any("另设一个密码" in label.text() for label in setup.findChildren(QLabel))
    setup.password.setText("short1")
    setup.confirm.setText("short1")
    setup.create_button.click()
    assert "密码太短" in setup.form.error("password")
    screenshot(setup, "practice-1-setup-errors", window=True)
    setup.account.setText(TRAINER)
    setup.password.setText(TRAINER_PASSWORD)
    setup.confirm.setText(TRAINER_PASSWORD)
    setup.create_button.click()
    assert any("恢复密钥" in text for text in prompter.infos)

    window = controller.main_window
    assert controller.state == "unlocked" and controller.practice
    assert window.banner.text().startswith("练习模式") and window.banner.isVisible()
    assert list(window.pages)[:2] == ["练习", "培训管理"] and "同步" not in window.pages and "案件" in window.pages
    assert controller.store.paths.root == paths.root / "practice"
    assert practice.is_practice(controller.store)
    screenshot(window, "practice-2-trainee-choose", window=True)

    # locking keeps the practice room; its unlock screen says so and leads back to the real store
    unlock = controller.lock()
    assert unlock.practice and unlock.mode_button.text() == "返回正式数据库"
    assert unlock.findChild(type(window.banner), "mode_banner").isVisible()
    screenshot(unlock, "practice-3-unlock", window=True)
    unlock.mode_button.click()
    assert not controller.practice and not controller.unlock_window.practice
    assert unlock_with(controller, PASSWORD) is not None
    assert not hasattr(controller.main_window, "banner") and "同步" in controller.main_window.pages
    assert not practice.is_practice(controller.store)


def test_practice_option_starts_straight_in_practice_mode(qtbot, paths, runner, prompter):
    controller = AppController(paths, runner, prompter, kdf_profile="fast", idle_ms=600_000, practice=True)
    try:
        controller.start()
        assert controller.wizard is not None and controller.wizard.windowTitle().endswith("建立练习库")
        assert not paths.exists()  # no real store is needed in a training room
        controller.wizard.sig_mode_requested.emit(False)
        assert controller.wizard is not None and not controller.practice  # the real store's set-up wizard
    finally:
        controller.shutdown()
        for widget in QApplication.topLevelWidgets():
            widget.close()
        settle()


def test_a_trainee_works_a_scenario_in_the_case_screen_and_gets_the_score_card(qtbot, make_controller, recovery_code,
                                                                             prompter, tmp_path):
    controller = make_controller()
    controller.start()
    enter_practice(controller)
    window = controller.main_window
    page = window.show_page("练习")
    ids = [r.id for r in page.model.rows]
    assert len(ids) >= 8
    page.table.selectRow(ids.index("gift_money_warning"))
    page.start_button.click()
    assert "请先填写学员姓名" in page.message.text()
    page.name_edit.setText("王学员")
    page.start_button.click()
    assert page.stack.currentIndex() == 1 and page.case_view is not None
    store = controller.store
    rules = ruleset.load(store)
    sc = practice.get_scenario(store, "gift_money_warning", rules)
    assert "举报电话记录" in page.side.toPlainText()

    # the intake step through the case screen itself: tick, then decide
    view = page.case_view
    for check in view.checks.values():
        check.setChecked(True)
    settle()
    view.decision_buttons["accept"].click()
    view.dialog.submit()
    settle()
    assert view.data.shown["step"]["id"] == "disposition"

    # a wrong disposition: the decision dialog shows the feedback with the article, the case stays
    play(store, page.case_id, [replace(sc.reference[1], decide="", study=True)], "王学员")  # its work, not its decision
    view.reload()
    settle()
    view.decision_buttons["to_close"].click()
    dialog = view.dialog
    assert isinstance(dialog, DecisionDialog)
    dialog.approver.setText("纪委书记（模拟）")
    dialog.submit()
    settle()
    assert "判断有误（得 0/15 分），参考答案是“初步核实”" in dialog.message.text()
    screenshot(dialog, "practice-4-held-decision")
    dialog.reject()
    page.refresh_side()
    assert "有误（0/15 分）" in page.side.toPlainText() and "第二十一条" in page.side.toPlainText()
    assert cases.case_state(store, page.case_id).step_id == "disposition"
    screenshot(window, "practice-5-working", window=True)

    # the rest as the reference does it; the card opens when the path is done
    play(store, page.case_id, sc.reference[1:], "王学员")
    controller.session.sig_data_changed.emit()
    settle()
    card = page.card_dialog
    assert isinstance(card, ScoreCardDialog)
    assert card.card["earned"] == 85 and card.card["missed_points"] == ["disposition_method"]
    assert "初步核实" in card.explanations.toPlainText() and "第三十二条" in card.explanations.toPlainText()
    assert card.retry_button.isEnabled()
    screenshot(card, "practice-6-score-card")

    # 再练一次: only the missed point, the case carried there by itself
    card.retry_button.click()
    settle()
    assert page.stack.currentIndex() == 1
    progress = practice.progress(store, page.attempt_id)
    assert progress.mode == "drill" and progress.step_title == "提出处置意见"
    assert "本次再练的决定点" in page.side.toPlainText()
    play(store, page.case_id, sc.reference[1:2], "王学员")
    controller.session.sig_data_changed.emit()
    settle()
    assert page.card_dialog.card["mode"] == "drill" and page.card_dialog.card["earned"] == 15
    assert not page.card_dialog.retry_button.isEnabled()
    screenshot(page.card_dialog, "practice-7-drill-card")
    page.card_dialog.accept()

    # the trainer's page: results, export, reset
    trainer = window.show_page("培训管理")
    trainer.refresh()
    settle()
    assert [(r.trainee, r.attempts, r.latest_percent) for r in trainer.results.rows] == [("王学员", 2, 85)]
    screenshot(window, "practice-8-trainer", window=True)
    out = tmp_path / "成绩"
    prompter.save_paths.append(str(out))
    trainer.export_button.click()
    settle()
    book = load_workbook(tmp_path / "成绩.xlsx")
    assert book["成绩汇总"]["A2"].value == "王学员"
    assert "已导出练习成绩" in trainer.notice.text()
    trainer.table.selectRow(0)
    prompter.confirm_answers.append(True)
    trainer.reset_trainee_button.click()
    settle()
    assert trainer.results.rows == [] and trainer.empty.isVisible()
    assert "王学员" in prompter.questions[-1]
    screenshot(window, "practice-9-trainer-empty", window=True)


def test_the_trainer_imports_a_scenario_or_learns_what_is_wrong_with_it(qtbot, make_controller, recovery_code, prompter,
                                                                       tmp_path):
    controller = make_controller()
    controller.start()
    enter_practice(controller)
    trainer = controller.main_window.show_page("培训管理")
    source = (Path(__file__).resolve().parents[2] / "resources/practice/01_vague_anonymous_letter.toml").read_text("utf-8")
    bad = tmp_path / "有误的案例.toml"
    bad.write_text(source.replace('expected = "to_close"', 'expected = "to_closed"'), encoding="utf-8")
    prompter.open_paths.append(str(bad))
    trainer.import_button.click()
    settle()
    assert "有误的案例.toml" in prompter.errors[-1] and "points[2].expected" in prompter.errors[-1]
    good = tmp_path / "本县案例.toml"
    good.write_text(source.replace('id = "vague_anonymous_letter"', 'id = "local_letter"')
                    .replace("匿名来信内容空泛：予以了结", "本县案例：匿名来信"), encoding="utf-8")
    prompter.open_paths.append(str(good))
    trainer.import_button.click()
    settle()
    assert "已导入练习案例“本县案例：匿名来信”" in trainer.notice.text()
    assert ("local_letter", "导入") in [(r.id, r.origin) for r in trainer.scenarios.rows]
    trainee = controller.main_window.show_page("练习")
    settle()
    assert "local_letter" in [r.id for r in trainee.model.rows]
    screenshot(controller.main_window, "practice-10-imported", window=True)


def test_a_paused_attempt_is_continued_later(qtbot, make_controller, recovery_code):
    controller = make_controller()
    controller.start()
    enter_practice(controller)
    page = controller.main_window.show_page("练习")
    page.name_edit.setText("陈学员")
    page.table.selectRow([r.id for r in page.model.rows].index("shelved_reopened"))
    page.start_button.click()
    attempt = page.attempt_id
    page.case_view.back_button.click()  # 暂停练习: the case screen's own back button
    settle()
    assert page.stack.currentIndex() == 0 and page.attempt_id is None
    assert page.unfinished_box.isVisible() and page.unfinished.count() == 1
    assert "暂存待查的线索因新证据重启" in page.unfinished.item(0).text()
    screenshot(controller.main_window, "practice-11-unfinished", window=True)
    page.resume_button.click()
    assert page.attempt_id == attempt and page.stack.currentIndex() == 1
    assert "来信内容（摘要）" in page.side.toPlainText()
