"""Commands of the case workflow: clues, cases, batch actions, demonstration data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.cli.context import AddCommand, ChineseParser, Context, add_sub, emit, read_json_file, to_jsonable
from app.errors import InputError


def cmd_clue_add(ctx: Context) -> int:
    from app.services import cases

    result = cases.register_clue(ctx.open(), read_json_file(ctx.args.file))
    warnings = [f"{p.name}：{'、'.join(p.labels)}" for p in result.persons if p.flags]
    emit(ctx, {"case_id": result.case_id, "number": result.number, "warnings": warnings},
         f"已登记线索 {result.number}（案件编号 {result.case_id}）" + "".join(f"\n注意：{w}" for w in warnings))
    return 0


def cmd_case(ctx: Context) -> int:
    from app.services import cases

    store = ctx.open()
    a = ctx.args
    if a.case_command == "list":
        rows = cases.list_cases(store, stage=a.stage, overdue=a.overdue)
        emit(ctx, rows, "\n".join(f"{r.number}\t{r.persons}\t{r.stage_title}\t{r.step_title}\t{r.next_due or ''}" for r in rows)
             or "没有符合条件的案件。")
        return 0
    if a.case_command == "show":
        data = cases.show_case(store, a.case_id)
        emit(ctx, data)
        return 0
    from app.services import split_merge

    action = read_json_file(a.file)
    try:
        kind = action.get("type") if isinstance(action, dict) else None
        if isinstance(kind, str) and kind in split_merge.ACTIONS:
            moved = split_merge.run(store, a.case_id, action)
            emit(ctx, {"ok": True, **to_jsonable(moved)}, f"已办理：其后在案件 {moved.number} 中继续办理。")
            return 0
        result = cases.act(store, a.case_id, action)
    except cases.ActionRefused as refused:
        if a.json:
            print(json.dumps({"ok": False, "problems": refused.detail["problems"]}, ensure_ascii=False, indent=2))
        raise
    emit(ctx, {"ok": True, **to_jsonable(result)}, f"已办理。案件现处于“{result.step}”。")
    return 0


def cmd_apply(ctx: Context) -> int:
    from app.services import batch

    path = Path(ctx.args.file)
    if not path.is_file():
        raise InputError("no_file", f"找不到文件“{path}”。")
    # JSON Lines end at "\n" only: str.splitlines() would also split at U+2028, U+2029 and U+0085,
    # which a valid JSON string (a pasted summary) may hold as they are; "\r" before it is whitespace
    report = batch.apply_lines(ctx.open(), path.read_bytes().decode("utf-8").split("\n"))
    emit(ctx, report, f"已执行 {report.applied} 行。" if report.failed is None else None)
    if report.failed is not None:
        print(f"第{report.failed['line']}行未执行：{report.failed['message']}", file=sys.stderr)
        return 2
    return 0


def cmd_demo_data(ctx: Context) -> int:
    from app.services import demo_data

    result = demo_data.generate(ctx.open(), read_json_file(ctx.args.spec), force=ctx.args.force)
    emit(ctx, result, f"已生成演示案件 {result.cases} 件。")
    return 0


# --- parser -----------------------------------------------------------------------------


def register(add: AddCommand) -> None:
    p = add("clue", cmd_clue_add, "问题线索")
    clue_sub = p.add_subparsers(dest="clue_command", required=True, parser_class=ChineseParser)
    add_sub(clue_sub, "add", "登记线索").add_argument("--file", required=True, help="线索 JSON 文件（格式见 docs/RULES.md）")

    p = add("case", cmd_case, "案件")
    case_sub = p.add_subparsers(dest="case_command", required=True, parser_class=ChineseParser)
    c = add_sub(case_sub, "list", "案件列表")
    c.add_argument("--stage", help="只列出某一阶段")
    c.add_argument("--overdue", action="store_true", help="只列出有超期期限的案件")
    add_sub(case_sub, "show", "案件详情").add_argument("case_id")
    c = add_sub(case_sub, "act", "办理一项操作")
    c.add_argument("case_id")
    c.add_argument("--file", required=True, help="操作 JSON 文件（格式见 docs/RULES.md）")

    p = add("apply", cmd_apply, "批量执行操作（JSON Lines）")
    p.add_argument("--file", required=True)

    p = add("demo-data", cmd_demo_data, "生成演示数据")
    p.add_argument("--spec", required=True)
    p.add_argument("--force", action="store_true", help="数据库中已有非演示案件时仍然生成")
