"""处分备案季度汇总: the party sanctions of one quarter, summarised for the 乡镇党委 by the 15th of the
next quarter's first month.

[P] 第二十条第一款第五项 and 第二款: sanctions the 基层纪委 approved itself (警告、严重警告, 第三十八条第一款)
are filed with the 同级基层党委 (乡镇党委) in a quarterly summary of the 在职党员干部 sanctioned. [P] 第十九条:
sanctions approved on the 纪委's request by the 党委 or a higher body are reported, once executed, in a
quarterly summary of their execution (宣布 included) to that body. A county 备案 besides is local
practice: the per-case 处分备案报告 (template sanction_filing_report) serves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlmodel import select

from app.domain import statistics as stats
from app.domain.sanctions import APPROVER_LABELS
from app.models import Case, CaseSubject, Person, Sanction
from app.services import case_codec, ruleset, subjects
from app.services.ledger import latest_field, text
from app.services.report_export import body_cell, check_target, header_row, save
from app.storage import audit
from app.storage.store import Store

BY_COMMISSION = APPROVER_LABELS["township_commission"]
COLUMNS = (("name", "姓名", 10), ("unit_post", "单位及职务", 28), ("sanction", "处分种类", 14),
           ("decided_on", "决定（批准）日期", 14), ("approving_body", "批准机关", 12), ("document_no", "处分决定书文号", 22),
           ("announced_on", "宣布日期", 12), ("executed_on", "执行完毕日期", 14), ("case_number", "案件编号", 22))


@dataclass(frozen=True)
class FilingRow:
    name: str
    unit_post: str
    sanction: str
    decided_on: date
    approving_body: str
    document_no: str
    announced_on: date | None
    executed_on: date | None
    case_number: str


@dataclass(frozen=True)
class FilingSummary:
    period: dict
    due_on: date  # 每季度首月15日前
    filed: tuple[FilingRow, ...]  # 第二十条: approved by the 乡镇纪委, filed with the 乡镇党委
    reported: tuple[FilingRow, ...]  # 第十九条: approved by the 党委 or above, execution reported

    def as_json(self) -> dict:
        def rows(items):
            return [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.__dict__.items()} for r in items]

        return {"period": self.period, "due_on": self.due_on.isoformat(), "filed": rows(self.filed),
                "reported": rows(self.reported)}


@dataclass(frozen=True)
class FilingResult:
    path: str
    filed: int
    reported: int
    due_on: str


def due_on(year: int, quarter: int) -> date:
    """每季度首月15日前 for the quarter before: Q4 is due on 15 January of the next year."""
    return date(year + 1, 1, 15) if quarter == 4 else date(year, 3 * quarter + 1, 15)


def quarter_summary(store: Store, year: int, quarter: int) -> FilingSummary:
    period = stats.period_of(year, quarter=quarter)
    rules = ruleset.load(store)
    with store.read() as s:
        found = s.exec(
            select(Sanction, Case, Person).join(Case, Case.id == Sanction.case_id)
            .join(Person, Person.id == Sanction.person_id)
            .where(Case.owner_office_id == store.office.id, Case.deleted == False,  # noqa: E712
                   Sanction.deleted == False, Sanction.kind == "party",  # noqa: E712
                   Sanction.decided_on >= period.start, Sanction.decided_on <= period.end)
            .order_by(Sanction.decided_on, Person.name)
        ).all()
        posts = {(r.case_id, r.person_id): r.unit_post
                 for r in s.exec(select(CaseSubject).where(CaseSubject.case_id.in_([c.id for _, c, _ in found]))).all()}
    filed, reported = [], []
    for sanction, case, person in found:
        state = case_codec.from_json(case.state)
        fields = case_codec.thawed(dict(state.fields))
        kind = rules.catalog.types.get(sanction.type_id)
        body = subjects.approved_by(rules, sanction, state.history)
        row = FilingRow(
            name=person.name,
            unit_post=posts.get((case.id, person.id)) or "".join(x for x in (person.unit, person.post) if x),
            sanction=kind.name if kind else sanction.type_id,
            decided_on=sanction.decided_on,
            approving_body=body,
            document_no=sanction.document_no,
            announced_on=as_date(latest_field(fields, "announce", "announced_on")),
            executed_on=as_date(latest_field(fields, "execution", "report_on")),
            case_number=case.number,
        )
        (filed if body == BY_COMMISSION else reported).append(row)
    return FilingSummary({"year": year, "quarter": quarter, "label": period.label, "from": period.start.isoformat(),
                          "to": period.end.isoformat()}, due_on(year, quarter), tuple(filed), tuple(reported))


def as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(text(value)) if value else None
    except ValueError:
        return None


def export_summary(store: Store, year: int, quarter: int, out: Path) -> FilingResult:
    """The quarter's summary as a workbook of two sheets, written atomically, noted in the audit log."""
    out = check_target(out, (".xlsx",))
    summary = quarter_summary(store, year, quarter)
    office = store.office.name
    wb = Workbook()
    sheets = ((f"{office}批准的党纪处分备案汇总表（{summary.period['label']}）",
               "依据《中国共产党处分违纪党员批准权限和程序规定》第二十条第一款第五项、第二款，报乡镇党委备案", summary.filed),
              (f"报批的党纪处分执行情况汇总表（{summary.period['label']}）",
               "依据《中国共产党处分违纪党员批准权限和程序规定》第十九条，呈报批准处分的党组织", summary.reported))
    for index, (title, basis, rows) in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = ("备案汇总", "执行情况汇总")[index]
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
        ws.cell(row=2, column=1, value=f"{basis}；报送时限：{summary.due_on.year}年{summary.due_on.month}月"
                                        f"{summary.due_on.day}日前。共{len(rows)}人次。")
        ws.cell(row=2, column=1).alignment = Alignment(wrap_text=False)
        header_row(ws, 4, ["序号", *(h for _, h, _ in COLUMNS)])
        ws.column_dimensions["A"].width = 6
        for col, (_, _, width) in enumerate(COLUMNS, start=2):
            ws.column_dimensions[get_column_letter(col)].width = width
        for r, row in enumerate(rows, start=5):
            body_cell(ws, r, 1, r - 4)
            for col, (attr, _, _) in enumerate(COLUMNS, start=2):
                value = getattr(row, attr)
                body_cell(ws, r, col, value if value not in ("", None) else None)
        if not rows:
            ws.cell(row=5, column=1, value="本季度无此类处分。")
        ws.freeze_panes = "A5"
    save(wb, out)
    with store.write() as s:
        audit.note(s, "export", "file:filing_summary",
                   f"导出{summary.period['label']}处分备案汇总（备案{len(summary.filed)}人次、报告执行{len(summary.reported)}人次）")
    return FilingResult(str(out), len(summary.filed), len(summary.reported), summary.due_on.isoformat())
