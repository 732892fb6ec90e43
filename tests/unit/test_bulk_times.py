"""bulk.utc_time stands in for SQLAlchemy's own conversion of UTCDateTime columns on SQLite: a stored
time that differed would sort, compare and export differently from the ones the ORM writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite
from sqlmodel.sql.sqltypes import UTCDateTime

from app.storage import bulk

DIALECT = sqlite.dialect()
SQLALCHEMY = UTCDateTime().dialect_impl(DIALECT).bind_processor(DIALECT)
ZONES = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60))


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=ZONES))
def test_times_are_stored_as_sqlalchemy_stores_them(value):
    assert bulk.utc_time(value) == SQLALCHEMY(value)


def test_whole_seconds_keep_their_microseconds_and_none_stays_none():
    value = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert bulk.utc_time(value) == SQLALCHEMY(value) == "2026-03-02 08:00:00.000000"
    assert bulk.utc_time(None) is None and SQLALCHEMY(None) is None


def test_a_time_without_a_zone_is_refused_as_sqlalchemy_refuses_it():
    with pytest.raises(ValueError):
        SQLALCHEMY(datetime(2026, 3, 2, 8, 0))
    with pytest.raises(ValueError):
        bulk.utc_time(datetime(2026, 3, 2, 8, 0))
