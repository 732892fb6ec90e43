"""app/storage/driver.py registers adapters for None and bool so that binding them skips the driver's
failing lookups (a microsecond per empty column of a million-record import), and for times. What
SQLite stores must not change: None is NULL, a bool an integer, and the directly bound types keep
their own SQLite types (times: tests/unit/test_bulk_times.py, tests/integration/test_bulk_as_core.py)."""

from __future__ import annotations

from app.storage.driver import sqlcipher


def test_values_bind_as_sqlite_types_with_none_as_null():
    db = sqlcipher.connect(":memory:")
    try:
        db.execute("CREATE TABLE t (v)")
        values = [None, 0, 2 ** 62, 1.5, "", "王建国", b"\x00\x01", True, False]
        db.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
        kinds = [k for (k,) in db.execute("SELECT typeof(v) FROM t ORDER BY rowid")]
        assert kinds == ["null", "integer", "integer", "real", "text", "text", "blob", "integer", "integer"]
        assert db.execute("SELECT v FROM t WHERE typeof(v) = 'integer' ORDER BY rowid").fetchall()[-2:] == [(1,), (0,)]
        assert db.execute("SELECT count(*) FROM t WHERE v IS NULL").fetchone() == (1,)
    finally:
        db.close()


def test_none_and_bool_are_adapted_at_the_first_lookup():
    assert sqlcipher.adapters[(type(None), sqlcipher.PrepareProtocol)](None) is None
    adapt = sqlcipher.adapters[(bool, sqlcipher.PrepareProtocol)]
    assert (type(adapt(True)), adapt(True), adapt(False)) == (int, 1, 0)
