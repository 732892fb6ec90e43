"""Keys by role, tried as a 工作人员 would: with their own password, through the app and around it.

Reporter identity and the office's private keys are sealed to the role key, which only administrator
slots and the recovery slot unwrap (docs/STORAGE.md §3a; the literal standard-tool proof of both halves
is tests/integration/test_storage_doc.py). Here: what a staff session can and cannot do, an
administrator's confirmation (delay, audit), password changes and recovery keeping the role key where
it belongs, a replaced public half, and a staff member's bundle export.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from sqlmodel import select

from app.errors import AuthError, StoreError
from app.models import AuditEvent, OfficeKey
from app.paths import store_paths
from app.services import accounts, audit_log, cases, reporters, unlock
from app.storage import keyslots, recovery_code, rolekeys
from app.storage.engine import key_pragma
from tests.integration.test_case_paths import CLUE
from tests.integration.test_sync_roundtrip import make_chain, ok
from tests.security.security_support import PASSWORD, make_township, run_cli

STAFF, STAFF_PASSWORD = "李专干", "lizhuangan1"
REPORTER = {"name": "举报人标记RK", "phone": "17700099887", "real_name": True}
T0 = 2_000_000.0


@pytest.fixture
def township(tmp_path):
    """A township with one recorded reporter and a 工作人员 account; returns (paths, clue_id)."""
    paths = make_township(tmp_path / "data")
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        clue_id = cases.register_clue(store, {**CLUE, "reporter": REPORTER}).clue_id
        accounts.add_account(store, STAFF, "staff", STAFF_PASSWORD)
    finally:
        store.close()
    return paths, clue_id


def raw(paths, master: bytes, sql: str):
    conn = sqlcipher.connect(str(paths.db))
    try:
        conn.execute(key_pragma(master))
        conn.execute("PRAGMA cipher_compatibility = 4")
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_staff_session_sees_whether_not_what_and_cannot_reach_the_private_keys(township):
    paths, clue_id = township
    store = unlock.unlock(paths, STAFF, STAFF_PASSWORD).store
    try:
        assert not unlock.can_read_role_data(store)
        view = reporters.masked(store, clue_id)
        assert view.recorded and view.name == reporters.MASK and view.phone == reporters.MASK
        with pytest.raises(AuthError) as refused:
            reporters.reveal(store, clue_id)
        assert refused.value.code == "reporter_admin_only"
        # even a raw query through the app's own engine gets ciphertext only
        with store.read() as s:
            row = s.exec(select(OfficeKey).where(OfficeKey.state == "own")).one()
        assert rolekeys.is_sealed(row.sign_private) and rolekeys.is_sealed(row.age_identity)
        with pytest.raises(AuthError) as keys_refused:
            unlock.office_private_keys(store)
        assert keys_refused.value.code == "admin_required" and "书记/管理员" in keys_refused.value.message
        assert "数据未改动" in keys_refused.value.message
        assert store.engine.role_keys.private is None
    finally:
        store.close()


def test_an_administrator_confirms_in_a_staff_session_behind_the_delay_and_audited(township):
    paths, _ = township
    store = unlock.unlock(paths, STAFF, STAFF_PASSWORD).store
    try:
        with pytest.raises(AuthError) as wrong:
            with unlock.administrator(store, "张书记", "not-the-pass1", now=T0):
                pass
        assert wrong.value.code == "wrong_password" and wrong.value.detail["retry_after"] == 1
        assert unlock.throttle_state(paths)["failures"] == 1
        with pytest.raises(AuthError) as early:  # inside the wait even the right password is not tried
            with unlock.administrator(store, "张书记", PASSWORD, now=T0 + 0.5):
                pass
        assert early.value.code == "throttled"
        # the staff member's own (right) password is not an administrator's
        with pytest.raises(AuthError) as not_admin:
            with unlock.administrator(store, STAFF, STAFF_PASSWORD, now=T0 + 2):
                pass
        assert not_admin.value.code == "not_admin"
        own = unlock.office_private_keys(store, "张书记", PASSWORD)
        assert own.age_identity.startswith("AGE-SECRET-KEY-1") and len(bytes.fromhex(own.sign_private)) == 32
        assert store.engine.role_keys.private is None  # only for the length of the confirmation
        with store.read() as s:
            confirmed = s.exec(select(AuditEvent).where(AuditEvent.action == "admin_confirm")).all()
        assert len(confirmed) == 1 and confirmed[0].entity == "account:张书记" and STAFF in confirmed[0].summary
    finally:
        store.close()


def test_password_changes_and_recovery_keep_the_role_key_only_in_administrator_slots(township):
    paths, clue_id = township
    unlock.change_password(paths, "张书记", PASSWORD, "newadmin2026", now=T0)
    unlock.change_password(paths, STAFF, STAFF_PASSWORD, "newstaff2026", now=T0 + 1)
    slots = keyslots.load(paths)
    assert slots.find("account:张书记").has_role_key and not slots.find(f"account:{STAFF}").has_role_key
    store = unlock.unlock(paths, "张书记", "newadmin2026", now=T0 + 2).store
    try:
        assert reporters.reveal(store, clue_id).phone == REPORTER["phone"]
    finally:
        store.close()

    # the recovery code unwraps the role key, but a staff account recovered with it still does not read it
    code = (paths.root.parent / "recovery.txt").read_text()
    unlocked, new_code = unlock.recover(paths, STAFF, code, "recovered2026", now=T0 + 3)
    try:
        assert not unlock.can_read_role_data(unlocked.store)
        assert reporters.masked(unlocked.store, clue_id).phone == reporters.MASK
    finally:
        unlocked.store.close()
    slots = keyslots.load(paths)
    assert slots.find("recovery").has_role_key and not slots.find(f"account:{STAFF}").has_role_key
    unlocked, _ = unlock.recover(paths, "张书记", new_code, "recovadmin2026", now=T0 + 4)
    try:
        assert reporters.reveal(unlocked.store, clue_id).name == REPORTER["name"]
    finally:
        unlocked.store.close()
    assert keyslots.load(paths).find("account:张书记").has_role_key
    recovery_code.normalise(new_code)  # a well-formed code was handed out


def test_an_administrator_added_later_reads_them_and_a_staff_one_never_gets_the_key(township):
    paths, clue_id = township
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        accounts.add_account(store, "王副书记", "admin", "wangfu2026x")
    finally:
        store.close()
    assert keyslots.load(paths).find("account:王副书记").has_role_key
    store = unlock.unlock(paths, "王副书记", "wangfu2026x").store
    try:
        assert reporters.reveal(store, clue_id).phone == REPORTER["phone"]
    finally:
        store.close()
    store = unlock.unlock(paths, STAFF, STAFF_PASSWORD).store
    try:
        with pytest.raises(AuthError):
            accounts.add_account(store, "冒名书记", "admin", "maoming2026")
    finally:
        store.close()
    assert keyslots.load(paths).find("account:冒名书记") is None


def test_a_replaced_public_half_is_caught_at_the_next_administrator_unlock(township):
    """A staff member holding the master key swaps `role_public_key` for their own, hoping the next
    reporter is sealed to them: the administrator's unlock refuses the store instead of writing to it."""
    paths, _ = township
    master = keyslots.unlock_slot(keyslots.load(paths), f"account:{STAFF}", STAFF_PASSWORD.encode())
    theirs = rolekeys.public_of(rolekeys.generate()).hex()
    conn = sqlcipher.connect(str(paths.db))
    conn.execute(key_pragma(master))
    conn.execute("PRAGMA cipher_compatibility = 4")
    conn.execute("UPDATE setting SET value = ? WHERE key = 'role_public_key'", (json.dumps(theirs),))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as refused:
        unlock.unlock(paths, None, PASSWORD)
    assert refused.value.code == "role_key_mismatch" and "数据未改动" in refused.value.message
    assert raw(paths, master, "SELECT value FROM setting WHERE key = 'role_public_key'") == [(json.dumps(theirs),)]


def test_a_staff_member_cannot_export_a_bundle_without_an_administrator(tmp_path):
    chain = make_chain(tmp_path, run_cli)
    paths = store_paths(chain.township)
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        accounts.add_account(store, STAFF, "staff", STAFF_PASSWORD)
    finally:
        store.close()
    refused = run_cli("--data-dir", chain.township, "--account", STAFF, "export", "--to", "C01", "--out", chain.stick,
                      "--json", password=STAFF_PASSWORD)
    assert refused.code != 0 and "书记/管理员" in refused.err and "数据未改动" in refused.err
    assert not list(chain.stick.glob("T001_C01_*.jab"))

    # the same export with an administrator confirming on the command line (--admin)
    os.environ["JIANTONG_ADMIN_PASSWORD"] = PASSWORD
    try:
        done = ok(run_cli("--data-dir", chain.township, "--account", STAFF, "export", "--to", "C01", "--out",
                          chain.stick, "--admin", "管理员", "--json", password=STAFF_PASSWORD))
    finally:
        os.environ.pop("JIANTONG_ADMIN_PASSWORD")
    assert done["seq"] == 1 and Path(done["bundle"]).exists()
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        assert any(e.action == "admin_confirm" for e in audit_log.recent_events(store, 20))
    finally:
        store.close()


def test_a_reporter_is_shown_in_a_staff_session_only_with_an_administrators_confirmation(township):
    paths, clue_id = township
    store = unlock.unlock(paths, STAFF, STAFF_PASSWORD).store
    try:
        with pytest.raises(AuthError):
            reporters.reveal(store, clue_id)
        with unlock.administrator(store, "张书记", PASSWORD, purpose="查看举报人信息"):
            shown = reporters.reveal(store, clue_id)
        assert shown.name == REPORTER["name"] and not shown.masked
        with pytest.raises(AuthError):  # over once the block ends
            reporters.reveal(store, clue_id)
        with store.read() as s:
            actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()]
        assert actions[-2:] == ["admin_confirm", "view_reporter"]
    finally:
        store.close()
