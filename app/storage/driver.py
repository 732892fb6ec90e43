"""The SQLCipher driver, sqlcipher3, as every connection of this app uses it.

pysqlite's drivers bind int, float, str and bytearray directly; anything else goes through the
adaptation protocol first. A type with an adapter registered is found at the first lookup; a type
without one fails two attribute lookups (raising and clearing an exception each time) before it is
bound as it is. For None that is about a microsecond, more than SQLite's own work for the value,
and a bundle of a million records binds several million of them (every empty column, and the
staging's empty keys). So adapters are registered here for:

- None (bound as NULL) and bool (as 0 or 1, what the driver made of it anyway);
- times: as SQLAlchemy's UTCDateTime stores them on SQLite ("2026-03-02 08:00:00.000000", in UTC),
  by datetime's own C formatting; the driver's default gave "2026-03-02 08:00:00+00:00", which
  would sort and compare differently from what the ORM writes. A time without a zone is refused,
  as UTCDateTime refuses it. Dates keep the driver's default ("2026-03-02", as SQLAlchemy writes
  them).

The import writes a received record's values with these (app/storage/bulk.py), instead of a
Python conversion per value (`bench/bench_sync_records.py`; docs/PERFORMANCE.md). Adapters for
the directly bound types would instead send every value through adaptation; none is registered.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlcipher3.dbapi2 as sqlcipher


# Formatting an aware time costs more than a microsecond, and most times come in pairs: a record
# never changed since it was made was made and last changed in the same second. Equal aware times
# are the same instant (and hash alike, whatever their zone), so the text is the same.
_TEXTS: dict[datetime, str] = {}
_TEXTS_KEPT = 4096


def utc_text(value: datetime) -> str:
    """A time as UTCDateTime's bind processor makes it on SQLite, the time in UTC."""
    text = _TEXTS.get(value)
    if text is None:
        if value.tzinfo is not UTC:
            if value.utcoffset() is None:
                raise ValueError("Datetime values must have timezone information.")  # as UTCDateTime says it
            value = value.astimezone(UTC)
        text = value.isoformat(" ", "microseconds")[:26]  # without "+00:00"; the year has always 4 digits
        if len(_TEXTS) >= _TEXTS_KEPT:
            _TEXTS.clear()
        _TEXTS[value] = text
    return text


sqlcipher.register_adapter(type(None), lambda value: value)
sqlcipher.register_adapter(bool, int)
sqlcipher.register_adapter(datetime, utc_text)

__all__ = ["sqlcipher", "utc_text"]
