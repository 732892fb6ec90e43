"""app/storage/driver.py registers an adapter for None so that binding it skips the driver's
adaptation protocol (a microsecond per empty column of a million-record import). What SQLite stores
must not change: None is NULL, and the directly bound types keep their own SQLite types."""

from __future__ import annotations

from app.storage.driver import sqlcipher


def test_values_bind_as_sqlite_types_with_none_as_null():
    db = sqlcipher.connect(":memory:")
    try:
        db.execute("CREATE TABLE t (v)")
        values = [None, 0, 2 ** 62, 1.5, "", "王建国", b"\x00\x01", True]
        db.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
        kinds = [k for (k,) in db.execute("SELECT typeof(v) FROM t ORDER BY rowid")]
        assert kinds == ["null", "integer", "integer", "real", "text", "text", "blob", "integer"]
        assert db.execute("SELECT count(*) FROM t WHERE v IS NULL").fetchone() == (1,)
    finally:
        db.close()


def test_none_is_adapted_at_the_first_lookup():
    assert sqlcipher.adapters[(type(None), sqlcipher.PrepareProtocol)](None) is None
