"""`import-ledger`: an office's old 问题线索台账 brought in as real clues and cases (docs/IMPORT.md).

The file is staged in memory (app/services/import_staging.py), each row read into the fields of a
clue — through the same text hygiene, date range and 线索来源 choices as a clue registered by hand —
and the rows sorted into buckets with SQL over the staged tables: new, already in the store (same
clue number, or same person + date + summary), duplicated within the file, invalid. A commit writes
every new row as a clue and case at the step its recorded outcome implies, without running the
gates (app/domain/legacy_outcome.py, app/services/backfill.py) — in one transaction, so an error
or a cancel leaves the store as it was.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path

from sqlmodel import func, select

from app.domain import legacy_outcome as outcome
from app.domain import text_hygiene as hygiene
from app.domain import workflow as engine
from app.domain.errors import DomainError
from app.domain.ledger_headers import LEDGER_FIELDS, guess_field, split_unit_post
from app.domain.legacy_dates import read_date
from app.domain.persons import person_key
from app.models import AuditEvent, Clue, ClueSubject, Person
from app.services import cases, ruleset
from app.services.backfill import BackfillRow, BackfillWriter
from app.services.import_mapping import ColumnInfo, RowInvalid, RowProblem, kept_note, resolve_mapping
from app.services.import_staging import (
    ROW_COLUMN,
    Cancelled,
    ImportFileError,
    ImportRefused,
    Progress,
    StagedFile,
    check_cancel,
    stage,
)
from app.services.ruleset import RuleSet
from app.storage.store import Store

KIND = "ledger"
# how text hygiene keeps each text of a ledger row (app/domain/text_hygiene.py)
TEXT_KINDS = {"number": hygiene.NUMBER, "reporter": hygiene.NAME, "unit_post": hygiene.SHORT,
              "summary": hygiene.LONG, "disposition": hygiene.SHORT, "result": hygiene.LONG, "sanction": hygiene.SHORT,
              "source": hygiene.SHORT, "note": hygiene.LONG}
TITLES = {f.id: f.title for f in LEDGER_FIELDS}


@dataclass(frozen=True)
class PreviewRow:
    row: int
    number: str
    name: str
    received_on: date | None
    summary: str
    step: str  # title of the step the row enters at
    match: str = ""  # existing: the store's clue number; duplicate: the earlier row


@dataclass(frozen=True)
class LedgerPreview:
    file: str
    sheet: str
    header_row: int
    columns: tuple[ColumnInfo, ...]
    mapping: dict[str, str]
    new: tuple[PreviewRow, ...]
    existing: tuple[PreviewRow, ...]
    duplicate: tuple[PreviewRow, ...]
    invalid: tuple[RowProblem, ...]
    skipped: int
    # what a commit given this preview may reuse instead of reading the file again: the rows as
    # read, valid while the file's bytes, the mapping and the store (its audit tail) are unchanged
    basis: tuple = field(default=(), repr=False, compare=False)
    read: dict = field(default_factory=dict, repr=False, compare=False)

    def counts(self) -> dict:
        return {"new": len(self.new), "existing": len(self.existing), "duplicate": len(self.duplicate),
                "invalid": len({p.row for p in self.invalid}), "skipped": self.skipped}

    def as_json(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("basis", "read")}
        out.update(columns=[asdict(c) for c in self.columns], invalid=[asdict(p) for p in self.invalid],
                   counts=self.counts(), **{bucket: [asdict(r) for r in getattr(self, bucket)]
                                            for bucket in ("new", "existing", "duplicate")})
        return out


@dataclass(frozen=True)
class LedgerCommit:
    file: str
    imported: int
    skipped_existing: int
    skipped_duplicate: int
    case_ids: tuple[str, ...]
    by_step: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerRow:
    """One row read: what the records need, and the title of the step it will enter at."""

    data: BackfillRow
    step_title: str


# --- reading rows -----------------------------------------------------------------------

def text_of(raw: dict, columns: dict[str, str], field_id: str) -> str:
    header = columns.get(field_id)
    value = raw.get(header) if header else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def date_of(raw: dict, columns: dict[str, str], field_id: str, today: date) -> date | None:
    header = columns.get(field_id)
    value = raw.get(header) if header else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        on = read_date(value)
    except DomainError as exc:
        raise RowInvalid(header, exc.message) from None
    if not cases.EARLIEST_DATE <= on <= today:
        raise RowInvalid(header, f"日期“{on.isoformat()}”超出范围：应在2000年1月1日至今天之间")
    return on


def read_row(raw: dict, mapping: dict[str, str], rules: RuleSet, today: date) -> LedgerRow:
    """The row as clue fields; RowInvalid naming the column and the reason otherwise."""
    columns = {f: h for h, f in mapping.items() if f}

    def text(field_id: str) -> str:
        value = text_of(raw, columns, field_id)
        if not value:
            return ""
        try:
            return hygiene.clean(value, TEXT_KINDS.get(field_id, hygiene.SHORT), TITLES[field_id])
        except hygiene.TextRejected as exc:
            raise RowInvalid(columns[field_id], exc.message) from None

    received = date_of(raw, columns, "received_on", today)
    if received is None:
        raise RowInvalid(columns["received_on"], "收件日期为空")
    names = outcome.person_names(hygiene.scrub(text_of(raw, columns, "name"), hygiene.NAME))
    if not names:
        raise RowInvalid(columns["name"], "被反映人为空")
    too_long = [n for n in names if len(n) > hygiene.NAME.limit]
    if too_long:
        raise RowInvalid(columns["name"], f"被反映人姓名过长（最多{hygiene.NAME.limit}个字）")
    summary = text("summary")
    if not summary.strip():
        raise RowInvalid(columns["summary"], "问题性质/主要问题为空")
    try:
        source = outcome.source_choice(text("source"), source_choices(rules))
        record = outcome.LegacyRecord(
            received_on=received, disposition=text("disposition"), result=text("result"),
            filed_on=date_of(raw, columns, "filed_on", today), closed_on=date_of(raw, columns, "closed_on", today),
            sanctions=outcome.sanctions_of(text("sanction"), names))
        start = engine.CaseState(step_id=rules.workflow.initial_step, entered_on=received)
        walked = outcome.walk(rules.workflow, start, record)
    except outcome.OutcomeUnclear as exc:
        raise RowInvalid(columns.get(exc.column, TITLES.get(exc.column, exc.column)), exc.message) from None
    except DomainError as exc:
        raise RowInvalid(columns.get("result", "办理结果"), exc.message) from None
    unit, post = split_unit_post(text("unit_post"))
    # a 反映人 column left unmapped is dropped, never copied into the note: the reporter's identity is
    # kept only in the sealed 举报人 record ([J] 第四十七条第一项; docs/SECURITY.md)
    unmapped = [(h, raw.get(h)) for h, f in mapping.items()
                if not f and raw.get(h) not in (None, "") and guess_field(h, LEDGER_FIELDS) != "reporter"]
    number = text("number")
    if number.isdigit():  # a 序号, not a 线索编号: it repeats from ledger to ledger, the clue gets its own
        unmapped.insert(0, (columns["number"], number))
        number = ""
    note = kept_note([text("note")] + [f"{h}：{v}" for h, v in unmapped], columns.get("note", "备注"))
    return LedgerRow(BackfillRow(raw[ROW_COLUMN], number, names, unit, post, record, source, summary, text("reporter"),
                                 note), rules.workflow.steps[walked.state.step_id].title)


def source_choices(rules: RuleSet) -> tuple[str, ...]:
    wf = rules.workflow
    return next(f for f in wf.steps[wf.initial_step].fields if f.id == "source").choices


def summary_key(summary: str) -> str:
    return "".join(summary.split())


# --- preview ----------------------------------------------------------------------------

def preview_ledger(store: Store, path: str | Path, mapping: dict[str, str] | None = None, *,
                   progress: Progress | None = None, cancelled: Cancelled | None = None,
                   today: date | None = None) -> LedgerPreview:
    """The file's rows in buckets; writes nothing."""
    return examine(store, path, mapping, progress=progress, cancelled=cancelled, today=today)


def basis_of(store: Store, path: str | Path, mapping: dict[str, str] | None, today: date) -> tuple:
    """What a preview's rows depend on: the file's bytes, the mapping asked for, the day, the store's audit tail."""
    with store.read() as s:
        tail = s.exec(select(func.max(AuditEvent.seq)).where(AuditEvent.office_id == store.office.id)).one()
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else ""
    return digest, tuple(sorted((mapping or {}).items())), today, tail


def reusable(preview: LedgerPreview | None, basis: tuple, mapping: dict[str, str] | None) -> bool:
    """Whether a commit may take the preview's rows: same file bytes, day and store, and the mapping
    the preview was asked for or the one it resolved to (which resolves to itself)."""
    if preview is None or not preview.read:
        return False
    digest, asked, day, tail = preview.basis
    return (basis[0], basis[2], basis[3]) == (digest, day, tail) and (basis[1] == asked or mapping == preview.mapping)


def examine(store: Store, path, mapping, *, progress, cancelled, today) -> LedgerPreview:
    today = today or date.today()
    basis = basis_of(store, path, mapping, today)
    rules = ruleset.load(store)
    staged = stage(path, LEDGER_FIELDS, cancelled=cancelled)
    used = resolve_mapping(staged.headers, mapping, LEDGER_FIELDS)
    if any(f == "reporter" for f in used.values()) and not store.account.is_admin:
        raise ImportFileError("import_mapping", "“反映人”一列只能由书记/管理员导入（举报人身份受保护）；"
                              "工作人员请将该列设为不导入（该列不会保存，也不会写入备注），或由书记导入。")
    total = staged.count
    read: dict[int, LedgerRow] = {}
    problems: list[RowProblem] = []
    keys = []
    for done, raw in enumerate(staged.rows(), start=1):
        if done % 200 == 0:
            check_cancel(cancelled)
            if progress:
                progress(done, total, "正在检查台账各行…")
        try:
            row = read_row(raw, used, rules, today)
        except RowInvalid as exc:
            problems.append(RowProblem(raw[ROW_COLUMN], exc.column, exc.reason))
            continue
        d = row.data
        read[d.row] = row
        keys.append({"row": d.row, "number": d.number, "person": normalised(d.names[0]),
                     "received": d.record.received_on.isoformat(), "summary": summary_key(d.summary)})
    check_cancel(cancelled)
    existing, duplicate = buckets(store, staged, keys)
    as_preview = lambda r, match="": PreviewRow(r.data.row, r.data.number, "、".join(r.data.names),  # noqa: E731
                                                 r.data.record.received_on, r.data.summary[:200], r.step_title, match)
    preview = LedgerPreview(
        staged.file, staged.sheet, staged.header_row,
        tuple(ColumnInfo(i, h, used.get(h, "")) for i, h in enumerate(staged.headers)), used,
        new=tuple(as_preview(r) for n, r in read.items() if n not in existing and n not in duplicate),
        existing=tuple(as_preview(read[n], m) for n, m in sorted(existing.items())),
        duplicate=tuple(as_preview(read[n], m) for n, m in sorted(duplicate.items()) if n not in existing),
        invalid=tuple(problems), skipped=staged.skipped, basis=basis, read=read)
    if progress:
        progress(total, total, "检查完毕")
    return preview


def normalised(name: str) -> str:
    return person_key(name, "").split("|")[0]


def buckets(store: Store, staged: StagedFile, keys: list[dict]) -> tuple[dict[int, str], dict[int, str]]:
    """Rows already in the store (row → its clue number) and rows repeating an earlier row of the
    file (row → "第N行"), by SQL over the staged rows and the store's clues."""
    db = staged.db
    columns = {"number": str, "person": str, "received": str, "summary": str}
    db["parsed"].create({"row": int, **columns}, pk="row")
    db["parsed"].insert_all(keys)
    with store.read() as s:
        known = [{"number": number, "person": normalised(name), "received": received.isoformat(),
                  "summary": summary_key(summary or "")}
                 for number, name, received, summary in s.exec(
                     select(Clue.number, Person.name, Clue.received_on, Clue.summary)
                     .join(ClueSubject, ClueSubject.clue_id == Clue.id)
                     .join(Person, Person.id == ClueSubject.person_id)
                     .where(Clue.owner_office_id == store.office.id, Clue.deleted == False,  # noqa: E712
                            ClueSubject.deleted == False)).all()]  # noqa: E712
    db["known"].create(columns)
    db["known"].insert_all(known)
    for table in ("parsed", "known"):
        db[table].create_index(["number"])
        db[table].create_index(["person", "received", "summary"])
    existing: dict[int, str] = {}
    for row, number in db.execute(
            "select p.row, k.number from parsed p join known k on p.number != '' and k.number = p.number "
            "union all select p.row, k.number from parsed p join known k on k.person = p.person "
            "and k.received = p.received and k.summary = p.summary order by 1").fetchall():
        existing.setdefault(row, number)
    duplicate: dict[int, str] = {}
    for row, first in db.execute(
            "select p.row, min(q.row) from parsed p join parsed q on q.row < p.row and p.number != '' "
            "and q.number = p.number group by p.row union all "
            "select p.row, min(q.row) from parsed p join parsed q on q.row < p.row and q.person = p.person "
            "and q.received = p.received and q.summary = p.summary group by p.row order by 1").fetchall():
        duplicate.setdefault(row, f"第{first}行")
    return existing, duplicate


# --- commit -----------------------------------------------------------------------------

def commit_ledger(store: Store, path: str | Path, mapping: dict[str, str] | None = None, *,
                  progress: Progress | None = None, cancelled: Cancelled | None = None,
                  today: date | None = None, preview: LedgerPreview | None = None) -> LedgerCommit:
    """Write every new row as a clue or case, or none: refused (ImportRefused) while any row is
    invalid; an error or a cancel (ImportCancelled) rolls the whole import back. Given the preview
    the user saw, its rows are used if neither the file, the mapping nor the store has changed
    since; otherwise the file is read and checked again."""
    today = today or date.today()
    if not reusable(preview, basis_of(store, path, mapping, today), mapping):
        preview = examine(store, path, mapping, progress=progress, cancelled=cancelled, today=today)
    read = preview.read
    if preview.invalid:
        shown = "；".join(f"第{p.row}行“{p.column}”：{p.reason}" for p in preview.invalid[:5])
        more = f"等{len(preview.invalid)}处" if len(preview.invalid) > 5 else ""
        raise ImportRefused("import_invalid_rows", f"台账中有错误，未导入任何记录：{shown}{more}。请修改文件后重新导入。",
                            {"invalid": [asdict(p) for p in preview.invalid]})
    rules = ruleset.load(store)
    rows = [read[r.row] for r in preview.new]
    case_ids: list[str] = []
    by_step: dict[str, int] = {}
    with store.write() as s:
        writer = BackfillWriter(s, store, rules, preview.file, today)
        for row in rows:  # before any clue takes a number of its own that a later row holds
            if row.data.number:
                writer.reserve(row.data.number)
        for done, row in enumerate(rows, start=1):
            if done % 100 == 0:
                check_cancel(cancelled)
                if progress:
                    progress(done, len(rows), "正在导入…")
            case_ids.append(writer.add(row.data))
            by_step[row.step_title] = by_step.get(row.step_title, 0) + 1
        check_cancel(cancelled)
        if progress:
            progress(len(rows), len(rows), "正在写入数据库…")
        writer.write()
        check_cancel(cancelled)  # the last chance: nothing is committed before this returns
    if progress:
        progress(len(rows), len(rows), "导入完毕")
    return LedgerCommit(preview.file, len(rows), len(preview.existing), len(preview.duplicate), tuple(case_ids), by_step)
