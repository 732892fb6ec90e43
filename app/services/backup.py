"""Backup and restore of the encrypted store.

A backup is one zip file (stored, not compressed: the pages are ciphertext) holding a consistent
copy of `store.db` made with SQLite's online backup API (still encrypted with the same key), the
key slots at that moment, and a manifest with sha256 of both. Restore verifies all of it — hashes,
key, cipher page HMACs and the audit chain — in a staging folder before it swaps files, and keeps
the replaced store under `restore-previous/`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from app.errors import AuthError, InputError, StoreError
from app.models import Account
from app.paths import StorePaths
from app.storage import audit, keyslots, schema
from app.storage.atomic import atomic_write, atomic_write_bytes, fsync_dir
from app.storage.driver import sqlcipher
from app.storage.engine import key_pragma, open_engine
from app.storage.private import private_dir, tighten
from app.storage.store import Store

FORMAT = "jiantong-backup"
MEMBERS = ("manifest.json", "store.db", "keyslots.json")
MAX_MEMBER_BYTES = 64 * 1024**3


@dataclass(frozen=True)
class BackupResult:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class RestoreResult:
    office_code: str
    events: int
    previous: str | None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def copy_database(store: Store, target: Path) -> None:
    """Consistent copy while the app may keep writing: SQLite's online backup, same key."""
    source = store.engine.raw_connection()
    dest = sqlcipher.connect(str(target), isolation_level=None)
    try:
        dest.execute(key_pragma(store.master_key))
        dest.execute("PRAGMA cipher_compatibility = 4")
        source.driver_connection.backup(dest)
    finally:
        dest.close()
        source.close()


def backup(store: Store, out: Path) -> BackupResult:
    out = Path(out)
    if not out.parent.is_dir():
        raise InputError("no_folder", f"目标文件夹“{out.parent}”不存在。")
    with tempfile.TemporaryDirectory(dir=store.paths.root, prefix=".backup-") as tmp:
        db_copy = Path(tmp) / "store.db"
        try:
            copy_database(store, db_copy)
        except sqlcipher.Error as exc:
            # SQLite reports a full disk as SQLITE_FULL or, past a file-size limit, as an I/O error
            raise StoreError("disk_full", "磁盘空间不足或无法写入，备份未完成。请清理磁盘或换一个位置后重试，原有文件未改动。") from exc
        slots_raw = store.paths.keyslots.read_bytes() if store.paths.keyslots.exists() else store.paths.keyslots_copy.read_bytes()
        manifest = {
            "format": FORMAT,
            "version": 1,
            "store_id": keyslots.parse(slots_raw).store_id,
            "office_code": store.office.code,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "schema_version": schema.current_revision(store.engine),
            "sha256": {"store.db": sha256_file(db_copy), "keyslots.json": hashlib.sha256(slots_raw).hexdigest()},
        }

        def write(fh) -> None:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
                zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
                zf.write(db_copy, "store.db")
                zf.writestr("keyslots.json", slots_raw)

        atomic_write(out, write)
    with store.write() as s:
        audit.note(s, "backup", f"file:{out.name}", "备份数据库")
    return BackupResult(str(out), out.stat().st_size, sha256_file(out))


def read_backup(file: Path, staging: Path) -> tuple[dict, keyslots.KeySlots]:
    """Check the zip's shape and hashes and extract it into `staging`."""
    bad = InputError("bad_backup", f"“{file.name}”不是有效的纪案通备份文件，或文件已损坏。当前数据未改动。")
    try:
        with zipfile.ZipFile(file) as zf:
            infos = zf.infolist()
            if sorted(i.filename for i in infos) != sorted(MEMBERS) or any(i.file_size > MAX_MEMBER_BYTES for i in infos):
                raise bad
            manifest = json.loads(zf.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise bad
            for name in ("store.db", "keyslots.json"):
                target = staging / name
                with zf.open(name) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
                if sha256_file(target) != manifest["sha256"][name]:
                    raise bad
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise bad from exc
    try:
        slots = keyslots.parse((staging / "keyslots.json").read_bytes())
    except (ValueError, KeyError, TypeError) as exc:
        raise bad from exc
    if slots.store_id != manifest.get("store_id"):
        raise bad
    return manifest, slots


def active_admins(engine) -> set[str]:
    with Session(engine) as s:
        return set(s.exec(select(Account.name).where(Account.disabled == False, Account.role == "admin")).all())  # noqa: E712


def active_accounts(engine) -> set[str]:
    with Session(engine) as s:
        return set(s.exec(select(Account.name).where(Account.disabled == False)).all())  # noqa: E712


def is_practice_db(engine) -> bool:
    from app.services.practice_flag import is_practice_in

    with Session(engine) as s:
        return is_practice_in(s)


def current_admin_master(paths: StorePaths, account: str | None, password: str, now: float | None) -> tuple[bytes, str]:
    """This store's master key from an active administrator's current slot, behind the delay."""
    from app.services import unlock

    name = account or unlock.default_account(paths)
    opened = unlock.open_slots(paths, keyslots.account_slot_id(name), password.encode("utf-8"), now)
    opened.require_genuine()
    if not opened.opened.role_key and opened.slots.find(keyslots.account_slot_id(name)) is not None \
            and any(s.has_role_key for s in opened.slots.slots):
        raise AuthError("admin_only", f"从备份恢复需要本库书记/管理员的密码，“{name}”不是书记/管理员账户。当前数据未改动。")
    engine = open_engine(paths.db, opened.opened.master)
    try:
        admins = active_admins(engine)
    finally:
        engine.dispose()
    if name not in admins:
        raise AuthError("admin_only", f"从备份恢复需要本库在用的书记/管理员账户的密码，“{name}”不是。当前数据未改动。")
    return opened.opened.master, name


def backup_admin_master(paths: StorePaths, backup_slots: keyslots.KeySlots, staged: StorePaths, account: str | None,
                        password: str, now: float | None) -> tuple[bytes, str]:
    """The backup's master key from one of ITS administrators (a store replaced, or a new PC),
    behind this data folder's delay."""
    from app.services import unlock

    name = account or next((s.id.split(":", 1)[1] for s in backup_slots.slots if s.kind == "password"), "")
    master = unlock.open_secret(paths, backup_slots, keyslots.account_slot_id(name), password.encode("utf-8"),
                                now or time.time())
    engine = open_engine(staged.db, master)
    try:
        admins = active_admins(engine)
    finally:
        engine.dispose()
    if name not in admins:
        raise AuthError("admin_only", f"用此备份建立或替换数据库需要备份中书记/管理员账户的密码，“{name}”不是。当前数据未改动。")
    return master, name


def restore(paths: StorePaths, file: Path, account: str | None, password: str, *, replace_store: bool = False,
            backup_account: str | None = None, backup_password: str | None = None, now: float | None = None) -> RestoreResult:
    """Replace the store with a verified backup. The store must not be open anywhere.

    With a store in place: an active administrator's current password of THIS store, and a backup of
    this store (same master key: its key check matches). A backup of another store replaces this one
    only with `replace_store` and that backup's own administrator password as well. Without a store
    (a new PC): the backup's administrator. Every try goes through the wrong-password delay; the
    restore is audited inside the restored database; the swap is journaled (`finish_interrupted`).
    A practice store takes only practice backups, a real store only real ones.
    """
    file = Path(file)
    if not file.is_file():
        raise InputError("no_file", f"找不到备份文件“{file}”。")
    private_dir(paths.root)
    finish_interrupted(paths)
    had_store = paths.exists()
    if had_store and not paths.db.exists():
        raise StoreError("store_missing", "数据目录中有密钥槽文件但没有数据库文件 store.db，无法核对当前数据库。"
                                          "请先把这个数据目录整个移走，再从备份恢复到空目录。当前数据未改动。")
    practice_target = paths.root.name == "practice"
    staging = Path(tempfile.mkdtemp(dir=paths.root, prefix=".restore-"))
    try:
        manifest, backup_slots = read_backup(file, staging)
        staged = StorePaths(staging)
        replaced_by = ""
        if had_store:
            master, who = current_admin_master(paths, account, password, now)
            same = hmac.compare_digest(keyslots.key_check(master, with_mac=backup_slots.mac is not None),
                                       backup_slots.key_check)
            if not same and not replace_store:
                raise InputError("other_store", "该备份不属于当前数据库（密钥校验值不同），不能用来恢复。当前数据未改动。"
                                                "如确要用另一个数据库整个替换当前数据库，请明确选择“替换为另一个数据库”，"
                                                "并提供该备份中书记/管理员的密码。")
            if not same:
                if not backup_password:
                    raise AuthError("backup_admin_required", "替换为另一个数据库还需要该备份中书记/管理员的密码。当前数据未改动。")
                master, backup_who = backup_admin_master(paths, backup_slots, staged, backup_account, backup_password, now)
                replaced_by, who = who, backup_who
        else:
            same = False
            master, who = backup_admin_master(paths, backup_slots, staged, backup_account or account,
                                              backup_password or password, now)
        engine = open_engine(staged.db, master)
        try:
            problems = schema.cipher_integrity(engine)
            with Session(engine) as s:
                chain = audit.verify_chain(s)
            active = active_accounts(engine)
            practice_backup = is_practice_db(engine)
        finally:
            engine.dispose()
        if problems or not chain.ok:
            raise InputError("backup_damaged", f"备份文件校验未通过（{'; '.join(problems[:2]) or chain.reason}），当前数据未改动。")
        if practice_target and not practice_backup:
            raise InputError("not_practice_backup", "这是正式数据库的备份，不能恢复到练习库。当前数据未改动。")
        if not practice_target and practice_backup:
            raise InputError("practice_backup", "这是练习库的备份，不能恢复为正式数据库。当前数据未改动。")
        how = "恢复本库的备份" if same else (f"用另一个数据库的备份替换当前数据库（原库书记/管理员{replaced_by}确认）" if had_store
                                             else "在空数据目录中从备份建立数据库")
        note_restore(staged, master, who, file.name, how, manifest)
        final_slots = restored_slots(paths, staged, backup_slots, same, active, master)
        previous = swap_in(paths, staged, final_slots, had_store)
    finally:
        if not (paths.root / JOURNAL).exists():  # a journaled swap needs its staging copy to finish
            shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(manifest.get("office_code", ""), chain.events + 1, previous)


def note_restore(staged: StorePaths, master: bytes, account: str, file_name: str, how: str, manifest: dict) -> None:
    """The restore's audit event, written into the verified copy before it is swapped in."""
    from sqlalchemy.orm import sessionmaker

    from app.models import Setting

    engine = open_engine(staged.db, master)
    try:
        factory = sessionmaker(engine, class_=Session)
        audit.install(factory)
        with factory() as s:
            own = s.get(Setting, "office_id")
            s.info.update(office_id=own.value if own else "", actor=account)
            audit.note(s, "restore", f"file:{file_name}", f"{how}（备份时间{manifest.get('created_at', '')}）")
            s.commit()
        from app.storage.engine import checkpoint

        checkpoint(engine)
    finally:
        engine.dispose()


def restored_slots(paths: StorePaths, staged: StorePaths, backup_slots: keyslots.KeySlots, same: bool,
                   active_accounts: set[str], master: bytes) -> bytes:
    """The key slot file the restored store gets. Same store: today's slots (the backup's own may
    hold passwords changed since), less accounts the restored database does not know. Otherwise the
    backup's slots."""
    slots = keyslots.load_authentic(paths, master) if same else backup_slots
    if same:
        for slot_id in [x.id for x in slots.slots if x.kind == "password" and x.id.split(":", 1)[1] not in active_accounts]:
            slots = slots.without_slot(slot_id)
    return keyslots.serialise(slots, master)


JOURNAL = "restore-journal.json"


def swap_in(paths: StorePaths, staged: StorePaths, slots_raw: bytes, had_store: bool) -> str | None:
    """Move the verified copy into place, journaled: from the moment the journal exists the restore
    is finished by `finish_interrupted`, whatever point a crash stops it at."""
    aside = None
    if had_store:
        aside = paths.root / "restore-previous" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        private_dir(aside)
    swap_journaled(paths, staged.root, slots_raw, aside=aside)
    return str(aside) if aside else None


def swap_journaled(paths: StorePaths, staging: Path, slots_raw: bytes, *, aside: Path | None = None,
                   discard_old: bool = False) -> None:
    """The journaled swap shared by restore and re-keying (app/services/rekey.py): `staging` holds the
    verified `store.db`; the replaced store goes to `aside`, or is discarded (re-keying: a copy under
    the old key is exactly what re-keying must not leave behind)."""
    atomic_write_bytes(staging / "keyslots.final.json", slots_raw)
    journal = {"staging": staging.name, "aside": str(aside.relative_to(paths.root)) if aside else None,
               "discard_old": discard_old, "store_sha256": sha256_file(staging / "store.db")}
    atomic_write_bytes(paths.root / JOURNAL, json.dumps(journal).encode())
    crash_point("journal_written")
    complete(paths, journal)


def crash_point(name: str) -> None:
    """The fault tests stop a real restore or re-key here (tests/faults): env JIANTONG_CRASH_AT names the point."""
    if os.environ.get("JIANTONG_CRASH_AT") == f"swap:{name}":
        os.kill(os.getpid(), 9)


def complete(paths: StorePaths, journal: dict) -> None:
    """Every step checks before it acts, so running it again after a crash at any point is safe."""
    staging = paths.root / journal["staging"]
    aside = paths.root / journal["aside"] if journal.get("aside") else None
    staged_db = staging / "store.db"
    if aside is not None:
        private_dir(aside)
        if not (aside / "keyslots.json").exists():  # today's slots, before anything replaces them
            source = paths.keyslots if paths.keyslots.exists() else paths.keyslots_copy
            if source.exists():
                shutil.copy2(source, aside / "keyslots.json")
        if staged_db.exists():  # what sits at store.db is still the old store
            # WAL companions first: a stale WAL left beside the new file would be replayed into it
            for part in (*paths.sidecars(), paths.db):
                if part.exists():
                    os.replace(part, aside / part.name)
                    crash_point(f"moved_{part.name}")
    if staged_db.exists() and journal.get("discard_old"):
        # the old file's WAL companions must never be replayed into the new one
        for part in paths.sidecars():
            part.unlink(missing_ok=True)
            crash_point(f"removed_{part.name}")
    if staged_db.exists():
        tighten(staged_db)
        os.replace(staged_db, paths.db)
        crash_point("database_moved")
    final = staging / "keyslots.final.json"
    if final.exists():
        raw = final.read_bytes()
        atomic_write_bytes(paths.keyslots, raw)
        crash_point("keyslots_written")
        atomic_write_bytes(paths.keyslots_copy, raw)
    fsync_dir(paths.root)
    (paths.root / JOURNAL).unlink(missing_ok=True)
    fsync_dir(paths.root)
    shutil.rmtree(staging, ignore_errors=True)


def finish_interrupted(paths: StorePaths) -> str | None:
    """A restore a crash stopped after its journal: finish it (the copy was verified before the
    journal was written). Returns the user's sentence, or None when there was nothing to do.
    The caller holds the data directory's instance lock."""
    path = paths.root / JOURNAL
    try:
        journal = json.loads(path.read_text("utf-8"))
        staging = paths.root / journal["staging"]
    except FileNotFoundError:
        # staging folders of restores killed before their journal: nothing had been changed yet
        for leftover in paths.root.glob(".restore-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        return None
    except (OSError, ValueError, KeyError, TypeError):
        raise StoreError("restore_journal_damaged", f"上次从备份恢复被中断，且其记录文件 {JOURNAL} 已损坏，无法自动完成。"
                                                   "请不要删除数据目录中的任何文件，联系技术人员处理。") from None
    if not (staging / "keyslots.final.json").exists() and not (staging / "store.db").exists() and paths.db.exists():
        path.unlink(missing_ok=True)  # everything was in place; only the journal was left
        shutil.rmtree(staging, ignore_errors=True)
        return "上次从备份恢复在最后一步被中断，恢复其实已经完成。"
    complete(paths, journal)
    if journal.get("discard_old"):
        return "上次更换数据库密钥被中断，现已完成更换（新库在中断前已准备好）。"
    where = f"原数据库保存在：{paths.root / journal['aside']}。" if journal.get("aside") else ""
    return f"上次从备份恢复被中断，现已完成恢复（备份已在中断前校验无误）。{where}"
