"""What every command shares: options, the store paths, unlocking, JSON output, Chinese errors."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path

from app.errors import InputError
from app.paths import default_data_dir, store_paths

PASSWORD_ENV = "JIANTONG_PASSWORD"
NEW_PASSWORD_ENV = "JIANTONG_NEW_PASSWORD"
# the practice store's own password when it is made: never JIANTONG_PASSWORD, which holds a real one
PRACTICE_PASSWORD_ENV = "JIANTONG_PRACTICE_PASSWORD"


class Context:
    """What every command gets: parsed options, the store paths, and the way to unlock."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
        # --practice: every command works on the practice store `<data>/practice/` instead
        self.practice = bool(getattr(args, "practice", False))
        refuse_practice_export(getattr(args, "command", None), self.practice)
        self.paths = store_paths(self.data_dir, practice=self.practice)
        self.store = None

    def use_practice(self) -> None:
        """For the `practice` commands, which never touch the real store."""
        self.practice = True
        self.paths = store_paths(self.data_dir, practice=True)

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

    def practice_password(self) -> str:
        """The new practice store's password: from its own variable, or typed twice at the terminal."""
        value = os.environ.get(PRACTICE_PASSWORD_ENV)
        if value is not None:
            return value
        if sys.stdin is not None and sys.stdin.isatty():
            first = getpass.getpass("请为练习库另设一个密码（不能与正式数据库的密码相同）：")
            if getpass.getpass("再次输入练习库密码：") != first:
                raise InputError("password_mismatch", "两次输入的练习库密码不一致，练习库未建立。")
            return first
        raise InputError("no_practice_password", f"练习库尚未建立，需要为它另设密码：请设置环境变量 {PRACTICE_PASSWORD_ENV}，"
                                                 f"或在终端中运行以便输入（不会使用 {PASSWORD_ENV}）。练习库未建立。")

    def open(self):
        from app.services import unlock

        made = None
        if self.practice and not self.paths.exists():
            made = self.create_practice_store()
        unlocked = unlock.unlock(self.paths, self.args.account, made if made is not None else self.password())
        for warning in unlocked.warnings:
            print(warning, file=sys.stderr)
        self.store = unlocked.store
        from app.services import practice

        if self.practice:
            practice.mark(self.store)
        elif practice.is_practice(self.store):
            # a practice store reached by its own path: the same rules as with --practice
            self.practice = True
            refuse_practice_export(getattr(self.args, "command", None), True)
        return self.store

    def create_practice_store(self) -> str:
        """The practice store is made on first use; its first account is the trainer. Returns its password."""
        from app.services import practice

        account = self.args.account or practice.DEFAULT_TRAINER
        password = self.practice_password()
        result = practice.create_store(self.paths, account, password)
        self.args.account = account
        print(f"已建立练习库：{self.paths.root}（培训管理员账户“{account}”，练习库专用密码，只用于练习）。"
              f"恢复密钥：{result.recovery_code}", file=sys.stderr)
        return password

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


def read_json_file(path: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("no_file", f"找不到文件“{path}”。") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError("bad_json", f"“{path}”不是有效的 UTF-8 JSON 文件：{exc}") from exc
    except RecursionError as exc:  # "[[[[…" nested deeper than the parser goes
        raise InputError("bad_json", f"“{path}”不是有效的 JSON 文件：嵌套层数过多。") from exc


def common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--data-dir", default=default, help="数据目录（默认：用户数据目录，或环境变量 JIANTONG_DATA）")
    parser.add_argument("--account", default=default, help="登录账户（默认：初始设置时建立的账户）")
    parser.add_argument("--json", action="store_true", default=False if top else argparse.SUPPRESS, help="输出 JSON")
    parser.add_argument("--practice", action="store_true", default=False if top else argparse.SUPPRESS,
                        help="练习模式：使用数据目录下的练习库（practice/），不触及正式数据")


def refuse_practice_export(command: str | None, practice: bool) -> None:
    """Practice data never leaves the training room: `export` under --practice writes nothing."""
    if practice and command == "export":
        raise InputError("practice_export_refused",
                         "练习库不能导出：其中都是模拟案件，不能制作上报数据包。请在正式数据库中导出（命令中不加 --practice）。")


def refuse_practice_export_early(argv: list[str]) -> None:
    """The same refusal before the full parser runs, so it holds whatever `export` itself accepts."""
    early = argparse.ArgumentParser(add_help=False)
    for option in ("--data-dir", "--account"):
        early.add_argument(option)
    early.add_argument("--practice", action="store_true")
    early.add_argument("command", nargs="?")
    try:
        known, _ = early.parse_known_args(argv)
    except SystemExit:
        return  # the real parser reports the problem
    refuse_practice_export(known.command, known.practice)


class ChineseParser(argparse.ArgumentParser):
    def error(self, message: str):
        raise InputError("bad_arguments", f"命令参数有误：{message}")


Handler = Callable[["Context"], int]
AddCommand = Callable[[str, Handler, str], argparse.ArgumentParser]


def add_sub(sub, name: str, help_text: str) -> argparse.ArgumentParser:
    """A second-level command (`case show`, `account add`) with the common options."""
    parser = sub.add_parser(name, help=help_text)
    common_options(parser, top=False)
    return parser


def gui_options(argv: list[str]) -> argparse.Namespace | None:
    """The options when `argv` starts the GUI (only the top-level options), else None.

    The desktop start must not pay for importing and building every command's parser
    (bench/bench_startup.py); anything else — a command, --self-test, --help, an unknown or bad
    option — goes to the full command line (`app.cli.run`), which reports problems in Chinese.
    """
    parser = argparse.ArgumentParser(add_help=False)
    common_options(parser, top=True)
    parser.add_argument("--self-test", action="store_true")
    try:
        args, rest = parser.parse_known_args(argv)
    except SystemExit:
        return None
    return None if rest or args.self_test else args
