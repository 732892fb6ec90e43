"""What an export killed midway leaves on the stick, and that the next export between the same two
offices removes it (docs/BUNDLE.md §10). The bundle is encrypted, for the whole of its packing,
into `atomic_write`'s temporary file `..T001_C01_N.jab.part.tmp-<pid>`: the next export removes
it whichever stick it went to before and whether or not that process id is alive again (after a
reboot it may be; on Windows it is never checked)."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Attachment, Case
from app.services import sync
from tests.integration.conftest import PASSWORD, child_env
from tests.integration.test_sync_roundtrip import opened
from tests.integration.test_sync_tamper import world  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def township_with_files(world, tmp_path: Path, count: int, size: int) -> Path:
    township = tmp_path / "township"
    shutil.copytree(world[0].township, township)
    with opened(township) as store, store.write() as s:
        case_id = s.exec(select(Case.id)).first()
        for n in range(count):
            data = hashlib.sha256(str(n).encode()).digest() * (size // 32)
            data = os.urandom(64) + data  # no two alike
            s.add(Attachment(owner_office_id=store.office.id, case_id=case_id, name=f"扫描件{n}.jpg", content=data,
                             size=len(data), sha256=hashlib.sha256(data).hexdigest()))
    return township


def kill_midway(township: Path, stick: Path) -> list[str]:
    """An export in a child process, killed (SIGKILL) while its bundle is being streamed."""
    child = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(township), "export", "--to", "C01",
                              "--out", str(stick), "--full"], cwd=ROOT, env=child_env(JIANTONG_PASSWORD=PASSWORD),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if any(".tmp-" in p.name and p.stat().st_size > 4 * 1024 * 1024 for p in stick.iterdir()):
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    return sorted(p.name for p in stick.iterdir())


def test_a_temporary_file_left_by_a_killed_export_is_removed_by_the_next_exports_to_that_stick(world, tmp_path):
    township = township_with_files(world, tmp_path, 40, 4 * 1024 * 1024)
    stick, other = tmp_path / "stick", tmp_path / "other-stick"
    stick.mkdir()
    other.mkdir()
    left = kill_midway(township, stick)
    if not [n for n in left if n.startswith("..T001_C01_3.jab.part.tmp-")]:
        pytest.skip(f"the export was not caught while streaming: {left}")
    with opened(township) as store:
        assert sync.export(store, "C01", other, full=True).seq == 3  # the next one went on another stick
        assert sync.export(store, "C01", stick).seq == 4  # and the one after onto this stick again
    assert sorted(p.name for p in stick.iterdir()) == ["T001_C01_4.jab"]


def test_a_temporary_file_whose_pid_is_taken_again_is_removed_by_the_next_export(world, tmp_path):
    """After a power loss during an export and a reboot, the dead export's pid may well belong to a
    live process (here pid 1): its temporary file is then kept for ever, even by an export of the
    same number to the same stick."""
    township = township_with_files(world, tmp_path, 0, 0)
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "..T001_C01_3.jab.part.tmp-1").write_bytes(bytes(78 + 4096) + os.urandom(64 * 1024))
    with opened(township) as store:
        assert sync.export(store, "C01", stick, full=True).seq == 3
    assert sorted(p.name for p in stick.iterdir()) == ["T001_C01_3.jab"]
