"""Command-line front end over the services (DESIGN §9): JSON out, one Chinese line on error.

Exit codes: 0 ok, 2 bad input (or a refused action), 3 wrong password or key, 1 anything else.
Each area registers its commands from its own module.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from app.cli import (case_commands, document_commands, import_commands, practice_commands, report_commands, rules_commands,
                     store_commands, sync_commands)
from app.cli.context import ChineseParser, Context, Handler, common_options, refuse_practice_export_early
from app.domain.errors import DomainError
from app.errors import AppError
from app.storage.atomic import disk_full

AREAS = (store_commands, case_commands, report_commands, sync_commands, practice_commands, document_commands, rules_commands,
         import_commands)


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="jiantong", description="纪案通命令行")
    common_options(parser, top=True)
    parser.add_argument("--self-test", action="store_true", help="自检：在临时目录建库、读写、校验后退出")
    sub = parser.add_subparsers(dest="command", parser_class=ChineseParser)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        common_options(p, top=False)
        p.set_defaults(handler=handler)
        return p

    for area in AREAS:
        area.register(add)
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
        refuse_practice_export_early(argv)
        args = build_parser().parse_args(argv)
        if args.self_test:
            from app.services import self_test

            print(json.dumps(self_test.run(), ensure_ascii=False))
            return 0
        if args.practice and args.command == "init":
            args.handler = practice_commands.cmd_init_practice  # the practice office is fixed
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
    except BrokenPipeError:
        # whoever read the output (`| head`) stopped reading: not an error of ours to report;
        # stdout goes to devnull so the interpreter's final flush does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # noqa: BLE001 - the contract is one Chinese line, never a traceback
        full = disk_full(exc)
        if full is not None:
            print(full.message, file=sys.stderr)
            return full.exit_code
        print(f"发生内部错误（{type(exc).__name__}）：{exc}".splitlines()[0], file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.close()
