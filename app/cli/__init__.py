"""The `jiantong` command line."""

from app.cli.main import build_parser, parse_quietly, run

__all__ = ["build_parser", "parse_quietly", "run"]
