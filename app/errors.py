"""Errors that reach the user: a code for programs, one Chinese sentence for people.

The exit code follows the CLI contract: 2 bad input, 3 wrong password or key, 1 anything else.
"""

from __future__ import annotations


class AppError(Exception):
    exit_code = 1

    def __init__(self, code: str, message: str, detail: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail or {}


class InputError(AppError):
    exit_code = 2


class AuthError(AppError):
    exit_code = 3


class StoreError(AppError):
    exit_code = 1
