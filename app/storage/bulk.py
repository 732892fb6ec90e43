"""Many rows written with one prepared statement: the column types' own conversions, then the driver's
executemany. SQLAlchemy's Core executemany does the same but builds a parameter dict per row,
which costs more than SQLite's insert itself when a bundle brings a million small records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from operator import itemgetter

from sqlalchemy import Connection, Table
from sqlmodel.sql.sqltypes import UTCDateTime


def utc_time(value: datetime | None) -> str | None:
    """What UTCDateTime's bind processor makes of a time on SQLite — the time in UTC as
    "2026-03-02 08:00:00.000000" — by datetime's own C formatting instead of SQLAlchemy's two Python
    steps and a %-format per value (every synced row has two times, every audit event one)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.utcoffset() is None:
            raise ValueError("Datetime values must have timezone information.")  # as UTCDateTime says it
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without "+00:00"; the year has always 4 digits


def converters(connection: Connection, table: Table, keys: list[str]) -> list:
    """Per column the function SQLAlchemy's own statements apply to a value (None: as it is)."""
    dialect = connection.dialect
    out = []
    for k in keys:
        kind = table.c[k].type
        sqlite_time = isinstance(kind, UTCDateTime) and dialect.name == "sqlite"
        out.append(utc_time if sqlite_time else kind.dialect_impl(dialect).bind_processor(dialect))
    return out


def execute_many(connection: Connection, table: Table, rows: Iterable[Mapping], *, update: bool = False) -> None:
    """Insert rows (every column given), or with `update` set every other column of the row with its id."""
    rows = list(rows)
    if not rows:
        return
    keys = [c.key for c in table.columns if c.key in rows[0] and not (update and c.key == "id")]
    if update:
        keys.append("id")
        assignments = ", ".join(f'"{table.c[k].name}" = ?' for k in keys[:-1])
        sql = f'UPDATE "{table.name}" SET {assignments} WHERE "id" = ?'
    else:
        names = ", ".join(f'"{table.c[k].name}"' for k in keys)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(keys))})'
    connection.exec_driver_sql(sql, parameters(converters(connection, table, keys), keys, rows))


def parameters(convert: list, keys: list[str], rows: list[Mapping]) -> list[tuple]:
    """Each row's values in `keys` order, converted; only the columns that have a conversion (times,
    JSON, booleans) pay for one: most columns of a bundle's rows are text passed as they are."""
    values = itemgetter(*keys) if len(keys) > 1 else (lambda r, k=keys[0]: (r[k],))
    converted = [(i, f) for i, f in enumerate(convert) if f is not None]
    if not converted:
        return [values(r) for r in rows]
    out = []
    for r in rows:
        v = list(values(r))
        for i, f in converted:
            v[i] = f(v[i])
        out.append(tuple(v))  # SQLAlchemy passes on tuples (or dicts) only
    return out
