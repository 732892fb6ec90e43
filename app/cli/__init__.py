"""The `jiantong` command line.

The commands load on first use of `build_parser`, `parse_quietly` or `run`: the GUI start reads
its few options with `app.cli.context.gui_options` and never needs them.
"""

__all__ = ["build_parser", "parse_quietly", "run"]


def __getattr__(name: str):
    if name in __all__:
        from app.cli import main

        return getattr(main, name)
    raise AttributeError(f"module 'app.cli' has no attribute {name!r}")
