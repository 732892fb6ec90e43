"""`keyslots.json` as someone who can write the data folder would treat it (docs/STORAGE.md §3): edited
bytes, a planted weak first slot, parameters that would stall every unlock, a stripped MAC; and
`--kdf fast` on a real store. Real files, the real KDF, real processes for the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from app.errors import StoreError
from app.paths import store_paths
from app.services import accounts, setup, status, unlock
from app.storage import kdf, keyslots
from tests.security.security_support import PASSWORD, ROOT, make_township

T0 = 3_000_000.0


def edit(path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def slot(data: dict, slot_id: str) -> dict:
    return next(s for s in data["slots"] if s["id"] == slot_id)


def test_an_edited_first_file_is_reported_and_the_copy_used(tmp_path):
    paths = make_township(tmp_path / "data")
    good = paths.keyslots_copy.read_bytes()
    # the recovery slot's parameters edited (it no longer opens): the file still parses, the password still opens
    edit(paths.keyslots, lambda d: slot(d, "recovery")["kdf"].update(iterations=2))
    unlocked = unlock.unlock(paths, None, PASSWORD, now=T0)
    try:
        assert any("未通过完整性校验" in w and "已改用副本" in w for w in unlocked.warnings)
        assert status.status(unlocked.store)["keyslots_authenticated"] is True
    finally:
        unlocked.store.close()
    assert paths.keyslots.read_bytes() == good == paths.keyslots_copy.read_bytes()


def test_when_both_files_are_edited_nothing_is_written_on_top(tmp_path):
    paths = make_township(tmp_path / "data")
    for path in (paths.keyslots, paths.keyslots_copy):
        edit(path, lambda d: d.update(test_store=True, extra="planted"))
    before = paths.keyslots.read_bytes()
    unlocked = unlock.unlock(paths, None, PASSWORD, now=T0)
    try:
        assert any("都未通过完整性校验" in w and "文件未改写" in w for w in unlocked.warnings)
        with pytest.raises(StoreError) as refused:
            accounts.add_account(unlocked.store, "李专干", "staff", "lizhuangan1")
        assert refused.value.code == "keyslots_tampered" and "数据未改动" in refused.value.message
    finally:
        unlocked.store.close()
    with pytest.raises(StoreError) as passwd:
        unlock.change_password(paths, None, PASSWORD, "another2026x", now=T0 + 1)
    assert passwd.value.code == "keyslots_tampered"
    assert paths.keyslots.read_bytes() == before


def test_a_stripped_mac_breaks_the_key_check(tmp_path):
    """Removing `mac` to pass the file off as one from before the MAC: its v2 key check no longer fits."""
    paths = make_township(tmp_path / "data")
    for path in (paths.keyslots, paths.keyslots_copy):
        edit(path, lambda d: d.pop("mac"))
    with pytest.raises(StoreError) as refused:
        unlock.unlock(paths, None, PASSWORD, now=T0)
    assert refused.value.code == "key_check_mismatch"


def test_parameters_out_of_bounds_are_never_derived(tmp_path):
    paths = make_township(tmp_path / "data")
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        accounts.add_account(store, "李专干", "staff", "lizhuangan1")
    finally:
        store.close()
    # 4 GiB per attempt for the administrator's slot, in both copies
    for path in (paths.keyslots, paths.keyslots_copy):
        edit(path, lambda d: slot(d, "account:张书记")["kdf"].update(memory_kib=2**22, iterations=10**6))
    started = time.perf_counter()
    with pytest.raises(StoreError) as refused:
        unlock.unlock(paths, "张书记", PASSWORD, now=T0)
    assert time.perf_counter() - started < 5
    assert refused.value.code == "slot_out_of_bounds" and "未尝试密码" in refused.value.message
    assert unlock.throttle_state(paths)["failures"] == 0  # no password was tried, none counted
    unlocked = unlock.unlock(paths, "李专干", "lizhuangan1", now=T0)  # the other accounts still open
    try:
        assert any("参数超出允许范围" in w for w in unlocked.warnings)
    finally:
        unlocked.store.close()
    for bad in ({"memory_kib": "65536"}, {"lanes": 0}, {"lanes": 64}, {"iterations": 0}, {"salt": "AAAA"},
                {"memory_kib": True}):
        params = {"name": "argon2id", "profile": "standard", "memory_kib": 65536, "iterations": 3, "lanes": 4,
                  "salt": "AAAAAAAAAAAAAAAAAAAAAA==", **bad}
        with pytest.raises(kdf.KdfBoundsError):
            kdf.KdfParams.from_json(params)


def test_weak_looks_at_every_parameter():
    salt = os.urandom(16)
    assert not kdf.KdfParams("standard", 65536, 3, 4, salt).weak
    assert kdf.KdfParams("standard", 65536, 1, 4, salt).weak  # one pass
    assert kdf.KdfParams("standard", 32768, 3, 4, salt).weak  # half the memory
    assert kdf.KdfParams("fast", 65536, 3, 4, salt).weak  # named fast


def test_a_planted_fast_first_slot_does_not_weaken_the_next_password(tmp_path):
    """A standard store; someone who can write the folder puts a fast slot first in both files. The
    next `passwd` seals with this PC's calibration, and the unlock has reported the edit."""
    paths = store_paths(tmp_path / "data")
    (tmp_path / "data").mkdir()
    setup.create_store(paths, setup.SetupRequest("T001", "青石镇纪委", "township", "张书记", PASSWORD, parent_code="C01"))
    planted = keyslots.seal(os.urandom(32), "0" * 32, "account:甲", "password", b"x", kdf.new_params("fast"))
    for path in (paths.keyslots, paths.keyslots_copy):
        edit(path, lambda d: d["slots"].insert(0, planted.to_json()))
    with pytest.raises(StoreError):  # the edited file is not written on top of
        unlock.change_password(paths, "张书记", PASSWORD, "another2026x")
    # the owner restores a good copy of the file (as the warning asks) and changes the password
    for path in (paths.keyslots, paths.keyslots_copy):
        edit(path, lambda d: d["slots"].pop(0))
    unlock.change_password(paths, "张书记", PASSWORD, "another2026x")
    params = keyslots.load(paths).find("account:张书记").params
    assert params.profile == "standard" and params.memory_kib == kdf.STANDARD_MEMORY_KIB
    assert params.iterations == kdf.this_pc_iterations() and not params.weak


def run_init(data, *extra: str, test_env: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "JIANTONG_TEST_STORES"}
    if test_env:
        env["JIANTONG_TEST_STORES"] = "1"
    env["JIANTONG_PASSWORD"] = PASSWORD
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), "init", "--office-code", "T009",
                           "--office-name", "测试镇纪委", "--level", "township", "--parent-code", "C01", "--account",
                           "张书记", *extra], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_fast_kdf_on_a_real_store_needs_the_test_flag_and_is_marked(tmp_path):
    refused = run_init(tmp_path / "a", "--kdf", "fast", test_env=False)
    assert refused.returncode != 0 and "--test-store" in refused.stderr and "未建立数据库" in refused.stderr
    assert not (tmp_path / "a" / "store.db").exists()
    made = run_init(tmp_path / "b", "--kdf", "fast", "--test-store", test_env=False)
    assert made.returncode == 0, made.stderr
    env = {**{k: v for k, v in os.environ.items() if k != "JIANTONG_TEST_STORES"}, "JIANTONG_PASSWORD": PASSWORD}
    shown = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(tmp_path / "b"), "status"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert shown.returncode == 0 and shown.stdout.startswith("【测试库】")
    as_json = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(tmp_path / "b"), "status", "--json"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120, check=False)
    data = json.loads(as_json.stdout)
    assert data["test_store"] is True and data["test_store_label"] == "测试库" and all(s["weak"] for s in data["kdf"])
