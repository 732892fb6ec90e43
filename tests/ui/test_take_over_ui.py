"""提级办理 from the county's read-only view of a township case: the button shows only there, the dialog
keeps what is missing beside its field, and the decision is recorded for the next downward bundle.
《监督执纪工作规则》第九条 (“必要时也可以直接进行审查调查”); 《监察法实施条例》第四十七条第一款 (2021年文本条号)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QPushButton
from sqlmodel import select
from ui_support import FakePrompter

from app.models import ReviewOpinion
from app.services import batch, offices, sync
from app.ui.case_view import CaseViewPage
from app.ui.session import SessionContext
from app.ui.tasks import TaskRunner
from tests.integration.test_case_paths import Walk
from tests.ui.test_sync_page import stores  # noqa: F401 (fixture: a county and its township)


def view_for(qtbot, store, case_id: str) -> CaseViewPage:
    view = CaseViewPage(SessionContext(store, TaskRunner(sync=True), FakePrompter()), case_id)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.reload()
    qtbot.waitUntil(lambda: view.data is not None)
    return view


def test_the_county_takes_over_a_township_case_from_its_view(qtbot, stores, tmp_path):
    county, township = stores
    report = batch.apply_lines(township, [json.dumps(line, ensure_ascii=False) for line in Walk().lines])
    case_id = report.refs["c"]
    stick = tmp_path / "stick"
    stick.mkdir()
    sync.import_one(county, Path(sync.export(township, "C01", stick).bundle))  # held until the fingerprint is confirmed
    offices.trust(county, "T001", offices.fingerprint(township).fingerprint)
    assert not any(r.refused for r in sync.import_held(county, "T001"))

    own = view_for(qtbot, township, case_id)
    assert own.findChild(QPushButton, "case_take_over").isHidden()  # the township's own view has no such button
    view = view_for(qtbot, county, case_id)
    assert not view.findChild(QPushButton, "case_take_over").isHidden()
    dialog = view.open_take_over()
    dialog.decided_on.set_value(date.today().isoformat())
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.form.error("number") == "请填写提级办理决定文号。"
    assert dialog.form.error("reason") == "请写明提级理由。"
    dialog.number.setText("青山纪提〔2026〕1号")
    dialog.reason.set_value("在本辖区有重大影响")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with county.read() as s:
        made = s.exec(select(ReviewOpinion).where(ReviewOpinion.case_id == case_id)).all()
    assert [(o.kind, o.number, o.text) for o in made] == [("take_over", "青山纪提〔2026〕1号", "在本辖区有重大影响")]
