"""Fields every synced record carries (DESIGN §5): one owner office changes it, +1 version per change."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class SyncedRecord(SQLModel):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_office_id: str = Field(foreign_key="office.id", index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted: bool = Field(default=False)


# Filled by tables.py: names of the tables whose rows travel in bundles.
SYNCED_TABLES: list[str] = []
