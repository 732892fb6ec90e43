"""Commands of the statistics: the period report, the 问题线索台账, the county's snapshots for the city."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.context import AddCommand, Context, emit
from app.errors import InputError


def period(args: argparse.Namespace):
    from app.services import statistics

    if (args.date_from is None) != (args.date_to is None):
        raise InputError("bad_period", "自定义期间须同时给出 --from 和 --to。")
    return statistics.period_from_options(args.year, quarter=args.quarter, half=args.half,
                                          date_from=args.date_from, date_to=args.date_to)


def summary_text(report: dict) -> str:
    from app.domain import statistics as stats

    def ratio(value) -> str:
        return "—" if value is None else f"{value}%"

    def line(name: str, ind: dict) -> str:
        return f"{name}：" + "，".join([*(f"{label}{ind.get(key, 0)}" for key, label in stats.INDICATORS),
                                       *(f"{label}{ratio(ind.get(key))}" for key, label in stats.RATIOS)])

    lines = [f"统计期间：{report['period']['label']}（{report['period']['from']}至{report['period']['to']}）",
             line(report["office"]["name"], report["indicators"])]
    rollup = report.get("rollup")
    if rollup is not None:
        lines.append(f"乡镇{rollup['townships_total']}个，有自办立案的{rollup['townships_with_filing']}个"
                     f"（{rollup['townships_with_filing_pct']}%），零立案：{'、'.join(rollup['zero_filing_townships']) or '无'}")
    lines += [line(o["name"], o.get("indicators") or {}) for o in report["offices"]]
    lines += [f"说明：{w}" for w in report.get("warnings", [])]
    return "\n".join(lines)


def cmd_report(ctx: Context) -> int:
    from app.services import report_export, statistics

    chosen = period(ctx.args)
    store = ctx.open()
    if ctx.args.out:
        result = report_export.export_report(store, chosen, Path(ctx.args.out))
        emit(ctx, result, f"统计报表已导出：{result.path}")
        return 0
    report = statistics.report(store, chosen)
    emit(ctx, report, summary_text(report))
    return 0


def cmd_ledger(ctx: Context) -> int:
    from app.services import ledger

    result = ledger.export_ledger(ctx.open(), ctx.args.year, Path(ctx.args.out))
    emit(ctx, result, f"已导出{result.year}年问题线索台账（{result.rows}条）：{result.path}")
    return 0


def cmd_filing_summary(ctx: Context) -> int:
    from app.services import filing_summary

    a = ctx.args
    if a.out:
        result = filing_summary.export_summary(ctx.open(), a.year, a.quarter, Path(a.out))
        emit(ctx, result, f"已导出处分备案汇总（备案{result.filed}人次、报告执行{result.reported}人次），"
                          f"请于{result.due_on}前报送：{result.path}")
        return 0
    summary = filing_summary.quarter_summary(ctx.open(), a.year, a.quarter)
    emit(ctx, summary.as_json(), f"{summary.period['label']}：报乡镇党委备案{len(summary.filed)}人次，"
                                 f"报告执行情况{len(summary.reported)}人次，{summary.due_on.isoformat()}前报送。")
    return 0


def cmd_repeat_report(ctx: Context) -> int:
    from app.services import repeat_report

    a = ctx.args
    if a.out:
        result = repeat_report.export_report(ctx.open(), a.year, a.quarter, Path(a.out))
        emit(ctx, result, f"已导出重复检举控告情况（{result.rows}件）：{result.path}")
        return 0
    report = repeat_report.period_report(ctx.open(), a.year, a.quarter)
    emit(ctx, report.as_json(), f"{report.period['label']}：重复检举控告{len(report.rows)}件。")
    return 0


def cmd_snapshot(ctx: Context) -> int:
    from app.domain import statistics as stats
    from app.services import statistics

    a = ctx.args
    custom = a.quarter is not None or a.half is not None or a.date_from is not None or a.date_to is not None
    periods = [period(a)] if custom else list(stats.standard_periods(a.year))
    result = statistics.refresh_periods(ctx.open(), periods)
    emit(ctx, result, f"已生成上报统计：{len(result.periods)}个期间，新增{result.written}条、更新{result.updated}条、"
                      f"未变{result.unchanged}条。导出给市纪委的数据包将带上这些统计。")
    return 0


def period_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="统计年度")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="季度（1–4）")
    which.add_argument("--half", type=int, choices=[1, 2], help="半年：1 上半年，2 下半年")
    which.add_argument("--from", dest="date_from", help="自定义起始日期 YYYY-MM-DD（须与 --to 同用）")
    p.add_argument("--to", dest="date_to", help="自定义截止日期 YYYY-MM-DD")


def register(add: AddCommand) -> None:
    p = add("report", cmd_report, "统计报表（按决定日期统计）")
    period_options(p)
    p.add_argument("--out", help="导出为文件：.xlsx 工作簿或 .docx 公文式报告")

    p = add("ledger", cmd_ledger, "导出问题线索台账（.xlsx）")
    p.add_argument("--year", type=int, required=True, help="收件年度")
    p.add_argument("--out", required=True, help="输出文件 .xlsx")

    p = add("filing-summary", cmd_filing_summary, "处分备案季度汇总（每季度首月15日前报乡镇党委）")
    p.add_argument("--year", type=int, required=True, help="年度")
    p.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4], help="季度（1–4）")
    p.add_argument("--out", help="导出为 .xlsx 文件")

    p = add("repeat-report", cmd_repeat_report, "重复检举控告情况（定期向有关部门通报，处理检举控告工作规则第十四条第一款）")
    p.add_argument("--year", type=int, required=True, help="收件年度")
    p.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="季度（1–4）；不给时为全年")
    p.add_argument("--out", help="导出为 .xlsx 文件")

    p = add("snapshot", cmd_snapshot, "县纪委：生成上报市纪委的统计（不给期间时为全年、上下半年和四个季度）")
    period_options(p)
