"""A stick that cannot be written (its write-protect switch on: a real tmpfs mounted read-only) gets a
message that names the stick and the bundle, says why in Chinese and that nothing changed — not
the hidden name of the file being written or the system's English error. Needs root to mount the
tmpfs; skipped otherwise."""

from __future__ import annotations

import shutil

import pytest
from sqlmodel import select

from app.errors import StoreError
from app.models import BundleLog
from app.services import sync
from tests.integration.test_export_stick_pulled import mounted_stick
from tests.integration.test_sync_roundtrip import opened
from tests.integration.test_sync_tamper import world  # noqa: F401


@pytest.fixture
def read_only_stick(tmp_path):
    yield from mounted_stick(tmp_path, "size=16m,ro")


def test_a_write_protected_stick_is_named_with_the_reason_and_nothing_is_recorded(world, tmp_path, read_only_stick):
    township = tmp_path / "township"
    shutil.copytree(world[0].township, township)
    with opened(township) as store:
        with store.read() as s:
            before = len(s.exec(select(BundleLog)).all())
        with pytest.raises(StoreError) as caught:
            sync.export(store, "C01", read_only_stick, full=True)
        with store.read() as s:
            assert len(s.exec(select(BundleLog)).all()) == before
    message = caught.value.message
    assert caught.value.code == "write_failed", caught.value
    assert f"“{read_only_stick}”" in message and "T001_C01_" in message and ".part" not in message, message
    assert "写保护" in message and "数据库未改动" in message and "Read-only" not in message, message
    assert list(read_only_stick.iterdir()) == []
