"""One open store per data directory (app/storage/instance_lock.py): a second window, process or
command is refused with a clear message while the store is open; the lock goes with `close()`
(the lock screen, exit) and with the process when it dies; the practice store has its own."""

from __future__ import annotations

import hashlib

import pytest

from app.cli import run as run_cli
from app.errors import AuthError, StoreError
from app.paths import store_paths
from app.services import backup, practice, setup, unlock
from app.storage import instance_lock
from tests.security.security_support import PASSWORD, TRAINER_PASSWORD, Holder, cli, make_township

MESSAGE = instance_lock.IN_USE_MESSAGE


def files_digest(root) -> str:
    digest = hashlib.sha256()
    for name in ("store.db", "store.db-wal", "keyslots.json", "keyslots.copy.json", "unlock-throttle.json"):
        path = root / name
        digest.update(name.encode() + (path.read_bytes() if path.exists() else b"-"))
    return digest.hexdigest()


def test_a_second_open_in_the_same_process_is_refused_until_close(tmp_path):
    paths = make_township(tmp_path / "data")
    first = unlock.unlock(paths, None, PASSWORD).store
    try:
        with pytest.raises(StoreError) as refused:
            unlock.unlock(paths, None, PASSWORD)
        assert refused.value.code == "store_in_use" and refused.value.message == MESSAGE
        assert refused.value.exit_code == 1
        with pytest.raises(StoreError) as also:
            unlock.recover(paths, None, (tmp_path / "recovery.txt").read_text(), "another2026x")
        assert also.value.code == "store_in_use"
        # refused before any password is tried: no guess is counted against the store
        with pytest.raises(StoreError):
            unlock.unlock(paths, None, "wrong-password1")
        assert unlock.throttle_state(paths)["failures"] == 0
    finally:
        first.close()
    again = unlock.unlock(paths, None, PASSWORD).store  # close() released it
    again.close()


def test_a_failed_unlock_releases_the_lock(tmp_path):
    paths = make_township(tmp_path / "data")
    with pytest.raises(AuthError):
        unlock.unlock(paths, None, "wrong-password1")
    with instance_lock.held(paths):  # free again
        pass


def test_set_up_of_a_folder_in_use_is_refused(tmp_path):
    data = tmp_path / "fresh"
    paths = store_paths(data)
    request = setup.SetupRequest("T002", "白沙镇纪委", "township", "王书记", PASSWORD, parent_code="C01", kdf_profile="fast")
    with instance_lock.held(paths):
        with pytest.raises(StoreError) as refused:
            setup.create_store(paths, request)
        assert refused.value.code == "store_in_use"
    assert not paths.exists()
    setup.create_store(paths, request)
    assert paths.exists()


def test_the_practice_store_has_its_own_lock(tmp_path):
    data = tmp_path / "data"
    real = unlock.unlock(make_township(data), None, PASSWORD).store
    try:
        practice_paths = store_paths(data, practice=True)
        practice.create_store(practice_paths, practice.DEFAULT_TRAINER, TRAINER_PASSWORD)
        trainer = unlock.unlock(practice_paths, None, TRAINER_PASSWORD).store  # beside the open real store
        try:
            with pytest.raises(StoreError) as refused:
                unlock.unlock(practice_paths, None, TRAINER_PASSWORD)
            assert refused.value.code == "store_in_use"
        finally:
            trainer.close()
    finally:
        real.close()


@pytest.mark.slow
def test_a_second_process_is_refused_until_the_first_dies(tmp_path, capsys, monkeypatch):
    data = tmp_path / "data"
    paths = make_township(data)
    backup_file = tmp_path / "backup.jab"
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        backup.backup(store, backup_file)
    finally:
        store.close()
    holder = Holder(data)
    try:
        before = files_digest(data)
        status = cli(data, "status", "--json")
        assert status.returncode == 1 and status.stderr.strip() == MESSAGE and status.stdout == ""
        # a restore would swap the files under the open store: refused the same way, nothing touched
        monkeypatch.setenv("JIANTONG_PASSWORD", PASSWORD)
        capsys.readouterr()
        assert run_cli(["--data-dir", str(data), "restore", str(backup_file)]) == 1
        assert capsys.readouterr().err.strip() == MESSAGE
        assert not (data / "restore-previous").exists()
        # so would a password change, which rewrites the key slots the open window may be changing too
        changed = cli(data, "passwd", new_password="another-pass-2026")
        assert changed.returncode == 1 and changed.stderr.strip() == MESSAGE
        # the practice store beside it is another store, with another lock (made here with its own password)
        monkeypatch.setenv("JIANTONG_PRACTICE_PASSWORD", TRAINER_PASSWORD)
        assert run_cli(["--data-dir", str(data), "--practice", "status", "--account", practice.DEFAULT_TRAINER]) == 0
        assert files_digest(data) == before
    finally:
        holder.kill()
    # the operating system dropped the dead process's lock: no stale lock to clear by hand
    after = cli(data, "status", "--json")
    assert after.returncode == 0, after.stderr
    assert paths.lock.exists()  # the lock file stays; only the lock on it matters


@pytest.mark.slow
def test_a_process_holding_the_practice_store_leaves_the_real_one_free(tmp_path):
    data = tmp_path / "data"
    make_township(data)
    practice.create_store(store_paths(data, practice=True), practice.DEFAULT_TRAINER, TRAINER_PASSWORD)
    holder = Holder(data, practice=True, password=TRAINER_PASSWORD)
    try:
        refused = cli(data, "--practice", "status", "--account", practice.DEFAULT_TRAINER, password=TRAINER_PASSWORD)
        assert refused.returncode == 1 and refused.stderr.strip() == MESSAGE
        unlock.unlock(store_paths(data), None, PASSWORD).store.close()  # the real store is free
    finally:
        holder.kill()


def test_a_store_opened_on_a_worker_thread_is_released_on_the_main_thread(tmp_path):
    """The GUI unlocks off the main thread and locks (closes) on it: the lock must not be per thread."""
    import threading

    paths = make_township(tmp_path / "data")
    opened = []
    worker = threading.Thread(target=lambda: opened.append(unlock.unlock(paths, None, PASSWORD).store))
    worker.start()
    worker.join(timeout=60)
    with pytest.raises(StoreError):
        unlock.unlock(paths, None, PASSWORD)
    opened[0].close()
    unlock.unlock(paths, None, PASSWORD).store.close()
