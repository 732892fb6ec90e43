"""Many rows written with one prepared statement: the column types' own conversions, then the driver's
executemany. SQLAlchemy's Core executemany does the same but builds a parameter dict per row,
which costs more than SQLite's insert itself when a bundle brings a million small records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from typing import Any

import msgspec
from sqlalchemy import JSON, Boolean, Connection, Date, Table
from sqlmodel.sql.sqltypes import UTCDateTime

from app.storage.driver import sqlcipher

# bound by the driver's adapters (app/storage/driver.py) as SQLAlchemy would write them
ADAPTED = (Boolean, Date, UTCDateTime)


def json_text(none_as_null: bool) -> Callable[[Any], str | None]:
    """A JSON column's value as text, as SQLAlchemy's own conversion makes it (None as JSON null
    unless the column says otherwise) but by msgspec: the same value, read back alike, in a fifth of
    json.dumps's time (a case's state is the largest value of most records); non-ASCII text stays
    UTF-8 instead of escaped."""
    encode = msgspec.json.encode

    def process(value: Any) -> str | None:
        if value is None and none_as_null:
            return None
        return encode(value).decode()
    return process


def converters(connection: Connection, table: Table, keys: list[str]) -> list:
    """Per column the function SQLAlchemy's own statements apply to a value (None: as it is). Times,
    dates and booleans go as they are to this app's driver, whose adapters write them as SQLAlchemy
    does: one C call per value instead of a Python conversion; JSON goes through `json_text`."""
    dialect = connection.dialect
    ours = dialect.name == "sqlite" and dialect.dbapi is sqlcipher
    out = []
    for k in keys:
        kind = table.c[k].type
        if ours and isinstance(kind, ADAPTED):
            out.append(None)
        elif ours and isinstance(kind, JSON):
            out.append(json_text(kind.none_as_null))
        else:
            out.append(kind.dialect_impl(dialect).bind_processor(dialect))
    return out


def execute_many(connection: Connection, table: Table, rows: Iterable[Mapping], *, update: bool = False) -> None:
    """Insert rows (every column given), or with `update` set every other column of the row with its id.
    The values must already have their columns' types — a time aware of its zone, a date, a bool, as
    the import's `records.decode` makes them: SQLAlchemy's checks of those types are not made here."""
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
