"""Accounts of one office: 书记/管理员 (admin) and 工作人员 (staff)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from app.domain import text_hygiene as hygiene
from app.errors import AuthError, InputError
from app.models import Account
from app.storage import keyslots
from app.storage.store import Store
from app.services import rekey
from app.services.admin_only import require_admin
from app.services.unlock import reseal_password

ROLES = {"admin": "书记/管理员", "staff": "工作人员"}


@dataclass(frozen=True)
class AccountRow:
    name: str
    role: str
    role_label: str
    disabled: bool
    created_at: str


def list_accounts(store: Store) -> list[AccountRow]:
    with store.read() as s:
        rows = s.exec(select(Account).order_by(Account.created_at, Account.name)).all()
        return [AccountRow(a.name, a.role, ROLES.get(a.role, a.role), a.disabled, a.created_at.isoformat()) for a in rows]


def add_account(store: Store, name: str, role: str, password: str) -> AccountRow:
    require_admin(store)
    name = hygiene.clean(name, hygiene.NAME, "账户名")
    if not name or ":" in name:
        raise InputError("bad_account", "账户名不能为空，也不能含冒号。")
    if role not in ROLES:
        raise InputError("bad_role", "角色须为 admin（书记/管理员）或 staff（工作人员）。")
    role_key = None
    if role == "admin" and store.engine.role_keys.public is not None:
        role_key = store.engine.role_keys.private
        if role_key is None:
            raise AuthError("admin_only", "只有书记/管理员账户可以添加书记/管理员账户。账户未添加。")
    slots = keyslots.load_authentic(store.paths, store.master_key)
    # only an administrator's slot carries the role key: a staff password must not reveal it
    slots = reseal_password(slots, store.master_key, name, password, role_key)
    with store.write() as s:
        if s.exec(select(Account).where(Account.name == name)).first():
            raise InputError("account_exists", f"账户“{name}”已存在。")
        account = Account(name=name, role=role)
        s.add(account)
        s.flush()
        row = AccountRow(name, role, ROLES[role], False, account.created_at.isoformat())
        # the slot is written inside the transaction: if it fails, the account row rolls back
        keyslots.save(store.paths, slots, store.master_key)
    return row


def disable_account(store: Store, name: str) -> str | None:
    """Disabling removes the account's key slot and re-keys the store (app/services/rekey.py), so
    neither its password nor an old copy of the slot file opens it any more. Returns a warning when
    the re-key could not be done (slots from an earlier version), else None."""
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
        rekey.mark_pending(s, f"停用账户{name}")
        s.flush()
        slots = keyslots.load_authentic(store.paths, store.master_key)
        keyslots.save(store.paths, slots.without_slot(keyslots.account_slot_id(name)), store.master_key)
    return rekey_after(store, f"停用账户{name}")


def rekey_after(store: Store, reason: str) -> str | None:
    from app.errors import StoreError

    try:
        rekey.rekey(store, reason)
    except StoreError as exc:
        if exc.code != "slots_need_upgrade":
            raise
        return f"账户已停用，其密钥槽已删除；但未能更换数据库密钥：{exc.message}"
    return None


def password_may_be_known(store: Store) -> None:
    """An administrator's "this password may be known": new master and role keys, every slot rewrapped
    (passwords unchanged). Whoever learnt a password still needs to be disabled or the password changed;
    what the re-key stops is an old slot file or backup opening today's store."""
    require_admin(store)
    rekey.rekey(store, "书记/管理员报告密码可能已泄露")
