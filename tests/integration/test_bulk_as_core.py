"""The import writes received rows with bulk.execute_many, whose times, dates and booleans are bound by
the driver's adapters (app/storage/driver.py) instead of SQLAlchemy's conversions. What SQLite then
holds must be what SQLAlchemy's own insert of the same values holds, column for column and type for
type: a time stored in another form would sort, compare and export differently from the ORM's. A
JSON column's text may differ in spelling only (msgspec keeps non-ASCII text as UTF-8, where
json.dumps escapes it): it must hold the same JSON value."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, LargeBinary, MetaData, String, Table, insert, text

from app.storage import bulk
from app.storage.engine import open_engine
from app.sync.records import MODELS, base_type, columns

EAST_8 = timezone(timedelta(hours=8))


def value_for(col, n: int):
    kind = base_type(col)
    if col.key == "id":
        return f"row{n}"
    if col.foreign_keys or col.key == "owner_office_id":
        return None if col.nullable else f"ref{n}"
    if isinstance(kind, LargeBinary):
        return b"\x00\x01file"
    if isinstance(kind, DateTime):
        return [datetime(2026, 3, 2, 8, 0, tzinfo=UTC), datetime(2026, 3, 2, 16, 30, 0, 123456, tzinfo=EAST_8),
                datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)][n % 3]
    if isinstance(kind, Date):
        return [date(2026, 3, 2), date(1900, 1, 1), date(2199, 12, 31)][n % 3]
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, Integer):
        return n + 1
    if isinstance(kind, String):
        return f"文字{n}"
    return {"k": [n, "王建国", None, True, 1.5]}  # JSON


# the synced tables' columns with their types, without the foreign keys the rows here do not satisfy
PLAIN = MetaData()
for _name, _model in MODELS.items():
    Table(_name, PLAIN, *(Column(c.name, c.type, key=c.key, primary_key=c.primary_key) for c in _model.__table__.columns))


@pytest.fixture
def engine(tmp_path):
    engine = open_engine(tmp_path / "t.db", os.urandom(32))
    PLAIN.create_all(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("table", sorted(MODELS))
def test_rows_written_in_bulk_are_stored_as_sqlalchemy_stores_them(engine, table):
    t = PLAIN.tables[table]
    rows = [{c.key: value_for(c, n) for c in columns(table)} for n in range(6)]
    with engine.begin() as connection:
        bulk.execute_many(connection, t, rows)
        core = [{**r, "id": "core-" + r["id"]} for r in rows]
        connection.execute(insert(t), core)
        names = [c.name for c in t.columns if c.key != "id"]
        listed = ", ".join(f'typeof("{n}"), "{n}"' for n in names)
        stored = {i: v for i, *v in connection.execute(text(f'SELECT id, {listed} FROM "{table}"')).all()}
    spelled = {2 * k + 1 for k, c in enumerate(c for c in t.columns if c.key != "id") if isinstance(base_type(c), JSON)}
    for r in rows:
        bulk_row, core_row = stored[r["id"]], stored["core-" + r["id"]]
        assert [v for k, v in enumerate(bulk_row) if k not in spelled] == \
               [v for k, v in enumerate(core_row) if k not in spelled], (table, r["id"])
        assert [json.loads(bulk_row[k]) for k in sorted(spelled)] == [json.loads(core_row[k]) for k in sorted(spelled)]
