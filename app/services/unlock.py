"""Opening a store: password or recovery code → master key → engine → Store.

Wrong secrets meet a capped exponential delay recorded beside the store (no lockout: the files
can be copied anyway, the delay only slows guessing at this PC). The data directory's instance lock
is taken before any secret is tried, so a store open in another window is refused at once; the
opened Store holds it until `close()`.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.password_rule import password_problem
from app.errors import AuthError, InputError, StoreError
from app.paths import StorePaths
from app.storage import kdf, keyslots, recovery_code
from app.storage.atomic import atomic_write_bytes

# SQLAlchemy, the models and the instance lock load only when a store is opened: the unlock
# screen lists the accounts through this module and must come up without them (bench/bench_startup.py)
if TYPE_CHECKING:
    from app.storage import instance_lock
    from app.storage.store import Store

MAX_DELAY_SECONDS = 60


@dataclass(frozen=True)
class Unlocked:
    store: Store
    warnings: tuple[str, ...] = ()


def require_store(paths: StorePaths) -> None:
    if not paths.root.is_dir():
        raise StoreError("no_data_dir", f"数据目录“{paths.root}”不存在。请检查路径，或先运行初始设置（init）。")
    if not paths.exists():
        raise StoreError("no_store", f"数据目录“{paths.root}”中没有纪案通数据库，请先完成初始设置（init）。")


def account_names(paths: StorePaths) -> list[str]:
    """Accounts that can sign in, in creation order (the first is the one created at set-up)."""
    slots = keyslots.load(paths)
    return [s.id.split(":", 1)[1] for s in slots.slots if s.kind == "password"]


def default_account(paths: StorePaths) -> str:
    names = account_names(paths)
    if not names:
        raise StoreError("no_accounts", "此数据库没有可登录的账户，请用恢复密钥找回。")
    return names[0]


# --- wrong-secret delay -------------------------------------------------------------------

def throttle_state(paths: StorePaths) -> dict:
    try:
        return json.loads(paths.throttle.read_text("utf-8"))
    except (OSError, ValueError):
        return {"failures": 0, "not_before": 0.0}


def check_throttle(paths: StorePaths, now: float) -> None:
    wait = throttle_state(paths).get("not_before", 0.0) - now
    if wait > 0:
        seconds = int(wait) + 1
        raise AuthError("throttled", f"密码输错次数较多，请{seconds}秒后再试。", {"retry_after": seconds})


def record_failure(paths: StorePaths, now: float) -> int:
    failures = int(throttle_state(paths).get("failures", 0)) + 1
    delay = min(2 ** (failures - 1), MAX_DELAY_SECONDS)
    atomic_write_bytes(paths.throttle, json.dumps({"failures": failures, "not_before": now + delay}).encode())
    return delay


def clear_failures(paths: StorePaths) -> None:
    paths.throttle.unlink(missing_ok=True)


def open_secret(paths: StorePaths, slots: keyslots.KeySlots, slot_id: str, secret: bytes, now: float) -> bytes:
    check_throttle(paths, now)
    try:
        master = keyslots.unlock_slot(slots, slot_id, secret)
    except AuthError as exc:
        delay = record_failure(paths, now)
        raise AuthError(exc.code, f"{exc.message}请{delay}秒后再试。", {"retry_after": delay}) from exc
    clear_failures(paths)
    return master


# --- opening ----------------------------------------------------------------------------

def open_store(paths: StorePaths, master: bytes, account_name: str, lock: instance_lock.StoreLock) -> Store:
    """The Store takes over `lock`; on failure the caller still owns it."""
    from app.storage import schema
    from app.storage.engine import open_engine

    engine = open_engine(paths.db, master)
    try:
        schema.upgrade(engine, paths)
        store = build_store(paths, engine, master, account_name, lock)
    except BaseException:
        engine.dispose()
        raise
    # plain payloads an export or import killed mid-way left behind: only the lock holder works there
    shutil.rmtree(paths.sync_work, ignore_errors=True)
    return store


def build_store(paths: StorePaths, engine, master: bytes, account_name: str, lock: instance_lock.StoreLock) -> Store:
    from sqlmodel import Session, select

    from app.models import Account, Office, Setting
    from app.storage.store import AccountInfo, OfficeInfo, Store

    with Session(engine) as s:
        own = s.get(Setting, "office_id")
        office = s.get(Office, own.value) if own else None
        account = s.exec(select(Account).where(Account.name == account_name)).first()
    if office is None:
        raise StoreError("store_incomplete", "数据库缺少本单位信息，可能是初始设置中断。请从备份恢复或重新设置。")
    if account is None or account.disabled:
        raise AuthError("account_disabled", f"账户“{account_name}”不存在或已停用。")
    return Store(
        paths,
        engine,
        OfficeInfo(office.id, office.code, office.name, office.level, office.parent_code),
        AccountInfo(account.id, account.name, account.role),
        master,
        lock,
    )


def unlock(paths: StorePaths, account_name: str | None, password: str, *, now: float | None = None) -> Unlocked:
    require_store(paths)
    from app.storage import instance_lock

    lock = instance_lock.acquire(paths)
    try:
        slots = keyslots.load(paths)
        name = account_name or default_account(paths)
        master = open_secret(paths, slots, keyslots.account_slot_id(name), password.encode("utf-8"), now or time.time())
        warnings = []
        if slots.recovered_from_copy:
            keyslots.save(paths, slots)
            warnings.append("密钥槽文件 keyslots.json 已损坏，已改用副本解锁并重新写好两份。")
        store = open_store(paths, master, name, lock)
    except BaseException:
        lock.release()
        raise
    from app.storage import audit

    try:
        with store.write() as s:
            audit.note(s, "unlock", f"account:{name}", "解锁")
    except BaseException:
        store.close()
        raise
    return Unlocked(store, tuple(warnings))


def reseal_password(slots: keyslots.KeySlots, master: bytes, name: str, password: str) -> keyslots.KeySlots:
    problem = password_problem(password)
    if problem:
        raise InputError("weak_password", problem)
    profile, iterations = slot_cost(slots)
    params = kdf.new_params(profile, iterations)
    slot = keyslots.seal(master, slots.store_id, keyslots.account_slot_id(name), "password", password.encode("utf-8"), params)
    return slots.with_slot(slot)


def slot_cost(slots: keyslots.KeySlots) -> tuple[str, int | None]:
    """New slots get the profile and calibrated cost of the store's existing slots."""
    first = slots.slots[0].params if slots.slots else None
    if first is None:
        return "standard", None
    return first.profile, first.iterations


def change_password(paths: StorePaths, account_name: str | None, old: str, new: str, *, now: float | None = None) -> None:
    """Rewrap one slot; the database file is not opened, so its bytes stay as they are."""
    require_store(paths)
    slots = keyslots.load(paths)
    name = account_name or default_account(paths)
    master = open_secret(paths, slots, keyslots.account_slot_id(name), old.encode("utf-8"), now or time.time())
    if old == new:
        raise InputError("same_password", "新密码不能与原密码相同。")
    keyslots.save(paths, reseal_password(slots, master, name, new))


def recover(paths: StorePaths, account_name: str | None, code: str, new_password: str, *, now: float | None = None) -> tuple[Unlocked, str]:
    """Unlock with the recovery code, set a new password and replace the code (it works once)."""
    require_store(paths)
    secret = recovery_code.to_secret(code)
    problem = password_problem(new_password)
    if problem:
        raise InputError("weak_password", problem)
    from app.storage import instance_lock

    lock = instance_lock.acquire(paths)
    try:
        slots = keyslots.load(paths)
        name = account_name or default_account(paths)
        try:
            master = open_secret(paths, slots, keyslots.RECOVERY_SLOT, secret, now or time.time())
        except AuthError as exc:
            if exc.code == "wrong_password":
                raise AuthError("wrong_recovery_code", exc.message.replace("账户名或密码不正确。", "恢复密钥不正确。"), exc.detail) from exc
            raise
        store = open_store(paths, master, name, lock)
    except BaseException:
        lock.release()
        raise
    from app.storage import audit

    try:
        new_code = recovery_code.generate()
        profile, iterations = slot_cost(slots)
        slots = reseal_password(slots, master, name, new_password)
        slots = slots.with_slot(
            keyslots.seal(master, slots.store_id, keyslots.RECOVERY_SLOT, "recovery", recovery_code.to_secret(new_code),
                          kdf.new_params(profile, iterations))
        )
        keyslots.save(paths, slots)
        with store.write() as s:
            audit.note(s, "recover", f"account:{name}", "用恢复密钥重设密码，旧恢复密钥作废")
    except BaseException:
        store.close()
        raise
    return Unlocked(store), new_code
