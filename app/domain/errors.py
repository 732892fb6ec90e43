"""Errors raised by the pure domain core: a code for programs, a Chinese message for people."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, message: str, detail: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail or {}
