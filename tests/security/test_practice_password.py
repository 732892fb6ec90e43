"""The practice store has its own password, the standard key profile, and takes no real password or
backup (issue 18 point 5). Real processes for the CLI, the real KDF, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from app.errors import InputError
from app.paths import store_paths
from app.services import practice, unlock
from app.storage import keyslots
from tests.security.security_support import PASSWORD, ROOT, TRAINER_PASSWORD, make_township


def run(data, *args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("JIANTONG_PRACTICE")}
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args], cwd=ROOT, capture_output=True,
                          text=True, env={**base, **env}, stdin=subprocess.DEVNULL, timeout=180, check=False)


def test_a_practice_command_never_makes_the_store_from_jiantong_password(tmp_path):
    data = tmp_path / "data"
    real_paths = make_township(data)
    refused = run(data, "--practice", "status", JIANTONG_PASSWORD=PASSWORD)
    assert refused.returncode != 0
    assert "JIANTONG_PRACTICE_PASSWORD" in refused.stderr and "练习库未建立" in refused.stderr
    assert not store_paths(data, practice=True).exists()
    # with its own password it is made; the real password then does not open it
    made = run(data, "--practice", "status", "--json", JIANTONG_PASSWORD=PASSWORD, JIANTONG_PRACTICE_PASSWORD=TRAINER_PASSWORD)
    assert made.returncode == 0, made.stderr
    assert "已建立练习库" in made.stderr
    assert run(data, "--practice", "status", JIANTONG_PASSWORD=PASSWORD).returncode == 3
    assert run(data, "--practice", "status", JIANTONG_PASSWORD=TRAINER_PASSWORD).returncode == 0
    slots = keyslots.load(store_paths(data, practice=True))
    assert {s.params.profile for s in slots.slots} == {"standard"} and not any(s.params.weak for s in slots.slots)
    assert not slots.test_store
    assert real_paths.db.exists()


@pytest.mark.parametrize("which", ["admin", "staff"])
def test_a_password_that_opens_a_real_slot_is_refused(tmp_path, which):
    data = tmp_path / "data"
    paths = make_township(data)
    password = PASSWORD
    if which == "staff":
        from app.services import accounts

        store = unlock.unlock(paths, None, PASSWORD).store
        try:
            accounts.add_account(store, "李专干", "staff", "lizhuangan1")
        finally:
            store.close()
        password = "lizhuangan1"
    real_before = {p.name: p.read_bytes() for p in (paths.db, paths.keyslots)}
    with pytest.raises(InputError) as refused:
        practice.create_store(store_paths(data, practice=True), "培训管理员", password)
    assert refused.value.code == "practice_password_is_real"
    assert "练习库未建立" in refused.value.message and "正式数据库未改动" in refused.value.message
    assert not store_paths(data, practice=True).exists()
    assert {p.name: p.read_bytes() for p in (paths.db, paths.keyslots)} == real_before
    # the refusal counted on the real store's delay: the check is no free password oracle
    assert unlock.throttle_state(paths)["failures"] == 1
    with pytest.raises(Exception) as waiting:
        practice.create_store(store_paths(data, practice=True), "培训管理员", "another2026x")
    assert getattr(waiting.value, "code", "") == "throttled"


def test_init_practice_asks_its_own_password(tmp_path):
    data = tmp_path / "data"
    make_township(data)
    refused = run(data, "--practice", "init", "--json", JIANTONG_PASSWORD=TRAINER_PASSWORD)
    assert refused.returncode != 0 and "JIANTONG_PRACTICE_PASSWORD" in refused.stderr
    real = run(data, "--practice", "init", "--json", JIANTONG_PRACTICE_PASSWORD=PASSWORD)
    assert real.returncode != 0 and "能打开正式数据库" in real.stderr
    time.sleep(1.1)  # that refusal counted on the real store's delay
    made = run(data, "--practice", "init", "--json", JIANTONG_PRACTICE_PASSWORD=TRAINER_PASSWORD)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["practice"] is True
