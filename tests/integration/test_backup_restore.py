"""Backup and restore on real files: consistent, verified, all-or-nothing."""

from __future__ import annotations

import resource
import signal
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
