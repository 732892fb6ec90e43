"""Commands of the rules files: a county administrator installs its own workflow.toml or sanctions.toml,
which then travels down in bundles and set-up packages (docs/RULES.md §5)."""

from __future__ import annotations

from pathlib import Path

from app.cli.context import AddCommand, ChineseParser, Context, add_sub, emit


def cmd_rules(ctx: Context) -> int:
    from app.services import cases, ruleset

    store = ctx.open()
    result = ruleset.install(store, Path(ctx.args.file))
    if result.changed:
        cases.refresh_due_dates(store)
    version = f"（流程版本{result.version}）" if result.version else ""
    if result.changed:
        text = f"已安装规则文件 {result.file}{version}。此后导出给下级的数据包和设置包将带上这份规则。"
    else:
        text = f"规则文件 {result.file}{version}与本单位现用的相同，未作改动。"
    emit(ctx, result, text)
    return 0


def register(add: AddCommand) -> None:
    p = add("rules", cmd_rules, "规则文件（县纪委管理员使用）")
    sub = p.add_subparsers(dest="rules_command", required=True, parser_class=ChineseParser)
    a = add_sub(sub, "install", "检查并安装 workflow.toml 或 sanctions.toml，随数据包下发")
    a.add_argument("file", help="规则文件（文件名须为 workflow.toml 或 sanctions.toml）")
