"""Rows as JSON objects in a bundle, and back, checked against the table's columns.

Every column is written; dates and times as ISO text; binary columns (document and attachment
content) as {"$file": sha256}, the bytes travelling as files/<sha256>. Reading refuses unknown
or missing columns and values of the wrong type, so nothing malformed reaches the database.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated, Any

import msgspec
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Text,
    and_,
    case,
    func,
    literal_column,
    null,
    or_,
    type_coerce,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.domain import text_hygiene as hygiene
from app.models import SYNCED_TABLES, AuditEvent
from app.models.base import SyncedRecord
from app.sync import json_shapes
from app.sync.limits import MAX_INTEGER, MAX_TEXT, MAX_YEAR, MIN_YEAR

AUDIT_TABLE = AuditEvent.__tablename__
# Dates a record may carry: a year like 9999 overflows the deadline arithmetic of every screen.


# What each text column holds (docs/BUNDLE.md §7): a received text must be as this app keeps it
# (app/domain/text_hygiene.py), whoever signed it; columns not named here are one-line texts.
_TEXT_KINDS: dict[str, hygiene.TextKind] = {
    **dict.fromkeys(("summary", "leader_instruction", "statement", "narrative", "text", "note", "conclusion",
                     "reason", "void_reason", "closed_reason", "attitude"), hygiene.LONG),
    **dict.fromkeys(("name", "abbr", "office_name", "approver", "decided_by", "completed_by", "approved_by",
                     "supervision_approver", "created_by", "voided_by"), hygiene.NAME),
    **dict.fromkeys(("number", "incoming_no", "id_number", "phone", "document_no", "code", "parent_code",
                     "office_code"), hygiene.NUMBER),
    # the archive's key is a normalised name + "|" + unit
    "person_key": replace(hygiene.NAME, limit=hygiene.NAME.limit + 1 + hygiene.SHORT.limit),
}
_TABLE_TEXT_KINDS = {("attachment", "name"): hygiene.SHORT}  # a file name, not a person's


def text_kind(table: str, column: str) -> hygiene.TextKind:
    return _TABLE_TEXT_KINDS.get((table, column)) or _TEXT_KINDS.get(column, hygiene.SHORT)


def model_for(table: str) -> type[SQLModel]:
    for mapper in SQLModel._sa_registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__tablename__", None) == table:
            return cls
    raise KeyError(table)


MODELS: dict[str, type[SQLModel]] = {t: model_for(t) for t in [*SYNCED_TABLES, AUDIT_TABLE]}
SYNCED = {t for t, m in MODELS.items() if issubclass(m, SyncedRecord)}


def columns(table: str):
    return MODELS[table].__table__.columns


def base_type(col):
    kind = col.type
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


def is_binary(col) -> bool:
    return isinstance(base_type(col), LargeBinary)


def selected_columns(table: str) -> list:
    """Every column except the binary ones: export reads those one file at a time (`file_column`)."""
    return [c for c in columns(table) if not is_binary(c)]


FILE_COLUMNS: dict[str, str | None] = {t: next((c.key for c in columns(t) if is_binary(c)), None) for t in MODELS}
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    t: tuple(c.key for c in columns(t) if isinstance(base_type(c), String)) for t in MODELS
}
TIME_COLUMNS: dict[str, tuple[str, ...]] = {
    t: tuple(c.key for c in columns(t) if isinstance(base_type(c), DateTime | Date)) for t in MODELS
}


def file_column(table: str) -> str | None:
    """The binary column of a table that carries files (document, attachment), named by its `sha256` column."""
    return FILE_COLUMNS[table]


def encode(table: str, row, files: dict[str, bytes] | None = None) -> dict:
    """A row (a Core row read with `selected_columns`, or a model instance) as the JSON object of
    docs/BUNDLE.md §6. A file is named by the row's `sha256` column, which the importer checks
    against the bytes; given `files`, the row's own bytes are hashed and collected there instead."""
    if hasattr(row, "_mapping"):
        out: dict[str, Any] = dict(zip(row._fields, row, strict=True))
    else:
        out = {c.key: getattr(row, c.key) for c in columns(table)}
    if table in SYNCED:  # text an older version stored unscrubbed (a Word \x0b) leaves as the receiver expects it
        for key in TEXT_COLUMNS[table]:
            if out[key] is not None:
                out[key] = hygiene.scrub(out[key], text_kind(table, key))
    for key in TIME_COLUMNS[table]:
        if out[key] is not None:
            out[key] = out[key].isoformat()
    binary = FILE_COLUMNS[table]
    if binary:
        if files is None:
            digest = out["sha256"]
        else:
            data = out[binary]
            digest = hashlib.sha256(data).hexdigest()
            files[digest] = data
        out[binary] = {"$file": digest}
    return out


# Export reads each record as its line of records/<table>.jsonl, made by SQLite's json_object: keys
# sorted, values as `encode` gives them. Where SQLite cannot be sure of that — a stored value not in
# the form SQLAlchemy writes, or a text the hygiene would change — the line is made by `encode`.
LINE = "_line"
_LINE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_PLAIN_TYPES = (String, Integer, Boolean, Date, DateTime, JSON, LargeBinary)  # kept as SQLite holds them
_SEPARATOR = "|"  # joins texts for one check: never objected to by the hygiene, never composes (NFC)
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # what str.strip() removes
_STORED_TIME = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]"


def _text_groups(table: str) -> dict[tuple[bool, bool], list[str]]:
    """The table's hygiene-checked text columns by (strict, multiline) of their kind."""
    groups: dict[tuple[bool, bool], list[str]] = {}
    if table in SYNCED:
        for key in TEXT_COLUMNS[table]:
            kind = text_kind(table, key)
            groups.setdefault((kind.strict, kind.multiline), []).append(key)
    return groups


def _sql_value(col):
    """(the column's value in the line, whether the stored value is in the form that value assumes)."""
    kind = base_type(col)
    col = type_coerce(col, Text()) if isinstance(kind, JSON | DateTime | Date | Boolean) else col  # the stored value
    if isinstance(kind, LargeBinary):
        return func.json_object(literal_column("'$file'"), col.table.c.sha256), None
    if isinstance(kind, JSON):
        return case((col.is_(None), None), else_=func.json(col)), or_(col.is_(None), func.json_valid(col) == 1)
    if isinstance(kind, DateTime):  # stored as "2026-03-02 08:00:00.000000", UTC; isoformat() drops zero microseconds
        fraction = case((func.substr(col, 21) == "000000", ""), else_="." + func.substr(col, 21))
        iso = func.substr(col, 1, 10) + "T" + func.substr(col, 12, 8) + fraction + "+00:00"
        return iso, or_(col.is_(None), and_(col.op("GLOB")(_STORED_TIME),
                                            func.datetime(func.substr(col, 1, 19)).is_(func.substr(col, 1, 19))))
    if isinstance(kind, Date):
        return col, or_(col.is_(None), func.date(col).is_(col))
    if isinstance(kind, Boolean):
        return func.json(case((col.is_(None), None), (col != 0, "true"), else_="false")), None
    return col, None


def _stored_as_read(table: str) -> bool:
    """Whether SQLite holds every column as SQLAlchemy reads it (no sealed text, which SQLAlchemy opens)."""
    return all(type(c.type) in _PLAIN_TYPES or type(c.type).__name__ in ("AutoString", "UTCDateTime") for c in columns(table))


def _line_columns(table: str) -> list:
    """`LINE` and the joined texts `line_of` checks, for `export_columns`."""
    cols = columns(table)
    if not _stored_as_read(table):
        return [null().label(LINE)]  # every line by `encode`
    pairs, checks = [], []
    for col in sorted(cols, key=lambda c: c.key):
        value, check = _sql_value(col)
        pairs += [literal_column(f"'{col.key}'"), value]
        if check is not None:
            checks.append(check)
    for (_strict, multiline), keys in _text_groups(table).items():
        if not multiline:  # `scrub` strips a one-line text
            checks += [or_(cols[k].is_(None), cols[k] == func.trim(cols[k], _SPACES)) for k in keys]
    line = func.json_object(*pairs)
    out = [(case((and_(*checks), line), else_=None) if checks else line).label(LINE)]
    for (strict, multiline), keys in _text_groups(table).items():
        joined = func.coalesce(cols[keys[0]], "")
        for key in keys[1:]:
            joined = joined + _SEPARATOR + func.coalesce(cols[key], "")
        out.append(joined.label(f"_texts_{int(strict)}{int(multiline)}"))
    return out


SELECTION_KEYS = ("seq", "office_code")  # besides keys, references and flags, what export chooses records by


@cache
def export_columns(table: str) -> tuple:
    """What export reads of a record while it chooses the records: its key, references, flags and
    `SELECTION_KEYS`, and for a table without files its line, `LINE`, with the texts `line_of`
    checks. A table with files has no line here: columns stored after the file cost a read of every
    page of it, so the line comes with the file (`file_export_columns`)."""
    keys = [c for c in columns(table) if c.primary_key or c.foreign_keys or isinstance(base_type(c), Boolean)
            or c.key in SELECTION_KEYS]
    return tuple(keys) if FILE_COLUMNS[table] else (*keys, *_line_columns(table))


def file_export_columns(table: str) -> list:
    """A record of a table with files as export packs it: its `sha256`, its file, then its line."""
    cols = columns(table)
    return [cols["sha256"], cols[FILE_COLUMNS[table]], *_line_columns(table)]


_TEXT_CHECKS = {t: [hygiene.changed_by_scrub(strict, multiline) for (strict, multiline) in _text_groups(t)]
                if _stored_as_read(t) else [] for t in MODELS}


def line_of(table: str, row) -> str | None:
    """The record's line as SQLite made it (a row read with `export_columns`), if it is what `encode`
    would give; else None."""
    checks = _TEXT_CHECKS[table]
    values = tuple(row)
    line = values[-1 - len(checks)]
    if line is None:
        return None
    for bad, texts in zip(checks, values[-len(checks):] if checks else (), strict=True):
        if bad.search(texts) or not unicodedata.is_normalized("NFC", texts):
            return None
    return line


def lines_of(table: str, rows: list) -> list[str | None]:
    """`line_of` of each row: the texts of all of them checked at once, joined as a row's own are
    (the checks find single characters), and row by row only when that finds something."""
    checks = _TEXT_CHECKS[table]
    if not rows:
        return []
    at = len(rows[0]) - 1 - len(checks)
    for n, bad in enumerate(checks, start=at + 1):
        texts = _SEPARATOR.join([r[n] for r in rows])
        if bad.search(texts) or not unicodedata.is_normalized("NFC", texts):
            return [line_of(table, r) for r in rows]
    return [r[at] for r in rows]


def encode_line(table: str, row) -> str:
    """`encode`'s object as a line (for a row `line_of` left to Python, read with `selected_columns`)."""
    return _LINE.encode(encode(table, row))


class RecordInvalid(ValueError):
    pass


def converter(col, *, hygiene_checked: bool = True) -> Callable[[Any, set[str]], Any]:
    """A function that checks one raw, non-null JSON value for this column and returns the column value.
    Without `hygiene_checked`, a text's hygiene is left to `texts_acceptable` over a batch of rows."""
    kind = base_type(col)
    key = col.key

    if isinstance(kind, LargeBinary):
        def convert(raw, files):
            if not (isinstance(raw, dict) and set(raw) == {"$file"} and raw["$file"] in files):
                raise RecordInvalid(f"字段 {key} 引用的文件不在数据包中")
            return raw
    elif isinstance(kind, DateTime):
        def convert(raw, _files):
            if not isinstance(raw, str):
                raise RecordInvalid(f"字段 {key} 应为时间")
            try:
                value = datetime.fromisoformat(raw)
            except ValueError as exc:
                raise RecordInvalid(f"字段 {key} 不是有效时间") from exc
            if not MIN_YEAR <= value.year <= MAX_YEAR:
                raise RecordInvalid(f"字段 {key} 的年份超出{MIN_YEAR}—{MAX_YEAR}年")
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    elif isinstance(kind, Date):
        def convert(raw, _files):
            if not isinstance(raw, str):
                raise RecordInvalid(f"字段 {key} 应为日期")
            try:
                value = date.fromisoformat(raw)
            except ValueError as exc:
                raise RecordInvalid(f"字段 {key} 不是有效日期") from exc
            if not MIN_YEAR <= value.year <= MAX_YEAR:
                raise RecordInvalid(f"字段 {key} 的年份超出{MIN_YEAR}—{MAX_YEAR}年")
            return value
    elif isinstance(kind, Boolean):
        def convert(raw, _files):
            if type(raw) is not bool:
                raise RecordInvalid(f"字段 {key} 应为真假值")
            return raw
    elif isinstance(kind, Integer):
        def convert(raw, _files):
            if type(raw) is not int or abs(raw) > MAX_INTEGER:
                raise RecordInvalid(f"字段 {key} 应为整数")
            return raw
    elif isinstance(kind, JSON):
        table = col.table.name

        def convert(raw, _files):
            if not isinstance(raw, dict | list):
                raise RecordInvalid(f"字段 {key} 应为 JSON 对象或数组")
            if (problem := json_shapes.problem(table, key, raw)) is not None:
                raise RecordInvalid(problem)
            return raw
    elif isinstance(kind, String):
        limit = kind.length or MAX_TEXT
        # the audit log is hash-chained: its texts are checked by the chain, not changed or judged here
        hygiene_kind = text_kind(col.table.name, key) if col.table.name in SYNCED and hygiene_checked else None

        def convert(raw, _files):
            if not isinstance(raw, str):
                raise RecordInvalid(f"字段 {key} 应为文字")
            if len(raw) > limit:
                raise RecordInvalid(f"字段 {key} 过长")
            problem = hygiene.problem(raw, hygiene_kind) if hygiene_kind else None
            if problem:
                raise RecordInvalid(f"字段 {key} {problem}")
            return raw
    else:
        def convert(_raw, _files):
            raise RecordInvalid(f"字段 {key} 的类型不受支持")
    return convert


# per table: column → (converter, whether null is allowed), built once; QUICK_CHECKERS leave the texts'
# hygiene to `texts_acceptable`, which checks a whole batch of rows at once
CHECKERS: dict[str, dict[str, tuple[Callable[[Any, set[str]], Any], bool]]] = {
    t: {c.key: (converter(c), c.nullable and not c.primary_key) for c in columns(t)} for t in MODELS
}
QUICK_CHECKERS: dict[str, dict[str, tuple[Callable[[Any, set[str]], Any], bool]]] = {
    t: {c.key: (converter(c, hygiene_checked=False), c.nullable and not c.primary_key) for c in columns(t)} for t in MODELS
}
HYGIENE_KINDS: dict[str, tuple[tuple[str, hygiene.TextKind], ...]] = {
    t: tuple((key, text_kind(t, key)) for key in TEXT_COLUMNS[t]) if t in SYNCED else () for t in MODELS
}


def texts_acceptable(table: str, rows: list[dict]) -> bool:
    """Whether every text of these rows (decoded by `decode(…, quick=True)`) passes the hygiene check
    `decode` makes of each; when not, decoding them again with it names the first that fails."""
    return all(hygiene.all_acceptable([v for r in rows if (v := r[key]) is not None], kind)
               for key, kind in HYGIENE_KINDS[table])


def decode(table: str, raw: dict, files: set[str], *, quick: bool = False) -> dict:
    """Column values ready for the database; binary columns stay {"$file": sha} until applied.
    `quick`: texts are not judged for their hygiene here (`texts_acceptable` does it for a batch)."""
    checks = (QUICK_CHECKERS if quick else CHECKERS)[table]
    if raw.keys() != checks.keys():
        unknown = sorted(set(raw) - set(checks))
        missing = sorted(set(checks) - set(raw))
        if unknown:
            raise RecordInvalid(f"有未知字段 {'、'.join(unknown)}")
        raise RecordInvalid(f"缺少字段 {'、'.join(missing)}")
    values = {}
    for key, (convert, nullable) in checks.items():
        values[key] = checked(key, raw[key], convert, nullable, files)
    return whole_record_checked(table, values)


def checked(key: str, value, convert: Callable[[Any, set[str]], Any], nullable: bool, files: set[str]):
    if value is not None:
        return convert(value, files)
    if nullable:
        return None
    raise RecordInvalid(f"字段 {key} 不能为空")


def whole_record_checked(table: str, values: dict) -> dict:
    if table in SYNCED and values["version"] < 1:
        raise RecordInvalid("版本号应为正整数")
    binary = FILE_COLUMNS[table]
    if binary and values[binary]["$file"] != values["sha256"]:
        raise RecordInvalid("文件内容与记录中的校验值不符")
    return values


# The quick way to read a record's line: msgspec parses the JSON and checks each value's type,
# nullability and length against a struct made from the table's columns, in one pass in C. What it
# leaves to Python, `decode` does the same way: times, dates, files and JSON columns go through the
# same converters, a JSON column's text parsed by msgspec too (it refuses all `strict_json` refuses:
# NaN, 1e999, a lone surrogate escape). A line msgspec does not take goes the slow way —
# `strict_json`, then `decode` — which names the problem or, where msgspec is the stricter reader,
# takes it; for a line msgspec takes, both give the same values (tests/unit/test_record_lines.py
# holds them to it).
def _quick_type(col) -> tuple[Any, bool]:
    """(the struct field's type, whether `decode`'s converter still runs on the value)."""
    kind = base_type(col)
    nullable = col.nullable and not col.primary_key
    if isinstance(kind, LargeBinary | JSON):
        return msgspec.Raw, True  # parsed on its own (`decode_line`), then converted as the slow way converts it
    if isinstance(kind, DateTime | Date):
        kind_of = str
    elif isinstance(kind, Boolean):
        kind_of = bool
    elif isinstance(kind, Integer):
        kind_of = Annotated[int, msgspec.Meta(ge=-MAX_INTEGER, le=MAX_INTEGER)]
    elif isinstance(kind, String):
        kind_of = Annotated[str, msgspec.Meta(max_length=kind.length or MAX_TEXT)]
    else:
        return msgspec.Raw, True  # its converter refuses it
    return (kind_of | None if nullable else kind_of), isinstance(kind, DateTime | Date)


def _line_reader(table: str) -> tuple[msgspec.json.Decoder, tuple]:
    fields, converted = [], []
    for col in columns(table):
        kind, convert = _quick_type(col)
        fields.append((col.key, kind))
        if convert:
            quick_convert, nullable = QUICK_CHECKERS[table][col.key]
            converted.append((col.key, quick_convert, nullable, kind is msgspec.Raw))
    struct = msgspec.defstruct(f"{table}_line", fields, forbid_unknown_fields=True)
    return msgspec.json.Decoder(struct), tuple(converted)


LINE_READERS = {t: _line_reader(t) for t in MODELS}
_as_dict = msgspec.structs.asdict
read_json = msgspec.json.Decoder().decode


def decode_line(table: str, line: bytes, files: set[str]) -> dict | None:
    """`decode(table, Payload.json_line(…, line), files, quick=True)` when msgspec takes the line, else
    None: then that slow way says what is wrong with it, or takes it."""
    reader, converted = LINE_READERS[table]
    try:
        values = _as_dict(reader.decode(line))
        for key, convert, nullable, raw_json in converted:
            value = values[key]
            values[key] = checked(key, read_json(value) if raw_json else value, convert, nullable, files)
        return whole_record_checked(table, values)
    except (msgspec.DecodeError, msgspec.ValidationError, RecordInvalid, ValueError, RecursionError):
        return None
