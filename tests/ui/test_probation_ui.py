"""留党察看期满处理 in the case view of an archived case: the box, the dialog, the refusal kept beside
its fields, and the box gone once the 察看期 is ended ([P] 第二十一条第三款: 开除党籍 at any time of it)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QGroupBox, QPushButton
from sqlmodel import select

from app.models import Sanction
from app.services import cases

from tests.integration.test_probation_end import RECEIVED, TO_ARCHIVED, walk


def test_an_archived_case_ends_the_probation_from_its_view(qtbot, unlocked):
    store = unlocked.store
    case_id = walk(store, RECEIVED, TO_ARCHIVED, name="钱有福")
    subject = cases.show_case(store, case_id)["subjects"][0]
    view = unlocked.main_window.open_case(case_id)
    button = view.findChild(QPushButton, f"end_probation_{subject['id']}")
    assert button is not None and button.isEnabled()
    dialog = view.open_probation(subject, next(x for x in subject["sanctions"] if x.get("probation")))
    dialog.outcome.setCurrentText("恢复党员权利")
    dialog.decided_on.set_value(date.today().isoformat())
    dialog.body.setText("青石镇党委")
    dialog.branch_meeting_on.set_value(date.today().isoformat())
    dialog.ok_button.click()
    # the 察看期 has not ended yet: the service's reason is shown and nothing is saved
    assert dialog.isVisible() and "期满后才能作出“恢复党员权利”的决定" in dialog.message.text()
    dialog.outcome.setCurrentText("开除党籍")
    dialog.body.setText("县纪委常委会")
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.form.error("document_no") == "请填写开除党籍决定（批复）的文号。"
    dialog.document_no.setText("县纪发〔2026〕9号")
    dialog.ok_button.click()

    def outcome() -> str:
        with store.read() as s:
            return s.exec(select(Sanction.probation_outcome).where(Sanction.case_id == case_id,
                                                                   Sanction.type_id == "party_probation_1y")).one()

    qtbot.waitUntil(lambda: outcome() == "开除党籍")
    qtbot.waitUntil(lambda: view.findChild(QPushButton, f"end_probation_{subject['id']}") is None)
    assert "留党察看期满处理" not in [b.title() for b in view.findChildren(QGroupBox)]
