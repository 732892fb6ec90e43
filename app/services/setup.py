"""First start: create the encrypted store, the office, the first (admin) account and the slots.

Everything is built in a staging folder and moved into place at the end, so an interrupted
set-up never leaves a half-made store where `init` would refuse to run again.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, replace

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app.domain import text_hygiene as hygiene
from app.domain.password_rule import password_problem
from app.errors import InputError, StoreError
from app.models import Account, Office, Setting
from app.paths import StorePaths
from app.services import offices, unlock
from app.storage import audit, instance_lock, kdf, keyslots, private, recovery_code, rolekeys, schema
from app.storage.atomic import fsync_dir
from app.storage.engine import checkpoint, open_engine

TEST_STORE_ENV = "JIANTONG_TEST_STORES"
LEVELS = {"township": "乡镇纪委", "county": "县纪委", "city": "市纪委"}
DEFAULT_SETTINGS = {
    "auto_lock_minutes": 10,
    "due_soon_working_days": 3,
    "font_body": "仿宋_GB2312",
    "font_title": "方正小标宋简体",
    "font_heading": "黑体",
    "font_kai": "楷体_GB2312",
}


@dataclass(frozen=True)
class SetupRequest:
    office_code: str
    office_name: str
    level: str
    account: str
    password: str
    parent_code: str | None = None
    office_abbr: str = ""
    kdf_profile: str = "standard"
    test_store: bool = False  # the explicit flag the fast profile needs (or env JIANTONG_TEST_STORES=1)
    setup_package: object | None = None  # offices.SetupPackage from the county (or city)


@dataclass(frozen=True)
class SetupResult:
    office_code: str
    office_id: str
    recovery_code: str
    fingerprint: str = ""
    parent_fingerprint: str = ""


def validate(req: SetupRequest) -> None:
    code = req.office_code.strip()
    if not code:
        raise InputError("bad_office_code", "单位代码不能为空。")
    if len(code) > 32 or not all(c.isascii() and (c.isalnum() or c == "-") for c in code):
        raise InputError("bad_office_code", "单位代码须为32位以内的字母、数字或连字符。")
    if not req.office_name.strip():
        raise InputError("bad_office_name", "请填写单位名称。")
    if req.level not in LEVELS:
        raise InputError("bad_level", "单位级别须为 township（乡镇纪委）、county（县纪委）或 city（市纪委）。")
    if req.level != "city" and not (req.parent_code or "").strip():
        raise InputError("parent_required", "乡镇纪委和县纪委须填写上级单位代码。")
    if not req.account.strip() or ":" in req.account:
        raise InputError("bad_account", "账户名不能为空，也不能含冒号。")
    problem = password_problem(req.password)
    if problem:
        raise InputError("weak_password", problem)
    if req.kdf_profile not in kdf.PROFILES:
        raise InputError("bad_kdf_profile", "密钥派生配置须为 standard 或 fast。")
    if req.kdf_profile == "fast" and not (req.test_store or os.environ.get(TEST_STORE_ENV) == "1"):
        raise InputError("fast_kdf_needs_test_flag", "快速密钥派生（fast）只用于测试库，密码很容易被猜出，真实数据库不能使用。"
                                                     "如确为测试，请同时加上 --test-store。未建立数据库。")


def create_store(paths: StorePaths, req: SetupRequest) -> SetupResult:
    if req.setup_package is not None:  # the office is the one the county registered
        entry = req.setup_package.office
        req = replace(req, office_code=entry["code"], office_name=entry["name"], level=entry["level"],
                      parent_code=entry["parent_code"], office_abbr=req.office_abbr or entry["abbr"])
    req = replace(req, office_name=hygiene.clean(req.office_name, hygiene.NAME, "单位名称"),
                  office_abbr=hygiene.clean(req.office_abbr or "", hygiene.NAME, "单位简称"),
                  account=hygiene.clean(req.account, hygiene.NAME, "账户名"))
    validate(req)
    refuse_existing(paths)
    # two set-ups racing on one folder: the second is refused instead of moving its files over the first's
    with instance_lock.held(paths):
        from app.services import backup

        # a restore onto this empty folder that a crash interrupted is finished, never built over
        backup.finish_interrupted(paths)
        refuse_existing(paths)
        return build_in_place(paths, req)


def refuse_existing(paths: StorePaths) -> None:
    if paths.exists():
        raise StoreError("store_exists", f"“{paths.root}”中已有纪案通数据库，不会覆盖。如需重新设置，请先移走原有文件。")


def build_in_place(paths: StorePaths, req: SetupRequest) -> SetupResult:
    staging = StorePaths(paths.root / f".setup-{os.getpid()}")
    shutil.rmtree(staging.root, ignore_errors=True)
    staging.root.mkdir(mode=private.DIR_MODE)
    try:
        result = build(staging, req)
        private.tighten_store(staging)  # store.db owner-only before it is moved in; SQLite gives its WAL the same mode
        # the wrong-password counter exists from the start: its absence later means it was removed
        unlock.clear_failures(paths)
        # keyslots last: a store without slots is never mistaken for a finished one
        for name in ("store.db", "keyslots.copy.json", "keyslots.json"):
            os.replace(staging.root / name, paths.root / name)
        fsync_dir(paths.root)
    finally:
        shutil.rmtree(staging.root, ignore_errors=True)
    return result


def build(staging: StorePaths, req: SetupRequest) -> SetupResult:
    master = os.urandom(32)
    role_key = rolekeys.generate()  # wrapped only in the administrator and recovery slots below
    store_uuid = uuid.uuid4().hex
    engine = open_engine(staging.db, master, rolekeys.RoleKeys(rolekeys.public_of(role_key), role_key))
    try:
        schema.upgrade(engine, staging)
        factory = sessionmaker(engine, class_=Session)
        audit.install(factory)
        with factory() as s:
            package = req.setup_package
            if package is not None:  # the registry entry the county made: same id in both stores
                office = Office(**package.office)
            else:
                office = Office(code=req.office_code.strip(), name=req.office_name.strip(), level=req.level,
                                parent_code=(req.parent_code or "").strip() or None, abbr=req.office_abbr.strip())
                office.owner_office_id = office.id
            s.info.update(office_id=office.id, actor=req.account.strip())
            s.add(office)
            s.add(Setting(key="office_id", value=office.id))
            s.add(Setting(key="store_id", value=store_uuid))
            s.add(Setting(key=rolekeys.PUBLIC_SETTING, value=rolekeys.public_of(role_key).hex()))
            s.add_all(Setting(key=k, value=v) for k, v in DEFAULT_SETTINGS.items())
            s.add(Account(name=req.account.strip(), role="admin"))
            office_fingerprint = offices.create_own_keys(s, office).fingerprint
            if package is not None:
                s.flush()
                offices.apply_setup_package(s, package)
            audit.note(s, "init", f"office:{office.id}", "初始设置：建立数据库、本单位和管理员账户")
            s.commit()
            office_id = office.id
        checkpoint(engine)
    finally:
        engine.dispose()
    profile = req.kdf_profile
    account_params = kdf.new_params(profile)
    code = recovery_code.generate()
    # the fast KDF marks the whole store as a test store (测试库): status, the title bar and the 同步 page say so
    slots = keyslots.KeySlots(store_uuid, keyslots.key_check(master), test_store=profile == "fast")
    slots = slots.with_slot(keyslots.seal(master, store_uuid, keyslots.account_slot_id(req.account.strip()), "password",
                                          req.password.encode("utf-8"), account_params, role_key))
    recovery_params = kdf.new_params(profile, account_params.iterations)
    slots = slots.with_slot(keyslots.seal(master, store_uuid, keyslots.RECOVERY_SLOT, "recovery",
                                          recovery_code.to_secret(code), recovery_params, role_key))
    keyslots.save(staging, slots, master)
    return SetupResult(req.office_code.strip(), office_id, code, office_fingerprint,
                       req.setup_package.fingerprint if req.setup_package is not None else "")
