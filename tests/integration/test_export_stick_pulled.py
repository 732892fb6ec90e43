"""A stick pulled out (a real tmpfs, lazily unmounted) right after the bundle was written gets the
read-back's own message ("U盘可能有坏块或已拔出"), not an internal error, and nothing is recorded.
Needs root to mount the tmpfs; skipped otherwise."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlmodel import select

from app.errors import AppError
from app.models import BundleLog
from app.services import sync
from tests.integration.test_sync_roundtrip import opened
from tests.integration.test_sync_tamper import world  # noqa: F401


def mounted_stick(tmp_path, options: str):
    """A real tmpfs mounted as the stick (skips the test without root), unmounted afterwards."""
    where = tmp_path / "usb"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("needs root to mount a tmpfs as the stick")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


@pytest.fixture
def stick(tmp_path):
    yield from mounted_stick(tmp_path, "size=64m")


def test_a_stick_pulled_before_the_read_back_gets_the_read_back_message(world, tmp_path, stick):
    township = tmp_path / "township"
    shutil.copytree(world[0].township, township)

    def progress(_done, _total, label=""):
        if label.startswith("正在读回并校验"):
            subprocess.run(["umount", "-l", str(stick)], check=True)  # the stick is gone

    with opened(township) as store:
        with store.read() as s:
            before = len(s.exec(select(BundleLog)).all())
        with pytest.raises(Exception) as caught:
            sync.export(store, "C01", stick, full=True, progress=progress)
        with store.read() as s:
            assert len(s.exec(select(BundleLog)).all()) == before  # nothing recorded: that part holds
    assert isinstance(caught.value, AppError), repr(caught.value)
    assert caught.value.code == "readback_failed", caught.value
