"""What the plan has decided of each record of a bundle, held on disk while the import goes on.

A bundle may carry millions of records. The import reads them as a stream, a batch at a time, and
plans, checks and writes each batch before it reads the next (merge.plan); the values of a record are
never kept beyond its batch. What a later batch must know of the earlier ones — whether an id came
before, the owner a parent was taken under, a case_subject's case, a document's version key — is
kept here instead, in a scratch SQLCipher database in the
import's private working folder under a random key that exists only in this process's memory, so
nothing readable reaches the disk and what a killed import leaves is noise (the folder is removed at
the next unlock).

Per row (`row`): its table and number in the bundle, its id, the plan's verdict and the owner it is
taken under, `k`, one column a check looks rows up by (a case_subject's case, a document's version
key), and `x`, the few values of the row those lookups return (`shown`). The sender's audit events
are not kept: they come in (office, seq) order and are checked as they stream (merge.plan_audit).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from app.storage.driver import sqlcipher

BATCH = 2000  # records read, planned and written at a time: memory holds one batch
LOOKUP = 500  # ids per IN (…) lookup

# (id, k) a row is recorded and looked up by, from its table and values
Keys = Callable[[str, Mapping], tuple[str, str | None]]


def plain_keys(table: str, row: Mapping) -> tuple[str, str | None]:
    return row["id"], None


class Staging:
    def __init__(self, path: Path | str, shown: Mapping[str, tuple[str, ...]] | None = None, keys: Keys = plain_keys):
        """`shown`: per table the values `earlier_with_k` returns of a row; `keys`:
        what each row is recorded and looked up by."""
        self.db = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
        for pragma in (f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"", "PRAGMA journal_mode = OFF",
                       "PRAGMA synchronous = OFF", "PRAGMA temp_store = MEMORY"):
            self.db.execute(pragma)
        self.db.execute("CREATE TABLE row (tbl TEXT NOT NULL, n INTEGER NOT NULL, id TEXT NOT NULL, k TEXT, "
                        "verdict TEXT NOT NULL, owner TEXT, x BLOB)")  # rows are found by id or k only: no key of their own to keep
        self.db.execute("CREATE INDEX row_id ON row (tbl, id)")
        self.db.execute("CREATE INDEX row_k ON row (tbl, k) WHERE k IS NOT NULL")
        self.db.execute("BEGIN")  # one transaction for the staging's whole life, never committed: a scratch file
        self.shown = dict(shown or {})
        self.keys = keys

    def repeated(self, table: str, rows: list[tuple[int, Mapping]]) -> list[bool]:
        """Per row of a batch (in the bundle's order, after every batch recorded before it): whether an
        earlier row of its table has the same id."""
        ids = [self.keys(table, r)[0] for _, r in rows]
        seen = {i for (i,) in self.lookup("SELECT DISTINCT id FROM row WHERE tbl = ? AND id IN ({})", table, ids)}
        marks = []
        for i in ids:
            marks.append(i in seen)
            seen.add(i)
        return marks

    def record(self, table: str, rows: Iterable[tuple[int, Mapping, str, str | None]]) -> None:
        """(n, values, verdict, owner it is taken under or None) per row of a planned batch."""
        shown = self.shown.get(table, ())
        out = []
        for n, r, verdict, owner in rows:
            i, k = self.keys(table, r)
            out.append((table, n, i, k, verdict, owner, pickle.dumps(tuple(r[f] for f in shown)) if shown else None))
        self.db.executemany("INSERT INTO row (tbl, n, id, k, verdict, owner, x) VALUES (?, ?, ?, ?, ?, ?, ?)", out)

    def taken_owners(self, table: str, ids: Iterable[str]) -> dict[str, str]:
        """id → owner of the rows of `table` the plan has taken so far (not rejected)."""
        return dict(self.lookup("SELECT id, owner FROM row WHERE tbl = ? AND owner IS NOT NULL AND id IN ({})", table, ids))

    def taken_by_k(self, table: str, ids: Iterable[str]) -> dict[str, str]:
        """id → k of the rows of `table` taken new or updated (a case_subject's case)."""
        return dict(self.lookup("SELECT id, k FROM row WHERE tbl = ? AND verdict IN ('new', 'updated') AND id IN ({})",
                                table, ids))

    def shown_values(self, table: str, blob: bytes) -> dict:
        return dict(zip(self.shown[table], pickle.loads(blob), strict=True))

    def earlier_with_k(self, table: str, verdict: str, keys: Iterable[str], before: int) -> dict[str, dict]:
        """k → the `shown` values of the first row with that k, the given verdict and a number below `before`."""
        out: dict[str, dict] = {}
        sql = (f"SELECT k, x FROM row WHERE tbl = ? AND verdict = ? AND n < {int(before)} AND k IS NOT NULL "
               "AND k IN ({}) ORDER BY n DESC")
        for k, x in self.lookup(sql, table, keys, verdict):
            out[k] = self.shown_values(table, x)
        return out

    def lookup(self, sql: str, table: str, ids: Iterable[str], *extra) -> list[tuple]:
        ordered = sorted(set(ids))
        out: list[tuple] = []
        for start in range(0, len(ordered), LOOKUP):
            chunk = ordered[start:start + LOOKUP]
            out.extend(self.db.execute(sql.format(", ".join("?" * len(chunk))), (table, *extra, *chunk)).fetchall())
        return out

    def close(self) -> None:
        self.db.close()
