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
from collections.abc import Iterator
from contextlib import contextmanager
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
MAX_FAILURES = 7  # 2**6 = 64 s ≥ the cap: a higher count waits no longer


@dataclass(frozen=True)
class Unlocked:
    store: Store
    warnings: tuple[str, ...] = ()


def require_store(paths: StorePaths) -> None:
    if not paths.root.is_dir():
        raise StoreError("no_data_dir", f"数据目录“{paths.root}”不存在。请检查路径，或先运行初始设置（init）。")
    if not paths.exists() and not (paths.root / "restore-journal.json").exists():
        raise StoreError("no_store", f"数据目录“{paths.root}”中没有纪案通数据库，请先完成初始设置（init）。")


def settle(paths: StorePaths) -> list[str]:
    """With the instance lock held, before any slot is read: finish a restore a crash interrupted,
    and refuse a folder whose database file is missing — SQLCipher would otherwise create an empty
    one on first connect and the data would seem gone."""
    from app.services import backup
    from app.storage.private import tighten_store

    tighten_store(paths)  # folders made by an earlier version, or loosened by hand: owner-only again
    notes = []
    finished = backup.finish_interrupted(paths)
    if finished:
        notes.append(finished)
    if not paths.db.exists():
        previous = sorted((paths.root / "restore-previous").glob("*/store.db"))
        hint = (f"最近一次从备份恢复前的数据库保存在“{previous[-1].parent}”，可从那里取回。" if previous else
                "如有备份，请从备份恢复。")
        raise StoreError("store_missing", f"数据目录中找不到数据库文件 store.db（密钥槽文件还在）。没有新建数据库，也没有改动任何文件。{hint}")
    return notes


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
    """The counter as written. This version keeps the file from set-up on (a good secret writes a
    zero counter, never deletes it), so a store whose key slots it wrote (they carry a MAC) and that
    has no counter lost it to someone: that is the longest wait, like a damaged file. A store of an
    earlier version, which deleted the file after a good secret, is read as no failures."""
    try:
        raw = paths.throttle.read_bytes()
    except FileNotFoundError:
        return {"malformed": True} if counter_expected(paths) else {"failures": 0, "not_before": 0.0}
    except OSError:
        return {"malformed": True}
    try:
        data = json.loads(raw.decode("utf-8"))
        failures, not_before = data["failures"], data["not_before"]
        if isinstance(failures, bool) or not isinstance(failures, int) or failures < 0:
            raise ValueError("failures")
        if isinstance(not_before, bool) or not isinstance(not_before, int | float) or not_before != not_before:
            raise ValueError("not_before")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return {"malformed": True}
    return {"failures": failures, "not_before": float(not_before)}


def check_throttle(paths: StorePaths, now: float) -> None:
    state = throttle_state(paths)
    if state.get("malformed"):
        # a damaged or planted counter: the longest wait, written down so that it ends
        write_throttle(paths, MAX_FAILURES, now + MAX_DELAY_SECONDS)
        raise AuthError("throttled", f"密码输错计数文件缺失或已损坏，按最长等待处理：请{MAX_DELAY_SECONDS}秒后再试。未尝试任何密码。",
                        {"retry_after": MAX_DELAY_SECONDS})
    # never longer than the cap, whatever the file says (a planted far-future time would lock the owner out)
    wait = min(state["not_before"] - now, MAX_DELAY_SECONDS)
    if wait > 0:
        seconds = int(wait) + 1
        raise AuthError("throttled", f"密码输错次数较多，请{seconds}秒后再试。", {"retry_after": seconds})


def write_throttle(paths: StorePaths, failures: int, not_before: float) -> None:
    atomic_write_bytes(paths.throttle, json.dumps({"failures": failures, "not_before": not_before}).encode())


def record_failure(paths: StorePaths, now: float) -> int:
    state = throttle_state(paths)
    failures = MAX_FAILURES if state.get("malformed") else min(state["failures"], 10**6) + 1
    # the exponent is bounded: a planted huge count must not make 2**n itself the attack
    delay = min(2 ** (min(failures, MAX_FAILURES) - 1), MAX_DELAY_SECONDS)
    write_throttle(paths, failures, now + delay)
    return delay


def clear_failures(paths: StorePaths) -> None:
    """After a good secret: a zero counter (kept, so that its absence means it was removed)."""
    write_throttle(paths, 0, 0.0)


def counter_expected(paths: StorePaths) -> bool:
    """Key slots written by this version (they carry a MAC): the counter file has been kept since."""
    try:
        return "mac" in json.loads(paths.keyslots.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def open_secret(paths: StorePaths, slots: keyslots.KeySlots, slot_id: str, secret: bytes, now: float) -> bytes:
    return open_secret_keys(paths, slots, slot_id, secret, now).master


def open_secret_keys(paths: StorePaths, slots: keyslots.KeySlots, slot_id: str, secret: bytes, now: float) -> keyslots.Opened:
    """One slot of an already read file, behind the delay (see `open_slots` for the files themselves)."""
    check_throttle(paths, now)
    try:
        opened = keyslots.unlock_slot_keys(slots, slot_id, secret)
    except AuthError as exc:
        delay = record_failure(paths, now)
        raise AuthError(exc.code, f"{exc.message}请{delay}秒后再试。", {"retry_after": delay}) from exc
    clear_failures(paths)
    return opened


@dataclass(frozen=True)
class OpenedSlots:
    opened: keyslots.Opened
    slots: keyslots.KeySlots  # the authentic file (or, when neither copy is, the one that opened)
    warnings: tuple[str, ...] = ()
    genuine: bool = True  # False: neither file passed the MAC; nothing may be written on top of it

    def require_genuine(self) -> keyslots.KeySlots:
        if not self.genuine:
            raise StoreError("keyslots_tampered", "密钥槽文件 keyslots.json 及其副本都未通过完整性校验，可能被人改动过。"
                                                  "操作未进行，数据未改动。请检查谁动过数据目录，必要时从备份恢复。")
        return self.slots


def open_slots(paths: StorePaths, slot_id: str, secret: bytes, now: float | None = None) -> OpenedSlots:
    """Every password or recovery code of this store is tried here, behind the wrong-password delay.

    The first readable file is tried; when its slot differs from the second copy's (a planted or
    edited slot) the copy's slot is tried too. Once the master key is known the file's MAC is
    checked: a tampered file is reported and the authentic copy written back over both.
    """
    now = now or time.time()
    first = keyslots.load(paths)
    copy = None if first.recovered_from_copy else keyslots.read_copy(paths)
    check_throttle(paths, now)
    used = first
    try:
        opened = keyslots.unlock_slot_keys(first, slot_id, secret)
    except (AuthError, StoreError) as exc:
        other = copy.find(slot_id) if copy is not None else None
        if other is None or other == first.find(slot_id):
            if isinstance(exc, AuthError):
                delay = record_failure(paths, now)
                raise AuthError(exc.code, f"{exc.message}请{delay}秒后再试。", {"retry_after": delay}) from exc
            raise
        try:
            opened, used = keyslots.unlock_slot_keys(copy, slot_id, secret), copy
        except AuthError as again:
            delay = record_failure(paths, now)
            raise AuthError(again.code, f"{again.message}请{delay}秒后再试。", {"retry_after": delay}) from again
    clear_failures(paths)
    warnings: list[str] = []
    genuine = keyslots.authentic(used, opened.master)
    trusted = True
    if genuine is False:
        alternative = copy if used is first else None
        if alternative is not None and keyslots.authentic(alternative, opened.master):
            used = alternative
            keyslots.save(paths, used, opened.master)
            warnings.append("密钥槽文件 keyslots.json 未通过完整性校验（可能被人改动过），已改用副本 keyslots.copy.json，"
                            "并重新写好两份。请检查谁动过数据目录。")
        else:
            trusted = False
            warnings.append("密钥槽文件 keyslots.json 及其副本都未通过完整性校验，可能被人改动过。本次已用您的密码解锁，"
                            "文件未改写。请检查谁动过数据目录，必要时从备份恢复。")
    elif genuine is None or used.recovered_from_copy or (copy is not None and copy.body != used.body):
        # a file from before the MAC, or one copy damaged: write both, authenticated
        keyslots.save(paths, used, opened.master)
        if used.recovered_from_copy:
            warnings.append("密钥槽文件 keyslots.json 已损坏，已改用副本解锁并重新写好两份。")
    slot = used.find(slot_id)
    if trusted and slot is not None and not slot.has_envelope:
        # a slot from before envelopes: rewritten now that its secret is at hand, so that re-keying
        # can later rewrap it without anyone's password
        upgraded = keyslots.seal(opened.master, used.store_id, slot_id, slot.kind, secret, new_slot_params(used),
                                 opened.role_key)
        used = replace_slot(used, upgraded)
        keyslots.save(paths, used, opened.master)
    if used.rejected:
        warnings.append("密钥槽文件中有参数超出允许范围的密钥槽（" + "、".join(used.rejected) + "），已忽略，可能被人改动过。")
    return OpenedSlots(opened, used, tuple(warnings), trusted)


# --- opening ----------------------------------------------------------------------------

def open_store(paths: StorePaths, master: bytes | keyslots.Opened, account_name: str, lock: instance_lock.StoreLock) -> Store:
    """The Store takes over `lock`; on failure the caller still owns it.

    The role key (when the slot carried one) is kept only if the signed-in account is an
    administrator: the recovery code also unwraps it, but a staff account recovered with it must
    still not read what staff may not see.
    """
    from app.services import legacy_sources
    from app.storage import schema
    from app.storage.engine import open_engine

    opened = master if isinstance(master, keyslots.Opened) else keyslots.Opened(master, None)
    engine = open_engine(paths.db, opened.master)
    try:
        upgraded = schema.upgrade(engine, paths) is not None
        store = build_store(paths, engine, opened.master, account_name, lock, opened.role_key)
        if upgraded:  # rows an older version wrote in a way the new rules read differently, audited
            legacy_sources.split_transferred(store)
    except BaseException:
        engine.dispose()
        raise
    # plain payloads an export or import killed mid-way left behind: only the lock holder works there
    shutil.rmtree(paths.sync_work, ignore_errors=True)
    return store


def build_store(paths: StorePaths, engine, master: bytes, account_name: str, lock: instance_lock.StoreLock,
                role_key: bytes | None = None) -> Store:
    from sqlmodel import Session, select

    from app.models import Account, Office, Setting
    from app.storage import rolekeys
    from app.storage.store import AccountInfo, OfficeInfo, Store

    with Session(engine) as s:
        own = s.get(Setting, "office_id")
        office = s.get(Office, own.value) if own else None
        account = s.exec(select(Account).where(Account.name == account_name)).first()
        public = s.get(Setting, rolekeys.PUBLIC_SETTING)
    if office is None:
        raise StoreError("store_incomplete", "数据库缺少本单位信息，可能是初始设置中断。请从备份恢复或重新设置。")
    if account is None or account.disabled:
        raise AuthError("account_disabled", f"账户“{account_name}”不存在或已停用。")
    holder = engine.role_keys
    holder.public = bytes.fromhex(public.value) if public is not None else None
    if role_key and account.role == "admin":
        if holder.public is not None and holder.public != rolekeys.public_of(role_key):
            # someone holding only the master key replaced the public half to read what is recorded next
            raise StoreError("role_key_mismatch", "数据库中的角色公钥与书记/管理员密钥槽中的角色密钥不符，数据库可能被改动过。"
                                                  "未打开数据库，数据未改动。请从备份恢复，并检查谁动过数据目录。")
        holder.private = role_key
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
        notes = settle(paths)
        name = account_name or default_account(paths)
        result = open_slots(paths, keyslots.account_slot_id(name), password.encode("utf-8"), now)
        warnings = notes + list(result.warnings)
        store = open_store(paths, result.opened, name, lock)
    except BaseException:
        lock.release()
        raise
    from app.storage import audit

    try:
        with store.write() as s:
            audit.note(s, "unlock", f"account:{name}", "解锁")
        from app.services import rekey  # not at the top: the unlock screen imports this module without the database stack

        finished = rekey.finish_pending(store)
    except BaseException:
        store.close()
        raise
    return Unlocked(store, tuple(warnings) + ((finished,) if finished else ()))


# --- the practice store's own password ----------------------------------------------------

def refuse_real_password(real_root, password: str, *, now: float | None = None) -> None:
    """Refuse `password` for a practice store when it opens any slot of the real store in `real_root`.

    The check waits out the real store's wrong-password delay, and a match counts as a failure there.
    A miss is not counted: it makes the practice store, and trying again means deleting that store and
    making a new one — slower per guess than copying the folder and guessing offline, which the delay
    cannot stop either — while counting every creation would make the owner's next unlock wait.
    """
    from pathlib import Path

    real = StorePaths(Path(real_root))
    if not (real.keyslots.exists() or real.keyslots_copy.exists()):
        return
    try:
        slots = keyslots.load(real)
    except StoreError:
        return  # a damaged real slot file: nothing there can open with it
    now = now or time.time()
    check_throttle(real, now)
    secret = password.encode("utf-8")
    matched = False
    for slot in slots.slots:
        if slot.kind != "password":
            continue
        try:
            if keyslots.open_slot_keys(slots, slot, secret) is not None:
                matched = True
                break
        except StoreError:
            continue
    if matched:
        record_failure(real, now)
        raise InputError("practice_password_is_real", "这个密码能打开正式数据库，不能用作练习库密码。请另设一个练习库专用的密码。"
                                                      "练习库未建立，正式数据库未改动。")


# --- an administrator's confirmation in a staff session ----------------------------------

ADMIN_REQUIRED = "admin_required"


def admin_required(what: str) -> AuthError:
    return AuthError(ADMIN_REQUIRED, f"{what}需要书记/管理员确认：本单位私钥和举报人信息只有书记/管理员的密码能解开。"
                                     "请由书记/管理员输入账户名和密码后再试，数据未改动。")


def can_read_role_data(store: Store) -> bool:
    """True when this session reads role-sealed columns in clear (an administrator, or a store
    made before role keys, where nothing is sealed)."""
    holder = store.engine.role_keys
    return holder.private is not None or holder.public is None


@contextmanager
def administrator(store: Store, account_name: str, password: str, *, purpose: str = "使用本单位私钥",
                  now: float | None = None) -> Iterator[None]:
    """For the length of the block the session reads role-sealed columns, after an administrator of
    this store confirmed with their current password (behind the wrong-password delay; audited).

    In an administrator's own session (or a store without role keys) it asks nothing.
    """
    if can_read_role_data(store):
        yield
        return
    from sqlmodel import select

    from app.models import Account
    from app.storage import audit, rolekeys

    name = (account_name or "").strip()
    opened = open_slots(store.paths, keyslots.account_slot_id(name), password.encode("utf-8"), now).opened
    if opened.master != store.master_key:
        raise StoreError("key_check_mismatch", "密钥槽与当前打开的数据库不符，未使用，数据未改动。")
    with store.read() as s:
        account = s.exec(select(Account).where(Account.name == name)).first()
    if account is None or account.disabled or account.role != "admin" or not opened.role_key:
        raise AuthError("not_admin", f"“{name}”不是可用的书记/管理员账户，不能确认。数据未改动。")
    holder = store.engine.role_keys
    if holder.public != rolekeys.public_of(opened.role_key):
        raise StoreError("role_key_mismatch", "数据库中的角色公钥与书记/管理员密钥槽不符，数据库可能被改动过。未使用，数据未改动。")
    with store.write() as s:
        audit.note(s, "admin_confirm", f"account:{name}", f"书记/管理员{name}确认身份：{purpose}（登录账户{store.account.name}）")
    holder.private = opened.role_key
    try:
        yield
    finally:
        holder.forget()


def office_private_keys(store: Store, account_name: str | None = None, password: str | None = None):
    """The office's signing key and age identity (`app.sync.keys.OwnKeys`).

    An administrator's session needs no credentials; a staff session needs an administrator's
    name and current password (see `administrator`), else AuthError `admin_required`.
    """
    from app.services import offices

    if can_read_role_data(store):
        with store.read() as s:
            return offices.own_keys(s, store.office.id)
    if not account_name or not password:
        raise admin_required("收发数据包")
    with administrator(store, account_name, password, purpose="使用本单位私钥收发数据包"):
        with store.read() as s:
            return offices.own_keys(s, store.office.id)


# --- slots --------------------------------------------------------------------------------

def reseal_password(slots: keyslots.KeySlots, master: bytes, name: str, password: str,
                    role_key: bytes | None = None) -> keyslots.KeySlots:
    """A new slot for `name`; `role_key` only for an administrator."""
    problem = password_problem(password)
    if problem:
        raise InputError("weak_password", problem)
    slot = keyslots.seal(master, slots.store_id, keyslots.account_slot_id(name), "password", password.encode("utf-8"),
                         new_slot_params(slots), role_key)
    return slots.with_slot(slot)


def replace_slot(slots: keyslots.KeySlots, slot: keyslots.Slot) -> keyslots.KeySlots:
    """`slot` in the place of the one with its id (the first account stays the default one)."""
    from dataclasses import replace

    return replace(slots, slots=tuple(slot if s.id == slot.id else s for s in slots.slots))


def new_slot_params(slots: keyslots.KeySlots) -> kdf.KdfParams:
    """A new slot's cost: this PC's calibration of the standard profile, never another slot's
    parameters (a planted first slot with the fast profile would otherwise weaken the next one).
    Only a store marked as a test store (测试库, MAC-covered) gets the fast profile."""
    return kdf.new_params("fast" if slots.test_store else "standard")


def change_password(paths: StorePaths, account_name: str | None, old: str, new: str, *, now: float | None = None) -> None:
    """Rewrap one slot; the database file is not opened, so its bytes stay as they are."""
    require_store(paths)
    name = account_name or default_account(paths)
    result = open_slots(paths, keyslots.account_slot_id(name), old.encode("utf-8"), now)
    if old == new:
        raise InputError("same_password", "新密码不能与原密码相同。")
    opened, slots = result.opened, result.require_genuine()
    # an administrator's slot keeps its role key, a staff slot stays without one
    keyslots.save(paths, reseal_password(slots, opened.master, name, new, opened.role_key), opened.master)


@dataclass
class PendingRecovery:
    """A recovery code that was right, with the new slots held in memory only: the old code stays
    valid until `commit`, which the caller runs only once the new code was shown and confirmed, so a
    crash or a closed window in between never leaves a store whose only valid code nobody saw."""

    paths: StorePaths
    store: Store
    account: str
    new_code: str
    slots: keyslots.KeySlots
    master: bytes
    done: bool = False

    def commit(self) -> Unlocked:
        from app.storage import audit

        if self.done:
            raise StoreError("recovery_finished", "这次找回已经结束，请重新开始。")
        try:
            keyslots.save(self.paths, self.slots, self.master)
            with self.store.write() as s:
                audit.note(s, "recover", f"account:{self.account}", "用恢复密钥重设密码，新恢复密钥已确认，旧恢复密钥作废")
        except BaseException:
            self.cancel()
            raise
        self.done = True
        return Unlocked(self.store)

    def cancel(self) -> None:
        """Nothing was written: the old password slots and the old recovery code stay as they were."""
        if not self.done:
            self.done = True
            self.store.close()


def begin_recovery(paths: StorePaths, account_name: str | None, code: str, new_password: str, *,
                   now: float | None = None) -> PendingRecovery:
    """Check the recovery code (behind the delay) and prepare the new password and code; writes nothing."""
    require_store(paths)
    secret = recovery_code.to_secret(code)
    problem = password_problem(new_password)
    if problem:
        raise InputError("weak_password", problem)
    from app.storage import instance_lock

    lock = instance_lock.acquire(paths)
    try:
        settle(paths)
        name = account_name or default_account(paths)
        try:
            result = open_slots(paths, keyslots.RECOVERY_SLOT, secret, now)
            opened, slots = result.opened, result.require_genuine()
        except AuthError as exc:
            if exc.code == "wrong_password":
                raise AuthError("wrong_recovery_code", exc.message.replace("账户名或密码不正确。", "恢复密钥不正确。"), exc.detail) from exc
            raise
        store = open_store(paths, opened, name, lock)
    except BaseException:
        lock.release()
        raise
    try:
        new_code = recovery_code.generate()
        master = opened.master
        slots = reseal_password(slots, master, name, new_password, opened.role_key if store.account.is_admin else None)
        slots = slots.with_slot(
            keyslots.seal(master, slots.store_id, keyslots.RECOVERY_SLOT, "recovery", recovery_code.to_secret(new_code),
                          new_slot_params(slots), opened.role_key)
        )
    except BaseException:
        store.close()
        raise
    return PendingRecovery(paths, store, name, new_code, slots, master)


def recover(paths: StorePaths, account_name: str | None, code: str, new_password: str, *, now: float | None = None) -> tuple[Unlocked, str]:
    """Unlock with the recovery code, set a new password and replace the code (it works once).

    For callers that have already shown the new code; the GUI and the CLI use `begin_recovery`,
    show the code, and commit after it was confirmed.
    """
    pending = begin_recovery(paths, account_name, code, new_password, now=now)
    return pending.commit(), pending.new_code
