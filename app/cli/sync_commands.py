"""Commands of USB sync: offices and keys, set-up packages, export and import of bundles, and the
county's review opinions and transfers that travel in them (docs/BUNDLE.md)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from app.cli.context import AddCommand, ChineseParser, Context, add_sub, emit, read_json_file, to_jsonable

ADMIN_PASSWORD_ENV = "JIANTONG_ADMIN_PASSWORD"
ADMIN_HELP = f"工作人员账户办理时，由这位书记/管理员确认（其密码取自 {ADMIN_PASSWORD_ENV} 或终端输入）"


def confirmed(ctx: Context, store, purpose: str):
    """A staff session uses the office's private keys only inside a block an administrator confirmed
    (`--admin NAME`, their password from JIANTONG_ADMIN_PASSWORD or the terminal)."""
    from app.services import unlock

    name = getattr(ctx.args, "admin", None)
    if not name:
        return contextlib.nullcontext()
    password = ctx.secret(ADMIN_PASSWORD_ENV, f"书记/管理员“{name}”的密码：")
    return unlock.administrator(store, name, password, purpose=purpose)


def cmd_office(ctx: Context) -> int:
    from app.services import offices

    store = ctx.open()
    a = ctx.args
    if a.office_command == "add":
        row = offices.add_office(store, a.code, a.name, a.level, a.parent_code, a.abbr or "")
        emit(ctx, row, f"已登记 {row.code} {row.name}。请用“setup-package --for {row.code}”为它生成设置包。")
        return 0
    if a.office_command == "adopt":
        result = offices.adopt_setup_package(store, Path(a.package))
        text = [f"已导入上级单位 {result.parent_name}（{result.parent_code}）的设置包，已确认其密钥。",
                f"上级单位指纹（请电话核对）：{result.parent_fingerprint}", f"本单位指纹：{result.fingerprint}",
                f"本单位原有案件和记录不变。请导出第一个数据包（export --to {result.parent_code}）报上级，"
                "上级核对本单位指纹后即可导入。"]
        text += [f"注意：{w}" for w in result.warnings]
        emit(ctx, result, "\n".join(text))
        return 0
    rows = offices.list_offices(store)
    emit(ctx, rows, "\n".join(f"{r.code}\t{r.name}\t{r.level}\t{r.key_state}\t{r.fingerprint or r.pending_fingerprint}"
                              f"\t收到至第{r.last_in_seq}号" + (f"\t缺{list(r.gaps)}" if r.gaps else "") for r in rows))
    return 0


def cmd_setup_package(ctx: Context) -> int:
    from app.services import offices

    result = offices.make_setup_package(ctx.open(), ctx.args.for_code, Path(ctx.args.out))
    emit(ctx, result, f"设置包已写入：{result.path}\n本单位指纹（请对方初始设置后核对）：{result.fingerprint}")
    return 0


def cmd_fingerprint(ctx: Context) -> int:
    from app.services import offices

    result = offices.fingerprint(ctx.open())
    emit(ctx, result, f"{result.office_code} 的指纹：{result.fingerprint}")
    return 0


def cmd_identity(ctx: Context) -> int:
    from app.services import offices

    path = offices.export_identity(ctx.open(), Path(ctx.args.out))
    emit(ctx, {"path": str(path)}, f"本单位的解密私钥已写入：{path}（仅本账户可读）。\n"
                                    "凡持有此文件者都能解密发给本单位的数据包：核对完毕请立即删除，切勿拷到U盘或他人电脑。")
    return 0


def cmd_trust(ctx: Context) -> int:
    from app.services import offices, sync

    store = ctx.open()
    row = offices.trust(store, ctx.args.code, ctx.args.fingerprint)
    # the bundles that waited in quarantine for this confirmation are imported now, checked as usual
    with confirmed(ctx, store, "导入等待中的数据包"):
        results = sync.import_held(store, row.code, dry_run=ctx.args.dry_run)
    text = [f"已确认 {row.code} {row.name} 的指纹：{row.fingerprint}。"]
    text += import_lines(results) if results else ["隔离区中没有等待此指纹的数据包。"]
    emit(ctx, {**to_jsonable(row), "imported": [import_json(r) for r in results]}, "\n".join(text))
    refused = [r for r in results if r.refused]
    for r in refused:
        print(f"{r.file}：{r.reason}", file=sys.stderr)
    return 2 if refused else 0


def cmd_export(ctx: Context) -> int:
    from app.services import statistics, sync

    store = ctx.open()
    with confirmed(ctx, store, "导出数据包"):
        result = sync.export(store, ctx.args.to, Path(ctx.args.out), full=ctx.args.full)
    emit(ctx, result, f"已导出第{result.seq}号数据包：{result.bundle}（记录{result.records}条、文件{result.files}个）。"
                      f"{statistics.export_sentence(result.snapshots)}已读回校验，可以拔出U盘。")
    return 0


def import_json(r) -> dict:
    data = {"file": r.file, "sender": r.sender, "seq": r.seq, "new": r.new, "updated": r.updated,
            "unchanged": r.unchanged, "rejected": r.rejected, "warnings": list(r.warnings), "effects": list(r.effects),
            "refused": r.refused}
    if r.refused:
        data.update(code=r.code, reason=r.reason)
    return data


def import_lines(results) -> list[str]:
    lines = []
    for r in results:
        if r.refused:
            lines.append(f"{r.file}：未导入。{r.reason}")
        else:
            lines.append(f"{r.file}（{r.sender}第{r.seq}号）：新增{r.new}、更新{r.updated}、未变{r.unchanged}、拒收{r.rejected}"
                         + ("（预览，未写入）" if r.dry_run else ""))
            lines.extend(f"  注意：{w}" for w in r.warnings)
            lines.extend(f"  {e}" for e in r.effects)
    return lines


def cmd_import(ctx: Context) -> int:
    from app.services import sync

    store = ctx.open()
    with confirmed(ctx, store, "导入数据包"):
        results = sync.import_bundles(store, [Path(f) for f in ctx.args.files], dry_run=ctx.args.dry_run)
    emit(ctx, [import_json(r) for r in results], "\n".join(import_lines(results)))
    refused = [r for r in results if r.refused]
    for r in refused:
        print(f"{r.file}：{r.reason}", file=sys.stderr)
    return 2 if refused else 0


def cmd_review(ctx: Context) -> int:
    from app.services import review

    store = ctx.open()
    a = ctx.args
    if a.review_command == "queue":
        rows = review.queue(store, include_done=a.all)
        emit(ctx, rows, "\n".join(f"{r.office_code}\t{r.number}\t{r.persons}\t{r.kind_title}\t报送{r.entered_on}\t"
                                  f"{r.opinion_number or '待办'}" for r in rows) or "队列中没有待审核的案件。")
        return 0
    result = review.record_opinion(store, a.case_id, a.number, a.date, a.conclusion or "", a.text or "")
    emit(ctx, result, f"已录入{review.KIND_TITLES[result.kind]} {result.number}，将随下一个下发数据包送达乡镇。")
    return 0


def cmd_transfer(ctx: Context) -> int:
    from app.services import review

    store = ctx.open()
    a = ctx.args
    if a.transfer_command == "add":
        row = review.add_transfer(store, a.to, read_json_file(a.file), a.note or "", mode=a.mode)
        emit(ctx, row, f"已{row.mode}线索 {row.clue_number} 给 {row.to_name}，将随下一个下发数据包送达。")
        return 0
    if a.transfer_command == "take-over":
        result = review.record_take_over(store, a.case_id, a.number, a.date, a.reason)
        emit(ctx, result, f"已录入提级办理决定 {result.number}，将随下一个下发数据包送达乡镇，乡镇导入后该案件转为已提级办理。")
        return 0
    rows = review.list_transfers(store)
    emit(ctx, [to_jsonable(r) for r in rows],
         "\n".join(f"{r.clue_number}\t{r.mode}\t{r.to_name}\t{r.assigned_on}\t{r.persons}\t{r.township_case or '乡镇尚未回传'}"
                   for r in rows) or "没有转办记录。")
    return 0


def register(add: AddCommand) -> None:
    p = add("office", cmd_office, "单位登记（县纪委、市纪委登记下级单位）与事后导入上级设置包（adopt）")
    sub = p.add_subparsers(dest="office_command", required=True, parser_class=ChineseParser)
    a = add_sub(sub, "add", "登记下级单位")
    a.add_argument("--code", required=True)
    a.add_argument("--name", required=True)
    a.add_argument("--level", required=True, choices=["township", "county"])
    a.add_argument("--parent-code", help="上级单位代码（默认：本单位）")
    a.add_argument("--abbr", help="单位简称（用于编号）")
    add_sub(sub, "list", "单位列表及指纹、数据包序号")
    a = add_sub(sub, "adopt", "未用设置包初始设置的单位，事后导入上级单位的设置包以配对")
    a.add_argument("--package", required=True, help="上级单位生成的设置包文件")

    p = add("setup-package", cmd_setup_package, "为下级单位生成设置包")
    p.add_argument("--for", dest="for_code", required=True, help="下级单位代码")
    p.add_argument("--out", required=True, help="设置包文件（或文件夹）")

    add("fingerprint", cmd_fingerprint, "显示本单位密钥指纹")
    p = add("identity", cmd_identity, "导出本单位的 age 解密私钥（书记/管理员；供用标准 age 工具核对数据包）")
    p.add_argument("--out", required=True, help="新文件（不覆盖已有文件）")
    p = add("trust", cmd_trust, "电话核对后确认对方单位的指纹")
    p.add_argument("code")
    p.add_argument("--fingerprint", required=True)
    p.add_argument("--dry-run", action="store_true", help="确认指纹后只预览等待中的数据包，不写入")
    p.add_argument("--admin", help=ADMIN_HELP)

    p = add("export", cmd_export, "导出数据包到U盘")
    p.add_argument("--to", required=True, help="接收单位代码")
    p.add_argument("--out", required=True, help="目标文件夹（U盘）")
    p.add_argument("--full", action="store_true", help="导出全部记录，而不只是上次确认收到以来的变化")
    p.add_argument("--admin", help=ADMIN_HELP)

    p = add("import", cmd_import, "导入数据包")
    p.add_argument("files", nargs="+")
    p.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    p.add_argument("--admin", help=ADMIN_HELP)

    p = add("review", cmd_review, "审理/审批队列与审核意见（县纪委使用）")
    sub = p.add_subparsers(dest="review_command", required=True, parser_class=ChineseParser)
    add_sub(sub, "queue", "待审核、待批复的乡镇案件").add_argument("--all", action="store_true", help="包括已录入意见的")
    o = add_sub(sub, "opinion", "录入审核意见或批复")
    o.add_argument("case_id")
    o.add_argument("--number", required=True, help="意见（批复）文号")
    o.add_argument("--date", required=True, help="意见日期 YYYY-MM-DD")
    o.add_argument("--conclusion", help="结论（审核意见：同意/提出修改意见/建议转为乡镇报批；批复：同意/修改后同意/不同意/由乡镇自行批准）")
    o.add_argument("--text", help="意见要点")

    p = add("transfer", cmd_transfer, "上级转办线索（县纪委使用）")
    sub = p.add_subparsers(dest="transfer_command", required=True, parser_class=ChineseParser)
    t = add_sub(sub, "add", "登记线索并转办给乡镇")
    t.add_argument("--to", required=True, help="乡镇单位代码")
    t.add_argument("--file", required=True, help="线索 JSON 文件（格式同 clue add）")
    t.add_argument("--note", help="转办要求（指定办理的，写明指定理由）")
    t.add_argument("--mode", choices=["转办", "交办", "指定办理"], default="转办",
                   help="转办：转送乡镇受理（5个工作日内完成受理）；交办：经分管领导批准发函交办（3个月内办结并报告）；"
                        "指定办理：指定由原本不管辖的乡镇办理（按交办，3个月内办结并报告）")
    add_sub(sub, "list", "转办记录")
    t = add_sub(sub, "take-over", "提级办理：县纪委决定直接办理乡镇的案件")
    t.add_argument("case_id")
    t.add_argument("--number", required=True, help="提级办理决定文号")
    t.add_argument("--date", required=True, help="决定日期 YYYY-MM-DD")
    t.add_argument("--reason", required=True, help="提级理由")
