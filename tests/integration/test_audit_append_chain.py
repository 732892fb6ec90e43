"""audit.append writes what `event_hash` (docs/STORAGE.md §5) says each event hashes to: it encodes
what the events of one call share once, so an encoding that drifted from json's own would make
every later `verify` fail on a store that is in fact intact."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent
from app.paths import store_paths
from app.services import status, unlock
from app.storage import audit
from app.storage.audit import event_hash

from tests.integration.conftest import PASSWORD

ODD = ['"引号"', "反斜杠\\", "换行\n制表\t", "\x00\x1f", "\u2028\u2029", "𠀀", "", "create", "新建", "修改字段：name、unit"]


@pytest.fixture
def store(township):
    opened = unlock.unlock(store_paths(township), None, PASSWORD).store
    yield opened
    opened.close()


def test_appended_events_hash_as_event_hash_says_and_the_chain_verifies(store):
    events = [(ODD[i % len(ODD)], f"person:{ODD[(i * 3) % len(ODD)]}{i}", ODD[(i * 7) % len(ODD)]) for i in range(60)]
    with store.write() as s:
        s.info["actor"] = 'account "王"\\'
        audit.append(s, events[:30])
        audit.append(s, events[30:])  # the second call goes on from the first's tail
    with store.read() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.office_id == store.office.id).order_by(AuditEvent.seq)).all()
    written = rows[-60:]
    assert [(r.action, r.entity, r.summary) for r in written] == events
    for before, r in zip(rows[-61:-1], written, strict=True):
        assert r.prev_hash == before.hash and r.seq == before.seq + 1
        assert r.hash == event_hash(r.prev_hash, r.seq, r.at, r.account, r.action, r.entity, r.summary)
    assert status.verify(store).audit_chain == "ok"
