"""SQLAlchemy engine over SQLCipher 4 (sqlcipher3) with a raw 256-bit key.

Not the `sqlite+pysqlcipher` URL dialect: it wants the key inside the URL. Each connection sets the
key first, then compatibility 4, foreign keys, WAL, and reads `sqlite_master` to prove the key.
Write transactions start with BEGIN IMMEDIATE so the single writer holds the lock from the first
read of a write (the audit chain reads its last link before appending); read-only sessions use a
plain BEGIN.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from app.errors import AuthError, StoreError
from app.storage.driver import sqlcipher
from app.storage.rolekeys import RoleKeys, register

BUSY_TIMEOUT_MS = 10_000
LARGE_CACHE = -64 * 1024  # 64 MB of page cache, for one transaction that writes a bundle (`large_cache`)


def key_pragma(master_key: bytes) -> str:
    return f"PRAGMA key = \"x'{master_key.hex()}'\""


def prepare_connection(dbapi_conn, master_key: bytes) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute(key_pragma(master_key))
        cur.execute("PRAGMA cipher_compatibility = 4")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
    except sqlcipher.DatabaseError as exc:
        if "not a database" in str(exc) or "encrypted" in str(exc):
            raise AuthError("wrong_key", "数据库无法用此密钥打开：密钥不符，或文件不是纪案通数据库。") from exc
        raise StoreError("store_unreadable", f"数据库无法读取：{exc}") from exc
    finally:
        cur.close()


def open_engine(db_path: Path, master_key: bytes, role: RoleKeys | None = None) -> Engine:
    """`role` is what the role-sealed columns are sealed with and opened by (app/storage/rolekeys.py);
    it is kept as `engine.role_keys`, shared by every pooled connection."""
    holder = role if role is not None else RoleKeys()

    def connect():
        conn = sqlcipher.connect(str(db_path), check_same_thread=False, isolation_level=None)
        try:
            prepare_connection(conn, master_key)
            register(conn, holder)
        except BaseException:
            conn.close()
            raise
        return conn

    # An explicit QueuePool: for a "sqlite://" URL SQLAlchemy would pick SingletonThreadPool, which
    # closes connections of older threads while they may still be in use.
    engine = create_engine("sqlite://", module=sqlcipher, creator=connect, poolclass=QueuePool, pool_size=2, max_overflow=6)

    @event.listens_for(engine, "begin")
    def begin(conn) -> None:
        # Writers take the lock up front; readers (WAL) never wait for a writer, even one open
        # in the same thread.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("read_only") else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def checkin(dbapi_conn, record) -> None:
        # after the commit or rollback of a transaction that raised it: a pooled connection that
        # reads the case list must not keep 64 MB of pages
        before = record.info.pop("cache_before", None)
        if before is not None:
            dbapi_conn.execute(f"PRAGMA cache_size = {int(before)}")

    engine.role_keys = holder
    return engine


def large_cache(session) -> None:
    """A larger page cache for the rest of this session's transaction, back to what it was when its
    connection returns to the pool. A bundle of a million records writes into indexes far larger
    than the default 8 MB; with it each insert into a random place of one read and re-encrypted
    pages over and over (a 300,000-record import took a third longer)."""
    connection = session.connection()
    info = connection.connection.info
    info.setdefault("cache_before", connection.exec_driver_sql("PRAGMA cache_size").scalar())
    connection.exec_driver_sql(f"PRAGMA cache_size = {LARGE_CACHE}")


def check_key(db_path: Path, master_key: bytes) -> None:
    """Open and close one connection: raises AuthError when the key does not fit the file."""
    conn = sqlcipher.connect(str(db_path), isolation_level=None)
    try:
        prepare_connection(conn, master_key)
    finally:
        conn.close()


def checkpoint(engine: Engine) -> None:
    """Fold the WAL into the main file (outside any transaction, which would block it)."""
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
