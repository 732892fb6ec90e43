"""Reading the audit log for display: the latest events of this office, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from app.models import AuditEvent
from app.storage.store import Store

MAX_LIMIT = 1000


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: str
    account: str
    action: str
    entity: str
    summary: str


def recent_events(store: Store, limit: int = 50) -> list[AuditRow]:
    limit = max(1, min(limit, MAX_LIMIT))
    with store.read() as s:
        rows = s.exec(
            select(AuditEvent)
            .where(AuditEvent.office_id == store.office.id)
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        ).all()
        return [AuditRow(e.seq, e.at, e.account, e.action, e.entity, e.summary) for e in rows]
