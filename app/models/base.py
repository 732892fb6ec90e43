"""Fields every synced record carries (DESIGN §5): one owner office changes it, +1 version per change."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def new_id() -> str:
    """A random (version 4) UUID as 32 hex digits, as uuid.uuid4().hex spells it, at a third of its
    cost: an import makes one for every audit event it appends."""
    b = bytearray(os.urandom(16))
    b[6] = b[6] & 0x0F | 0x40  # version 4
    b[8] = b[8] & 0x3F | 0x80  # RFC 4122 variant
    return b.hex()


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
