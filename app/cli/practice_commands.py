"""Commands of the training room: scenarios, scripted runs, results (always on the practice store)."""

from __future__ import annotations

from pathlib import Path

from app.cli.context import (
    AddCommand,
    ChineseParser,
    Context,
    add_sub,
    emit,
    read_json_file,
)
from app.errors import InputError


def cmd_practice(ctx: Context) -> int:
    from app.services import practice, ruleset

    ctx.use_practice()
    a = ctx.args
    store = ctx.open()
    if a.practice_command == "list":
        rows = practice.list_scenarios(store)
        emit(ctx, rows, "\n".join(f"{r.id}\t{r.title}\t{r.level}\t{r.total}分\t{r.origin}" for r in rows))
    elif a.practice_command == "run":
        rules = ruleset.load(store)
        entries = practice.parse_answers(read_json_file(a.answers), Path(a.answers).name, rules)
        card = practice.run_script(store, a.scenario_id, a.trainee, entries, rules=rules)
        emit(ctx, card, card_text(card))
    elif a.practice_command == "reference":
        rules = ruleset.load(store)
        emit(ctx, practice.reference_answers(practice.get_scenario(store, a.scenario_id, rules)))
    elif a.practice_command == "results":
        out = practice.export_results(store, Path(a.out))
        rows = practice.results(store)
        emit(ctx, {"out": str(out), "rows": rows}, f"已导出练习成绩（{len(rows)}行）：{out}")
    elif a.practice_command == "import":
        row = practice.import_scenario(store, Path(a.file))
        emit(ctx, row, f"已导入练习案例“{row.title}”（{row.id}，{row.total}分）。")
    else:
        if bool(a.trainee) == bool(a.all):
            raise InputError("bad_arguments", "请用 --trainee 指定一名学员，或用 --all 重置全部学员的练习记录。")
        count = practice.reset(store, a.trainee if a.trainee else None)
        emit(ctx, {"reset": count}, f"已重置 {count} 次练习记录。")
    return 0


def card_text(card: dict) -> str:
    state = "已完成" if card["complete"] else "未完成"
    verdict = "合格" if card["passed"] else "不合格"
    head = f"{card['trainee']} · {card['scenario_title']}：{card['earned']}/{card['total']} 分（{card['percent']}%，{state}，{verdict}）"
    lines = [head]
    for item in card["lost"]:
        basis = f"（依据：{'；'.join(item['citation'])}）" if item["citation"] else ""
        lines.append(f"- 失 {item['lost']} 分 · {item['title']}：{item['feedback']}{basis}")
    return "\n".join(lines)


def cmd_init_practice(ctx: Context) -> int:
    """`init --practice`: the practice office is fixed; the password is the practice store's own."""
    from app.services import practice

    account = ctx.args.account or practice.DEFAULT_TRAINER
    result = practice.create_store(ctx.paths, account, ctx.practice_password())
    text = f"已建立练习库：{ctx.paths.root}（培训管理员账户“{account}”）。\n恢复密钥（请抄写保管）：\n{result.recovery_code}"
    emit(ctx, {"practice": True, "account": account, "recovery_code": result.recovery_code, "path": str(ctx.paths.root)},
         text)
    return 0


def register(add: AddCommand) -> None:
    p = add("practice", cmd_practice, "练习模式（培训）：练习案例、模拟作答、成绩")
    sub = p.add_subparsers(dest="practice_command", required=True, parser_class=ChineseParser)
    add_sub(sub, "list", "练习案例列表")
    r = add_sub(sub, "run", "按答案文件模拟学员作答，输出成绩单（检查新案例用）")
    r.add_argument("scenario_id")
    r.add_argument("--trainee", required=True, help="学员姓名")
    r.add_argument("--answers", required=True, help="答案 JSON 文件（格式见 docs/PRACTICE.md）")
    add_sub(sub, "reference", "输出案例的参考答案（答案文件格式）").add_argument("scenario_id")
    add_sub(sub, "results", "导出全部学员成绩（xlsx）").add_argument("--out", required=True, help="输出文件 .xlsx")
    add_sub(sub, "import", "导入练习案例文件（先校验）").add_argument("file")
    x = add_sub(sub, "reset", "重置学员练习记录")
    x.add_argument("--trainee", help="学员姓名")
    x.add_argument("--all", action="store_true", help="重置全部学员")
