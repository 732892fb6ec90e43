"""Append-only audit log chained with SHA-256 (DESIGN §4).

Every flush that creates, changes or deletes a row appends one event per row in the same
transaction, so a change without its event cannot be committed. Summaries name fields, never
values: the log must not become a second copy of reporter identity or allegations.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Counter, Office, Setting, SyncedRecord
from app.models.base import new_ids, utcnow

GENESIS = "0" * 64
UNAUDITED = (AuditEvent, Counter)  # Counter moves only together with an audited row


def event_hash(prev_hash: str, seq: int, at: str, account: str, action: str, entity: str, summary: str) -> str:
    """SHA-256 over prev_hash|compact JSON array (docs/STORAGE.md §5).

    The array is spelled out with the encoder json.dumps uses for strings (ensure_ascii=False): the
    same bytes, without building an encoder per event — imports hash tens of thousands of them.
    """
    e = encode_basestring
    payload = f"[{seq:d},{e(at)},{e(account)},{e(action)},{e(entity)},{e(summary)}]"
    return hashlib.sha256(f"{prev_hash}|{payload}".encode()).hexdigest()


def entity_name(obj) -> str:
    return f"{obj.__tablename__}:{getattr(obj, 'id', '') or getattr(obj, 'key', '')}"


def changed_fields(obj) -> list[str]:
    state = inspect(obj)
    return sorted(a.key for a in state.attrs if a.history.has_changes() and a.key not in ("version", "updated_at"))


def note(session: Session, action: str, entity: str, summary: str) -> None:
    """Record an event that is not a row change (a view of reporter identity, a backup …).

    Written at once: a flush with no changed rows never reaches before_flush.
    """
    append(session, [(action, entity, summary)])


EVENT_COLUMNS = ("id", "office_id", "seq", "at", "account", "action", "entity", "summary", "prev_hash", "hash")
INSERT_EVENTS = f"INSERT INTO audit_event ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"


def append(session: Session, events: list[tuple[str, str, str]]) -> None:
    """Chain and insert events with one statement: imports write a million of them. The hash is
    `event_hash`'s, with what every event of the call shares (time, account; the action and summary
    an import repeats) encoded once."""
    if not events:
        return
    office_id = session.info["office_id"]
    connection = session.connection()
    tail = session.info.get("audit_tail")
    if tail is None:
        row = connection.execute(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.office_id == office_id)
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).first()
        tail = (row.seq, row.hash) if row else (0, GENESIS)
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    account = session.info.get("actor", "")
    seq, prev = tail
    shared = f",{encode_basestring(at)},{encode_basestring(account)},"
    encoded: dict[str, str] = {}
    digest_of = hashlib.sha256
    rows = []
    for event_id, (action, entity, summary) in zip(new_ids(len(events)), events, strict=True):
        seq += 1
        a = encoded.get(action) or encoded.setdefault(action, encode_basestring(action))
        b = encoded.get(summary) or encoded.setdefault(summary, encode_basestring(summary))
        digest = digest_of(f"{prev}|[{seq:d}{shared}{a},{encode_basestring(entity)},{b}]".encode()).hexdigest()
        rows.append((event_id, office_id, seq, at, account, action, entity, summary, prev, digest))
        prev = digest
    connection.exec_driver_sql(INSERT_EVENTS, rows)
    session.info["audit_tail"] = (seq, prev)


def before_flush(session: Session, _context, _instances) -> None:
    if "office_id" not in session.info:
        return  # the set-up transaction creates the office first, then opens an audited session
    pending = []
    for obj in list(session.new):
        if not isinstance(obj, UNAUDITED):
            pending.append(("create", entity_name(obj), "新建"))
    for obj in list(session.dirty):
        if isinstance(obj, UNAUDITED) or not session.is_modified(obj):
            continue
        fields = changed_fields(obj)
        if not fields:
            continue
        if isinstance(obj, SyncedRecord):
            obj.version = (obj.version or 0) + 1
            obj.updated_at = utcnow()
        pending.append(("update", entity_name(obj), "修改字段：" + "、".join(fields)))
    for obj in list(session.deleted):
        if not isinstance(obj, UNAUDITED):
            pending.append(("delete", entity_name(obj), "删除"))
    append(session, pending)


def after_rollback(session: Session) -> None:
    session.info.pop("audit_tail", None)


def install(session_factory) -> None:
    event.listen(session_factory, "before_flush", before_flush)
    event.listen(session_factory, "after_soft_rollback", lambda s, _t: after_rollback(s))
    event.listen(session_factory, "after_commit", lambda s: s.info.pop("audit_tail", None))


@dataclass(frozen=True)
class ChainReport:
    """`ok` is about this office's own chain: the one a backup or a restore must trust. Chains
    received from other offices are checked too, and their problems listed in `received`; they never
    make `ok` false (data an office received must not stop it from restoring its own backup)."""

    ok: bool
    events: int
    broken_seq: int | None = None
    broken_office: str | None = None
    reason: str = ""
    received: tuple[str, ...] = ()

    @property
    def all_ok(self) -> bool:
        return self.ok and not self.received


def office_label(session: Session, office_id: str) -> str:
    row = session.execute(select(Office.code, Office.name).where(Office.id == office_id)).first()
    return f"{row.name}（{row.code}）" if row else f"未登记的单位（{office_id[:8]}）"


def own_office(session: Session) -> str | None:
    own = session.info.get("office_id")
    if own is None:
        row = session.get(Setting, "office_id")
        own = row.value if row is not None else None
    return own


def verify_chain(session: Session) -> ChainReport:
    """Recompute every office's chain, one event at a time (memory stays flat whatever the count);
    each problem names the office whose chain it is, and a gap is given as a range."""
    own = own_office(session)
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.office_id, AuditEvent.seq)).scalars()
    count = 0
    office, prev, expected_seq, failed = None, GENESIS, 1, False
    mine: tuple[int, str, str] | None = None
    received: list[str] = []
    for ev in rows:
        count += 1
        if ev.office_id != office:
            office, prev, expected_seq, failed = ev.office_id, GENESIS, 1, False
        if failed:
            continue  # the first problem of a chain is the one to report
        problem = ""
        if ev.seq != expected_seq:
            problem = (f"序号不连续：缺少第{expected_seq}号事件" if ev.seq == expected_seq + 1 else
                       f"序号不连续：缺少第{expected_seq}至{ev.seq - 1}号事件") if ev.seq > expected_seq else \
                f"第{ev.seq}号事件重复或次序错乱"
        elif ev.prev_hash != prev:
            problem = f"第{ev.seq}号事件与前一事件的链接不符"
        elif event_hash(prev, ev.seq, ev.at, ev.account, ev.action, ev.entity, ev.summary) != ev.hash:
            problem = f"第{ev.seq}号事件内容已被改动（哈希不符）"
        if problem:
            failed = True
            text = f"{office_label(session, ev.office_id)}的审计链：{problem}"
            if ev.office_id == own or own is None:
                mine = mine or (ev.seq, ev.office_id, text)
            else:
                received.append(text)
            continue
        prev, expected_seq = ev.hash, ev.seq + 1
    if mine:
        return ChainReport(False, count, mine[0], mine[1], "；".join([mine[2], *received]), tuple(received))
    return ChainReport(True, count, reason="；".join(received), received=tuple(received))
