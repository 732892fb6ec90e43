"""Command-line front end over the services (DESIGN §9): JSON out, one Chinese line on error.

Exit codes: 0 ok, 2 bad input (or a refused action), 3 wrong password or key, 1 anything else.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path

from app.domain.errors import DomainError
from app.errors import AppError, InputError
from app.paths import default_data_dir, store_paths

PASSWORD_ENV = "JIANTONG_PASSWORD"
NEW_PASSWORD_ENV = "JIANTONG_NEW_PASSWORD"


class Context:
    """What every command gets: parsed options, the store paths, and the way to unlock."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
        self.paths = store_paths(self.data_dir)
        self.store = None

    def secret(self, env: str, prompt: str) -> str:
        value = os.environ.get(env)
        if value is not None:
            return value
        if sys.stdin is not None and sys.stdin.isatty():
            return getpass.getpass(prompt)
        raise InputError("no_password", f"未提供密码：请设置环境变量 {env}，或在终端中运行以便输入。")

    def password(self) -> str:
        return self.secret(PASSWORD_ENV, "密码：")

    def new_password(self) -> str:
        return self.secret(NEW_PASSWORD_ENV, "新密码：")

    def open(self):
        from app.services import unlock

        unlocked = unlock.unlock(self.paths, self.args.account, self.password())
        for warning in unlocked.warnings:
            print(warning, file=sys.stderr)
        self.store = unlocked.store
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def to_jsonable(value):
    if is_dataclass(value):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def emit(ctx: Context, data, text: str | None = None) -> None:
    if ctx.args.json:
        print(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2))
    elif text is not None:
        print(text)
    else:
        print(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2))


# --- commands ---------------------------------------------------------------------------

def cmd_init(ctx: Context) -> int:
    from app.services import setup

    a = ctx.args
    if not a.account:
        raise InputError("bad_account", "请用 --account 指定第一个账户（书记/管理员）的名称。")
    req = setup.SetupRequest(
        office_code=a.office_code, office_name=a.office_name, level=a.level, account=a.account,
        password=ctx.password(), parent_code=a.parent_code, office_abbr=a.office_abbr or "", kdf_profile=a.kdf,
    )
    result = setup.create_store(ctx.paths, req)
    emit(ctx, result, f"已建立数据库：{ctx.paths.db}\n恢复密钥（只显示这一次，请抄写并妥善保管）：\n{result.recovery_code}")
    return 0


def cmd_status(ctx: Context) -> int:
    from app.services import status

    data = status.status(ctx.open())
    emit(ctx, data, "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in data.items()))
    return 0


def cmd_verify(ctx: Context) -> int:
    from app.services import status

    report = status.verify(ctx.open())
    data = {"cipher_integrity": report.cipher_integrity, "audit_chain": report.audit_chain, "events": report.events}
    if report.broken_seq is not None:
        data["broken_event"] = report.broken_seq
    emit(ctx, data, f"加密页校验：{report.cipher_integrity}\n审计链：{report.audit_chain}（共{report.events}条事件）")
    if not report.ok:
        print(f"校验未通过：{report.audit_chain if report.audit_chain != 'ok' else report.cipher_integrity}", file=sys.stderr)
        return 1
    return 0


def cmd_passwd(ctx: Context) -> int:
    from app.services import unlock

    unlock.change_password(ctx.paths, ctx.args.account, ctx.password(), ctx.new_password())
    emit(ctx, {"changed": True}, "密码已修改。")
    return 0


def cmd_recover(ctx: Context) -> int:
    from app.services import unlock

    unlocked, new_code = unlock.recover(ctx.paths, ctx.args.account, ctx.args.recovery_code, ctx.new_password())
    ctx.store = unlocked.store
    emit(ctx, {"account": unlocked.store.account.name, "recovery_code": new_code},
         f"已用恢复密钥重设密码。原恢复密钥已作废，新的恢复密钥（请抄写保管）：\n{new_code}")
    return 0


def cmd_account(ctx: Context) -> int:
    from app.services import accounts

    store = ctx.open()
    if ctx.args.account_command == "add":
        row = accounts.add_account(store, ctx.args.name, ctx.args.role, ctx.new_password())
        emit(ctx, row, f"已添加账户“{row.name}”（{row.role_label}）。")
    elif ctx.args.account_command == "list":
        rows = accounts.list_accounts(store)
        emit(ctx, rows, "\n".join(f"{r.name}\t{r.role_label}\t{'已停用' if r.disabled else '正常'}" for r in rows))
    else:
        accounts.disable_account(store, ctx.args.name)
        emit(ctx, {"disabled": ctx.args.name}, f"已停用账户“{ctx.args.name}”。")
    return 0


def cmd_backup(ctx: Context) -> int:
    from app.services import backup

    result = backup.backup(ctx.open(), Path(ctx.args.out))
    emit(ctx, result, f"备份已写入：{result.path}（{result.size} 字节）")
    return 0


def cmd_restore(ctx: Context) -> int:
    from app.services import backup

    result = backup.restore(ctx.paths, Path(ctx.args.file), ctx.args.account, ctx.password())
    emit(ctx, result, f"已从备份恢复（审计事件{result.events}条）。" + (f"原数据库已移至：{result.previous}" if result.previous else ""))
    return 0


def read_json_file(path: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("no_file", f"找不到文件“{path}”。") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError("bad_json", f"“{path}”不是有效的 UTF-8 JSON 文件：{exc}") from exc


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
    try:
        result = cases.act(store, a.case_id, read_json_file(a.file))
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
    report = batch.apply_lines(ctx.open(), path.read_text(encoding="utf-8").splitlines())
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

def common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--data-dir", default=default, help="数据目录（默认：用户数据目录，或环境变量 JIANTONG_DATA）")
    parser.add_argument("--account", default=default, help="登录账户（默认：初始设置时建立的账户）")
    parser.add_argument("--json", action="store_true", default=False if top else argparse.SUPPRESS, help="输出 JSON")


class ChineseParser(argparse.ArgumentParser):
    def error(self, message: str):
        raise InputError("bad_arguments", f"命令参数有误：{message}")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="jiantong", description="纪案通命令行")
    common_options(parser, top=True)
    parser.add_argument("--self-test", action="store_true", help="自检：在临时目录建库、读写、校验后退出")
    sub = parser.add_subparsers(dest="command", parser_class=ChineseParser)

    def add(name: str, handler: Callable[[Context], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        common_options(p, top=False)
        p.set_defaults(handler=handler)
        return p

    p = add("init", cmd_init, "初始设置：建立加密数据库")
    p.add_argument("--office-code", required=True)
    p.add_argument("--office-name", required=True)
    p.add_argument("--office-abbr", help="单位简称，用于编号，如“青石”得“青石纪立〔2026〕1号”")
    p.add_argument("--level", required=True, choices=["township", "county", "city"])
    p.add_argument("--parent-code")
    p.add_argument("--kdf", default="standard", choices=["standard", "fast"])

    add("status", cmd_status, "数据库状态")
    add("verify", cmd_verify, "校验加密页和审计链")
    add("passwd", cmd_passwd, "修改密码")
    p = add("recover", cmd_recover, "用恢复密钥重设密码")
    p.add_argument("--recovery-code", required=True)

    p = add("account", cmd_account, "账户管理")
    acc = p.add_subparsers(dest="account_command", required=True, parser_class=ChineseParser)
    a = acc.add_parser("add")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["admin", "staff"])
    common_options(a, top=False)
    common_options(acc.add_parser("list"), top=False)
    d = acc.add_parser("disable")
    d.add_argument("name")
    common_options(d, top=False)

    p = add("backup", cmd_backup, "备份数据库")
    p.add_argument("--out", required=True)
    p = add("restore", cmd_restore, "从备份恢复")
    p.add_argument("file")

    p = add("clue", cmd_clue_add, "问题线索")
    clue_sub = p.add_subparsers(dest="clue_command", required=True, parser_class=ChineseParser)
    c = clue_sub.add_parser("add", help="登记线索")
    c.add_argument("--file", required=True, help="线索 JSON 文件（格式见 docs/RULES.md）")
    common_options(c, top=False)

    p = add("case", cmd_case, "案件")
    case_sub = p.add_subparsers(dest="case_command", required=True, parser_class=ChineseParser)
    c = case_sub.add_parser("list", help="案件列表")
    c.add_argument("--stage", help="只列出某一阶段")
    c.add_argument("--overdue", action="store_true", help="只列出有超期期限的案件")
    common_options(c, top=False)
    c = case_sub.add_parser("show", help="案件详情")
    c.add_argument("case_id")
    common_options(c, top=False)
    c = case_sub.add_parser("act", help="办理一项操作")
    c.add_argument("case_id")
    c.add_argument("--file", required=True, help="操作 JSON 文件（格式见 docs/RULES.md）")
    common_options(c, top=False)

    p = add("apply", cmd_apply, "批量执行操作（JSON Lines）")
    p.add_argument("--file", required=True)

    p = add("demo-data", cmd_demo_data, "生成演示数据")
    p.add_argument("--spec", required=True)
    p.add_argument("--force", action="store_true", help="数据库中已有非演示案件时仍然生成")
    return parser


def parse_quietly(argv: list[str]) -> argparse.Namespace | None:
    """Parsed options, or None when they are invalid (then `run` reports the problem)."""
    try:
        return build_parser().parse_args(argv)
    except (AppError, SystemExit):
        return None


def run(argv: list[str]) -> int:
    ctx = None
    try:
        args = build_parser().parse_args(argv)
        if args.self_test:
            from app.services import self_test

            print(json.dumps(self_test.run(), ensure_ascii=False))
            return 0
        ctx = Context(args)
        return args.handler(ctx)
    except AppError as exc:
        print(exc.message, file=sys.stderr)
        return exc.exit_code
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the contract is one Chinese line, never a traceback
        print(f"发生内部错误（{type(exc).__name__}）：{exc}".splitlines()[0], file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.close()
