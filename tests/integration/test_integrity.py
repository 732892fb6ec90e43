"""Crash safety and tamper evidence on real files and real child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from app.paths import store_paths
from app.services import unlock
from app.storage import keyslots

from tests.integration.conftest import PASSWORD, child_env

WRITER = r"""
import sys
from app.paths import store_paths
from app.services import unlock
from app.models import Setting
store = unlock.unlock(store_paths(__import__('pathlib').Path(sys.argv[1])), None, sys.argv[2]).store
with store.write() as s:
    s.add(Setting(key="committed", value="before the crash"))
print("committed", flush=True)
with store.write() as s:
    for i in range(10**7):
        s.add(Setting(key=f"bulk{i}", value="x" * 200))
        if i % 500 == 0:
            s.flush()
            if i == 2000:
                print("flushing", flush=True)
"""


def master_key(data: Path) -> bytes:
    slots = keyslots.load(store_paths(data))
    return keyslots.unlock_slot(slots, "account:张书记", PASSWORD.encode())


@pytest.mark.slow
def test_sigkill_during_large_transaction(township, run_cli):
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(township), PASSWORD], stdout=subprocess.PIPE,
                             text=True, env=child_env())
    assert child.stdout.readline().strip() == "committed"
    assert child.stdout.readline().strip() == "flushing"
    time.sleep(0.3)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    verify = run_cli("--data-dir", township, "verify", "--json")
    assert verify.code == 0, verify.err
    assert verify.json == {"cipher_integrity": "ok", "audit_chain": "ok", "events": verify.json["events"]}
    from app.models import Setting

    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    with store.read() as s:
        assert s.get(Setting, "committed").value == "before the crash"
        assert s.get(Setting, "bulk0") is None  # the killed transaction left nothing behind
    store.close()


def test_edited_audit_row_fails_verify_naming_the_event(township, run_cli):
    conn = sqlcipher.connect(str(township / "store.db"))
    conn.execute(f"PRAGMA key = \"x'{master_key(township).hex()}'\"")
    conn.execute("PRAGMA cipher_compatibility = 4")
    conn.execute("UPDATE audit_event SET summary = '无' WHERE seq = 3")
    conn.commit()
    conn.close()
    result = run_cli("--data-dir", township, "verify", "--json")
    assert result.code == 1
    assert result.json["audit_chain"] != "ok" and result.json["broken_event"] == 3
    assert "第3号事件" in result.json["audit_chain"] and "第3号事件" in result.err


def test_deleted_audit_row_fails_verify(township, run_cli):
    conn = sqlcipher.connect(str(township / "store.db"))
    conn.execute(f"PRAGMA key = \"x'{master_key(township).hex()}'\"")
    conn.execute("PRAGMA cipher_compatibility = 4")
    conn.execute("DELETE FROM audit_event WHERE seq = 2")
    conn.commit()
    conn.close()
    result = run_cli("--data-dir", township, "verify", "--json")
    assert result.code == 1 and result.json["broken_event"] == 3


def test_every_change_is_audited(township):
    from sqlmodel import select

    from app.models import AuditEvent, Setting

    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    with store.write() as s:
        s.add(Setting(key="k1", value=1))
    with store.write() as s:
        row = s.get(Setting, "k1")
        row.value = 2
        s.add(row)
    with store.write() as s:
        s.delete(s.get(Setting, "k1"))
    with store.read() as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(3)).all()
    store.close()
    assert [e.action for e in reversed(events)] == ["create", "update", "delete"]
    assert all(e.entity == "setting:k1" and e.account == "张书记" for e in events)
    assert "value" in events[1].summary and "2" not in events[1].summary  # names fields, never values


def test_unlock_is_audited_and_a_closed_store_refuses_work(township, run_cli):
    first = run_cli("--data-dir", township, "verify", "--json").json["events"]
    second = run_cli("--data-dir", township, "verify", "--json").json["events"]
    assert second == first + 1  # each unlock appends one event, even with no row changed
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    store.close()
    with pytest.raises(Exception) as refused:
        store.session()
    assert "已锁定" in str(refused.value)
