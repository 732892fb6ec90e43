"""Taking a bundle's records into a store: a conflict-free union by record id and version.

A synced record is taken only when its owner is one the sender may speak for and its version is
newer than the stored one; a row the store already has at that version or later is "unchanged".
Records whose parents are neither in the store nor taken from the bundle are rejected too, so the
transaction never trips over a foreign key. Audit events are keyed by (office, seq) and must hash.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.models import SYNCED_TABLES, AuditEvent
from app.storage import audit
from app.storage.audit import event_hash
from app.sync.records import AUDIT_TABLE, MODELS, columns, file_column

NEW, UPDATED, UNCHANGED, REJECTED = "new", "updated", "unchanged", "rejected"
IMMUTABLE_OFFICE_FIELDS = ("code", "level", "parent_code")
ROW_BATCH = 2000  # rows per executemany
FILE_BATCH_BYTES = 16 * 1024 * 1024  # file bytes held in memory per executemany


@dataclass
class Plan:
    """What applying would do: per record a verdict; the warnings say why records were rejected."""

    verdicts: list[tuple[str, dict, str]] = field(default_factory=list)  # (table, values, verdict)
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        c = Counter(v for _, _, v in self.verdicts)
        return {k: c.get(k, 0) for k in (NEW, UPDATED, UNCHANGED, REJECTED)}


def foreign_keys(table: str) -> list[tuple[str, str]]:
    """(column, referenced table) for references to synced tables."""
    out = []
    for col in columns(table):
        for fk in col.foreign_keys:
            target = fk.column.table.name
            if target in SYNCED_TABLES:
                out.append((col.key, target))
    return out


def stored_versions(s: Session, table: str, ids: list[str]) -> dict[str, tuple[str, int]]:
    model = MODELS[table]
    found: dict[str, tuple[str, int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = s.execute(select(model.id, model.owner_office_id, model.version).where(model.id.in_(chunk))).all()
        found.update({r[0]: (r[1], r[2]) for r in rows})
    return found


def exists(s: Session, table: str, ids: set[str]) -> set[str]:
    return set(stored_versions(s, table, sorted(ids)))


def plan(s: Session, records: dict[str, list[dict]], allowed_owners: set[str], own_office_id: str) -> Plan:
    """Classify every record; reads only, so a dry run and the real import agree."""
    result = Plan()
    rejected_why: Counter = Counter()
    taken: dict[str, set[str]] = {t: set() for t in SYNCED_TABLES}
    for table in SYNCED_TABLES:
        rows = records.get(table, [])
        if not rows:
            continue
        stored = stored_versions(s, table, [r["id"] for r in rows])
        fks = foreign_keys(table)
        parents_needed: dict[str, set[str]] = {}
        for r in rows:
            for col, target in fks:
                if r[col] is not None:
                    parents_needed.setdefault(target, set()).add(r[col])
        present = {t: exists(s, t, ids - taken[t]) | (ids & taken[t]) for t, ids in parents_needed.items()}
        seen: set[str] = set()
        for r in rows:
            verdict, why = classify(s, table, r, stored.get(r["id"]), allowed_owners, own_office_id, seen)
            if verdict in (NEW, UPDATED):
                missing = [t for col, t in fks if r[col] is not None and r[col] not in present[t]
                           and not (t == table and r[col] == r["id"])]  # an office owns its own record
                if missing:
                    verdict, why = REJECTED, "关联的上级记录缺失"
            seen.add(r["id"])
            if verdict != REJECTED:
                taken[table].add(r["id"])
                for t, ids in present.items():
                    if t == table:
                        ids.add(r["id"])
            else:
                rejected_why[why] += 1
            result.verdicts.append((table, r, verdict))
    audit_rows = records.get(AUDIT_TABLE, [])
    if audit_rows:
        plan_audit(s, audit_rows, allowed_owners, result, rejected_why)
    result.warnings.extend(f"{n} 条记录未导入：{why}" for why, n in sorted(rejected_why.items()))
    return result


def classify(s: Session, table: str, r: dict, stored: tuple[str, int] | None, allowed: set[str], own: str,
             seen: set[str]) -> tuple[str, str]:
    if r["id"] in seen:
        return REJECTED, "同一记录在数据包中重复出现"
    if r["owner_office_id"] == own or r["owner_office_id"] not in allowed:
        return REJECTED, "记录不属于发送单位（只有记录的所属单位才能修改它）"
    if stored is None:
        return NEW, ""
    owner, version = stored
    if owner != r["owner_office_id"]:
        return REJECTED, "记录的所属单位与本库不一致"
    if r["version"] <= version:
        return UNCHANGED, ""
    if table == "office":
        current = s.get(MODELS["office"], r["id"])
        if any(getattr(current, f) != r[f] for f in IMMUTABLE_OFFICE_FIELDS):
            return REJECTED, "单位的代码、级别和上级单位不能通过数据包修改"
    return UPDATED, ""


def plan_audit(s: Session, rows: list[dict], allowed: set[str], result: Plan, rejected_why: Counter) -> None:
    keys = {(r["office_id"], r["seq"]) for r in rows}
    stored: dict[tuple[str, int], str] = {}
    for office in {k[0] for k in keys}:
        seqs = sorted(k[1] for k in keys if k[0] == office)
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            q = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.office_id == office, AuditEvent.seq.in_(chunk))
            stored.update({(office, seq): h for seq, h in s.execute(q).all()})
    seen: set[tuple[str, int]] = set()
    for r in rows:
        key = (r["office_id"], r["seq"])
        why = ""
        if r["office_id"] not in allowed:
            why = "审计事件不属于发送单位"
        elif key in seen:
            why = "审计事件重复出现"
        elif event_hash(r["prev_hash"], r["seq"], r["at"], r["account"], r["action"], r["entity"], r["summary"]) != r["hash"]:
            why = "审计事件的哈希不符"
        elif key in stored and stored[key] != r["hash"]:
            why = "审计事件与本库中已有的同号事件不一致"
        seen.add(key)
        if why:
            rejected_why[why] += 1
            result.verdicts.append((AUDIT_TABLE, r, REJECTED))
        else:
            result.verdicts.append((AUDIT_TABLE, r, UNCHANGED if key in stored else NEW))


def apply(s: Session, p: Plan, file_bytes: Callable[[str], bytes]) -> None:
    """Write what the plan takes with Core executemany, table by table (parents before children).

    No ORM objects: a full bundle holds a hundred thousand rows. The audit chain gets the same
    events a flush would have written (one per created or changed record), in one statement per table.
    """
    by_table: dict[str, tuple[list[dict], list[dict]]] = {}
    for table, values, verdict in p.verdicts:
        if verdict in (NEW, UPDATED):
            new, updated = by_table.setdefault(table, ([], []))
            (new if verdict == NEW else updated).append(values)
    connection = s.connection()
    for table in [*SYNCED_TABLES, AUDIT_TABLE]:
        new, updated = by_table.get(table, ([], []))
        events = []
        if updated:
            changes = changed_fields(connection, table, updated)
            events.extend(("update", f"{table}:{r['id']}", "修改字段：" + "、".join(changes[r["id"]])) for r in updated
                          if changes[r["id"]])
            write_rows(connection, table, updated, file_bytes, update=True)
        if new:
            write_rows(connection, table, new, file_bytes, update=False)
            if table != AUDIT_TABLE:  # the sender's events are copies, not changes made here
                events.extend(("create", f"{table}:{r['id']}", "新建") for r in new)
        audit.append(s, events)


def binary_columns(table: str) -> set[str]:
    return {file_column(table)} - {None}


def write_rows(connection, table: str, rows: list[dict], file_bytes: Callable[[str], bytes], *, update: bool) -> None:
    """Insert (or update by id) in batches; files are read from the payload one batch at a time."""
    t = MODELS[table].__table__
    binary = binary_columns(table)
    if update:
        statement = t.update().where(t.c.id == bindparam("p_id")).values(
            {c.key: bindparam(f"p_{c.key}") for c in t.columns if c.key != "id"})
        prefix = "p_"
    else:
        statement, prefix = t.insert(), ""
    batch: list[dict] = []
    held = 0
    for r in rows:
        values = {prefix + k: (file_bytes(v["$file"]) if k in binary else v) for k, v in r.items()}
        held += sum(len(values[prefix + k]) for k in binary)
        batch.append(values)
        if len(batch) >= ROW_BATCH or held >= FILE_BATCH_BYTES:
            connection.execute(statement, batch)
            batch, held = [], 0
    if batch:
        connection.execute(statement, batch)


def changed_fields(connection, table: str, rows: list[dict]) -> dict[str, list[str]]:
    """Per updated record the columns whose value differs from the stored row (as an audit summary names them)."""
    t = MODELS[table].__table__
    binary = binary_columns(table)
    compared = [c for c in t.columns if c.key not in binary]
    stored: dict[str, dict] = {}
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), 500):
        result = connection.execute(select(*compared).where(t.c.id.in_(ids[start:start + 500])))
        stored.update({m["id"]: dict(m) for m in result.mappings()})
    out = {}
    for r in rows:
        before = stored[r["id"]]
        fields = [c.key for c in compared if c.key not in ("version", "updated_at") and not same(before[c.key], r[c.key])]
        fields += [k for k in binary if "sha256" in before and before["sha256"] != r["sha256"]]
        out[r["id"]] = sorted(fields)
    return out


def same(stored, incoming) -> bool:
    """Equal values; times compared as UTC whether or not they carry an offset."""
    if isinstance(incoming, datetime) and isinstance(stored, datetime):
        incoming = incoming.astimezone(UTC).replace(tzinfo=None) if incoming.tzinfo else incoming
        stored = stored.astimezone(UTC).replace(tzinfo=None) if stored.tzinfo else stored
    return stored == incoming
