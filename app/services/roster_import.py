"""`import-roster`: a 村（社）干部花名册 brought into the integrity archive (人员档案, the Person table).

Staged and mapped like a 台账 (app/services/ledger_import.py). A person already in the archive —
the same 身份证号, or the same name and unit — is updated, not duplicated; a person twice in the
file is taken once. One transaction: every row or none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from sqlmodel import select

from app.domain import text_hygiene as hygiene
from app.domain.ledger_headers import ROSTER_FIELDS
from app.domain.persons import person_key
from app.models import Person
from app.services import persons
from app.services.import_mapping import ColumnInfo, RowInvalid, RowProblem, kept_note, resolve_mapping
from app.services.import_staging import (
    ROW_COLUMN,
    Cancelled,
    ImportRefused,
    Progress,
    check_cancel,
    stage,
)
from app.storage.store import Store

KIND = "roster"
TEXT_KINDS = {"name": hygiene.NAME, "id_number": hygiene.NUMBER, "unit": hygiene.SHORT, "post": hygiene.SHORT,
              "term": hygiene.SHORT, "political_status": hygiene.SHORT, "note": hygiene.LONG}
# 政治面貌 / 是否党员 as rosters write it → the archive's words
PARTY_WORDS = (("预备", "中共预备党员"), ("中共党员", "中共党员"), ("党员", "中共党员"), ("是", "中共党员"),
               ("否", "群众"), ("群众", "群众"))
UPDATED_FIELDS = ("id_number", "post", "term", "political_status")


@dataclass(frozen=True)
class RosterRow:
    row: int
    name: str
    id_number: str
    unit: str
    post: str
    term: str
    political_status: str
    note: str
    match: str = ""  # updated: the archive's name and unit; duplicate: the earlier row


@dataclass(frozen=True)
class RosterPreview:
    file: str
    sheet: str
    header_row: int
    columns: tuple[ColumnInfo, ...]
    mapping: dict[str, str]
    new: tuple[RosterRow, ...]
    updated: tuple[RosterRow, ...]
    duplicate: tuple[RosterRow, ...]
    invalid: tuple[RowProblem, ...]
    skipped: int

    def counts(self) -> dict:
        return {"new": len(self.new), "updated": len(self.updated), "duplicate": len(self.duplicate),
                "invalid": len({p.row for p in self.invalid}), "skipped": self.skipped}

    def as_json(self) -> dict:
        return {**asdict(self), "counts": self.counts()}


@dataclass(frozen=True)
class RosterCommit:
    file: str
    created: int
    updated: int
    skipped_duplicate: int


def party_status(text: str) -> str:
    return next((meant for word, meant in PARTY_WORDS if word in text), text)


def read_row(raw: dict, mapping: dict[str, str]) -> RosterRow:
    columns = {f: h for h, f in mapping.items() if f}
    titles = {f.id: f.title for f in ROSTER_FIELDS}

    def text(field_id: str) -> str:
        header = columns.get(field_id)
        value = raw.get(header) if header else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            return hygiene.clean("" if value is None else str(value), TEXT_KINDS[field_id], titles[field_id])
        except hygiene.TextRejected as exc:
            raise RowInvalid(header, exc.message) from None

    name, unit = text("name"), text("unit")
    if not name:
        raise RowInvalid(columns["name"], "姓名为空")
    if not unit:
        raise RowInvalid(columns["unit"], "村（社区）或单位为空")
    id_number = text("id_number").upper()
    if id_number and (len(id_number) != 18 or not id_number[:17].isdigit()):
        raise RowInvalid(columns["id_number"], f"身份证号“{id_number}”应为18位")
    unmapped = [(h, raw.get(h)) for h, f in mapping.items() if not f and raw.get(h) not in (None, "")]
    note = kept_note([text("note")] + [f"{h}：{v}" for h, v in unmapped], columns.get("note", "备注"))
    return RosterRow(raw[ROW_COLUMN], name, id_number, unit, text("post"), text("term"),
                     party_status(text("political_status")), note)


def preview_roster(store: Store, path: str | Path, mapping: dict[str, str] | None = None, *,
                   progress: Progress | None = None, cancelled: Cancelled | None = None) -> RosterPreview:
    """The roster's rows in buckets: new, in the archive already (to be updated), twice in the file, invalid."""
    preview, _ = examine(store, path, mapping, progress, cancelled)
    return preview


def examine(store: Store, path, mapping, progress, cancelled) -> tuple[RosterPreview, dict[int, str]]:
    """The preview and, for each row to update, the id of its Person."""
    staged = stage(path, ROSTER_FIELDS, cancelled=cancelled)
    used = resolve_mapping(staged.headers, mapping, ROSTER_FIELDS)
    total = staged.count
    rows: dict[int, RosterRow] = {}
    problems: list[RowProblem] = []
    for done, raw in enumerate(staged.rows(), start=1):
        if done % 500 == 0:
            check_cancel(cancelled)
            if progress:
                progress(done, total, "正在检查花名册各行…")
        try:
            row = read_row(raw, used)
        except RowInvalid as exc:
            problems.append(RowProblem(raw[ROW_COLUMN], exc.column, exc.reason))
            continue
        rows[row.row] = row
    db = staged.db
    db["parsed"].create({"row": int, "id_number": str, "name_unit": str}, pk="row")
    db["parsed"].insert_all({"row": r.row, "id_number": r.id_number, "name_unit": person_key(r.name, r.unit)}
                            for r in rows.values())
    with store.read() as s:
        archive = [{"person_id": p.id, "id_number": p.id_number.upper(), "name_unit": person_key(p.name, p.unit),
                    "label": f"{p.name}（{p.unit}）"}
                   for p in s.exec(select(Person).where(Person.owner_office_id == store.office.id,
                                                        Person.deleted == False)).all()]  # noqa: E712
    db["archive"].create({"person_id": str, "id_number": str, "name_unit": str, "label": str})
    db["archive"].insert_all(archive)
    for table in ("parsed", "archive"):
        db[table].create_index(["id_number"], if_not_exists=True)
        db[table].create_index(["name_unit"], if_not_exists=True)
    matched: dict[int, tuple[str, str]] = {}
    for row, person_id, label in db.execute(
            "select p.row, a.person_id, a.label from parsed p join archive a on p.id_number != '' and a.id_number = p.id_number "
            "union all select p.row, a.person_id, a.label from parsed p join archive a on a.name_unit = p.name_unit "
            "order by 1").fetchall():
        matched.setdefault(row, (person_id, label))
    twice: dict[int, int] = {}
    for row, first in db.execute(
            "select p.row, min(q.row) from parsed p join parsed q on q.row < p.row and p.id_number != '' "
            "and q.id_number = p.id_number group by p.row union all select p.row, min(q.row) from parsed p "
            "join parsed q on q.row < p.row and q.name_unit = p.name_unit group by p.row order by 1").fetchall():
        twice.setdefault(row, first)
    check_cancel(cancelled)
    mark = lambda r, match: RosterRow(**{**asdict(r), "match": match})  # noqa: E731
    preview = RosterPreview(
        staged.file, staged.sheet, staged.header_row,
        tuple(ColumnInfo(i, h, used.get(h, "")) for i, h in enumerate(staged.headers)), used,
        new=tuple(r for n, r in rows.items() if n not in matched and n not in twice),
        updated=tuple(mark(r, matched[n][1]) for n, r in rows.items() if n in matched and n not in twice),
        duplicate=tuple(mark(r, f"第{twice[n]}行") for n, r in rows.items() if n in twice),
        invalid=tuple(problems), skipped=staged.skipped)
    if progress:
        progress(total, total, "检查完毕")
    return preview, {n: matched[n][0] for n in matched}


def commit_roster(store: Store, path: str | Path, mapping: dict[str, str] | None = None, *,
                  progress: Progress | None = None, cancelled: Cancelled | None = None) -> RosterCommit:
    """Every new person created and every known one updated, or nothing (ImportRefused, ImportCancelled)."""
    preview, person_ids = examine(store, path, mapping, progress, cancelled)
    if preview.invalid:
        shown = "；".join(f"第{p.row}行“{p.column}”：{p.reason}" for p in preview.invalid[:5])
        raise ImportRefused("import_invalid_rows", f"花名册中有错误，未导入任何人员：{shown}。请修改文件后重新导入。",
                            {"invalid": [asdict(p) for p in preview.invalid]})
    work = [(r, None) for r in preview.new] + [(r, person_ids[r.row]) for r in preview.updated]
    with store.write() as s:
        for done, (row, person_id) in enumerate(work, start=1):
            if done % 200 == 0:
                check_cancel(cancelled)
                if progress:
                    progress(done, len(work), "正在导入…")
            if person_id is None:
                person = persons.upsert(s, store, {"name": row.name, "unit": row.unit, "post": row.post,
                                                   "political_status": row.political_status,
                                                   "id_number": row.id_number})
            else:
                # the roster is the office's current list: its post, term and membership replace older ones
                person = s.get(Person, person_id)
                for key in UPDATED_FIELDS:
                    value = getattr(row, key)
                    if value and value != getattr(person, key):
                        setattr(person, key, value)
            person.term = row.term or person.term
            person.note = row.note or person.note
            s.add(person)
        check_cancel(cancelled)
    if progress:
        progress(len(work), len(work), "导入完毕")
    return RosterCommit(preview.file, len(preview.new), len(preview.updated), len(preview.duplicate))
