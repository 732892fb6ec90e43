"""The case screen's documents for a case with three persons: one row per person, only where the
rules allow it, 生成 for the right person, 作废 with a reason (docs/DOCUMENTS.md §1b)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton
from ui_support import ADMIN, OFFICE_NAME, PASSWORD, screenshot, unlock_with

from app.paths import store_paths
from app.services import demo_data, documents, setup, subjects, unlock


@pytest.fixture
def three_paths(tmp_path):
    """A store whose one case has three persons at 执行: 袁德明 党内警告, 马宏伟 免予处分, 彭明亮 严重警告."""
    paths = store_paths(tmp_path / "three")
    setup.create_store(paths, setup.SetupRequest("HX-01", OFFICE_NAME, "township", ADMIN, PASSWORD, parent_code="LX",
                                                 office_abbr="红星", kdf_profile="fast"))
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        made = demo_data.generate(store, {"year": date.today().year, "seed": 3, "routes": {"filed_three_persons": 1}})
    finally:
        store.close()
    return paths, made.case_ids["filed_three_persons"][0]


def test_one_row_per_person_where_the_rules_allow_it(qtbot, make_controller, three_paths, prompter):
    paths, case_id = three_paths
    controller = make_controller(at=paths)
    controller.start()
    window = unlock_with(controller, PASSWORD)
    view = window.open_case(case_id)
    qtbot.waitUntil(lambda: view.data is not None and bool(view.document_buttons), timeout=10_000)
    store = controller.session.store
    with store.read() as s:
        ids = {subjects.name_of(s, r): r.id for r in subjects.rows(s, case_id)}
    assert view.step.id == "execution"
    # the 执行情况报告单 for each person sanctioned, none for the person exempted
    keys = sorted(k for k in view.document_buttons if k.startswith("execution_report"))
    assert keys == sorted(f"execution_report_{ids[n]}" for n in ("袁德明", "彭明亮")), keys
    titles = [w.text() for w in view.findChildren(QLabel) if w.objectName().startswith("document_execution_report")]
    assert any("袁德明" in t for t in titles) and any("彭明亮" in t for t in titles)
    assert not any("马宏伟" in t for t in titles)
    screenshot(window, "documents-three-persons", window=True)
    box = next(b for b in view.findChildren(QGroupBox) if b.title() == "该环节应制作的文书" and b.isVisible())
    screenshot(box, "documents-three-persons-box")
    view.document_buttons[f"execution_report_{ids['彭明亮']}"].click()
    qtbot.waitUntil(lambda: "已生成《" in view.notice.text(), timeout=10_000)
    made = [d for d in documents.list_documents(store, case_id) if d.template_id == "execution_report"]
    assert [d.subject_id for d in made] == [ids["彭明亮"]] and window.case_view is view
    prompter.texts.append("填错了执行日期")
    view.findChild(QPushButton, f"void_execution_report_{ids['彭明亮']}").click()
    qtbot.waitUntil(lambda: "已作废" in view.notice.text(), timeout=10_000)
    assert [d.voided for d in documents.list_documents(store, case_id) if d.template_id == "execution_report"] == [True]
    assert not prompter.errors
