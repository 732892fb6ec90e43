"""Accounts of one office: 书记/管理员 (admin) and 工作人员 (staff)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from app.errors import AuthError, InputError
from app.models import Account
from app.storage import keyslots
from app.storage.store import Store
from app.services.unlock import reseal_password

ROLES = {"admin": "书记/管理员", "staff": "工作人员"}


@dataclass(frozen=True)
class AccountRow:
    name: str
    role: str
    role_label: str
    disabled: bool
    created_at: str


def require_admin(store: Store) -> None:
    if not store.account.is_admin:
        raise AuthError("admin_only", "只有书记/管理员账户可以进行此操作。")


def list_accounts(store: Store) -> list[AccountRow]:
    with store.read() as s:
        rows = s.exec(select(Account).order_by(Account.created_at, Account.name)).all()
        return [AccountRow(a.name, a.role, ROLES.get(a.role, a.role), a.disabled, a.created_at.isoformat()) for a in rows]


def add_account(store: Store, name: str, role: str, password: str) -> AccountRow:
    require_admin(store)
    name = name.strip()
    if not name or ":" in name:
        raise InputError("bad_account", "账户名不能为空，也不能含冒号。")
    if role not in ROLES:
        raise InputError("bad_role", "角色须为 admin（书记/管理员）或 staff（工作人员）。")
    slots = keyslots.load(store.paths)
    slots = reseal_password(slots, store.master_key, name, password)
    with store.write() as s:
        if s.exec(select(Account).where(Account.name == name)).first():
            raise InputError("account_exists", f"账户“{name}”已存在。")
        account = Account(name=name, role=role)
        s.add(account)
        s.flush()
        row = AccountRow(name, role, ROLES[role], False, account.created_at.isoformat())
        # the slot is written inside the transaction: if it fails, the account row rolls back
        keyslots.save(store.paths, slots)
    return row


def disable_account(store: Store, name: str) -> None:
    """Disabling removes the account's key slot: its password no longer opens the store."""
    require_admin(store)
    if name == store.account.name:
        raise InputError("cannot_disable_self", "不能停用当前登录的账户。")
    with store.write() as s:
        account = s.exec(select(Account).where(Account.name == name)).first()
        if account is None:
            raise InputError("no_account", f"没有名为“{name}”的账户。")
        if account.disabled:
            return
        account.disabled = True
        s.add(account)
        s.flush()
        slots = keyslots.load(store.paths)
        keyslots.save(store.paths, slots.without_slot(keyslots.account_slot_id(name)))
