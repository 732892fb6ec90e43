"""重复检举控告情况通报: the repeat complaints of a period, each with the original clues it repeats.

《纪检监察机关处理检举控告工作规则》第十四条第一款: 对于重复检举控告，按规定登记后留存备查，并定期向有关部门通报
情况. The period (a year or one of its quarters) is chosen by the office, as how often it reports is
local practice. A repeat complaint is a clue flagged at intake (`repeat_complaint`, app/services/repeat_complaints.py);
no reporter's identity is in the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func
from sqlmodel import select

from app.domain import statistics as stats
from app.models import Case, Clue
from app.services import repeat_complaints, ruleset
from app.services.cases import subject_names
from app.services.report_export import body_cell, check_target, header_row, save
from app.storage import audit
from app.storage.store import Store

ARTICLE = "《纪检监察机关处理检举控告工作规则》第十四条第一款"
COLUMNS = (("received_on", "收件日期", 12), ("clue_number", "线索编号", 22), ("source", "来源", 10),
           ("persons", "被反映人", 14), ("summary", "反映的主要问题", 36), ("original_numbers", "原线索编号", 24),
           ("original_received", "原线索收件日期", 16), ("original_status", "原线索办理情况", 20))


@dataclass(frozen=True)
class Original:
    clue_number: str
    received_on: date | None
    status: str  # the original case's current step, or 本单位已无此线索


@dataclass(frozen=True)
class RepeatRow:
    received_on: date
    clue_number: str
    source: str
    persons: str
    summary: str
    originals: tuple[Original, ...]


@dataclass(frozen=True)
class RepeatReport:
    period: dict
    rows: tuple[RepeatRow, ...]

    def as_json(self) -> dict:
        return {"period": self.period, "count": len(self.rows), "rows": [
            {"received_on": r.received_on.isoformat(), "clue_number": r.clue_number, "source": r.source,
             "persons": r.persons, "summary": r.summary,
             "originals": [{"clue_number": o.clue_number, "received_on": o.received_on.isoformat() if o.received_on else None,
                            "status": o.status} for o in r.originals]}
            for r in self.rows]}


@dataclass(frozen=True)
class RepeatReportResult:
    path: str
    rows: int


def period_report(store: Store, year: int, quarter: int | None = None) -> RepeatReport:
    """This office's repeat complaints received in the year (or quarter), oldest first."""
    period = stats.period_of(year, quarter=quarter)
    rules = ruleset.load(store)
    wf = rules.workflow
    step = wf.initial_step
    flagged = func.json_extract(Case.state, f'$.fields."{step}.{repeat_complaints.FLAG}"')
    with store.read() as s:
        found = s.exec(select(Clue, Case).join(Case, Case.clue_id == Clue.id).where(
            Clue.owner_office_id == store.office.id, Clue.deleted == False, Case.deleted == False,  # noqa: E712
            Clue.received_on >= period.start, Clue.received_on <= period.end, flagged == 1)
            .order_by(Clue.received_on, Clue.number)).all()
        names = subject_names(s, [clue.id for clue, _ in found])
        rows = []
        for clue, case in found:
            links = (case.state.get("fields") or {}).get(f"{step}.{repeat_complaints.LINKS}") or []
            originals = []
            for link in repeat_complaints.links_of(s, links, store.office.id):
                original = s.get(Case, link["case_id"]) if link["case_id"] else None
                status = (wf.steps[original.step_id].title if original and original.step_id in wf.steps
                          else "本单位已无此线索")
                originals.append(Original(link["clue_number"],
                                          date.fromisoformat(link["received_on"]) if link["received_on"] else None, status))
            rows.append(RepeatRow(clue.received_on, clue.number, clue.source, names.get(clue.id, ""), clue.summary,
                                  tuple(originals)))
    return RepeatReport({"year": year, "quarter": quarter, "label": period.label, "from": period.start.isoformat(),
                         "to": period.end.isoformat()}, tuple(rows))


def export_report(store: Store, year: int, quarter: int | None, out: Path) -> RepeatReportResult:
    """The period's list as a workbook, written atomically, noted in the audit log."""
    out = check_target(out, (".xlsx",))
    report = period_report(store, year, quarter)
    wb = Workbook()
    ws = wb.active
    ws.title = "重复件通报"
    ws.cell(row=1, column=1, value=f"{store.office.name}重复检举控告情况（{report.period['label']}）").font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=f"依据{ARTICLE}：重复检举控告登记后留存备查，并定期向有关部门通报情况。"
                                   f"共{len(report.rows)}件。")
    header_row(ws, 4, ["序号", *(h for _, h, _ in COLUMNS)])
    ws.column_dimensions["A"].width = 6
    for col, (_, _, width) in enumerate(COLUMNS, start=2):
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, row in enumerate(report.rows, start=5):
        values = {"received_on": row.received_on, "clue_number": row.clue_number, "source": row.source,
                  "persons": row.persons, "summary": row.summary,
                  "original_numbers": "、".join(o.clue_number for o in row.originals),
                  "original_received": "、".join(o.received_on.isoformat() if o.received_on else "—" for o in row.originals),
                  "original_status": "、".join(o.status for o in row.originals)}
        body_cell(ws, r, 1, r - 4)
        for col, (attr, _, _) in enumerate(COLUMNS, start=2):
            body_cell(ws, r, col, values[attr] or None)
    if not report.rows:
        ws.cell(row=5, column=1, value="本期间无重复检举控告。")
    ws.freeze_panes = "A5"
    save(wb, out)
    with store.write() as s:
        audit.note(s, "export", "file:repeat_report", f"导出{report.period['label']}重复检举控告情况（{len(report.rows)}件）")
    return RepeatReportResult(str(out), len(report.rows))
