"""The encrypted store and its key slots, exercised through the CLI on real files."""

from __future__ import annotations

import json
import time

from app.paths import store_paths
from app.services import accounts, unlock
from app.storage import keyslots
from app.models import Setting

from tests.integration.conftest import PASSWORD

MARKER = "标记XQ7-独有的明文"


def wait_out_throttle(data):
    state = json.loads((data / "unlock-throttle.json").read_text())
    time.sleep(max(0.0, state["not_before"] - time.time()) + 0.05)


def test_marker_never_in_plaintext_files(township, run_cli, tmp_path):
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    with store.write() as s:
        s.add(Setting(key="marker", value=MARKER))
    store.close()
    backup = tmp_path / "backup.jab"
    assert run_cli("--data-dir", township, "backup", "--out", backup).code == 0
    needle = MARKER.encode("utf-8")
    files = [township / n for n in ("store.db", "store.db-wal", "store.db-shm", "keyslots.json", "keyslots.copy.json")]
    files.append(backup)
    checked = [f for f in files if f.exists()]
    assert township / "store.db" in checked and backup in checked
    for f in checked:
        assert needle not in f.read_bytes(), f
    # the marker really was written: it reads back through the app
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    with store.read() as s:
        assert s.get(Setting, "marker").value == MARKER
    store.close()


def test_right_password_opens_wrong_fails_with_delay(township, run_cli):
    ok = run_cli("--data-dir", township, "status", "--json")
    assert ok.code == 0 and ok.json["office"]["name"] == "青石镇纪委"
    assert all(slot["weak"] for slot in ok.json["kdf"])
    wrong = run_cli("--data-dir", township, "status", "--json", password="wrong-pass1")
    assert wrong.code == 3
    assert "密码不正确" in wrong.err and "秒后再试" in wrong.err
    # straight away, even the right password waits: the delay is enforced, not just printed
    early = run_cli("--data-dir", township, "status", password=PASSWORD)
    assert early.code == 3 and "秒后再试" in early.err
    wait_out_throttle(township)
    assert run_cli("--data-dir", township, "status").code == 0


def test_delay_grows_and_is_capped(township):
    paths = store_paths(township)
    delays = [unlock.record_failure(paths, now=1000.0) for _ in range(10)]
    assert delays[:4] == [1, 2, 4, 8]
    assert max(delays) == unlock.MAX_DELAY_SECONDS == delays[-1]


def test_password_change_leaves_database_bytes_unchanged(township, run_cli):
    before = (township / "store.db").read_bytes()
    changed = run_cli("--data-dir", township, "passwd", new_password="newpass2026")
    assert changed.code == 0, changed.err
    assert (township / "store.db").read_bytes() == before
    assert run_cli("--data-dir", township, "status", password="newpass2026").code == 0
    assert run_cli("--data-dir", township, "status", password=PASSWORD).code == 3  # the old one is void


def test_weak_new_password_refused(township, run_cli):
    result = run_cli("--data-dir", township, "passwd", new_password="short")
    assert result.code == 2 and "密码" in result.err


def test_recovery_code_works_once_and_forces_new_password(township, run_cli):
    code = (township / "recovery.txt").read_text()
    missing_pw = run_cli("--data-dir", township, "recover", "--recovery-code", code, password=None)
    assert missing_pw.code == 2 and "JIANTONG_NEW_PASSWORD" in missing_pw.err
    first = run_cli("--data-dir", township, "recover", "--recovery-code", code, "--json", password=None,
                    new_password="afterloss2026")
    assert first.code == 0, first.err
    new_code = first.json["recovery_code"]
    assert new_code != code
    assert run_cli("--data-dir", township, "status", password="afterloss2026").code == 0
    again = run_cli("--data-dir", township, "recover", "--recovery-code", code, password=None, new_password="another2026x")
    assert again.code == 3 and "恢复密钥不正确" in again.err
    wait_out_throttle(township)
    assert run_cli("--data-dir", township, "recover", "--recovery-code", new_code, password=None,
                   new_password="third2026pw").code == 0


def test_mistyped_recovery_group_is_named(township, run_cli):
    code = (township / "recovery.txt").read_text()
    groups = code.split("-")
    groups[2] = groups[2][:-1] + str((int(groups[2][-1]) + 1) % 10)
    result = run_cli("--data-dir", township, "recover", "--recovery-code", "-".join(groups), new_password="x2026abcd")
    assert result.code == 2 and "第3组" in result.err


def test_damaged_keyslots_fall_back_to_copy(township, run_cli):
    (township / "keyslots.json").write_text("{ broken")
    result = run_cli("--data-dir", township, "status", "--json")
    assert result.code == 0
    assert "已改用副本" in result.err
    assert keyslots.parse((township / "keyslots.json").read_bytes()).store_id  # repaired


def test_both_keyslot_copies_damaged(township, run_cli):
    store_before = (township / "store.db").read_bytes()
    (township / "keyslots.json").write_text("garbage")
    (township / "keyslots.copy.json").write_text("garbage")
    result = run_cli("--data-dir", township, "status")
    assert result.code == 1 and "keyslots.json" in result.err and "\n" not in result.err.strip()
    assert (township / "store.db").read_bytes() == store_before


def test_file_that_is_not_a_store(township, run_cli):
    (township / "store.db").write_bytes(b"just some text, not a database" * 100)
    result = run_cli("--data-dir", township, "status")
    assert result.code == 3 and "不是纪案通数据库" in result.err


def test_missing_data_dir_and_existing_store(tmp_path, township, run_cli):
    result = run_cli("--data-dir", tmp_path / "nowhere", "status")
    assert result.code == 1 and "不存在" in result.err
    again = run_cli("--data-dir", township, "init", "--office-code", "T9", "--office-name", "x", "--level", "city",
                    "--account", "甲", "--kdf", "fast")
    assert again.code == 1 and "不会覆盖" in again.err


def test_no_password_without_terminal(township, run_cli):
    result = run_cli("--data-dir", township, "status", password=None)
    assert result.code == 2 and "JIANTONG_PASSWORD" in result.err


def test_accounts_add_list_disable(township, run_cli):
    added = run_cli("--data-dir", township, "account", "add", "李专干", "--role", "staff", "--json", new_password="staff2026ab")
    assert added.code == 0, added.err
    listing = run_cli("--data-dir", township, "account", "list", "--json").json
    assert [(a["name"], a["role"], a["disabled"]) for a in listing] == [("张书记", "admin", False), ("李专干", "staff", False)]
    staff = run_cli("--data-dir", township, "--account", "李专干", "status", password="staff2026ab")
    assert staff.code == 0
    refused = run_cli("--data-dir", township, "--account", "李专干", "account", "add", "王", "--role", "staff",
                      password="staff2026ab", new_password="abc2026xyz")
    assert refused.code == 3 and "管理员" in refused.err
    assert run_cli("--data-dir", township, "account", "disable", "李专干").code == 0
    blocked = run_cli("--data-dir", township, "--account", "李专干", "status", password="staff2026ab")
    assert blocked.code == 3


def test_duplicate_account_refused_and_slots_untouched(township):
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        before = (township / "keyslots.json").read_bytes()
        try:
            accounts.add_account(store, "张书记", "staff", "abc2026xyz")
        except Exception as exc:  # the Chinese message names the account
            assert "已存在" in str(exc)
        else:
            raise AssertionError("duplicate account accepted")
        assert (township / "keyslots.json").read_bytes() == before
    finally:
        store.close()


def modes(root) -> dict[str, int]:
    import stat

    return {str(p.relative_to(root)) or ".": stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]
            if not p.is_symlink()}


def test_the_data_folder_is_owner_only_on_linux(tmp_path):
    """A real `init` and a real open in child processes under umask 022: the folder 0700, every file
    0600 (the database's WAL and SHM too); a folder an earlier version left open is tightened at unlock."""
    import os
    import subprocess
    import sys

    from tests.security.security_support import HOLDER, ROOT, Holder

    data = tmp_path / "data"
    env = {**os.environ, "JIANTONG_PASSWORD": PASSWORD}
    init = subprocess.run([sys.executable, "-c", "import os, sys; os.umask(0o022); from app.cli import main; sys.exit(main.run(sys.argv[1:]))",
                           "--data-dir", str(data), "init", "--office-code", "T001", "--office-name", "青石镇纪委", "--level",
                           "township", "--parent-code", "C01", "--account", "张书记", "--kdf", "fast", "--test-store"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert init.returncode == 0, init.stderr
    assert HOLDER  # the holder keeps the store open, so the WAL and SHM exist while we look
    holder = Holder(data)
    try:
        seen = modes(data)
    finally:
        holder.kill()
    assert seen["."] == 0o700
    assert {"store.db", "store.db-wal", "store.db-shm", "keyslots.json", "keyslots.copy.json", "store.lock"} <= set(seen)
    assert {name: mode for name, mode in seen.items() if name != "." and mode & 0o077} == {}
    # loosened by hand (or by an earlier version): the next unlock makes it owner-only again
    os.chmod(data, 0o755)
    for name in ("store.db", "keyslots.json"):
        os.chmod(data / name, 0o644)
    unlock.unlock(store_paths(data), None, PASSWORD).store.close()
    again = modes(data)
    assert again["."] == 0o700 and again["store.db"] == 0o600 and again["keyslots.json"] == 0o600
