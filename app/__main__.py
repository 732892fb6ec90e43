"""Entry point: the GUI with no command, the CLI with one (`python -m app status --json`)."""

from __future__ import annotations

import sys

from app import cli


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = cli.parse_quietly(argv)
    if args is not None and args.command is None and not args.self_test:
        from app.bootstrap import run_gui

        return run_gui(args)
    return cli.run(argv)


if __name__ == "__main__":
    sys.exit(main())
