"""The driver's adapter for times (app/storage/driver.py, `utc_text`) stands in for SQLAlchemy's own
conversion of UTCDateTime columns on SQLite: a stored time that differed would sort, compare and
export differently from the ones the ORM writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite
from sqlmodel.sql.sqltypes import UTCDateTime

from app.storage.driver import sqlcipher, utc_text

DIALECT = sqlite.dialect()
SQLALCHEMY = UTCDateTime().dialect_impl(DIALECT).bind_processor(DIALECT)
ZONES = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60))


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=ZONES))
def test_times_are_stored_as_sqlalchemy_stores_them(value):
    assert utc_text(value) == SQLALCHEMY(value)


def test_whole_seconds_keep_their_microseconds():
    value = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert utc_text(value) == SQLALCHEMY(value) == "2026-03-02 08:00:00.000000"


def test_a_time_without_a_zone_is_refused_as_sqlalchemy_refuses_it():
    with pytest.raises(ValueError):
        SQLALCHEMY(datetime(2026, 3, 2, 8, 0))
    with pytest.raises(ValueError):
        utc_text(datetime(2026, 3, 2, 8, 0))
    db = sqlcipher.connect(":memory:")
    try:
        with pytest.raises(ValueError):  # bound raw, too: the driver calls the adapter
            db.execute("SELECT ?", (datetime(2026, 3, 2, 8, 0),))
    finally:
        db.close()
