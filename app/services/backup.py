"""Backup and restore of the encrypted store.

A backup is one zip file (stored, not compressed: the pages are ciphertext) holding a consistent
copy of `store.db` made with SQLite's online backup API (still encrypted with the same key), the
key slots at that moment, and a manifest with sha256 of both. Restore verifies all of it — hashes,
key, cipher page HMACs and the audit chain — in a staging folder before it swaps files, and keeps
the replaced store under `restore-previous/`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from sqlmodel import Session, select

from app.errors import AuthError, InputError, StoreError
from app.models import Account
from app.paths import StorePaths
from app.storage import audit, keyslots, schema
from app.storage.atomic import atomic_write, fsync_dir
from app.storage.engine import key_pragma, open_engine
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


def master_key_for(paths: StorePaths, backup_slots: keyslots.KeySlots, account: str | None, password: str) -> bytes:
    """The same store keeps one master key for life: today's password opens it, or the backup's."""
    candidates = []
    if paths.exists():
        current = keyslots.load(paths)
        if current.store_id != backup_slots.store_id:
            raise InputError("other_store", "该备份属于另一个数据库，不能覆盖当前数据库。如需换用，请先把当前数据目录移走。")
        candidates.append(current)
    candidates.append(backup_slots)
    for slots in candidates:
        name = account or next((s.id.split(":", 1)[1] for s in slots.slots if s.kind == "password"), "")
        slot = slots.find(keyslots.account_slot_id(name))
        master = keyslots.open_slot(slots, slot, password.encode("utf-8")) if slot else None
        if master:
            return master
    raise AuthError("wrong_password", "密码不正确，无法打开此备份。当前数据未改动。")


def restore(paths: StorePaths, file: Path, account: str | None, password: str) -> RestoreResult:
    """Replace the store with a verified backup. The store must not be open anywhere."""
    file = Path(file)
    if not file.is_file():
        raise InputError("no_file", f"找不到备份文件“{file}”。")
    paths.root.mkdir(parents=True, exist_ok=True)
    had_store = paths.exists()
    staging = Path(tempfile.mkdtemp(dir=paths.root, prefix=".restore-"))
    try:
        manifest, backup_slots = read_backup(file, staging)
        master = master_key_for(paths, backup_slots, account, password)
        staged = StorePaths(staging)
        engine = open_engine(staged.db, master)
        try:
            problems = schema.cipher_integrity(engine)
            with Session(engine) as s:
                chain = audit.verify_chain(s)
                active = set(s.exec(select(Account.name).where(Account.disabled == False)).all())  # noqa: E712
        finally:
            engine.dispose()
        if problems or not chain.ok:
            raise InputError("backup_damaged", f"备份文件校验未通过（{'; '.join(problems[:2]) or chain.reason}），当前数据未改动。")
        previous = swap_in(paths, staged, had_store, active)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(manifest.get("office_code", ""), chain.events, previous)


def swap_in(paths: StorePaths, staged: StorePaths, had_store: bool, active_accounts: set[str]) -> str | None:
    """Move the verified copy into place. Today's slots are kept (the master key never changes),
    less those of accounts the restored database does not know."""
    previous = None
    if had_store:
        aside = paths.root / "restore-previous" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside.mkdir(parents=True)
        # WAL companions first: a stale WAL left beside the new file would be replayed into it
        for part in (*paths.sidecars(), paths.db):
            if part.exists():
                os.replace(part, aside / part.name)
        shutil.copy2(paths.keyslots if paths.keyslots.exists() else paths.keyslots_copy, aside / "keyslots.json")
        previous = str(aside)
    os.replace(staged.db, paths.db)
    if had_store:
        slots = keyslots.load(paths)
        stale = [x.id for x in slots.slots if x.kind == "password" and x.id.split(":", 1)[1] not in active_accounts]
        for slot_id in stale:
            slots = slots.without_slot(slot_id)
        if stale:
            keyslots.save(paths, slots)
    else:
        os.replace(staged.keyslots, paths.keyslots)
        shutil.copy2(paths.keyslots, paths.keyslots_copy)
    fsync_dir(paths.root)
    return previous
