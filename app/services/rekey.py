"""Re-keying: a new master key and a new role key, every remaining slot rewrapped.

Run when an account is disabled and when an administrator says a password may be known: afterwards
old copies of `keyslots.json` and the slots inside old backups no longer open the current store
(its key check no longer matches, so `restore` also treats such backups as another store).

No password other than the administrator's own is needed: each slot holds its own X25519 key pair
(private half under the password, docs/STORAGE.md §3), so a new envelope is sealed to its public half.
The database is re-encrypted with `sqlcipher_export` into a staged copy under the new key (SQLCipher's
rekey, done as a copy so that the live file is never half re-encrypted), the role-sealed columns are
re-sealed to the new role key in that copy, and the copy and the new slots are swapped in through the
same journal as a restore (app/services/backup.py): killed at any point, the next start either finds
nothing changed (before the journal; a re-key a disable asked for is then redone at the next
administrator's unlock) or finishes the swap.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from app.errors import AuthError, StoreError
from app.models import Account, Setting
from app.storage import audit, keyslots, rolekeys
from app.storage.engine import checkpoint, key_pragma, open_engine
from app.storage.store import Store

ROLE_COLUMNS = {"reporter": ("name", "phone", "id_number", "address"), "office_key": ("sign_private", "age_identity")}
# Set in the transaction that disables an account, cleared inside the re-keyed copy: a re-key killed
# before its journal is then redone at the next administrator's unlock (finish_pending).
PENDING_SETTING = "rekey_pending"


def mark_pending(s: Session, reason: str) -> None:
    s.merge(Setting(key=PENDING_SETTING, value=reason))


def finish_pending(store: Store) -> str | None:
    """After an administrator's unlock: a re-key a disable asked for and a crash stopped is done now.
    Returns what to tell the user, or None when nothing was pending."""
    with store.read() as s:
        pending = s.get(Setting, PENDING_SETTING)
    if pending is None or not store.account.is_admin:
        return None
    try:
        rekey(store, f"{pending.value}（上次未完成，解锁时补做）")
    except StoreError as exc:
        return f"上次{pending.value}后未能更换数据库密钥：{exc.message}"
    return f"上次{pending.value}后更换数据库密钥未完成（程序曾意外退出），本次解锁时已补做。"


def rekey(store: Store, reason: str) -> None:
    """Re-key the open store in place; the Store keeps working with the new keys afterwards."""
    from app.services import backup

    if not store.account.is_admin:
        raise AuthError("admin_only", "只有书记/管理员账户可以更换数据库密钥。未作任何改动。")
    paths = store.paths
    holder = store.engine.role_keys
    if holder.public is not None and holder.private is None:
        raise AuthError("admin_required", "更换密钥需要本单位角色密钥，请以书记/管理员身份解锁后再试。未作任何改动。")
    slots = keyslots.load_authentic(paths, store.master_key)
    old_format = [s.id for s in slots.slots if not s.has_envelope]
    if old_format:
        names = "、".join(s.split(":", 1)[-1] if s != keyslots.RECOVERY_SLOT else "恢复密钥" for s in old_format)
        raise StoreError("slots_need_upgrade", f"以下密钥槽还是旧版本格式，无法在不知道其密码的情况下改写：{names}。"
                                               "请这些账户各自登录一次（恢复密钥需用一次），再更换密钥。未作任何改动。")
    with store.read() as s:
        roles = {a.name: a.role for a in s.exec(select(Account).where(Account.disabled == False)).all()}  # noqa: E712
    new_master = os.urandom(32)
    # always a role key afterwards: a store made before role keys gets its first one here
    new_role = rolekeys.generate()

    staging = Path(tempfile.mkdtemp(dir=paths.root, prefix=".restore-rekey-"))
    staged_db = staging / "store.db"
    try:
        export_with_key(store, staged_db, new_master)
        reseal_columns(staged_db, new_master, holder.private, new_role)
        note(staged_db, new_master, new_role, store, reason)
        kept = []
        for slot in slots.slots:
            if slot.kind == "password":
                name = slot.id.split(":", 1)[1]
                if name not in roles:
                    continue  # a disabled or unknown account: its slot goes
                kept.append(keyslots.rewrap(slot, slots.store_id, new_master, new_role if roles[name] == "admin" else None))
            else:
                kept.append(keyslots.rewrap(slot, slots.store_id, new_master, new_role))
        from dataclasses import replace

        final = keyslots.serialise(replace(slots, slots=tuple(kept)), new_master)
        from app.storage.private import tighten

        tighten(staged_db)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    # from here on the live file is replaced: no pooled connection may keep the old one open
    checkpoint(store.engine)
    store.engine.dispose()
    backup.crash_point("rekey_prepared")
    backup.swap_journaled(paths, staging, final, discard_old=True)
    reopen(store, new_master, new_role)


def export_with_key(store: Store, target: Path, new_master: bytes) -> None:
    """SQLCipher's own export of every table, index and trigger into a new file under `new_master`."""
    raw = store.engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        cur.execute(f"ATTACH DATABASE ? AS rekeyed KEY \"x'{new_master.hex()}'\"", (str(target),))
        try:
            cur.execute("SELECT sqlcipher_export('rekeyed')")
            version = cur.execute("PRAGMA main.user_version").fetchone()[0]
            cur.execute(f"PRAGMA rekeyed.user_version = {int(version)}")
        finally:
            cur.execute("DETACH DATABASE rekeyed")
    finally:
        raw.close()


def reseal_columns(db: Path, master: bytes, old_role: bytes | None, new_role: bytes) -> None:
    """Every role-sealed value opened with the old role key (plain values of a store made before role
    keys pass through as they are) and sealed to the new one, in one transaction."""
    from app.storage.driver import sqlcipher

    old = rolekeys.RoleKeys(rolekeys.public_of(old_role), old_role) if old_role else rolekeys.RoleKeys()
    new = rolekeys.RoleKeys(rolekeys.public_of(new_role), new_role)
    conn = sqlcipher.connect(str(db), isolation_level=None)
    try:
        conn.execute(key_pragma(master))
        conn.execute("PRAGMA cipher_compatibility = 4")
        conn.create_function("jt_reseal", 2, lambda value, label: new.seal(old.open(value, label), label))
        conn.execute("BEGIN IMMEDIATE")
        for table, columns in ROLE_COLUMNS.items():
            sets = ", ".join(f"{c} = jt_reseal({c}, '{table}.{c}')" for c in columns)
            conn.execute(f"UPDATE {table} SET {sets}")
        conn.execute("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
                     (rolekeys.PUBLIC_SETTING, f'"{new.public.hex()}"'))
        conn.execute("COMMIT")
    finally:
        conn.close()


def note(db: Path, master: bytes, role: bytes, store: Store, reason: str) -> None:
    """The audit event, inside the re-keyed copy (so it exists exactly when the re-key does)."""
    engine = open_engine(db, master, rolekeys.RoleKeys(rolekeys.public_of(role), role))
    try:
        factory = sessionmaker(engine, class_=Session)
        audit.install(factory)
        with factory() as s:
            s.info.update(office_id=store.office.id, actor=store.account.name)
            audit.note(s, "rekey", "store:keys", f"更换数据库密钥和角色密钥：{reason}；各账户密码不变，旧密钥槽文件和旧备份不再能打开本库")
            pending = s.get(Setting, PENDING_SETTING)
            if pending is not None:  # done exactly when the re-keyed copy is swapped in
                s.delete(pending)
            s.commit()
        checkpoint(engine)
    finally:
        engine.dispose()


def reopen(store: Store, master: bytes, role: bytes) -> None:
    """The same Store object on the re-keyed file: pages holding it keep working."""
    with Session(open_engine(store.paths.db, master)) as probe:  # proves the new key before it is adopted
        public = probe.get(Setting, rolekeys.PUBLIC_SETTING)
        probe.get_bind().dispose()
    holder = rolekeys.RoleKeys(bytes.fromhex(public.value) if public is not None else None, role)
    engine = open_engine(store.paths.db, master, holder)
    store.engine = engine
    store.master_key = master
    store.factory = sessionmaker(engine, class_=Session, expire_on_commit=False)
    audit.install(store.factory)
