"""Exports of the statistics: the period report (workbook or document) and the 问题线索台账, written atomically."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.documents import report_context
from app.documents.render import render_docx
from app.domain import statistics as stats
from app.domain.text_hygiene import printable
from app.domain.errors import DomainError
from app.domain.sanctions import KIND_LABELS
from app.errors import InputError
from app.services import documents, ruleset, statistics, template_registry
from app.storage import audit
from app.storage.atomic import atomic_write, atomic_write_bytes

HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
ZERO_FILL = PatternFill("solid", fgColor="FBE3E1")
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"
LEVEL_LABELS = {"township": "乡镇纪委", "county": "县纪委", "city": "市纪委"}


def check_target(out: Path, suffixes: tuple[str, ...]) -> Path:
    """The file to write, or InputError naming what to fix (wrong type, missing folder)."""
    out = Path(out).expanduser()
    if out.suffix.lower() not in suffixes:
        raise InputError("bad_output", f"输出文件应以 {'、'.join(suffixes)} 结尾，实为“{out.name}”。")
    if not out.parent.is_dir():
        raise InputError("no_folder", f"文件夹“{out.parent}”不存在，请先建立，或换一个保存位置。")
    return out


def save(wb: Workbook, out: Path) -> None:
    atomic_write(out, wb.save)


def header_row(ws: Worksheet, row: int, titles: Sequence[str]) -> None:
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def body_cell(ws: Worksheet, row: int, col: int, value):
    # text stored before text hygiene (a Word \x0b) would make openpyxl refuse the whole workbook
    value = printable(value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula: names and labels come from other offices' bundles
    cell.border = BORDER
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str) and len(value) > 12)
    return cell


# --- 问题线索台账 ----------------------------------------------------------------------------


def write_ledger_xlsx(rows: Sequence, columns: Sequence[tuple[str, str, int]], out: Path, title: str) -> None:
    """One row per record; `columns` are (attribute, header, width). Dates stay dates."""
    wb = Workbook()
    ws = wb.active
    ws.title = "问题线索台账"
    wb.properties.title = printable(title)
    header_row(ws, 1, [header for _, header, _ in columns])
    for col, (_, _, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, row in enumerate(rows, start=2):
        for col, (attr, _, _) in enumerate(columns, start=1):
            body_cell(ws, r, col, getattr(row, attr) if getattr(row, attr) != "" else None)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    ws.row_dimensions[1].height = 32
    save(wb, out)


# --- the period report ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    path: str
    format: str
    period: dict


def sanction_namer(catalog) -> Callable[[str], str]:
    def name(type_id: str) -> str:
        kind = catalog.types.get(type_id)
        return f"{KIND_LABELS[kind.kind]}·{kind.name}" if kind else type_id

    return name


def export_report(store, period: stats.Period, out: Path, *, today: date | None = None) -> ExportResult:
    """The period report as a workbook (.xlsx) or an official-style document (.docx)."""
    out = check_target(out, (".xlsx", ".docx"))
    rules = ruleset.load(store)
    report = statistics.report(store, period, today=today, rules=rules)
    kind = "docx" if out.suffix.lower() == ".docx" else "xlsx"
    if kind == "docx":
        atomic_write_bytes(out, render_report_docx(store, report, today or date.today()))
    else:
        write_report_xlsx(report, out, sanction_namer(rules.catalog))
    with store.write() as s:
        audit.note(s, "export", "file:report", f"导出统计报告（{report['period']['from']}至{report['period']['to']}，{kind}）")
    return ExportResult(str(out), kind, report["period"])


def render_report_docx(store, report: dict, today: date) -> bytes:
    """The report through the documents pipeline: the period_report template (an installed one first), the
    office's fonts, the report schema; a template that fails the check is refused with its reasons."""
    try:
        template = template_registry.registry(store).get(report_context.PERIOD_REPORT)
        if not report_context.is_report(template.entry.stage):
            raise DomainError("template_not_report", f"模板“{template.entry.file}”不是统计报告模板，不能用于导出统计报告。"
                                                     "请重新安装纪案通或县纪委下发的统计报告模板。")
        ctx = report_context.build(report, today=today)
        return render_docx(template.data, ctx, report_context.SCHEMA, file=template.entry.file,
                           fonts=documents.fonts_of(store))
    except DomainError as exc:
        raise InputError(exc.code, exc.message, exc.detail) from exc


def write_report_xlsx(report: dict, out: Path, sanction_name: Callable[[str], str]) -> None:
    """Sheet 指标: every office's indicators (and rollups); sheet 分类统计: breakdowns and four forms."""
    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    office = report["office"]
    period = report["period"]
    ws.cell(row=1, column=1, value=printable(f"{office['name']}纪检监察工作统计表")).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=f"统计期间：{period['label']}（{period['from']}至{period['to']}），按决定日期统计")
    shares_shown = report.get("rollup") is not None
    headers = ["单位", "单位代码", "级别", "上级单位代码", *(label for _, label in stats.INDICATORS),
               *(label for _, label in stats.RATIOS), *(label for _, label in (stats.SHARES if shares_shown else ()))]
    header_row(ws, 4, headers)
    widths = [18, 12, 10, 12, *([11] * (len(headers) - 4))]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[4].height = 45
    zero = set((report.get("rollup") or {}).get("zero_filing_townships", []))
    lines = [(office["name"] + "（本级）", office["code"], office["level"], "", report["indicators"], {})]
    if report.get("rollup") is not None:
        lines.append(("各乡镇合计", "", "", "", report["rollup"], {}))
    lines += [(o["name"], o["code"], o["level"], o.get("parent_code") or "", o.get("indicators") or {}, o.get("shares") or {})
              for o in report["offices"]]
    r = 5
    for name, code, level, parent, ind, shares in lines:
        # a ratio with nothing to divide (or a share that does not apply) stays an empty cell
        values = [name, code, LEVEL_LABELS.get(level, level), parent, *(ind.get(k, 0) for k in stats.INDICATOR_KEYS),
                  *(ind.get(k) for k, _ in stats.RATIOS), *(shares.get(k) for k, _ in (stats.SHARES if shares_shown else ()))]
        for col, value in enumerate(values, start=1):
            cell = body_cell(ws, r, col, value)
            if code in zero and level == "township":
                cell.fill = ZERO_FILL
        r += 1
    ws.freeze_panes = "B5"
    r += 1
    rollup = report.get("rollup")
    if rollup is not None:
        ws.cell(row=r, column=1, value="乡镇情况").font = Font(bold=True)
        r += 1
        for key, label in stats.ROLLUP:
            ws.cell(row=r, column=1, value=label)
            ws.cell(row=r, column=2, value=rollup[key])
            r += 1
        names = {o["code"]: o["name"] for o in report["offices"]}
        ws.cell(row=r, column=1, value="零立案乡镇（无自办立案）")
        ws.cell(row=r, column=2, value=printable("、".join(names.get(c, c) for c in rollup["zero_filing_townships"]) or "无"))
        r += 1
    for warning in report.get("warnings", []):
        ws.cell(row=r, column=1, value=printable(f"说明：{warning}"))
        r += 1

    subject = rollup if rollup is not None else report["indicators"]
    scope = "各乡镇合计" if rollup is not None else office["name"]
    write_breakdowns(wb.create_sheet("分类统计"), subject, scope, period, sanction_name)
    save(wb, out)


def write_breakdowns(ws: Worksheet, ind: dict, scope: str, period: dict, sanction_name: Callable[[str], str]) -> None:
    ws.cell(row=1, column=1, value=printable(f"{scope}分类统计（{period['label']}）")).font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 12
    r = 3
    forms = [ind.get(f"form{i}", 0) for i in range(1, 5)]
    total = sum(forms)
    ws.cell(row=r, column=1, value=f"四种形态（共{total}人次）").font = Font(bold=True)
    r += 1
    header_row(ws, r, ["形态", "人次", "占比"])
    r += 1
    for name, n in zip(stats.FORM_NAMES, forms):
        body_cell(ws, r, 1, name)
        body_cell(ws, r, 2, n)
        share = body_cell(ws, r, 3, n / total if total else 0)
        share.number_format = "0.0%"
        r += 1
    breakdowns = ind.get("breakdowns") or {}
    for key, title in stats.BREAKDOWNS:
        values = breakdowns.get(key) or {}
        r += 1
        ws.cell(row=r, column=1, value=title).font = Font(bold=True)
        r += 1
        if key == "monthly":
            header_row(ws, r, ["月份", *(label for _, label in stats.MONTHLY_SERIES)])
            r += 1
            for month, series in values.items():
                body_cell(ws, r, 1, month)
                for col, (series_key, _) in enumerate(stats.MONTHLY_SERIES, start=2):
                    body_cell(ws, r, col, series.get(series_key, 0))
                r += 1
            continue
        header_row(ws, r, ["类别", "数量"])
        r += 1
        if not values:
            body_cell(ws, r, 1, "（本期没有）")
            body_cell(ws, r, 2, 0)
            r += 1
        for label, n in values.items():
            body_cell(ws, r, 1, sanction_name(label) if key == "by_sanction_type" else label)
            body_cell(ws, r, 2, n)
            r += 1
