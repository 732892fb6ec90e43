"""Backup and restore on real files: consistent, verified, all-or-nothing."""

from __future__ import annotations

import hashlib
import json
import resource
import signal
import time
import zipfile

from app.models import Setting
from app.paths import store_paths
from app.services import unlock

from tests.integration.conftest import PASSWORD, child_env, run_child


def put(data, key, value):
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    with store.write() as s:
        s.add(Setting(key=key, value=value))
    store.close()


def get(data, key):
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    with store.read() as s:
        row = s.get(Setting, key)
    store.close()
    return row.value if row else None


def test_backup_then_restore_brings_back_that_moment(township, run_cli, tmp_path):
    put(township, "before", "备份前")
    out = tmp_path / "bk.zip"
    made = run_cli("--data-dir", township, "backup", "--out", out, "--json")
    assert made.code == 0, made.err
    assert made.json["size"] == out.stat().st_size
    put(township, "after", "备份后")
    restored = run_cli("--data-dir", township, "restore", out, "--json")
    assert restored.code == 0, restored.err
    assert get(township, "before") == "备份前" and get(township, "after") is None
    assert run_cli("--data-dir", township, "verify").code == 0
    previous = restored.json["previous"]
    assert previous and (township / "restore-previous").is_dir()


def test_restore_onto_empty_data_dir(township, run_cli, tmp_path):
    out = tmp_path / "bk.zip"
    assert run_cli("--data-dir", township, "backup", "--out", out).code == 0
    fresh = tmp_path / "new-pc"
    assert run_cli("--data-dir", fresh, "restore", out).code == 0
    status = run_cli("--data-dir", fresh, "status", "--json")
    assert status.code == 0 and status.json["office"]["code"] == "T001"


def test_tampered_backup_refused_store_untouched(township, run_cli, tmp_path):
    out = tmp_path / "bk.zip"
    assert run_cli("--data-dir", township, "backup", "--out", out).code == 0
    raw = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo("store.db")
    middle = info.header_offset + 30 + len(info.filename) + 5000
    raw[middle] ^= 0xFF
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(raw))
    before = (township / "store.db").read_bytes()
    result = run_cli("--data-dir", township, "restore", bad)
    assert result.code == 2 and "当前数据未改动" in result.err
    assert (township / "store.db").read_bytes() == before
    truncated = tmp_path / "short.zip"
    truncated.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    assert run_cli("--data-dir", township, "restore", truncated).code == 2
    assert (township / "store.db").read_bytes() == before
    assert not list(township.glob(".restore-*"))


def test_restore_with_wrong_password_or_other_store(township, run_cli, tmp_path):
    out = tmp_path / "bk.zip"
    assert run_cli("--data-dir", township, "backup", "--out", out).code == 0
    assert run_cli("--data-dir", township, "restore", out, password="wrongpass99").code == 3
    other = tmp_path / "other"
    assert run_cli("--data-dir", other, "init", "--office-code", "T002", "--office-name", "白沙镇纪委", "--level",
                   "township", "--parent-code", "C01", "--account", "张书记", "--kdf", "fast").code == 0
    refused = run_cli("--data-dir", other, "restore", out)
    assert refused.code == 2 and "另一个数据库" in refused.err


def limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_disk_full_during_backup_leaves_nothing_behind(township, tmp_path):
    put(township, "bulk", "x" * 400_000)
    out = tmp_path / "bk.zip"
    previous = tmp_path / "old.zip"
    previous.write_bytes(b"an older backup that must survive")
    out.write_bytes(previous.read_bytes())
    result = run_child(["--data-dir", str(township), "backup", "--out", str(out)], env=child_env(JIANTONG_PASSWORD=PASSWORD),
                       preexec_fn=limit_file_size)
    assert result.returncode == 1
    assert "磁盘空间不足" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == previous.read_bytes()  # the file under the final name is the old one
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".bk.zip.tmp")]
    assert not list(township.glob(".backup-*"))
    assert get(township, "bulk") == "x" * 400_000  # the store lost nothing


def test_account_added_after_backup_is_dropped_by_restore(township, run_cli, tmp_path):
    out = tmp_path / "bk.zip"
    assert run_cli("--data-dir", township, "backup", "--out", out).code == 0
    assert run_cli("--data-dir", township, "account", "add", "新同事", "--role", "staff", new_password="colleague2026").code == 0
    assert run_cli("--data-dir", township, "restore", out).code == 0
    names = [a["name"] for a in run_cli("--data-dir", township, "account", "list", "--json").json]
    assert names == ["张书记"]
    assert run_cli("--data-dir", township, "--account", "新同事", "status", password="colleague2026").code == 3


# --- who may restore, and what (issue 18: restore cannot be turned against the store) ------------

STAFF, STAFF_PASSWORD = "李专干", "lizhuangan1"


def events(data, password=PASSWORD, account=None):
    from app.models import AuditEvent
    from sqlmodel import select

    store = unlock.unlock(store_paths(data), account, password).store
    try:
        with store.read() as s:
            return [(e.action, e.account, e.summary) for e in s.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()]
    finally:
        store.close()


def test_a_staff_or_disabled_account_cannot_roll_the_store_back(township, run_cli, tmp_path):
    assert run_cli("--data-dir", township, "account", "add", STAFF, "--role", "staff", new_password=STAFF_PASSWORD).code == 0
    out = tmp_path / "bk.zip"
    assert run_cli("--data-dir", township, "backup", "--out", out).code == 0
    put(township, "after", "备份后")
    before = (township / "store.db").read_bytes()
    staff = run_cli("--data-dir", township, "--account", STAFF, "restore", out, password=STAFF_PASSWORD)
    assert staff.code == 3 and "书记/管理员" in staff.err and "当前数据未改动" in staff.err
    assert (township / "store.db").read_bytes() == before
    assert run_cli("--data-dir", township, "account", "disable", STAFF).code == 0
    before = (township / "store.db").read_bytes()
    disabled = run_cli("--data-dir", township, "--account", STAFF, "restore", out, password=STAFF_PASSWORD)
    assert disabled.code == 3 and "秒后再试" in disabled.err  # its slot is gone: a wrong password, counted
    time.sleep(1.1)
    assert (township / "store.db").read_bytes() == before and get(township, "after") == "备份后"


def test_a_changed_password_is_not_revived_and_the_old_one_cannot_restore(township, run_cli, tmp_path):
    out = tmp_path / "bk.zip"
    assert run_cli("--data-dir", township, "backup", "--out", out).code == 0
    assert run_cli("--data-dir", township, "passwd", new_password="changed2026x").code == 0
    old = run_cli("--data-dir", township, "restore", out)  # opens the backup's slot only: refused
    assert old.code == 3 and "请1秒后再试" in old.err
    time.sleep(1.1)
    assert run_cli("--data-dir", township, "restore", out, password="changed2026x").code == 0
    assert run_cli("--data-dir", township, "status", password=PASSWORD).code == 3
    time.sleep(2.1)
    assert run_cli("--data-dir", township, "status", password="changed2026x").code == 0
    restored = [e for e in events(township, "changed2026x") if e[0] == "restore"]
    assert len(restored) == 1 and restored[0][1] == "张书记" and "恢复本库的备份" in restored[0][2]


def test_restore_tries_go_through_the_wrong_password_delay(township, run_cli, tmp_path):
    out = tmp_path / "bk.zip"
    assert run_cli("--data-dir", township, "backup", "--out", out).code == 0
    first = run_cli("--data-dir", township, "restore", out, password="wrongpass99")
    assert first.code == 3 and "请1秒后再试" in first.err
    second = run_cli("--data-dir", township, "restore", out, password="wrongpass98")
    assert second.code == 3 and "秒后再试" in second.err and "请2秒后再试" not in second.err  # refused untried


def test_another_stores_backup_replaces_this_one_only_explicitly_with_both_administrators(township, run_cli, tmp_path, monkeypatch):
    other = tmp_path / "other"
    assert run_cli("--data-dir", other, "init", "--office-code", "T002", "--office-name", "白沙镇纪委", "--level", "township",
                   "--parent-code", "C01", "--account", "王书记", "--kdf", "fast", password="baisha2026").code == 0
    out = tmp_path / "other.zip"
    assert run_cli("--data-dir", other, "backup", "--out", out, password="baisha2026").code == 0
    # an attacker's own backup, its store_id rewritten to this store's: still another store (key check)
    ours = json.loads((township / "keyslots.json").read_text("utf-8"))["store_id"]
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(forged, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        slots = json.loads(src.read("keyslots.json"))
        slots["store_id"] = manifest["store_id"] = ours
        raw_slots = json.dumps(slots).encode()
        manifest["sha256"]["keyslots.json"] = hashlib.sha256(raw_slots).hexdigest()
        dst.writestr("manifest.json", json.dumps(manifest))
        dst.writestr("store.db", src.read("store.db"))
        dst.writestr("keyslots.json", raw_slots)
    before = (township / "store.db").read_bytes()
    for bundle in (forged, out):
        # with the attacker's password only: nothing of this store opens
        assert run_cli("--data-dir", township, "restore", bundle, password="baisha2026").code == 3
        (township / "unlock-throttle.json").write_text('{"failures": 0, "not_before": 0}')  # the owner's own tries below need not wait
        refused = run_cli("--data-dir", township, "restore", bundle)  # this store's administrator, not explicit
        assert refused.code == 2 and "不属于当前数据库" in refused.err and "当前数据未改动" in refused.err
    assert (township / "store.db").read_bytes() == before
    monkeypatch.setenv("JIANTONG_BACKUP_PASSWORD", "baisha2026")
    replaced = run_cli("--data-dir", township, "restore", out, "--replace-store", "--json")
    assert replaced.code == 0, replaced.err
    assert "整个替换当前数据库" in replaced.err and replaced.json["previous"]
    status = run_cli("--data-dir", township, "--account", "王书记", "status", "--json", password="baisha2026")
    assert status.code == 0 and status.json["office"]["code"] == "T002"
    assert [e for e in events(township, "baisha2026", "王书记") if e[0] == "restore"]


def test_practice_restore_refuses_a_real_backup(township, run_cli, tmp_path):
    out = tmp_path / "bk.zip"
    assert run_cli("--data-dir", township, "backup", "--out", out).code == 0
    refused = run_cli("--data-dir", township, "--practice", "restore", out)
    assert refused.code == 2 and "正式数据库的备份" in refused.err and "练习库" in refused.err
    assert not (township / "practice" / "store.db").exists()
