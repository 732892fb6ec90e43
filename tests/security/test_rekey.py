"""Re-keying (issue 18 point 2): disabling an account, or an administrator's "password may be known",
makes a new master key and role key and rewraps every remaining slot, so an old `keyslots.json`, the
disabled password and an old backup no longer open the current store. Real files, real SQLCipher,
the CLI as its own process; crash safety: tests/faults/test_restore_crash.py."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from app.errors import AuthError, InputError, StoreError
from app.paths import store_paths
from app.services import accounts, backup, cases, reporters, search, status, unlock
from app.storage import keyslots, rolekeys
from app.storage.engine import key_pragma
from tests.integration.test_case_paths import CLUE
from tests.security.security_support import PASSWORD, cli, make_township

STAFF, STAFF_PASSWORD = "李专干", "lizhuangan1"
LEAVER, LEAVER_PASSWORD = "王离职", "wanglizhi2026"
REPORTER = {"name": "举报人标记RX", "phone": "17700033221", "real_name": True}
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stores"


def opens(db: Path, master: bytes) -> bool:
    conn = sqlcipher.connect(str(db))
    try:
        conn.execute(key_pragma(master))
        conn.execute("PRAGMA cipher_compatibility = 4")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError:
        return False
    finally:
        conn.close()


@pytest.fixture
def township(tmp_path):
    paths = make_township(tmp_path / "data")
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        clue_id = cases.register_clue(store, {**CLUE, "reporter": REPORTER}).clue_id
        accounts.add_account(store, STAFF, "staff", STAFF_PASSWORD)
        accounts.add_account(store, LEAVER, "staff", LEAVER_PASSWORD)
    finally:
        store.close()
    return paths, clue_id


def test_disabling_rekeys_and_old_slot_files_and_backups_stop_opening(township, tmp_path):
    paths, clue_id = township
    old_slots = keyslots.parse(paths.keyslots.read_bytes())
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        old_master, old_role = store.master_key, store.engine.role_keys.private
        old_backup = tmp_path / "before.zip"
        backup.backup(store, old_backup)
        assert accounts.disable_account(store, LEAVER) is None
        # the open session goes on with the new keys
        assert store.master_key != old_master and store.engine.role_keys.private not in (None, old_role)
        assert reporters.reveal(store, clue_id).phone == REPORTER["phone"]
        assert status.verify(store).ok and len(cases.list_cases(store)) == 1
        assert search.matching_case_ids(store, "王建国")  # the full-text index came across too
    finally:
        store.close()
    # the leaver's password in an old copy of the slot file still gives the OLD master key: it opens nothing now
    assert keyslots.unlock_slot(old_slots, f"account:{LEAVER}", LEAVER_PASSWORD.encode()) == old_master
    assert not opens(paths.db, old_master)
    with pytest.raises(AuthError):
        unlock.unlock(paths, LEAVER, LEAVER_PASSWORD)
    time.sleep(1.1)
    # everyone else, and the recovery code, still open it; the staff slot still has no role key
    for name, password in (("张书记", PASSWORD), (STAFF, STAFF_PASSWORD)):
        unlock.unlock(paths, name, password).store.close()
    current = keyslots.load(paths)
    assert current.find("account:张书记").has_role_key and not current.find(f"account:{STAFF}").has_role_key
    assert current.find("recovery").has_role_key and current.find(f"account:{LEAVER}") is None
    # reporter values were resealed: the old role key opens none of them
    master = keyslots.unlock_slot(current, "account:张书记", PASSWORD.encode())
    conn = sqlcipher.connect(str(paths.db))
    conn.execute(key_pragma(master))
    conn.execute("PRAGMA cipher_compatibility = 4")
    phone = conn.execute("SELECT phone FROM reporter").fetchone()[0]
    conn.close()
    with pytest.raises(ValueError):
        rolekeys.open_value(old_role, "reporter.phone", phone)
    # an old backup is now another store: restore refuses it (it would revive the old keys)
    with pytest.raises(InputError) as refused:
        backup.restore(paths, old_backup, None, PASSWORD)
    assert refused.value.code == "other_store"


def test_password_may_be_known_rekeys_through_the_cli(township):
    paths, clue_id = township
    before = json.loads(paths.keyslots.read_text("utf-8"))
    done = cli(paths.root, "account", "rekey")
    assert done.returncode == 0, done.stderr
    assert "已更换数据库密钥" in done.stdout and "密码不变" in done.stdout
    after = json.loads(paths.keyslots.read_text("utf-8"))
    assert after["key_check"] != before["key_check"] and [s["id"] for s in after["slots"]] == [s["id"] for s in before["slots"]]
    assert cli(paths.root, "verify").returncode == 0
    assert cli(paths.root, "--account", STAFF, "status", password=STAFF_PASSWORD).returncode == 0
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        assert status.status(store)["records"]["reporter"] == 1
        assert reporters.reveal(store, clue_id).name == REPORTER["name"]
    finally:
        store.close()
    refused = cli(paths.root, "--account", STAFF, "account", "rekey", password=STAFF_PASSWORD)
    assert refused.returncode != 0 and "书记/管理员" in refused.stderr


def test_slots_from_an_earlier_version_must_be_used_once_before_rekeying(tmp_path):
    data = tmp_path / "0003"
    shutil.copytree(FIXTURES / "0003", data)
    paths = store_paths(data)
    store = unlock.unlock(paths, "张书记", "fixture2026").store  # this account's slot is upgraded now
    try:
        assert keyslots.load(paths).find("account:张书记").has_envelope
        with pytest.raises(StoreError) as refused:
            accounts.password_may_be_known(store)
        assert refused.value.code == "slots_need_upgrade" and "恢复密钥" in refused.value.message
        assert "未作任何改动" in refused.value.message
        assert status.verify(store).ok
    finally:
        store.close()


def test_a_store_from_before_role_keys_gets_one_at_its_first_rekey(tmp_path):
    """Made as an earlier version would have left it: reporter and private keys plain, no public half.
    After `account rekey` they are sealed and a staff slot opens the database but not them."""
    paths = make_township(tmp_path / "data")
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        cases.register_clue(store, {**CLUE, "reporter": REPORTER})
        accounts.add_account(store, STAFF, "staff", STAFF_PASSWORD)
        role = store.engine.role_keys.private
        master = store.master_key
    finally:
        store.close()
    conn = sqlcipher.connect(str(paths.db), isolation_level=None)
    conn.execute(key_pragma(master))
    conn.execute("PRAGMA cipher_compatibility = 4")
    conn.create_function("plain", 2, lambda v, label: rolekeys.open_value(role, label, v) if rolekeys.is_sealed(v) else v)
    conn.execute("UPDATE reporter SET name = plain(name, 'reporter.name'), phone = plain(phone, 'reporter.phone')")
    conn.execute("UPDATE office_key SET sign_private = plain(sign_private, 'office_key.sign_private'), "
                 "age_identity = plain(age_identity, 'office_key.age_identity')")
    conn.execute("DELETE FROM setting WHERE key = 'role_public_key'")
    conn.close()
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        assert unlock.can_read_role_data(store) and store.engine.role_keys.public is None
        accounts.password_may_be_known(store)
        assert store.engine.role_keys.public is not None
    finally:
        store.close()
    master = keyslots.unlock_slot(keyslots.load(paths), f"account:{STAFF}", STAFF_PASSWORD.encode())
    conn = sqlcipher.connect(str(paths.db))
    conn.execute(key_pragma(master))
    conn.execute("PRAGMA cipher_compatibility = 4")
    values = conn.execute("SELECT r.name, r.phone, k.sign_private FROM reporter r, office_key k WHERE k.state = 'own'").fetchone()
    conn.close()
    assert all(rolekeys.is_sealed(v) for v in values)
    staff = unlock.unlock(paths, STAFF, STAFF_PASSWORD).store
    try:
        assert not unlock.can_read_role_data(staff)
    finally:
        staff.close()
