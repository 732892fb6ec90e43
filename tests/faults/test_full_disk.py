"""A full disk during backup, export and document storage (issue #9), made with RLIMIT_FSIZE in the
child (SIGXFSZ ignored, so a write past the limit fails with EFBIG as on a full disk): the CLI says
so in one Chinese sentence with a clean exit code, no partial file has a final name, and the store
keeps what it had and still verifies.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sqlmodel import select

from app.models import AuditEvent
from app.errors import StoreError
from app.services import backup, offices, sync
from tests.faults import support
from tests.faults.conftest import ROOT

pytestmark = pytest.mark.slow

FULL = "磁盘空间不足"


def run_limited(data: Path, limit: int, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "JIANTONG_PASSWORD": support.PASSWORD, "TMPDIR": str(tmp)}
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args], check=False, capture_output=True,
                          text=True, env=env, cwd=ROOT, preexec_fn=limit_writes, timeout=120)


def assert_clean_refusal(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert text in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def records(data: Path) -> tuple:
    counts = support.check_store(data)  # unlocks and verifies
    return counts["case_ids"], sorted(counts["clue_numbers"]), counts["attachments"], sorted(counts["bundles"])


@pytest.fixture
def township(templates, tmp_path) -> Path:
    return support.copy_store(templates.township, tmp_path / "township")


def work_dir(tmp_path: Path) -> Path:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return tmp


def backup_copy_size(templates, tmp_path: Path) -> int:
    """Size of the database copy inside a backup of a fresh copy of the township (unlocked once, as the CLI does)."""
    data = support.copy_store(templates.township, tmp_path / "sizing")
    store = support.open_store(data)
    try:
        made = backup.backup(store, tmp_path / "sizing.zip")
    finally:
        store.close()
    with zipfile.ZipFile(made.path) as zf:
        return zf.getinfo("store.db").file_size


@pytest.mark.parametrize("where", ["database copy", "backup file"])
def test_backup_on_a_full_disk(templates, township, tmp_path, where):
    before = records(township)
    out = tmp_path / "usb"
    out.mkdir()
    # a limit below the database makes its copy fail; one just above it lets the copy through and stops the zip
    if where == "database copy":
        limit, expected = 256 * 1024, "备份未完成"
    else:
        limit, expected = backup_copy_size(templates, tmp_path) + 256, "未能写入“backup.zip”"
    result = run_limited(township, limit, "backup", "--out", str(out / "backup.zip"), tmp=work_dir(tmp_path))
    assert_clean_refusal(result, FULL)
    assert expected in result.stderr
    assert support.leftovers(out) == []
    assert not [n for n in support.leftovers(township) if n.startswith(".backup-")]
    assert records(township) == before


def export_sizes(templates, tmp_path: Path) -> tuple[int, int]:
    """(body, whole file) of the bundle a fresh copy of the township exports."""
    data = support.copy_store(templates.township, tmp_path / "sizing")
    stick = tmp_path / "sizing-stick"
    stick.mkdir()
    store = support.open_store(data)
    try:
        path = Path(sync.export(store, "C01", stick, full=True).bundle)
    finally:
        store.close()
    header = support.check_bundle(path, templates.township_sign)
    return header["ciphertext_size"], path.stat().st_size


@pytest.mark.parametrize("where", ["first bytes", "last bytes"])
def test_export_on_a_full_disk(templates, township, tmp_path, where):
    """The bundle is encrypted straight into its hidden file on the stick: a stick that fills up
    early, or with only the end of the body left to write, gets the same refusal and no file."""
    before = records(township)
    stick = tmp_path / "stick"
    stick.mkdir()
    if where == "first bytes":
        limit = 64 * 1024
    else:
        body, whole = export_sizes(templates, tmp_path)
        limit = whole - (whole - body) // 2  # all but the last bytes of the body fit
    expected = "空间不足，数据包“T001_C01_2.jab”未写出，数据库未改动"
    tmp = work_dir(tmp_path)
    result = run_limited(township, limit, "export", "--to", "C01", "--out", str(stick), tmp=tmp)
    assert_clean_refusal(result, expected)
    assert support.leftovers(stick) == []
    assert support.sync_workspaces(tmp) == []
    assert records(township) == before


def test_document_storage_on_a_full_disk(templates, township, tmp_path):
    before = records(township)
    case_id = min(before[0])
    documents_before = support.documents(township)
    # enough for unlocking (its audit event goes to the write-ahead log), not for a stored .docx
    result = run_limited(township, 48 * 1024, "doc", "render", case_id, "clue_register_form", tmp=work_dir(tmp_path))
    assert_clean_refusal(result, FULL)
    assert records(township) == before
    assert support.documents(township) == documents_before


def test_identity_export_on_a_full_disk(templates, township, tmp_path):
    """`identity --out` (docs/BUNDLE.md §1) when the disk fills while the key file is written: no
    half-written key file is left, and no audit event says it was exported. (In this process: the
    store is opened first, then file writes are limited as by a full disk — a child process could
    not even open the store under a limit small enough to stop the key file.)"""
    before = records(township)
    out = tmp_path / "keys" / "office.key"
    out.parent.mkdir()
    store = support.open_store(township)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, hard))  # the key file is about 200 bytes
        try:
            with pytest.raises(StoreError) as refused:
                offices.export_identity(store, out)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, handler)
        assert refused.value.code == "disk_full" and "未能写入“office.key”" in str(refused.value)
        assert list(out.parent.iterdir()) == []
        with store.read() as s:
            assert s.exec(select(AuditEvent).where(AuditEvent.action == "export_identity")).first() is None
    finally:
        store.close()
    assert records(township) == before
