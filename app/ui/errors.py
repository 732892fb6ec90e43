"""Turn any exception into the one Chinese sentence the user sees; log the unexpected ones."""

from __future__ import annotations

import logging

from app.domain.errors import DomainError
from app.errors import AppError
from app.storage.atomic import disk_full

log = logging.getLogger("jiantong.ui")


def error_message(exc: BaseException) -> str:
    if isinstance(exc, AppError | DomainError):
        return exc.message
    full = disk_full(exc)
    if full is not None:  # a refused write, not a defect: the user can act on it
        return full.message
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    return f"发生内部错误：{exc}"
