"""Commands of the store itself: set-up, status, integrity, passwords, accounts, backup."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.cli.context import AddCommand, ChineseParser, Context, add_sub, emit
from app.errors import InputError


def cmd_init(ctx: Context) -> int:
    from app.services import setup

    a = ctx.args
    if not a.account:
        raise InputError("bad_account", "请用 --account 指定第一个账户（书记/管理员）的名称。")
    package = None
    if a.setup_package:
        from app.services import offices

        package = offices.read_setup_package(Path(a.setup_package))
        given = {"office_code": a.office_code, "office_name": a.office_name, "level": a.level, "parent_code": a.parent_code}
        entry = {"office_code": package.office["code"], "office_name": package.office["name"],
                 "level": package.office["level"], "parent_code": package.office["parent_code"]}
        clash = [k for k, v in given.items() if v and v != entry[k]]
        if clash:
            raise InputError("setup_package_mismatch", f"命令中的单位信息与设置包不一致（{'、'.join(clash)}），请去掉这些参数或核对设置包。")
        a.office_code, a.office_name, a.level, a.parent_code = (entry[k] for k in ("office_code", "office_name", "level", "parent_code"))
        a.office_abbr = a.office_abbr or package.office["abbr"]
    if not (a.office_code and a.office_name and a.level):
        raise InputError("bad_arguments", "请填写 --office-code、--office-name 和 --level，或用 --setup-package 指定设置包。")
    req = setup.SetupRequest(
        office_code=a.office_code, office_name=a.office_name, level=a.level, account=a.account,
        password=ctx.password(), parent_code=a.parent_code, office_abbr=a.office_abbr or "", kdf_profile=a.kdf,
        test_store=a.test_store, setup_package=package,
    )
    result = setup.create_store(ctx.paths, req)
    text = f"已建立数据库：{ctx.paths.db}\n恢复密钥（只显示这一次，请抄写并妥善保管）：\n{result.recovery_code}"
    if package is not None:
        text += f"\n上级单位 {package.parent['name']} 的指纹（请电话核对）：{result.parent_fingerprint}\n本单位指纹：{result.fingerprint}"
    emit(ctx, result, text)
    return 0


def cmd_status(ctx: Context) -> int:
    from app.services import status

    data = status.status(ctx.open())
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in data.items()]
    if data.get("test_store"):
        lines.insert(0, f"【{status.TEST_STORE_LABEL}】密码保护很弱（--kdf fast），只用于测试，不得存放真实数据。")
    emit(ctx, data, "\n".join(lines))
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
    from app.storage import instance_lock

    # the key slots file is rewritten: not while a window holds the store (it may add an account)
    with instance_lock.held(ctx.paths):
        unlock.change_password(ctx.paths, ctx.args.account, ctx.password(), ctx.new_password())
    emit(ctx, {"changed": True}, "密码已修改。")
    return 0


def cmd_recover(ctx: Context) -> int:
    from app.services import unlock

    pending = unlock.begin_recovery(ctx.paths, ctx.args.account, ctx.args.recovery_code, ctx.new_password())
    new_code = pending.new_code
    # shown before it takes effect: killed after this line, the old code is still the valid one
    print(f"新的恢复密钥（尚未生效，请先抄写）：{new_code}", file=sys.stderr, flush=True)
    if sys.stdin is not None and sys.stdin.isatty():
        typed = input("抄写后请输入新恢复密钥的最后一组（6位数字）确认：").strip()
        if typed != new_code.rsplit("-", 1)[-1]:
            pending.cancel()
            raise InputError("recovery_not_confirmed", "输入的最后一组与新恢复密钥不符，未重设密码；原恢复密钥和原密码仍然有效。")
    unlocked = pending.commit()
    ctx.store = unlocked.store
    emit(ctx, {"account": unlocked.store.account.name, "recovery_code": new_code},
         f"已用恢复密钥重设密码。原恢复密钥已作废，新的恢复密钥已生效（请抄写保管）：\n{new_code}")
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
    elif ctx.args.account_command == "rekey":
        accounts.password_may_be_known(store)
        emit(ctx, {"rekeyed": True}, "已更换数据库密钥和角色密钥：各账户密码不变；旧的密钥槽文件和旧备份不再能打开本库"
                                     "（旧备份恢复时按“另一个数据库”处理）。泄露的密码仍须修改，或停用其账户。")
    else:
        warning = accounts.disable_account(store, ctx.args.name)
        if warning:
            print(warning, file=sys.stderr)
        emit(ctx, {"disabled": ctx.args.name, "rekeyed": warning is None},
             f"已停用账户“{ctx.args.name}”，并已更换数据库密钥：该账户的密码和旧的密钥槽文件都不再能打开本库。"
             if warning is None else f"已停用账户“{ctx.args.name}”。")
    return 0


def cmd_backup(ctx: Context) -> int:
    from app.services import backup

    result = backup.backup(ctx.open(), Path(ctx.args.out))
    emit(ctx, result, f"备份已写入：{result.path}（{result.size} 字节）")
    return 0


BACKUP_PASSWORD_ENV = "JIANTONG_BACKUP_PASSWORD"


def cmd_restore(ctx: Context) -> int:
    from app.services import backup
    from app.storage import instance_lock

    a = ctx.args
    # replacing the store by ANOTHER store's backup is its own explicit choice, with that backup's administrator
    backup_password = ctx.secret(BACKUP_PASSWORD_ENV, "备份中书记/管理员的密码：") if a.replace_store else None
    with instance_lock.held(ctx.paths):  # no other window may open the store while its files are swapped
        if a.replace_store and ctx.paths.exists():
            print("将用另一个数据库的备份整个替换当前数据库：当前数据库移至 restore-previous/，"
                  "之后只能用该备份中的账户密码解锁。", file=sys.stderr)
        result = backup.restore(ctx.paths, Path(a.file), a.account, ctx.password(), replace_store=a.replace_store,
                                backup_account=a.backup_account, backup_password=backup_password)
    emit(ctx, result, f"已从备份恢复（审计事件{result.events}条）。" + (f"原数据库已移至：{result.previous}" if result.previous else ""))
    return 0


def register(add: AddCommand) -> None:
    p = add("init", cmd_init, "初始设置：建立加密数据库")
    p.add_argument("--office-code")
    p.add_argument("--office-name")
    p.add_argument("--office-abbr", help="单位简称，用于编号，如“青石”得“青石纪立〔2026〕1号”")
    p.add_argument("--level", choices=["township", "county", "city"])
    p.add_argument("--parent-code")
    p.add_argument("--setup-package", help="上级单位生成的设置包（含上级公钥、本单位登记信息、节假日表）")
    p.add_argument("--kdf", default="standard", choices=["standard", "fast"])
    p.add_argument("--test-store", action="store_true",
                   help="只用于测试：允许 --kdf fast，并把此库标为“测试库”（密码容易被猜出，不可放真实数据）")

    add("status", cmd_status, "数据库状态")
    add("verify", cmd_verify, "校验加密页和审计链")
    add("passwd", cmd_passwd, "修改密码")
    p = add("recover", cmd_recover, "用恢复密钥重设密码")
    p.add_argument("--recovery-code", required=True)

    p = add("account", cmd_account, "账户管理")
    acc = p.add_subparsers(dest="account_command", required=True, parser_class=ChineseParser)
    a = add_sub(acc, "add", "添加账户")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["admin", "staff"])
    add_sub(acc, "list", "账户列表")
    add_sub(acc, "disable", "停用账户（并更换数据库密钥）").add_argument("name")
    add_sub(acc, "rekey", "密码可能已泄露：更换数据库密钥和角色密钥（各账户密码不变）")

    p = add("backup", cmd_backup, "备份数据库")
    p.add_argument("--out", required=True)
    p = add("restore", cmd_restore, "从备份恢复（需要本库书记/管理员的密码）")
    p.add_argument("file")
    p.add_argument("--replace-store", action="store_true",
                   help="用另一个数据库的备份整个替换当前数据库（还需要该备份中书记/管理员的密码，"
                        f"环境变量 {BACKUP_PASSWORD_ENV}）")
    p.add_argument("--backup-account", help="备份中书记/管理员的账户名（默认：备份中第一个账户）")

