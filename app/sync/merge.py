"""Taking a bundle's records into a store: a conflict-free union by record id and version.

A synced record is taken only when its owner is one the sender may speak for and its version is
newer than the stored one; a row the store already has at that version or later is "unchanged".
Records whose parents are neither in the store nor taken from the bundle are rejected too, so the
transaction never trips over a foreign key. A record may only hang under a parent whose owner the
sender may speak for (or, coming down from a superior, under the receiver's own records, which is
how review opinions reach a township's case): a township must not attach a case to the county's
clue or a sanction to another township's case. Such a record makes the plan refuse the bundle.
The references are read from the foreign keys of the synced tables, so new tables are covered.
Audit events are keyed by (office, seq) and must hash.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import func, select
from sqlmodel import Session

from app.models import SYNCED_TABLES, AuditEvent
from app.storage import audit, bulk
from app.storage.audit import event_hash
from app.sync.records import AUDIT_TABLE, MODELS, columns, file_column
from app.sync.staging import Staging

NEW, UPDATED, UNCHANGED, REJECTED = "new", "updated", "unchanged", "rejected"
IMMUTABLE_OFFICE_FIELDS = ("code", "level", "parent_code")
ROW_BATCH = 2000  # rows per executemany
FILE_BATCH_BYTES = 16 * 1024 * 1024  # file bytes held in memory per executemany


# References to office rows name an office (owner, origin, addressee); they hang nothing under it,
# so only their existence is checked, not who owns the office row.
LABEL_TARGETS = {"office"}
MAX_REFUSALS_SHOWN = 5
MAX_REFUSALS_KEPT = 1000  # a bundle of a million bad rows must not build a million messages


@dataclass
class Plan:
    """What applying would do: per record a verdict (what later batches must know of it is kept in
    the staging database); here their counts, and the warnings saying why records were rejected.

    `refusals` are reasons that refuse the whole bundle (a record under another office's parent):
    the importer reports them and writes nothing."""

    tally: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    refusals: list[tuple[str, str]] = field(default_factory=list)  # (error code, reason)

    def counts(self) -> dict[str, int]:
        return {k: self.tally.get(k, 0) for k in (NEW, UPDATED, UNCHANGED, REJECTED)}

    def refuse(self, code: str, reason: str) -> None:
        if len(self.refusals) < MAX_REFUSALS_KEPT:
            self.refusals.append((code, reason))


# the bundle's records of a table, read a batch at a time in the bundle's order: [(n, values)]
Batches = Callable[[str], Iterable[list[tuple[int, dict]]]]
# a check the importer runs on each batch of a table as it is planned: (table, [(n, values, verdict)])
BatchCheck = Callable[[str, list[tuple[int, dict, str]]], None]
# what writes a planned batch, once its check has run: (table, [(n, values, verdict)])
BatchWrite = Callable[[str, list[tuple[int, dict, str]]], None]


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
    found: dict[str, tuple[str, int]] = {}
    connection = s.connection()  # the driver's own query: building a Core statement per lookup cost more than it
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = connection.exec_driver_sql(f'SELECT id, owner_office_id, version FROM "{table}" '
                                          f'WHERE id IN ({", ".join("?" * len(chunk))})', tuple(chunk)).all()
        found.update({i: (owner, version) for i, owner, version in rows})
    return found


def parent_owners(s: Session, staged: Staging, table: str, ids: set[str]) -> dict[str, str]:
    """id → owner of each parent that exists: as taken from this bundle, else as stored."""
    found = staged.taken_owners(table, ids)
    found.update({i: owner for i, (owner, _) in stored_versions(s, table, sorted(ids - set(found))).items()})
    return found


def office_names(s: Session, offices: list[dict]) -> dict[str, str]:
    """id → "name（code）" of every office, as stored before this import writes (a refusal leaves the
    store so, and an office the bundle renames is still named as the receiver knows it), and of the
    offices the bundle introduces, as it names them."""
    office = MODELS["office"]
    names = {r["id"]: f"{r['name']}（{r['code']}）" for r in offices}
    names.update({i: f"{name}（{code}）" for i, code, name in s.execute(select(office.id, office.code, office.name)).all()})
    return names


def plan(s: Session, batches: Batches, staged: Staging, offices: list[dict], allowed_owners: set[str],
         own_office_id: str, names: dict[str, str], *, receiver_parents: bool = False,
         new_offices: set[str] = frozenset(), check: BatchCheck | None = None, write: BatchWrite | None = None) -> Plan:
    """Classify every record the bundle's `batches` give, table by table (parents before children)
    and a batch at a time, recording each verdict in `staged` for the batches after it, so a dry run
    and the real import agree. `offices`: the bundle's office records (bounded), read before.

    `names`: the offices as refusals name them (`office_names`, taken before anything is written).
    `receiver_parents`: the sender is the receiver's superior, whose records (review opinions) may
    refer to the receiver's own cases. `new_offices`: office records the bundle may introduce (their
    own rows only, not what they would own). `check` sees each planned batch; then `write` (the
    import, inside its transaction) takes it while it is in memory, until a refusal is found: the
    bundle is then refused and the transaction rolled back, so what was written never stays. The
    plan of a batch looks only at what was stored before this import and at verdicts staged, so
    writing the batches before it as it goes does not change it (`write_batch`)."""
    result = Plan()
    office_clashes(s, offices, result)
    rejected_why: Counter = Counter()

    def may_hang_under(owner: str) -> bool:
        return owner in allowed_owners or (receiver_parents and owner == own_office_id)

    for table in SYNCED_TABLES:
        fks = foreign_keys(table)
        hung = [(col, target) for col, target in fks if target not in LABEL_TARGETS]
        allowed = allowed_owners | new_offices if table == "office" else allowed_owners
        for rows in batches(table):
            batch = list(zip(rows, staged.repeated(table, rows), strict=True))
            stored = stored_versions(s, table, [r["id"] for (_, r), _ in batch])
            parents_needed: dict[str, set[str]] = {}
            for col, target in fks:
                if ids := {r[col] for (_, r), _ in batch} - {None}:
                    parents_needed.setdefault(target, set()).update(ids)
            owners = {t: parent_owners(s, staged, t, ids) for t, ids in parents_needed.items()}
            verdicts: list[tuple[int, dict, str, str | None]] = []
            checked: list[tuple[int, dict, str]] = []
            for (n, r), repeated in batch:
                known = stored.get(r["id"])
                verdict, why = classify(s, table, r, known, allowed, own_office_id, repeated)
                if verdict == NEW or verdict == UPDATED:
                    why, foreign = parents_problem(table, r, fks, hung, owners, may_hang_under)
                    if foreign is not None:
                        col, target, owner = foreign
                        result.refuse("foreign_parent",
                            f"“{table}”记录 {r['id']} 的 {col} 指向{names.get(owner, owner)}的“{target}”记录 {r[col]}，"
                            "发送单位无权在其他单位的记录下添加内容")
                    if why:
                        verdict = REJECTED
                owner = None
                if verdict != REJECTED:
                    owner = known[0] if known is not None else r["owner_office_id"]
                    if table in owners:  # a later row of this batch may hang under this one
                        owners[table][r["id"]] = owner
                else:
                    rejected_why[why] += 1
                result.tally[verdict] += 1
                verdicts.append((n, r, verdict, owner))
                checked.append((n, r, verdict))
            staged.record(table, verdicts)
            if check is not None:
                check(table, checked)
            if write is not None and not result.refusals:
                write(table, checked)
    plan_audit(s, batches, allowed_owners, names, result, rejected_why, write)
    result.warnings.extend(f"{n} 条记录未导入：{why}" for why, n in sorted(rejected_why.items()))
    return result


def parents_problem(table: str, r: dict, fks: list[tuple[str, str]], hung: list[tuple[str, str]],
                    owners: dict[str, dict[str, str]], may_hang_under: Callable[[str], bool]
                    ) -> tuple[str, tuple[str, str, str] | None]:
    """Why a record to be taken may not be, for the parents it names, or "": one is neither stored nor
    taken, or (`hung`: references that hang it under its parent) one's owner is not one the sender may
    speak for — then also (column, table, owner) of the first such parent. `owners`: each needed
    parent table's id → owner (`parent_owners`)."""
    for col, target in fks:
        parent = r[col]
        if parent is not None and parent not in owners[target] and not (target == table and parent == r["id"]):
            return "关联的上级记录缺失", None  # (an office owns its own record)
    for col, target in hung:
        parent = r[col]
        owner = owners[target].get(parent) if parent is not None else None
        if owner is not None and not may_hang_under(owner):
            return "挂在其他单位的记录之下", (col, target, owner)
    return "", None


def classify(s: Session, table: str, r: dict, stored: tuple[str, int] | None, allowed: set[str], own: str,
             repeated: bool) -> tuple[str, str]:
    if repeated:
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


def office_clashes(s: Session, rows: list[dict], result: Plan) -> None:
    """An office record may not take another office's code (codes are unique), nor the name of an
    office at another level or of a sibling under the same parent (the office list would show two
    offices of that name). Townships of different counties may share a name (城关镇), as in life."""
    office = MODELS["office"]
    by_code: dict[str, tuple[str, str]] = {}  # code → (id, name)
    by_name: dict[str, list[tuple[str, str, str | None, str]]] = {}  # name → [(id, level, parent, code)]

    def remember(i: str, code: str, name: str, level: str, parent: str | None) -> None:
        by_code[code] = (i, name)
        by_name.setdefault(name, []).append((i, level, parent, code))

    for r in s.execute(select(office.id, office.code, office.name, office.level, office.parent_code)).all():
        remember(*r)
    for r in rows:
        taken = by_code.get(r["code"])
        if taken is not None and taken[0] != r["id"]:
            result.refuse("office_conflict", f"单位记录 {r['id']} 的代码“{r['code']}”已是另一单位（{taken[1]}）的代码")
        namesakes = islice(by_name.get(r["name"], ()), 100)  # bounded: a hostile bundle may repeat a name a million times
        clash = next((code for i, level, parent, code in namesakes
                      if i != r["id"] and (level != r["level"] or parent == r["parent_code"])), None)
        if clash is not None:
            result.refuse("office_conflict", f"单位记录 {r['id']} 的名称“{r['name']}”已是另一单位（{clash}）的名称")
        remember(r["id"], r["code"], r["name"], r["level"], r["parent_code"])


def plan_audit(s: Session, batches: Batches, allowed: set[str], names: dict[str, str], result: Plan,
               rejected_why: Counter, write: BatchWrite | None) -> None:
    """The sender's audit events, which come in strictly rising (office, seq) order, as this app
    writes them (docs/BUNDLE.md §6): so none repeats, and the chain is followed as they stream. Each
    must hash, and those new to this store must extend its chain (`Chain`). An event written from an
    earlier batch changes none of the lookups: a new event's predecessor is either new too (then it is
    the one before it in the stream) or stored before."""
    chain = Chain(s)
    last: tuple[str, int] | None = None
    top: dict[str, int] = {}  # office → its highest event stored before this import: only those below it may be stored
    for batch in batches(AUDIT_TABLE):
        for n, r in batch:
            key = (r["office_id"], r["seq"])
            if last is not None and key <= last:
                where = (f"{names.get(key[0], key[0])}的第{key[1]}号重复出现" if key == last else
                         f"{names.get(key[0], key[0])}的第{key[1]}号排在{names.get(last[0], last[0])}的第{last[1]}号之后")
                result.refuse("audit_chain", f"审计事件未按单位和序号依次排列（第{n}条：{where}）")
                return
            last = key
        stored: dict[tuple[str, int], str] = {}
        for office in {r["office_id"] for _, r in batch}:
            if office not in top:  # asked before this office's first event is written
                top[office] = s.execute(select(func.max(AuditEvent.seq)).where(AuditEvent.office_id == office)).scalar() or 0
            seqs = sorted({r["seq"] for _, r in batch if r["office_id"] == office and r["seq"] <= top[office]})
            for start in range(0, len(seqs), 500):
                chunk = seqs[start:start + 500]
                q = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.office_id == office, AuditEvent.seq.in_(chunk))
                stored.update({(office, seq): h for seq, h in s.connection().execute(q).all()})
        checked: list[tuple[int, dict, str]] = []
        for n, r in batch:
            key = (r["office_id"], r["seq"])
            why = ""
            if r["office_id"] not in allowed:
                why = "审计事件不属于发送单位"
            elif event_hash(r["prev_hash"], r["seq"], r["at"], r["account"], r["action"], r["entity"], r["summary"]) != r["hash"]:
                why = "审计事件的哈希不符"
            elif key in stored and stored[key] != r["hash"]:
                # an event this store holds, rewritten: history is append-only, so the bundle is refused
                result.refuse("history_conflict", f"{names.get(r['office_id'], r['office_id'])}的第{r['seq']}号审计事件"
                                                  "与本单位已收到的同号事件不一致")
                why = "审计事件与本库中已有的同号事件不一致"
            if why:
                rejected_why[why] += 1
                verdict = REJECTED
            else:
                verdict = UNCHANGED if key in stored else NEW
                if verdict == NEW:
                    chain.add(r)
            result.tally[verdict] += 1
            checked.append((n, r, verdict))
        if write is not None and not result.refusals and not chain.problems:
            write(AUDIT_TABLE, checked)
    chain.finish()
    for office, problem in chain.problems.items():
        result.refuse("audit_chain", f"{names.get(office, office)}的审计事件{problem}")


def stored_event_hash(s: Session, office: str, seq: int) -> str | None:
    if seq == 0:
        return audit.GENESIS
    return s.execute(select(AuditEvent.hash).where(AuditEvent.office_id == office, AuditEvent.seq == seq)).scalar()


class Chain:
    """The events new to this store, in (office, seq) order, against each office's chain as stored:
    each must link to the event before it, whether that one is stored or arrives with it, and the
    stored event after a run of new ones must link to the run's last. Only the last event is held and
    only the ends of runs are looked up; a gap is reported as a range, so memory stays bounded
    whatever the numbers. `problems`: the first found per office."""

    def __init__(self, s: Session):
        self.s = s
        self.previous: dict | None = None  # the last new event added, of an office without a problem
        self.problems: dict[str, str] = {}

    def add(self, r: dict) -> None:
        office, seq = r["office_id"], r["seq"]
        if office in self.problems:
            return
        previous = self.previous if self.previous is not None and self.previous["office_id"] == office else None
        if previous is not None and previous["seq"] == seq - 1:
            problem = self.linked(r, previous["hash"])
        else:
            self.finish()  # a run ended: the stored event after it must link to it
            if office in self.problems:
                return
            problem = self.run_start(r, previous)
        if problem:
            self.problems[office] = problem
            self.previous = None
        else:
            self.previous = r

    def run_start(self, r: dict, previous: dict | None) -> str | None:
        """An event that starts a run: its predecessor is stored (or the chain's start)."""
        office, seq = r["office_id"], r["seq"]
        if seq < 1:
            return f"第{seq}号序号无效"
        before = stored_event_hash(self.s, office, seq - 1)
        if before is None:
            last = self.s.execute(select(func.max(AuditEvent.seq)).where(AuditEvent.office_id == office,
                                                                       AuditEvent.seq < seq)).scalar() or 0
            last = max(last, previous["seq"] if previous else 0)
            return (f"不连续：本单位已有及数据包中该单位的审计事件到第{last}号为止，接着的是第{seq}号"
                    f"（缺少第{last + 1}至{seq - 1}号）")
        return self.linked(r, before)

    @staticmethod
    def linked(r: dict, before: str) -> str | None:
        if r["prev_hash"] != before:
            return f"第{r['seq']}号与前一事件（第{r['seq'] - 1}号）衔接不上（前一事件哈希不符）"
        return None

    def finish(self) -> None:
        """The end of the run the last event closes."""
        r, self.previous = self.previous, None
        if r is None:
            return
        after = self.s.execute(select(AuditEvent.prev_hash).where(AuditEvent.office_id == r["office_id"],
                                                                  AuditEvent.seq == r["seq"] + 1)).scalar()
        if after is not None and after != r["hash"]:
            self.problems[r["office_id"]] = f"第{r['seq']}号与本单位已保存的第{r['seq'] + 1}号事件衔接不上"


def write_batch(s: Session, table: str, batch: list[tuple[int, dict, str]], file_bytes: Callable[[str], bytes]) -> None:
    """Write what the plan takes of one batch with the driver's executemany (`plan` hands the batches
    over table by table, parents before children): no ORM objects. The audit chain gets the same
    events a flush would have written (one per created or changed record), one statement per batch.
    """
    connection = s.connection()
    new = [r for _, r, verdict in batch if verdict == NEW]
    updated = [r for _, r, verdict in batch if verdict == UPDATED]
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
    batch: list[dict] = []
    held = 0
    for r in rows:
        values = {k: file_bytes(v["$file"]) for k, v in r.items() if k in binary} if binary else {}
        held += sum(len(v) for v in values.values())
        batch.append({**r, **values} if values else r)
        if len(batch) >= ROW_BATCH or held >= FILE_BATCH_BYTES:
            bulk.execute_many(connection, t, batch, update=update)
            batch, held = [], 0
    bulk.execute_many(connection, t, batch, update=update)


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
