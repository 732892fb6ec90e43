"""Export and import of USB bundles (DESIGN §8, docs/BUNDLE.md).

Export: the records the recipient should have (changed since the last acknowledged bundle, or
all), sealed to the recipient and to this office, written atomically and read back. Import:
framing, manifest, addressing, practice flag, sender keys and signature, body hash and sequence
are checked before anything is decrypted; then the entries other than records are checked, and
the records are read, checked, classified and taken a batch at a time in one transaction, which a
refusal rolls back. A refused bundle is quarantined and the store stays as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, closing, suppress
from dataclasses import dataclass, field
from datetime import date
from itertools import zip_longest
from pathlib import Path

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from app.domain.calendar import parse_holiday_year
from app.domain.errors import DomainError
from app.errors import AppError, InputError, StoreError
from app.models import (
    SYNCED_TABLES,
    AuditEvent,
    BundleLog,
    BundleReceipt,
    Case,
    Clue,
    ClueSubject,
    Office,
    OfficeKey,
    Reporter,
    ReviewOpinion,
    StatisticsSnapshot,
    Transfer,
)
from app.models.base import utcnow
from app.services import case_codec, cases, offices, ruleset, statistics
from app.services.practice_flag import is_practice_in
from app.services.ruleset import HOLIDAY_KEY_PREFIX
from app.storage import audit, schema, setting_rows
from app.storage.atomic import fsync_dir, os_problem
from app.storage.engine import large_cache
from app.storage.store import Store
from app.sync import container, keys, limits, manifest, merge, pack, quarantine, staging
from app.sync.archive import Builder, Payload
from app.sync.collector import long_lived_frozen
from app.sync.container import BundleError, Cancelled
from app.sync.limits import MAX_YEAR, MIN_YEAR
from app.sync.records import (
    AUDIT_TABLE,
    MODELS,
    RecordInvalid,
    decode,
    decode_line,
    encode_line,
    export_columns,
    file_column,
    file_export_columns,
    line_of,
    lines_of,
    selected_columns,
    texts_acceptable,
)
from app.sync.staging import Staging

Progress = Callable[[int, int, str], None]
RECEIPT_CONTEXT = b"jiantong-receipt-v1\x00"
TABLES_BY_KIND = {
    # a reporter's identity never travels upward: a complaint the county accepts reaches it on paper
    # and is not kept here at all ([J] 第十五条第二款, app/services/upward_complaint.py)
    "upward": set(SYNCED_TABLES) - {"transfer", "review_opinion", "statistics_snapshot", "reporter"} | {AUDIT_TABLE},
    "downward": {"office", "person", "clue", "reporter", "clue_subject", "transfer", "review_opinion"},
    "statistics": {"office", "statistics_snapshot"},
}
KIND_TITLES = {"upward": "上报", "downward": "下发", "statistics": "统计报送"}


@dataclass(frozen=True)
class ExportResult:
    bundle: str
    seq: int
    records: int
    files: int
    snapshots: statistics.SnapshotResult | None = None  # a county's bundle to the city: the statistics it made


@dataclass(frozen=True)
class ImportResult:
    file: str
    sender: str
    seq: int | None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    refused: bool = False
    code: str = ""
    reason: str = ""
    dry_run: bool = False
    kind: str = ""


@dataclass(frozen=True)
class HistoryRow:
    direction: str
    peer_code: str
    peer_name: str
    kind: str
    seq: int
    at: str
    records: int
    files: int
    acked: bool
    file_name: str


def no_progress(_done: int, _total: int, _label: str = "") -> None:
    return None


def never() -> bool:
    return False


# --- who talks to whom --------------------------------------------------------------------

def kind_between(sender: Office, recipient: Office) -> str | None:
    if sender.parent_code == recipient.code:
        if sender.level == "township" and recipient.level == "county":
            return "upward"
        if sender.level == "county" and recipient.level == "city":
            return "statistics"
        return None
    if recipient.parent_code == sender.code:
        return "downward"
    return None


def trusted_key(s: Session, office: Office) -> OfficeKey:
    row = s.get(OfficeKey, office.id)
    if row is None or row.state != "trusted":
        raise InputError("peer_not_trusted", f"尚未确认“{office.name}”的密钥指纹，不能给它导出数据包。"
                                             "请先导入它的数据包并电话核对指纹（“确认指纹”）。")
    return row


# --- export: choosing records -------------------------------------------------------------

def changed_ids(s: Session, office_id: str, after: int, upto: int) -> dict[str, set[str]]:
    """Rows this office created or changed after audit event `after`: the chain is the change log."""
    rows = s.exec(select(AuditEvent.entity).where(AuditEvent.office_id == office_id, AuditEvent.seq > after,
                                                  AuditEvent.seq <= upto)).all()
    out: dict[str, set[str]] = {}
    for entity in rows:
        table, _, row_id = entity.partition(":")
        if table in MODELS and table != AUDIT_TABLE:
            out.setdefault(table, set()).add(row_id)
    return out


def record_rows(s: Session, table: str, *where) -> list:
    """Core rows of a synced table read with `export_columns` (each with its line, made by SQLite):
    no ORM objects, and no JSON decoded, for a full bundle."""
    return s.execute(sa_select(*export_columns(table)).where(*where)).all()


def record_lines(s: Session, table: str, rows: list) -> list[str]:
    """The rows' lines of records/<table>.jsonl: SQLite's where `line_of` takes it, else `encode`'s
    of the row read again whole."""
    lines = lines_of(table, rows)
    again = sorted(r.id for r, line in zip(rows, lines, strict=True) if line is None)
    if again:
        whole = {r.id: r for r in whole_rows(s, table, again)}
        lines = [line if line is not None else encode_line(table, whole[r.id]) for r, line in zip(rows, lines, strict=True)]
    return lines


def whole_rows(s: Session, table: str, ids: list[str]) -> list:
    t = MODELS[table].__table__
    out = []
    for start in range(0, len(ids), 500):
        out.extend(s.execute(sa_select(*selected_columns(table)).where(t.c.id.in_(ids[start:start + 500]))).all())
    return out


FILE_READERS = 2  # SQLCipher decrypts a file's pages with the GIL let go: two readers use two cores


def pack_files(store: Store, b: Builder, table: str, ids: list[str], written: set[str], progress: Callable[[], None],
               cancelled: Callable[[], bool]) -> None:
    """records/<table>.jsonl of a table with files, each record read with its file in the packing's own
    read (once the file's pages are read, the rest of the row costs nothing), and files/<sha256> of
    each file not `written` yet.
    The records are read and their files hashed ahead, by FILE_READERS threads taking turns (each
    with its own read, one record ahead): SQLCipher and hashlib let go of the GIL, so that runs
    beside the packing and encryption of the files before."""
    t = MODELS[table].__table__
    query = sa_select(*file_export_columns(table)).where(t.c.id == bindparam("row_id"))

    def rows(part: list[str]) -> Callable[[], Iterator[tuple]]:
        def read() -> Iterator[tuple]:
            with store.read() as s:
                for row_id in part:
                    row = s.execute(query, {"row_id": row_id}).one_or_none()
                    if row is None or row[1] is None:
                        yield None, None, False
                        continue
                    line = line_of(table, row) or encode_line(table, whole_rows(s, table, [row_id])[0])
                    yield row, line, hashlib.sha256(row[1]).hexdigest() == row[0]
        return read

    lines = []
    with ExitStack() as readers:
        aheads = [readers.enter_context(closing(read_ahead(rows(ids[k::FILE_READERS])))) for k in range(FILE_READERS)]
        for turn in zip_longest(*aheads):  # the readers' records in turn: the order of `ids`
            for row, line, intact in [item for item in turn if item is not None]:
                if cancelled():
                    raise Cancelled()
                if not intact:  # gone, or its bytes are not those its record names
                    raise InputError("export_changed", "导出期间文书或附件被修改，数据包未写出。请重新导出。")
                if row[0] not in written:
                    b.add_checked_file(row[0], row[1])
                    written.add(row[0])
                lines.append(line)
                del row
                progress()
    b.add_json_lines(f"records/{table}.jsonl", lines)


def read_ahead(items: Callable[[], Iterator], depth: int = 1) -> Iterator:
    """The items of `items()`, made on a thread of their own at most `depth` ahead of the caller; an
    error there is raised here, and the thread ends when the caller stops early."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        made = items()
        try:
            for item in made:
                if not offer((None, item)):
                    return
            offer((None, end))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, which raises it
            offer((exc, None))
        finally:
            made.close()

    worker = threading.Thread(target=run, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            error, item = ready.get()
            if error is not None:
                raise error
            if item is end:
                return
            yield item
    finally:
        stop.set()
        worker.join()


def rows_by_id(s: Session, table: str, ids: set[str]) -> list:
    t = MODELS[table].__table__
    out = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        out.extend(record_rows(s, table, t.c.id.in_(ordered[start:start + 500])))
    return out


def demo_ids(s: Session, owner: str) -> tuple[set[str], set[str]]:
    clues = set(s.exec(select(Clue.id).where(Clue.owner_office_id == owner, Clue.is_demo == True)).all())  # noqa: E712
    cases = set(s.exec(select(Case.id).where(Case.clue_id.in_(clues))).all()) if clues else set()
    return clues, cases


def upward_selection(s: Session, me: str, changed: dict[str, set[str]] | None) -> dict[str, list]:
    demo_clues, demo_cases = demo_ids(s, me)
    real_person_ids = None
    if demo_clues:
        real_person_ids = set(s.exec(select(ClueSubject.person_id).where(ClueSubject.clue_id.not_in(demo_clues))).all())
    out: dict[str, list] = {}
    for table in TABLES_BY_KIND["upward"] - {AUDIT_TABLE}:
        if changed is None:
            rows = record_rows(s, table, MODELS[table].__table__.c.owner_office_id == me)
        else:
            rows = [r for r in rows_by_id(s, table, changed.get(table, set())) if r.owner_office_id == me]
        if demo_clues:
            rows = [r for r in rows if not is_demo_row(table, r, demo_clues, demo_cases, real_person_ids)]
        if "practice" in MODELS[table].__table__.c:  # practice documents never leave
            rows = [r for r in rows if not r.practice]
        out[table] = rows
    return out


def is_demo_row(table: str, row, demo_clues: set[str], demo_cases: set[str], real_persons: set[str] | None) -> bool:
    if table == "clue":
        return row.id in demo_clues
    if getattr(row, "clue_id", None) in demo_clues or getattr(row, "case_id", None) in demo_cases:
        return True
    return table == "person" and real_persons is not None and row.id not in real_persons


def downward_selection(s: Session, me: str, peer: Office, changed: dict[str, set[str]] | None) -> dict[str, list]:
    transfers = record_rows(s, "transfer", Transfer.owner_office_id == me, Transfer.to_office_id == peer.id)
    clue_ids = {t.clue_id for t in transfers}
    clues = rows_by_id(s, "clue", clue_ids)
    links = record_rows(s, "clue_subject", ClueSubject.clue_id.in_(clue_ids)) if clue_ids else []
    people = rows_by_id(s, "person", {x.person_id for x in links})
    reporters = record_rows(s, "reporter", Reporter.clue_id.in_(clue_ids)) if clue_ids else []
    peer_cases = sa_select(Case.id).where(Case.owner_office_id == peer.id)
    opinions = record_rows(s, "review_opinion", ReviewOpinion.owner_office_id == me, ReviewOpinion.case_id.in_(peer_cases))
    out = {"transfer": transfers, "clue": clues, "clue_subject": links, "person": people, "reporter": reporters,
           "review_opinion": opinions}
    out = {t: [r for r in rows if r.owner_office_id == me] for t, rows in out.items()}
    if changed is not None:
        out = {t: [r for r in rows if r.id in changed.get(t, set())] for t, rows in out.items()}
    return out


def statistics_selection(s: Session, me: str) -> dict[str, list]:
    snaps = record_rows(s, "statistics_snapshot", StatisticsSnapshot.owner_office_id == me)
    codes = {x.office_code for x in snaps}
    labels = record_rows(s, "office", Office.code.in_(codes)) if codes else []
    return {"statistics_snapshot": snaps, "office": labels}


def with_parents(s: Session, selection: dict[str, list], me: str) -> dict[str, list]:
    """Add the sender's own parents of every row, so a bundle applies whatever arrived before it."""
    chosen = {t: {r.id: r for r in rows} for t, rows in selection.items()}
    for table in reversed(SYNCED_TABLES):
        for col, target in merge.foreign_keys(table):
            wanted = {getattr(r, col) for r in chosen.get(table, {}).values()} - {None}
            missing = wanted - set(chosen.get(target, {}))
            if missing:
                for parent in rows_by_id(s, target, missing):
                    if parent.owner_office_id == me:
                        chosen.setdefault(target, {})[parent.id] = parent
    return {t: list(rows.values()) for t, rows in chosen.items() if rows}


# --- export -------------------------------------------------------------------------------

def receipt_body(r: BundleReceipt) -> dict:
    return {"bundle_id": r.bundle_id, "from_office_id": r.from_office_id, "to_office_id": r.to_office_id, "seq": r.seq,
            "sha256": r.sha256, "received_at": r.received_at.isoformat()}


def signed_receipts(s: Session, own: keys.OwnKeys, me: str, peer_id: str) -> list[dict]:
    rows = s.exec(select(BundleReceipt).where(BundleReceipt.from_office_id == peer_id, BundleReceipt.to_office_id == me)
                  .order_by(BundleReceipt.seq)).all()
    out = []
    for r in rows:
        body = receipt_body(r)
        out.append({**body, "signature": own.sign(RECEIPT_CONTEXT + container.canonical(body)).hex()})
    return out


def contiguous_ack_cutoff(logs: list[BundleLog]) -> int:
    cutoff = 0
    for entry in sorted(logs, key=lambda x: x.seq):
        if not entry.acked:
            break
        cutoff = entry.audit_cutoff
    return cutoff


@long_lived_frozen()
def export(store: Store, to_code: str, out_dir: Path, *, full: bool = False, progress: Progress = no_progress,
           cancelled: Callable[[], bool] = never) -> ExportResult:
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise InputError("no_folder", f"目标文件夹“{out_dir}”不存在，请插好U盘或另选文件夹。")
    me = store.office.id
    snapshots = statistics_for_city(store, to_code, progress)
    progress(0, 0, "正在读取要导出的记录……")
    with store.read() as s:
        if is_practice_in(s):
            raise InputError("practice_store", "这是练习数据库，练习数据不能生成上报数据包。")
        me_row = s.get(Office, me)
        if to_code == me_row.parent_code and s.exec(select(Office).where(Office.code == to_code)).first() is None:
            # set up with plain `init`: "office add" is for registering subordinates, not the superior
            raise InputError("no_parent_package", f"本单位尚未导入上级单位（{to_code}）的设置包，不能给它导出数据包。请用"
                                                  "“office adopt --package 设置包文件”或“同步”页的“导入上级设置包…”导入后再导出，"
                                                  "原有案件不受影响。")
        peer = offices.office_by_code(s, to_code)
        kind = kind_between(me_row, peer)
        if kind is None:
            raise InputError("not_a_peer", f"“{peer.name}”不是本单位的直接上级或下级，不能给它导出数据包。")
        peer_key = trusted_key(s, peer)
        own = offices.own_keys(s, me)
        logs = s.exec(select(BundleLog).where(BundleLog.direction == "out", BundleLog.peer_office_id == peer.id)).all()
        seq = max((x.seq for x in logs), default=0) + 1
        prev_hash = max(logs, key=lambda x: x.seq).sha256 if logs else manifest.GENESIS
        cutoff = s.exec(select(func.max(AuditEvent.seq)).where(AuditEvent.office_id == me)).one() or 0
        watermark = 0 if full else contiguous_ack_cutoff(logs)
        changed = None if full or watermark == 0 else changed_ids(s, me, watermark, cutoff)
        if kind == "upward":
            selection = upward_selection(s, me, changed)
        elif kind == "downward":
            selection = downward_selection(s, me, peer, changed)
        else:
            selection = statistics_selection(s, me)
        selection.setdefault("office", []).extend(rows_by_id(s, "office", {me}))
        selection = with_parents(s, selection, me)
        records = {t: record_lines(s, t, sorted(rows, key=lambda r: r.id)) for t, rows in selection.items()
                   if not file_column(t)}
        with_files = {t: sorted(r.id for r in rows) for t, rows in selection.items() if file_column(t)}
        if kind == "upward":
            events = record_rows(s, AUDIT_TABLE, AuditEvent.office_id == me, AuditEvent.seq > watermark, AuditEvent.seq <= cutoff)
            records[AUDIT_TABLE] = record_lines(s, AUDIT_TABLE, sorted(events, key=lambda e: e.seq))
        receipts = signed_receipts(s, own, me, peer.id)
        holidays = offices.holiday_tables(s) if kind == "downward" else {}
        templates = offices.template_tables(s) if kind == "downward" else {}
        rules_texts = ruleset.effective_texts(s) if kind == "downward" else {}
        practice = is_practice_in(s)
    if cancelled():
        raise Cancelled()
    rules_version = ruleset.load(store).workflow.version
    counts = {t: len(rows) for t, rows in [*records.items(), *with_files.items()] if rows}
    files: set[str] = set()  # the SHA-256 of every file packed
    record_count = sum(counts.values())
    bundle_id = uuid.uuid4().hex

    def manifest_of(sealed: pack.Sealed, files_packed: int) -> dict:
        return {
            "format": 1, "kind": kind, "bundle_id": bundle_id, "sender": offices.sender_block(me_row, own),
            "recipient": {"office_id": peer.id, "code": peer.code, "fingerprint": peer_key.fingerprint},
            "seq": seq, "prev_hash": prev_hash, "created_at": manifest.now_text(),
            "versions": offices.versions(rules_version), "practice": practice, "full": full or watermark == 0,
            "encryption": "age", "counts": {**counts, "files": files_packed}, **sealed.body_fields(),
        }

    def fill(b: Builder) -> None:
        for table in [*SYNCED_TABLES, AUDIT_TABLE]:
            if records.get(table):
                b.add_json_lines(f"records/{table}.jsonl", records[table])
        total, done = sum(len(ids) for ids in with_files.values()), 0

        def packed() -> None:
            nonlocal done
            done += 1
            progress(done, total, "正在打包并写入U盘……")

        for table in SYNCED_TABLES:
            if with_files.get(table):
                pack_files(store, b, table, with_files[table], files, packed, cancelled)
        b.add_json("receipts.json", receipts)
        offices.add_downward_tables(b, holidays, templates, rules_texts)

    sealed: list[pack.Sealed] = []

    def body(out) -> dict:
        sealed.append(pack.seal_into(out, [peer_key.age_recipient, own.public.age_recipient], fill, cancelled))
        if cancelled():
            raise Cancelled()
        return manifest_of(sealed[0], len(files))

    target = out_dir / manifest.file_name(me_row.code, peer.code, seq)
    staged = staged_name(target)
    clear_unfinished(out_dir, me_row.code, peer.code)
    progress(0, 0, "正在打包并写入U盘……")
    room = len(container.canonical(manifest_of(pack.PLACEHOLDER, sum(len(ids) for ids in with_files.values()))))
    try:
        container.write_streamed(staged, own, room, body)
    except StoreError as exc:
        if exc.code == "disk_full":
            raise StoreError("disk_full", f"“{out_dir}”空间不足，数据包“{target.name}”未写出，数据库未改动。"
                                          "请清理U盘或换一个后重新导出。") from exc
        if exc.code == "write_failed" and isinstance(exc.__cause__, OSError):  # named by the stick, not the hidden file
            raise StoreError("write_failed", f"未能写入“{out_dir}”：{os_problem(exc.__cause__)}。数据包“{target.name}”未写出，"
                                             "数据库未改动。请检查U盘或换一个后重新导出。") from exc
        raise
    try:
        progress(0, 0, "正在读回并校验……")
        digest = read_back(staged, own, sealed[0])
        with store.write() as s:
            s.add(BundleLog(bundle_id=bundle_id, direction="out", peer_office_id=peer.id, kind=kind, seq=seq,
                            sha256=digest, prev_hash=prev_hash, records=record_count, files=len(files),
                            full=full or watermark == 0, audit_cutoff=cutoff, file_name=target.name))
            audit.note(s, "export_bundle", f"bundle:{bundle_id}",
                       f"向{peer.code}导出第{seq}号数据包（记录{record_count}条、文件{len(files)}个）")
    except BaseException:
        with suppress(OSError):  # a stick pulled out: the read-back's message, not the cleanup's
            staged.unlink(missing_ok=True)
        raise
    publish(staged, target, seq)
    return ExportResult(str(target), seq, record_count, len(files), snapshots)


def statistics_for_city(store: Store, to_code: str, progress: Progress) -> statistics.SnapshotResult | None:
    """A county's bundle to its city carries only statistics snapshots: make them now (not only when
    someone remembered `snapshot`), unless the export is going to be refused anyway."""
    if store.office.level != "county" or to_code != store.office.parent_code:
        return None
    with store.read() as s:
        if is_practice_in(s) or s.exec(select(Office).where(Office.code == to_code)).first() is None:
            return None
    progress(0, 0, "正在生成上报统计……")
    return statistics.refresh_for_export(store)


def staged_name(target: Path) -> Path:
    """Where a bundle is written and read back before it gets its final name (hidden, not *.jab)."""
    return target.with_name(f".{target.name}.part")


def clear_unfinished(out_dir: Path, sender_code: str, recipient_code: str) -> None:
    """Remove what an export between the same two offices left when it was killed before it finished:
    a hidden bundle not yet read back, or the temporary file it was being written to (whatever its
    process id: only one export of this office runs at a time, under the store's lock)."""
    for pattern in (f".{sender_code}_{recipient_code}_*.jab.part", f"..{sender_code}_{recipient_code}_*.jab.part.tmp-*"):
        for path in out_dir.glob(pattern):
            path.unlink(missing_ok=True)


def publish(staged: Path, target: Path, seq: int) -> None:
    """The final name comes last, after the store recorded the export: a file under a bundle's name is
    always whole and known to its sender. (A crash just before leaves the recipient a gap to report,
    never a bundle the sender would number again.)"""
    try:
        os.replace(staged, target)
        fsync_dir(target.parent)
    except OSError as exc:
        with suppress(OSError):
            staged.unlink(missing_ok=True)
        raise StoreError("publish_failed", f"第{seq}号数据包已校验，但未能改为正式文件名（{exc.strerror or exc}），"
                                           "U盘可能已拔出。请重新导出一次，对方导入时会提示缺少这一号。") from exc


def read_back(target: Path, own: keys.OwnKeys, sealed: pack.Sealed) -> str:
    """Verify the written file from the stick as the recipient's outer checks will (framing, signature,
    the body's hash), and that its body is the ciphertext sealed; returns the file's SHA-256."""
    problem = "写入U盘的数据包读回校验不一致，U盘可能有坏块或已拔出。请换一个U盘重新导出。"
    try:
        container.drop_cache(target)
        header = container.read_header(target)
        container.check_signature(header, own.public.sign_public, target.name)
        digest = pack.check_body_and_hash(target, header)  # one read of the stick
        if header.manifest["ciphertext_sha256"] != sealed.ciphertext_sha256:
            raise BundleError("readback_failed", problem)
    except (BundleError, OSError) as exc:  # OSError: the stick pulled out, or a bad block
        raise BundleError("readback_failed", problem) from exc
    return digest


# --- import -------------------------------------------------------------------------------

@dataclass
class Opened:
    """A bundle whose outer checks passed, with its decoded content."""

    header: container.Header
    sender: Office
    sha256: str
    header_name: str = ""
    records: Records | None = None  # the record entries, read as the plan goes
    staged: Staging | None = None  # what the plan decided of each record (app/sync/staging.py)
    receipts: list[dict] = field(default_factory=list)
    holidays: dict[int, dict] = field(default_factory=dict)
    templates: dict[str, dict] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    payload: Payload | None = None


def refuse(code: str, message: str) -> BundleError:
    return BundleError(code, message)


def check_outer(s: Session, store: Store, path: Path, progress: Progress) -> Opened:
    """Everything that can be checked before decrypting, in the order of docs/BUNDLE.md."""
    name = path.name
    header = container.read_header(path)
    m = header.manifest
    manifest.check(m, name)
    if m["kind"] == "setup":
        raise refuse("setup_package", f"“{name}”是设置包，只能在初始设置（init）时使用。")
    if m["practice"]:
        raise refuse("practice_bundle", f"“{name}”来自练习数据库，练习数据不能导入正式数据库。")
    own = offices.own_keys(s, store.office.id)
    recipient = m["recipient"]
    if recipient["office_id"] != store.office.id or recipient["fingerprint"] != own.public.fingerprint:
        raise refuse("misaddressed", f"“{name}”是发给“{recipient['code']}”的，不是发给本单位（{store.office.code}）的，"
                                     "或本单位的密钥已更换。")
    if m["versions"].get("schema") != schema.head_revision():
        raise refuse("schema_mismatch", f"“{name}”由不同版本的纪案通生成（数据结构版本不同），请两边升级到同一版本后重新导出。")
    sender_info = m["sender"]
    sender = s.get(Office, sender_info["office_id"])
    me_row = s.get(Office, store.office.id)
    entry = offices.joinable_entry(s, me_row, sender_info) if sender is None else None
    if entry is not None and kind_between(entry, me_row) == m["kind"]:
        # a subordinate set up with plain `init` that adopted our set-up package later (§2a): held
        # like any first bundle; confirming the fingerprint re-points the entry to its own id
        container.check_signature(header, sender_info["sign_public"], name)
        raise refuse("fingerprint_unconfirmed", f"“{entry.name}”的数据包来自其先行初始设置、后导入设置包的数据库，尚未确认其密钥指纹"
                                                f"（{sender_info['fingerprint']}）。请电话核对对方屏幕上的指纹，一致后确认（“同步”页的“下级单位”，"
                                                "或命令 trust）：本单位对它的登记随即改指向该数据库，此数据包即导入。")
    if sender is None or sender.code != sender_info["code"]:
        raise refuse("unknown_sender", f"“{name}”的发送单位“{sender_info['code']}”未在本单位登记，不能导入。")
    if kind_between(sender, me_row) != m["kind"]:
        raise refuse("wrong_direction", f"“{name}”的种类与两单位的上下级关系不符。")
    key = s.get(OfficeKey, sender.id)
    claimed = (sender_info["sign_public"], sender_info["age_recipient"])
    if key is not None and key.state == "trusted" and (key.sign_public, key.age_recipient) == claimed:
        container.check_signature(header, key.sign_public, name)
    else:
        # signed with the keys it carries? then it may wait for the operator's confirmation
        container.check_signature(header, sender_info["sign_public"], name)
        fp = sender_info["fingerprint"]
        if key is None or key.state != "trusted":
            raise refuse("fingerprint_unconfirmed", f"尚未确认“{sender.name}”的密钥指纹（{fp}）。请电话核对对方屏幕上的指纹，"
                                                    "一致后确认（“同步”页的“下级单位”或“上级单位”，或命令 trust），再重新导入此数据包。")
        raise refuse("key_changed", f"“{sender.name}”的密钥已更换，新指纹为 {fp}。请电话核对，一致后确认（“同步”页的“下级单位”或“上级单位”，或命令 trust），再重新导入此数据包。")
    digest = pack.check_body_and_hash(path, header, lambda d, t: progress(d, t, "正在校验数据包……"))
    check_sequence(s, store, sender, m, digest, name)
    return Opened(header, sender, digest, name)


def check_sequence(s: Session, store: Store, sender: Office, m: dict, digest: str, name: str) -> None:
    logs = {x.seq: x for x in s.exec(select(BundleLog).where(BundleLog.direction == "in",
                                                            BundleLog.peer_office_id == sender.id)).all()}
    seen = s.exec(select(BundleLog).where(BundleLog.bundle_id == m["bundle_id"])).first()
    seq = m["seq"]
    taken = logs.get(seq)
    if (taken is not None and taken.sha256 == digest) or (seen is not None and seen.sha256 == digest):
        raise refuse("replay", f"“{name}”（{sender.code}第{seq}号）已经导入过，不再重复导入。")
    if taken is not None or seen is not None:
        # the same number (or bundle id) for different bytes: the sender signed two versions of its
        # history; the second is kept in quarantine as evidence, never dismissed as a replay
        raise refuse("seq_conflict", f"“{name}”未导入，数据库未改动：{sender.name}（{sender.code}）的第{seq}号数据包已导入过，"
                                     "而这份文件内容不同（同一序号签发了两份不同的数据包）。这可能是数据被篡改或密钥被他人使用，"
                                     "此文件已隔离留存作为证据，请与对方核实。")
    if seq < 1:
        raise refuse("manifest_invalid", f"“{name}”的序号无效。")
    before, after = logs.get(seq - 1), logs.get(seq + 1)
    if before is not None and before.sha256 != m["prev_hash"]:
        raise refuse("chain_broken", f"“{name}”与已导入的第{seq - 1}号数据包衔接不上（前一数据包校验值不符），可能是伪造或旧的数据包。")
    if after is not None and after.prev_hash != digest:
        raise refuse("chain_broken", f"“{name}”与已导入的第{seq + 1}号数据包衔接不上，可能是伪造或旧的数据包。")


def gap_warning(s: Session, sender: Office, seq: int) -> str | None:
    """Earlier numbers not yet received, as ranges: a sequence number of 10**12 must not build a list
    of every number missing before it."""
    have = sorted(n for n in s.exec(select(BundleLog.seq).where(BundleLog.direction == "in",
                                                               BundleLog.peer_office_id == sender.id)).all() if n < seq)
    ranges, expected = [], 1
    for n in [*have, seq]:
        if n > expected:
            ranges.append((expected, n - 1))
        expected = max(expected, n + 1)
    if not ranges:
        return None
    shown = "、".join(str(a) if a == b else f"{a}至{b}" for a, b in ranges[:10]) + ("等" if len(ranges) > 10 else "")
    return f"尚未收到{sender.code}的第{shown}号数据包：请对方重新导出或补交。"


class Records:
    """The bundle's record entries read as a stream for the plan (merge.plan's `batches`), a table
    at a time in the plan's order and a batch at a time: each line decoded and checked the quick way
    (`decode_line`), else by `decode` with every check, which names the record that fails; a batch's
    texts at once, and record by record only when that finds something, so the first failing record
    is the one named. The bound on records is counted across the entries as they are read. Nothing of
    a batch is kept once the plan has moved on: memory holds one batch, whatever the bundle's size.

    An entry's hash is checked after its last line (`Payload.lines`), after batches of it were planned
    and written: the import writes inside one transaction, which the refusal rolls back."""

    def __init__(self, opened: Opened, cancelled: Callable[[], bool] = never):
        self.opened, self.cancelled = opened, cancelled
        payload = opened.payload
        self.files = {n.removeprefix("files/") for n in payload.entries("files/")}
        self.entries = {n.removeprefix("records/").removesuffix(".jsonl"): n for n in payload.entries("records/")}
        self.allowed = TABLES_BY_KIND[opened.header.manifest["kind"]]
        self.total = 0
        self.office_rows: list[dict] | None = None

    def check_tables(self) -> None:
        """Refuse a table this version does not know; read the ones this kind of bundle may not carry
        as fully as the rest, then ignore them with a warning."""
        for table in self.entries:
            if table not in MODELS:
                raise refuse("unknown_table", f"数据包中有未知的数据表“{table}”，可能由更新版本的软件生成。")
        for table, entry in self.entries.items():
            if table in self.allowed:
                continue
            kept = 0
            for number, (line_number, line) in enumerate(self.opened.payload.lines(entry), 1):
                self.count(table, number)
                self.strictly(table, number, line_number, line)
                kept += 1
            self.opened.warnings.append(f"{KIND_TITLES[self.opened.header.manifest['kind']]}数据包不应包含“{table}”记录，"
                                        f"已忽略{kept}条。")

    def offices(self) -> list[dict]:
        """The bundle's office records (at most `limits.MAX_OFFICES`), read once, before the plan."""
        if self.office_rows is None:
            self.office_rows = [r for batch in self.read("office") for _, r in batch]
        return self.office_rows

    def batches(self, table: str) -> Iterator[list[tuple[int, dict]]]:
        if table == "office":
            rows = list(enumerate(self.offices(), 1))
            for start in range(0, len(rows), staging.BATCH):
                yield rows[start:start + staging.BATCH]
        else:
            yield from self.read(table)

    def read(self, table: str) -> Iterator[list[tuple[int, dict]]]:
        entry = self.entries.get(table)
        if entry is None or table not in self.allowed:
            return
        payload = self.opened.payload
        batch: list[tuple[int, dict]] = []
        lines: list[tuple[int, int, bytes]] = []  # the batch's records as they came, to name the one that fails
        for number, (line_number, line) in enumerate(payload.lines(entry), 1):
            lines.append((number, line_number, line))
            row = decode_line(table, line, self.files)
            if row is None:  # not taken the quick way: the json module and `decode` say why, or take it
                try:
                    row = decode(table, payload.json_line(entry, line_number, line), self.files, quick=True)
                except RecordInvalid:
                    for earlier in lines:  # an earlier record of the batch may fail the texts' check first
                        self.strictly(table, *earlier)
                    raise
            batch.append((number, row))
            if len(batch) >= staging.BATCH:
                yield self.checked(table, batch, lines)
                batch, lines = [], []
        if batch:
            yield self.checked(table, batch, lines)

    def checked(self, table: str, batch: list[tuple[int, dict]], lines: list[tuple[int, int, bytes]]) -> list[tuple[int, dict]]:
        """The batch, counted against the bounds (a batch at a time: at most one batch beyond them is
        read) and its texts checked."""
        self.count(table, batch[-1][0], len(batch))
        if not texts_acceptable(table, [row for _, row in batch]):
            for line in lines:  # one of them fails the full check: the first is named
                self.strictly(table, *line)
        if self.cancelled():
            raise import_cancelled(self.opened.header_name)
        return batch

    def strictly(self, table: str, number: int, line_number: int, line: bytes) -> dict:
        raw = self.opened.payload.json_line(self.entries[table], line_number, line)
        return decoded(self.opened, table, number, raw, self.files)

    def count(self, table: str, number: int, records: int = 1) -> None:
        """`records` more read, the last of them the `number`-th of its table."""
        self.total += records
        if self.total > limits.MAX_RECORDS or (table == "office" and number > limits.MAX_OFFICES):
            what = f"单位记录超过{limits.MAX_OFFICES:,}条" if table == "office" else f"记录超过{limits.MAX_RECORDS:,}条"
            raise refuse("payload_too_many", f"“{self.opened.header_name}”未导入，数据库未改动：{what}的上限。")


def read_extras(opened: Opened, progress: Progress) -> None:
    """Everything of the payload but the records of its tables, which the plan reads as a stream (`Records`)."""
    path_kind = opened.header.manifest["kind"]
    progress(0, 0, "正在解密……")
    payload = opened.payload
    opened.records.check_tables()
    if payload.has("receipts.json"):
        opened.receipts = payload.read_json("receipts.json")
        if not isinstance(opened.receipts, list) or not all(valid_receipt(r) for r in opened.receipts):
            raise refuse("receipts_invalid", "数据包中的回执格式有误。")
    for entry in payload.entries("holidays/"):
        year = int(entry[9:13])
        table = payload.read_json(entry)
        if path_kind != "downward":
            raise refuse("unexpected_holidays", "只有上级下发的数据包可以包含节假日表。")
        try:
            parse_holiday_year(table, f"数据包中的{year}年节假日表", expected_year=year)
        except DomainError as exc:
            raise refuse("holidays_invalid", exc.message) from exc
        problem = limits.holiday_problem(year, table, date.today())
        if problem:
            raise refuse("holidays_invalid", f"“{opened.header_name}”未导入，数据库未改动：{problem}。")
        opened.holidays[year] = table
    templates = {entry[10:-5]: payload.read_json(entry) for entry in payload.entries("templates/")}
    if templates and path_kind != "downward":
        raise refuse("unexpected_templates", "只有上级下发的数据包可以包含模板。")
    try:
        offices.check_templates(templates, "数据包")
    except BundleError as exc:
        raise refuse(exc.code, f"“{opened.header_name}”未导入，数据库未改动：{exc.message}") from exc
    opened.templates = templates
    rules = payload.entries("rules/")
    if rules and path_kind != "downward":
        raise refuse("unexpected_rules", "只有上级下发的数据包可以包含规则文件。")
    opened.rules, problems = offices.read_rules(payload, "上级下发的数据包")
    opened.warnings.extend(problems)
    if "workflow.toml" in opened.rules:
        problem = limits.workflow_problem(ruleset.parse_text("workflow.toml", opened.rules["workflow.toml"]))
        if problem:  # like a file that does not parse (§7a): not accepted, the rest still applies
            del opened.rules["workflow.toml"]
            opened.warnings.append(f"上级下发的数据包中的办案流程（workflow.toml）{problem}，未接受，仍按原规则办理。")


def decoded(opened: Opened, table: str, number: int, raw, files: set[str]) -> dict:
    """`decode` with every check, a failure refused with the record's number and id."""
    try:
        return decode(table, raw, files)
    except RecordInvalid as exc:
        record = f"（id {raw['id'][:40]}）" if isinstance(raw, dict) and isinstance(raw.get("id"), str) else ""
        raise refuse("record_invalid", f"“{opened.header_name}”未导入，数据库未改动：{opened.sender.name}"
                                       f"（{opened.sender.code}）发来的“{table}”第{number}条记录{record}有误："
                                       f"{exc}。") from exc


def staging_keys(table: str, row: Mapping) -> tuple[str, str | None]:
    """(id, k) a planned row is looked up by (app/sync/staging.py): a case_subject by its case, a
    document by its version key."""
    if table == "case_subject":
        return row["id"], row["case_id"]
    if table == "document":
        return row["id"], document_key(row)
    return row["id"], None


def document_key(row: Mapping) -> str:
    """A document version's identity: one per case, template, person and version."""
    return json.dumps([row["case_id"], row["template_id"], row["subject_id"], row["doc_version"]])


class DateOutOfRange(ValueError):
    """A date of a received case's state beyond the years the screens and the calendar handle."""


def bounded_day(text: str) -> date:
    day = date.fromisoformat(text)
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DateOutOfRange(text)
    return day


def case_problem(rules: ruleset.RuleSet, row: dict, today: date) -> str | None:
    """Why a received case cannot be read by this store's screens under the rules in force, or None:
    its state must decode into the engine's types, name steps, decisions, fields and events the
    workflow has, keep its dates within bounds, and evaluate (deadlines computed) without error."""
    wf = rules.workflow
    if not isinstance(row["state"], dict):
        return "案件状态不是 JSON 对象"
    try:
        state = case_codec.from_json(row["state"], day=bounded_day)
    except DateOutOfRange:
        return f"办理状态中的日期超出{MIN_YEAR}—{MAX_YEAR}年"
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return f"案件状态的格式有误（{type(exc).__name__}）"
    if state.step_id not in wf.steps:
        return f"所处环节“{state.step_id}”不在本单位现行流程（{wf.version}）中"
    if row["step_id"] != state.step_id or row["stage"] != wf.stage_of(state.step_id).id:
        return "案件记录的阶段、环节与其办理状态不一致"
    for h in state.history:
        step = wf.steps.get(h.step_id)
        if step is None or step.decision(h.decision_id) is None:
            return f"办理经过中的“{h.step_id}/{h.decision_id}”不在本单位现行流程中"
    for key, value in state.fields.items():
        f = wf.field(key)
        if f is None:
            return f"字段“{key}”不在本单位现行流程中"
        if f.type == "date" and value not in (None, ""):
            try:
                day = date.fromisoformat(value)
            except (TypeError, ValueError):
                return f"字段“{key}”不是有效日期"
            if not MIN_YEAR <= day.year <= MAX_YEAR:
                return f"字段“{key}”的日期超出{MIN_YEAR}—{MAX_YEAR}年"
    unknown = sorted(set(state.events) - set(wf.events))
    if unknown:
        return f"事件“{unknown[0]}”不在本单位现行流程中"
    try:
        cases.evaluate(rules, state, today)
    except Exception as exc:  # noqa: BLE001 - anything the engine cannot evaluate would break every screen
        return f"按本单位现行规则无法计算其环节和期限（{type(exc).__name__}）"
    return None


# A stored document version is what was issued: these never change (content by its sha256, which
# the record's file must equal). Voiding only goes one way: voided_on from empty to a date, and
# void_reason / voided_by stay once set. Documents are withdrawn by voiding, never deleted.
DOCUMENT_FIXED = {"case_id": "所属案件", "template_id": "文书模板", "subject_id": "所涉人员", "doc_version": "版本号",
                  "number": "文号", "sha256": "文件内容"}
DOCUMENT_VOID = {"voided_on": "作废日期", "void_reason": "作废原因", "voided_by": "作废人"}
DOCUMENT_LABEL = ("title", "number", "doc_version", "owner_office_id")
# Columns of a step record that are history once the visit is over (before that only its identity).
STEP_IDENTITY = ("case_id", "seq", "step_id", "entered_on")
STEP_DONE = (*STEP_IDENTITY, "completed_on", "decision_id")
DECISION_FIXED = ("case_id", "step_id", "decision_id", "decided_on")
# what the lookups of planned rows return: what names a document version another of the same bundle repeats
STAGED_SHOWN = {"document": ("id", "case_id", "template_id", "subject_id", *DOCUMENT_LABEL)}


def document_label(row: Mapping) -> str:
    number = f"，{row['number']}" if row.get("number") else ""
    return f"《{row['title'] or row['id']}》（第{row['doc_version']}版{number}，记录 {row['id']}）"


def stored_rows(s: Session, table: str, ids: list[str], cols: tuple[str, ...]) -> dict[str, dict]:
    t = MODELS[table].__table__
    out: dict[str, dict] = {}
    for start in range(0, len(ids), 500):
        query = sa_select(t.c.id, *(t.c[c] for c in cols)).where(t.c.id.in_(ids[start:start + 500]))
        out.update({m["id"]: dict(m) for m in s.execute(query).mappings()})
    return out


class HistoryCheck:
    """Histories are append-only, checked batch by batch as the plan goes (merge.plan's `check`): a
    case's stored decisions must be a prefix of the arriving ones, a decision or a finished step
    visit never changes or disappears; a stored document version keeps what it was issued as and
    stays voided (`documents`), a record about a person names one of its own case (`subjects`);
    fields standing for the county's own acts must match this store's review opinions
    (`county_acts`). A case taken must also be readable under the rules in force (`case_problem`).
    Collects conflicts (bounded), invalid cases (a few named, all counted) and warnings."""

    def __init__(self, s: Session, store: Store, staged: Staging, names: dict[str, str]):
        self.s, self.store, self.staged, self.names = s, store, staged, names
        self.conflicts: list[str] = []
        self.warnings: list[str] = []
        self.invalid_cases: list[str] = []
        self.invalid_count = 0
        self.rules: ruleset.RuleSet | None = None
        self.today = date.today()
        self.subject_tables = {t for t in SYNCED_TABLES if "case_id" in MODELS[t].__table__.c and any(
            col == "subject_id" and target == "case_subject" for col, target in merge.foreign_keys(t))}

    def conflict(self, text: str) -> None:
        if len(self.conflicts) < merge.MAX_REFUSALS_KEPT:
            self.conflicts.append(text)

    def office(self, row: Mapping) -> str:
        return self.names.get(row["owner_office_id"], row["owner_office_id"])

    def __call__(self, table: str, checked: list[tuple[int, dict, str]]) -> None:
        updated = [r for _, r, v in checked if v == merge.UPDATED]
        taken = [r for _, r, v in checked if v in (merge.NEW, merge.UPDATED)]
        if table == "case":
            taken = self.readable_cases(taken)
            readable = {id(r) for r in taken}
            updated = [r for r in updated if id(r) in readable]
            self.case_histories(updated)
            conflicts, warnings = county_acts(self.s, self.store, taken)
            for c in conflicts:
                self.conflict(c)
            self.warnings.extend(warnings)
        elif table in ("decision", "step_record"):
            self.fixed_rows(table, updated)
        if table == "document":
            self.documents(updated, [r for _, r, v in checked if v == merge.NEW], checked[0][0] if checked else 0)
        if table == "case_subject":
            self.moved_subjects(updated)
        if table in self.subject_tables:
            self.subjects(table, [r for r in taken if r["subject_id"]])

    def readable_cases(self, rows: list[dict]) -> list[dict]:
        """The cases this store's lists and case view can show; the others are counted as invalid (a
        case this store holds at that version or later is not taken, so not evaluated)."""
        self.rules = self.rules or ruleset.load_in(self.s)
        readable = []
        for r in rows:
            problem = case_problem(self.rules, r, self.today)
            if problem is None:
                readable.append(r)
                continue
            self.invalid_count += 1
            if len(self.invalid_cases) < merge.MAX_REFUSALS_SHOWN:
                self.invalid_cases.append(f"案件 {r['id']}：{problem}")
        return readable

    def case_invalid(self, opened: Opened) -> BundleError | None:
        """The refusal when a received case would break this store's lists and case view."""
        if not self.invalid_cases:
            return None
        more = f"（共{self.invalid_count}件）" if self.invalid_count > merge.MAX_REFUSALS_SHOWN else ""
        return refuse("case_invalid", f"“{opened.header_name}”未导入，数据库未改动：{'；'.join(self.invalid_cases)}{more}。"
                                      "请对方核对其案件数据或双方的规则版本后重新导出。")

    def case_histories(self, rows: list[dict]) -> None:
        stored = stored_rows(self.s, "case", [r["id"] for r in rows], ("state", "deleted"))
        for r in rows:
            before = stored[r["id"]]["state"] if isinstance(stored[r["id"]]["state"], dict) else {}
            old, new = before.get("history", []), r["state"].get("history", [])
            if not isinstance(new, list) or new[:len(old)] != old:
                self.conflict(f"案件 {r['id']} 的办理经过与本单位已收到的不一致（已作出的决定被删改：本单位已有{len(old)}项）")

    def fixed_rows(self, table: str, rows: list[dict]) -> None:
        fixed, title = (DECISION_FIXED, "决定") if table == "decision" else (STEP_DONE, "环节记录")
        stored = stored_rows(self.s, table, [r["id"] for r in rows], (*fixed, "deleted"))
        for r in rows:
            before = stored[r["id"]]
            cols = fixed if table == "decision" or before.get("completed_on") is not None else STEP_IDENTITY
            changed = [c for c in cols if before[c] != r[c]]
            if r["deleted"] and not before["deleted"]:
                changed.append("deleted")
            if changed:
                self.conflict(f"已有的{title} {r['id']} 被改动（{'、'.join(changed)}）")

    def documents(self, updated: list[dict], new: list[dict], first: int) -> None:
        """A document version the store holds keeps what it was issued as, stays voided once voided
        and is not deleted; a new one may not repeat the (case, template, person, version) of
        another — the unique constraint would let two rows of the case's own document through (NULL
        persons differ) and refuse the write of a person's only at commit."""
        stored = stored_rows(self.s, "document", [r["id"] for r in updated],
                             (*DOCUMENT_FIXED, *DOCUMENT_VOID, *DOCUMENT_LABEL, "deleted"))
        for r in updated:
            before = stored[r["id"]]
            label = f"{self.office(before)}的文书{document_label(before)}"
            unvoided = before["voided_on"] is not None and r["voided_on"] is None
            if unvoided:
                self.conflict(f"{label}已于{before['voided_on'].isoformat()}作废（{before['void_reason'] or '未写原因'}），"
                              "数据包要将其恢复为未作废")
            changed = [f"{title}由“{before[c]}”改为“{r[c]}”" if c in ("number", "doc_version") else title
                       for c, title in DOCUMENT_FIXED.items() if before[c] != r[c]]
            if not unvoided:  # once set, a void column keeps its value
                changed += [title for c, title in DOCUMENT_VOID.items() if before[c] not in (None, "") and before[c] != r[c]]
            if r["deleted"] and not before["deleted"]:
                changed.append("被删除")
            if changed:
                self.conflict(f"{label}被改动（{'、'.join(changed)}）")
        if not new:
            return
        held: dict[str, tuple[str, Mapping]] = {}  # version key → (where, the other row)
        # new in an earlier batch of this bundle (this batch's own are added to `held` as they pass);
        # the import may have written them already, so they are not "stored" ones
        earlier = self.staged.earlier_with_k("document", merge.NEW, [document_key(r) for r in new], first)
        written = {row["id"] for row in earlier.values()}
        case_ids = sorted({r["case_id"] for r in new})
        t = MODELS["document"].__table__
        for start in range(0, len(case_ids), 500):
            query = sa_select(t.c.id, t.c.case_id, t.c.template_id, t.c.subject_id, *(t.c[c] for c in DOCUMENT_LABEL)).where(
                t.c.case_id.in_(case_ids[start:start + 500]))
            for row in self.s.execute(query).mappings():
                if row["id"] not in written:
                    held[document_key(row)] = ("本单位已有", dict(row))
        for key, row in earlier.items():
            held.setdefault(key, ("数据包中另有", row))
        for r in new:
            key = document_key(r)
            other = held.get(key)
            if other is not None and other[1]["id"] != r["id"]:
                whose = "案件本身" if r["subject_id"] is None else f"人员 {r['subject_id']}"
                self.conflict(f"{self.office(r)}的文书{document_label(r)}与{other[0]}的文书{document_label(other[1])}"
                              f"是案件 {r['case_id']} 同一模板（{r['template_id']}）、同一对象（{whose}）的同一版本"
                              f"（第{r['doc_version']}版），同一版本只能有一份")
            else:
                held[key] = ("数据包中另有", r)

    def moved_subjects(self, rows: list[dict]) -> None:
        """A stored case_subject never moves to another case (分案/并案 add a new one), so none moves
        away under what is about it."""
        stored = stored_rows(self.s, "case_subject", [r["id"] for r in rows], ("case_id", "person_id"))
        for r in rows:
            before = stored[r["id"]]
            if before["case_id"] != r["case_id"]:
                self.conflict(f"{self.office(r)}的案件人员记录 {r['id']}（人员 {before['person_id']}）"
                              f"被从案件 {before['case_id']} 改到案件 {r['case_id']}")

    def subjects(self, table: str, rows: list[dict]) -> None:
        """A record about one person of a case (a document, evidence, an established fact) names a
        case_subject of that same case, as taken from this bundle or as stored."""
        ids = {r["subject_id"] for r in rows}
        case_of = self.staged.taken_by_k("case_subject", ids)
        case_of.update({i: row["case_id"] for i, row in stored_rows(self.s, "case_subject", sorted(ids - set(case_of)),
                                                                   ("case_id",)).items()})
        for r in rows:
            subject_case = case_of.get(r["subject_id"])
            if subject_case is None or subject_case == r["case_id"]:
                continue  # a subject neither stored nor taken: the record is rejected for its missing parent
            what = f"文书{document_label(r)}" if table == "document" else f"“{table}”记录 {r['id']}"
            self.conflict(f"{self.office(r)}的{what}属于案件 {r['case_id']}，所涉人员 {r['subject_id']} 却是另一案件 "
                          f"{subject_case} 的人员")


def county_acts(s: Session, store: Store, rows: list[dict]) -> tuple[list[str], list[str]]:
    """A case's opinion fields (number, date, conclusion, summary) against the opinions this store
    issued on it: they stand for this office's own acts, so only its records can say what they are."""
    from app.services import review

    conflicts, warnings = [], []
    for r in rows:
        fields = r["state"].get("fields", {}) if isinstance(r["state"].get("fields"), dict) else {}
        for step_id, (kind, choice) in review.REVIEW_STEPS.items():
            number = fields.get(f"{step_id}.county_opinion_no")
            if not number:
                continue
            issued = s.exec(select(ReviewOpinion).where(ReviewOpinion.case_id == r["id"], ReviewOpinion.kind == kind,
                                                        ReviewOpinion.owner_office_id == store.office.id,
                                                        ReviewOpinion.deleted == False)).all()  # noqa: E712
            if not issued:
                warnings.append(f"案件 {r['id']} 填有{review.KIND_TITLES[kind]}“{number}”，本单位未登记该意见，请核对。")
                continue
            match = next((o for o in issued if o.number == number), None)
            said = {"date": fields.get(f"{step_id}.county_opinion_date"), "conclusion": fields.get(f"{step_id}.{choice}") if choice else None,
                    "summary": fields.get(f"{step_id}.opinion_summary")}
            wrong = match is None or (said["date"] and said["date"] != match.issued_on.isoformat()) or (
                said["conclusion"] and match.conclusion and said["conclusion"] != match.conclusion) or (
                said["summary"] and match.text and said["summary"] != match.text)
            if wrong:
                ours = "；".join(f"{o.number}（{o.issued_on.isoformat()}，{o.conclusion or '无结论'}"
                                + (f"，{o.text}" if o.text else "") + "）" for o in issued)
                conflicts.append(f"案件 {r['id']} 所填{review.KIND_TITLES[kind]}“{number}”（{said['date'] or '无日期'}，"
                                 f"{said['conclusion'] or '无结论'}）与本单位作出的意见不符，本单位的记录为：{ours}")
    return conflicts, warnings


def valid_receipt(r) -> bool:
    return (isinstance(r, dict) and set(r) == {"bundle_id", "from_office_id", "to_office_id", "seq", "sha256", "received_at", "signature"}
            and all(isinstance(r[k], str) for k in r if k != "seq") and type(r["seq"]) is int)


def allowed_owners(s: Session, sender: Office, opened: Opened) -> set[str]:
    """Whose records the sender may speak for: itself, and for a county sending statistics the
    townships this store already knows under it (never offices the same bundle introduces)."""
    owners = {sender.id}
    if opened.header.manifest["kind"] == "statistics":
        owners |= set(s.exec(select(Office.id).where(Office.parent_code == sender.code, Office.level == "township")).all())
    return owners


def introduced_offices(s: Session, sender: Office, opened: Opened) -> set[str]:
    """Township office records a county's statistics bundle introduces to the city: new here, under
    the sender. Only their own office rows may be taken on the sender's word, nothing they would own."""
    if opened.header.manifest["kind"] != "statistics":
        return set()
    rows = [o for o in opened.records.offices() if o["parent_code"] == sender.code and o["level"] == "township"
            and o["owner_office_id"] == o["id"]]
    known = set(merge.stored_versions(s, "office", [o["id"] for o in rows]))
    return {o["id"] for o in rows} - known


def apply_receipts(s: Session, store: Store, opened: Opened, sender_key: OfficeKey) -> int:
    acked = 0
    for r in opened.receipts:
        body = {k: v for k, v in r.items() if k != "signature"}
        try:
            signature = bytes.fromhex(r["signature"])
        except ValueError:
            signature = b""
        if not keys.verify(sender_key.sign_public, signature, RECEIPT_CONTEXT + container.canonical(body)):
            opened.warnings.append(f"第{r['seq']}号数据包的回执签名无效，已忽略。")
            continue
        if r["from_office_id"] != store.office.id or r["to_office_id"] != opened.sender.id:
            continue
        entry = s.exec(select(BundleLog).where(BundleLog.direction == "out", BundleLog.peer_office_id == opened.sender.id,
                                               BundleLog.seq == r["seq"])).first()
        if entry is None or entry.sha256 != r["sha256"] or entry.bundle_id != r["bundle_id"]:
            opened.warnings.append(f"回执所称第{r['seq']}号数据包与本单位导出的记录不符，已忽略。")
            continue
        if not entry.acked:
            entry.acked = True
            entry.acked_at = utcnow()
            s.add(entry)
            acked += 1
    return acked


def apply_holidays(s: Session, holidays: dict[int, dict]) -> int:
    return sum(setting_rows.put(s, f"{HOLIDAY_KEY_PREFIX}{year}", table) for year, table in holidays.items())


@long_lived_frozen()  # (app/sync/collector.py)
def import_one(store: Store, path: Path, *, dry_run: bool = False, progress: Progress = no_progress,
               cancelled: Callable[[], bool] = never) -> ImportResult:
    path = Path(path)
    manifest_seen: dict | None = None
    keys_checked = False
    try:
        with pack.Workspace(store.paths.sync_work) as work:
            with store.read() as s:
                try:
                    opened = check_outer(s, store, path, progress)
                except BundleError as exc:
                    keys_checked = exc.code in ("fingerprint_unconfirmed", "key_changed")
                    raise
                finally:
                    manifest_seen = header_or_none(path)
                identity = offices.own_keys(s, store.office.id).identity()
                sender_key = s.get(OfficeKey, opened.sender.id)
            if cancelled():
                raise import_cancelled(path.name)
            opened.payload = pack.open_payload(path, opened.header, identity, work)
            try:
                opened.records = Records(opened, cancelled)
                opened.staged = Staging(work.path / "records.staging", STAGED_SHOWN, staging_keys)
                read_extras(opened, progress)
                m = opened.header.manifest
                if cancelled():
                    raise import_cancelled(path.name)
                if dry_run:
                    with store.read() as s:
                        plan, warnings = classify(s, store, opened)
                        warnings += tuple(ruleset.rules_changes(s, opened.rules, "上级下发的数据包")[1])
                    return ImportResult(path.name, opened.sender.code, m["seq"], **plan.counts(), warnings=warnings,
                                        dry_run=True, kind=m["kind"])
                progress(0, 0, "正在写入数据库……")
                payload = opened.payload
                with store.write() as s:  # classified again inside the writing transaction: nothing slips in between
                    large_cache(s)
                    plan, warnings = classify(s, store, opened, lambda digest: payload.read(f"files/{digest}"))
                    counts = plan.counts()
                    acked = apply_receipts(s, store, opened, sender_key)
                    holidays = apply_holidays(s, opened.holidays)
                    templates = offices.store_templates(s, opened.templates)
                    rules, refused_rules = ruleset.rules_changes(s, opened.rules, "上级下发的数据包")
                    warnings += tuple(refused_rules)
                    ruleset.store_texts(s, rules)
                    s.add(BundleLog(bundle_id=m["bundle_id"], direction="in", peer_office_id=opened.sender.id, kind=m["kind"],
                                    seq=m["seq"], sha256=opened.sha256, prev_hash=m["prev_hash"],
                                    records=sum(counts.values()), files=len(payload.entries("files/")),
                                    full=m["full"], file_name=path.name))
                    s.add(BundleReceipt(bundle_id=m["bundle_id"], from_office_id=opened.sender.id, to_office_id=store.office.id,
                                        seq=m["seq"], sha256=opened.sha256))
                    audit.note(s, "import_bundle", f"bundle:{m['bundle_id']}",
                               f"导入{opened.sender.code}第{m['seq']}号数据包：新增{counts['new']}、更新{counts['updated']}、"
                               f"未变{counts['unchanged']}、拒收{counts['rejected']}")
            finally:
                opened.payload.close()
                if opened.staged is not None:
                    opened.staged.close()
        effects = []
        if acked:
            effects.append(f"对方已确认收到本单位的{acked}个数据包。")
        if holidays:
            effects.append(f"已更新{holidays}个年度的节假日表。")
        if templates:
            effects.append(f"已安装上级下发的文书模板{templates}个（已通过检查）。")
        for name in sorted(rules):
            effects.append(f"已按上级下发的{ruleset.RULES_TITLES[name]}（{name}）更新本单位规则"
                           + (f"，流程版本{ruleset.parse_text(name, rules[name]).version}。" if name == "workflow.toml" else "。"))
        effects.extend(after_commit(store, m, opened.sha256, bool(holidays or rules), counts))
        return ImportResult(path.name, opened.sender.code, m["seq"], **counts, warnings=warnings,
                            effects=tuple(effects), kind=m["kind"])
    except AppError as exc:
        return refused(store, path, exc, manifest_seen, keys_checked, dry_run)
    except Exception as exc:  # noqa: BLE001 - e.g. a constraint the plan could not foresee: still all or nothing
        error = BundleError("apply_failed", f"“{path.name}”未能导入（{type(exc).__name__}），数据库未改动。")
        return refused(store, path, error, manifest_seen, keys_checked, dry_run)


def after_commit(store: Store, m: dict, sha256: str, calendar_changed: bool, counts: dict) -> list[str]:
    """The steps that follow the import's commit, each in its own transaction. The bundle is taken
    by then: a failure here is reported as what it is (taken, this step not done), never as a
    refusal that left the store unchanged, and the later steps still run."""
    from app.services import review

    effects: list[str] = []
    steps = [("转办线索登记和上级意见填入", lambda: effects.extend(review.after_import(store)))]
    if calendar_changed:
        steps.append(("按新的规则或节假日表重算期限", lambda: cases.refresh_due_dates(store)))
    steps.append(("移出隔离区", lambda: release_held(store, m["bundle_id"], sha256)))
    for title, step in steps:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - the bundle is already in the store; say so truthfully
            effects.append(f"数据包已导入（新增{counts['new']}、更新{counts['updated']}条，已保存），但导入后的“{title}”"
                           f"未能全部完成（{type(exc).__name__}），请联系管理员检查后处理。")
    return effects


def classify(s: Session, store: Store, opened: Opened,
             file_bytes: Callable[[str], bytes] | None = None) -> tuple[merge.Plan, tuple[str, ...]]:
    """The plan for the bundle's records; refuses the whole bundle when a record breaks what the
    sender may do (run in the preview and again inside the writing transaction). Given `file_bytes`
    (the payload's files by SHA-256), what the plan takes is written as it goes, until a problem is
    found; the caller's transaction is then rolled back by the refusal raised here. Without it (the
    preview) the files that would be written are read and checked only."""
    m = opened.header.manifest
    gap = gap_warning(s, opened.sender, m["seq"])
    names = merge.office_names(s, opened.records.offices())  # before anything is written
    history = HistoryCheck(s, store, opened.staged, names)

    def write(table: str, batch: list[tuple[int, dict, str]]) -> None:
        if not (history.conflicts or history.invalid_count):
            merge.write_batch(s, table, batch, file_bytes)

    def read_files(table: str, batch: list[tuple[int, dict, str]]) -> None:
        """The preview reads (and so checks) every file the import would write, in its order: a
        damaged file refuses both alike."""
        column = file_column(table)
        if column and not (history.conflicts or history.invalid_count):
            for verdict in (merge.UPDATED, merge.NEW):
                for _, r, v in batch:
                    if v == verdict:
                        opened.payload.read(f"files/{r[column]['$file']}")

    plan = merge.plan(s, opened.records.batches, opened.staged, opened.records.offices(),
                      allowed_owners(s, opened.sender, opened), store.office.id, names,
                      receiver_parents=m["kind"] == "downward", new_offices=introduced_offices(s, opened.sender, opened),
                      check=history, write=write if file_bytes is not None else read_files)
    invalid = history.case_invalid(opened)
    if invalid is not None:
        raise invalid
    plan.refusals.extend(("history_conflict", c) for c in history.conflicts)
    if plan.refusals:
        raise plan_refusal(opened, plan.refusals)
    return plan, tuple(([gap] if gap else []) + opened.warnings + plan.warnings + history.warnings)


REFUSAL_ADVICE = {
    "foreign_parent": "{sender}只能在本单位的记录下添加内容；这可能是数据被篡改或密钥被他人使用，数据包已隔离留存，请与对方核实。",
    "history_conflict": "已作出的决定、办理记录、文书和审计事件只能增加、不能删改（文书作废后不能恢复，每人每份文书的每一版只有一份，文书和证据只能涉及本案人员），上级的意见以上级的记录为准；这可能是数据被篡改，数据包已隔离留存，请与对方核实。",
    "office_conflict": "单位的名称、代码和级别由登记确定，数据包不能把一个单位改成另一个单位；数据包已隔离留存，请与对方核实。",
    "audit_chain": "请对方（{sender}）完整导出（export --full）后重新导入；若仍不连续，可能是数据被篡改，数据包已隔离留存，请与对方核实。",
}


def plan_refusal(opened: Opened, refusals: list[tuple[str, str]]) -> BundleError:
    """The whole bundle refused for what its records mean: the first kind of problem found, with up to
    a few of its instances named."""
    code = refusals[0][0]
    texts = [text for c, text in refusals if c == code]
    shown = "；".join(texts[:merge.MAX_REFUSALS_SHOWN])
    more = f"（共{len(texts)}处）" if len(texts) > merge.MAX_REFUSALS_SHOWN else ""
    advice = REFUSAL_ADVICE.get(code, "数据包已隔离留存，请与对方核实。").format(sender=opened.sender.name)
    return refuse(code, f"“{opened.header_name}”未导入，数据库未改动：{shown}{more}。{advice}")


def header_or_none(path: Path) -> dict | None:
    try:
        return container.read_header(path).manifest
    except BundleError:
        return None


def refused(store: Store, path: Path, exc: AppError, m: dict | None, keys_checked: bool, dry_run: bool) -> ImportResult:
    if exc.code == "cancelled":
        raise exc
    # a preview quarantines too: the operator then sees the sender's fingerprint to confirm it
    if exc.code != "replay" and path.exists():
        quarantine.hold(store.paths.root, path, exc.code, exc.message, m, keys_checked)
    return ImportResult(path.name, *sender_and_seq(m), refused=True, code=exc.code, reason=exc.message,
                        dry_run=dry_run, kind=str(m.get("kind", "")) if isinstance(m, dict) else "")


def sender_and_seq(m: dict | None) -> tuple[str, int | None]:
    """The sender's code and the sequence number a manifest gives, whatever shape it has."""
    sender = m.get("sender") if isinstance(m, dict) and isinstance(m.get("sender"), dict) else {}
    return str(sender.get("code", "")), m.get("seq") if isinstance(m, dict) and type(m.get("seq")) is int else None


def release_held(store: Store, bundle_id: str, sha256: str) -> None:
    """A bundle imported after its fingerprint was confirmed leaves quarantine (found by its hash
    first: a county's quarantine can hold a whole stick, whose headers need not all be read)."""
    for item in quarantine.held(store.paths.root):
        if item.sha256 != sha256:
            continue
        header = header_or_none(quarantine.folder(store.paths.root) / item.file)
        if header and header.get("bundle_id") == bundle_id:
            quarantine.release(store.paths.root, item)


def import_cancelled(name: str) -> Cancelled:
    # the bundle's transaction is rolled back (or was never begun): none of it is in the store
    return Cancelled(f"已取消：“{name}”未导入，数据库中没有它的任何内容。")


def import_bundles(store: Store, paths: list[Path], *, dry_run: bool = False, progress: Progress = no_progress,
                   cancelled: Callable[[], bool] = never) -> list[ImportResult]:
    """Import in sequence order per sender, so a stick holding several bundles applies them in order.
    Cancelled after some were imported: those are reported as imported, the rest as not."""
    ordered = [Path(p) for p in sorted(paths, key=bundle_order)]
    return until_cancelled(ordered, dry_run, lambda path: import_one(store, path, dry_run=dry_run, progress=progress,
                                                                     cancelled=cancelled))


def until_cancelled(paths: list[Path], dry_run: bool, run: Callable[[Path], ImportResult]) -> list[ImportResult]:
    """`run` on each bundle in turn. Cancelled after some were imported: those are reported as they
    went, the one cancelled and the rest as not imported; cancelled at the first, the cancel is raised."""
    results: list[ImportResult] = []
    for n, path in enumerate(paths):
        try:
            results.append(run(path))
        except Cancelled:
            if not results:
                raise
            results.extend(not_imported(p, dry_run) for p in paths[n:])
            break
    return results


def not_imported(path: Path, dry_run: bool) -> ImportResult:
    """A bundle left alone because the user cancelled before or while it was imported."""
    m = header_or_none(path) or {}
    return ImportResult(path.name, *sender_and_seq(m), refused=True, code="cancelled",
                        reason="已取消，未导入，数据库中没有它的任何内容。", dry_run=dry_run, kind=str(m.get("kind", "")))


def bundle_order(path: Path):
    code, seq = sender_and_seq(header_or_none(Path(path)))
    return (code, seq if seq is not None else 0, str(path))


# --- history ------------------------------------------------------------------------------

def history(store: Store) -> list[HistoryRow]:
    with store.read() as s:
        names = {o.id: (o.code, o.name) for o in s.exec(select(Office)).all()}
        rows = s.exec(select(BundleLog).order_by(BundleLog.at.desc(), BundleLog.seq.desc())).all()
    return [HistoryRow(r.direction, *names.get(r.peer_office_id, ("?", "未知单位")), r.kind, r.seq,
                       r.at.isoformat(timespec="minutes"), r.records, r.files, r.acked, r.file_name) for r in rows]


def held(store: Store) -> list[quarantine.Held]:
    return quarantine.held(store.paths.root)


WAITING_FOR_KEYS = ("fingerprint_unconfirmed", "key_changed")


def import_held(store: Store, code: str, *, dry_run: bool = False, progress: Progress = no_progress,
                cancelled: Callable[[], bool] = never) -> list[ImportResult]:
    """Import the bundles of office `code` that wait in quarantine only for its fingerprint, once
    that is confirmed (`trust`, 同步 page): the operator does not import the same file twice.

    Each is imported from a copy under its original name (the name it is logged by), with every
    check of an ordinary import; once it has a verdict other than "still waiting for the keys", its
    quarantine entry is released (a refusal for another reason is held again under that reason)."""
    with store.read() as s:
        office = offices.office_by_code(s, code)
        key = s.get(OfficeKey, office.id)
    if key is None or key.state != "trusted":
        return []
    waiting = [h for h in quarantine.held(store.paths.root) if h.sender_office_id == office.id
               and h.reason_code in WAITING_FOR_KEYS and h.fingerprint == key.fingerprint]
    with pack.Workspace(store.paths.sync_work) as work:
        items: dict[Path, quarantine.Held] = {}  # each copy and its quarantine entry
        for n, item in enumerate(waiting):
            source = quarantine.folder(store.paths.root) / item.file
            if not source.is_file():
                continue
            folder = work.path / str(n)
            folder.mkdir()
            copy = folder / Path(item.original_name).name
            shutil.copyfile(source, copy)
            items[copy] = item

        def run(copy: Path) -> ImportResult:
            result = import_one(store, copy, dry_run=dry_run, progress=progress, cancelled=cancelled)
            if not dry_run and not (result.refused and result.code in WAITING_FOR_KEYS):
                quarantine.release(store.paths.root, items[copy])
            return result

        # a bundle not imported because of a cancel stays waiting in quarantine
        return until_cancelled(sorted(items, key=bundle_order), dry_run, run)
