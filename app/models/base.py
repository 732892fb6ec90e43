"""Fields every synced record carries (DESIGN §5): one owner office changes it, +1 version per change."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def new_id() -> str:
    """A time-ordered UUID (version 7, RFC 9562: 48 bits of Unix milliseconds, then random bits) as 32
    hex digits. Ids made one after another sort together, so each new row goes to the end of its
    table's id index instead of a random page of it: an import of a million records appends as many
    audit events, and random ids made it read and rewrite most of the index pages over and over."""
    b = bytearray((time.time_ns() // 1_000_000).to_bytes(6, "big") + os.urandom(10))
    b[6] = b[6] & 0x0F | 0x70  # version 7
    b[8] = b[8] & 0x3F | 0x80  # RFC 9562 variant
    return b.hex()


_VERSION_7 = bytes(b & 0x0F | 0x70 for b in range(256))
_VARIANT = bytes(b & 0x3F | 0x80 for b in range(256))


def new_ids(n: int) -> list[str]:
    """`n` ids as `new_id` makes them, made together: the bytes of all of them at once, a byte of each
    set by one translation (an import makes one per audit event it appends)."""
    raw = bytearray(os.urandom(16 * n))
    for k, byte in enumerate((time.time_ns() // 1_000_000).to_bytes(6, "big")):
        raw[k::16] = bytes((byte,)) * n
    raw[6::16] = raw[6::16].translate(_VERSION_7)
    raw[8::16] = raw[8::16].translate(_VARIANT)
    digits = raw.hex()
    return [digits[i:i + 32] for i in range(0, 32 * n, 32)]


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
