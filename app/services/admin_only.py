"""The check before an administrator's operation (rules, settings, offices, holidays, accounts):
its own module, so those services need not depend on account management."""

from __future__ import annotations

from app.errors import AuthError
from app.storage.store import Store


def require_admin(store: Store) -> None:
    if not store.account.is_admin:
        raise AuthError("admin_only", "只有书记/管理员账户可以进行此操作。")
