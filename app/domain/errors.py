"""Errors raised by the pure domain core: a code for programs, a Chinese message for people."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, message: str, detail: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail or {}


def toml_problem(exc: Exception) -> str:
    """What is wrong with a TOML text the parser refused; nesting too deep for it (RecursionError) in Chinese."""
    return "数组或表的嵌套层数过多" if isinstance(exc, RecursionError) else str(exc)
