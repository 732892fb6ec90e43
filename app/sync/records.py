"""Rows as JSON objects in a bundle, and back, checked against the table's columns.

Every column is written; dates and times as ISO text; binary columns (document and attachment
content) as {"$file": sha256}, the bytes travelling as files/<sha256>. Reading refuses unknown
or missing columns and values of the wrong type, so nothing malformed reaches the database.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, String
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.models import SYNCED_TABLES, AuditEvent
from app.models.base import SyncedRecord

AUDIT_TABLE = AuditEvent.__tablename__
MAX_TEXT = 1024 * 1024


def model_for(table: str) -> type[SQLModel]:
    for mapper in SQLModel._sa_registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__tablename__", None) == table:
            return cls
    raise KeyError(table)


MODELS: dict[str, type[SQLModel]] = {t: model_for(t) for t in [*SYNCED_TABLES, AUDIT_TABLE]}


def columns(table: str):
    return MODELS[table].__table__.columns


def encode(table: str, row: SQLModel, files: dict[str, bytes]) -> dict:
    out: dict[str, Any] = {}
    for col in columns(table):
        value = getattr(row, col.key)
        if isinstance(value, bytes):
            digest = hashlib.sha256(value).hexdigest()
            files[digest] = value
            value = {"$file": digest}
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        out[col.key] = value
    return out


class RecordInvalid(ValueError):
    pass


def decode_value(col, raw: Any, files: set[str]) -> Any:
    if raw is None:
        if not col.nullable or col.primary_key:
            raise RecordInvalid(f"字段 {col.key} 不能为空")
        return None
    kind = col.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, LargeBinary):
        if not (isinstance(raw, dict) and set(raw) == {"$file"} and raw["$file"] in files):
            raise RecordInvalid(f"字段 {col.key} 引用的文件不在数据包中")
        return raw
    if isinstance(kind, DateTime):
        if not isinstance(raw, str):
            raise RecordInvalid(f"字段 {col.key} 应为时间")
        try:
            value = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise RecordInvalid(f"字段 {col.key} 不是有效时间") from exc
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(kind, Date):
        if not isinstance(raw, str):
            raise RecordInvalid(f"字段 {col.key} 应为日期")
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise RecordInvalid(f"字段 {col.key} 不是有效日期") from exc
    if isinstance(kind, Boolean):
        if type(raw) is not bool:
            raise RecordInvalid(f"字段 {col.key} 应为真假值")
        return raw
    if isinstance(kind, Integer):
        if type(raw) is not int or abs(raw) > 2 ** 62:
            raise RecordInvalid(f"字段 {col.key} 应为整数")
        return raw
    if isinstance(kind, JSON):
        if not isinstance(raw, dict | list):
            raise RecordInvalid(f"字段 {col.key} 应为 JSON 对象或数组")
        return raw
    if isinstance(kind, String):
        if not isinstance(raw, str):
            raise RecordInvalid(f"字段 {col.key} 应为文字")
        limit = kind.length or MAX_TEXT
        if len(raw) > limit:
            raise RecordInvalid(f"字段 {col.key} 过长")
        return raw
    raise RecordInvalid(f"字段 {col.key} 的类型不受支持")


def decode(table: str, raw: dict, files: set[str]) -> dict:
    """Column values ready for the model; binary columns stay {"$file": sha} until applied."""
    cols = {c.key: c for c in columns(table)}
    unknown = sorted(set(raw) - set(cols))
    missing = sorted(set(cols) - set(raw))
    if unknown:
        raise RecordInvalid(f"有未知字段 {'、'.join(unknown)}")
    if missing:
        raise RecordInvalid(f"缺少字段 {'、'.join(missing)}")
    values = {key: decode_value(col, raw[key], files) for key, col in cols.items()}
    if issubclass(MODELS[table], SyncedRecord) and values["version"] < 1:
        raise RecordInvalid("版本号应为正整数")
    sha_col = "sha256" if "sha256" in cols and "content" in cols else None
    if sha_col and values["content"]["$file"] != values[sha_col]:
        raise RecordInvalid("文件内容与记录中的校验值不符")
    return values
