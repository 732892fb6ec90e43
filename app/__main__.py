"""Entry point: the GUI with no command, the CLI with one (`python -m app status --json`)."""

from __future__ import annotations

import sys

from app.cli.context import gui_options


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = gui_options(argv)
    if args is not None:
        from app.bootstrap import run_gui

        return run_gui(args)
    from app import cli

    return cli.run(argv)


if __name__ == "__main__":
    sys.exit(main())
