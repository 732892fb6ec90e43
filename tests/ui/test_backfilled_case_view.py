"""Issue 19 point 4: the case view of a case brought in from an old 台账 says so under its title —
which file and row, who imported it, and that the steps before were not checked in this app."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from ui_support import ADMIN, OFFICE_NAME, PASSWORD, unlock_with

from app.paths import store_paths
from app.services import ledger_import, setup, unlock


def test_a_backfilled_case_shows_where_it_came_from(qtbot, make_controller, tmp_path):
    paths = store_paths(tmp_path / "imported")
    setup.create_store(paths, setup.SetupRequest("HX-01", OFFICE_NAME, "township", ADMIN, PASSWORD, parent_code="LX",
                                                 office_abbr="红星", kdf_profile="fast"))
    book = Workbook()
    book.active.append(["收件日期", "线索来源", "被反映人", "单位及职务", "主要问题", "处置方式"])
    book.active.append(["2025年3月5日", "来信", "王建国", "青石村党支部书记", "优亲厚友评定低保", "初步核实"])
    book.save(tmp_path / "原台账.xlsx")
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        case_id = ledger_import.commit_ledger(store, tmp_path / "原台账.xlsx", today=date.today()).case_ids[0]
    finally:
        store.close()
    controller = make_controller(at=paths)
    controller.start()
    window = unlock_with(controller, PASSWORD)
    view = window.open_case(case_id)
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    line = view.meta.text().splitlines()[-1]
    assert line.startswith("补录：原台账“原台账.xlsx”第2行") and ADMIN in line
    assert "线索受理登记、提出处置意见等环节未在本软件中办理" in line
    assert view.step.id == "prelim_verify"  # and it goes on from there like any case
