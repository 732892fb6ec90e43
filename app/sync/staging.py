"""A bundle's decoded records held on disk while they are checked and applied, not in memory.

A bundle may carry millions of records; holding them as Python objects took about 2 KB each. They
are staged instead in a scratch SQLCipher database in the import's private working folder, under a
random key that exists only in this process's memory, so nothing readable reaches the disk and
what a killed import leaves is noise (the folder is removed at the next unlock). The importer
reads them back once, in batches: the plan, its checks and the writing hold one batch at a time.

The values of each batch as it was added are kept as one MessagePack list of tuples (`chunk`), read
back typed where it must be told (`types`: the keys whose values are dates); only this
process writes the scratch file (its key is never stored). MessagePack, by msgspec, writes a time
as a timestamp, about a twentieth of what pickle spends on one; a time comes back in UTC, the same
instant, which is how the store keeps it. A batch MessagePack cannot hold (an integer in a JSON
value beyond 64 bits) is pickled instead.

Per row (`row`): its table and number in the bundle, its id (an audit event's is "office:seq", the key
the merge gives it), the plan's verdict and the owner it is taken under, `k`, one column a check
looks rows up by (a case_subject's case, a document's version key, an audit event's office) with an
audit event's `seq`, and `x`, the few values of the row those lookups return (`shown`).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import msgspec

from app.storage.driver import sqlcipher

BATCH = 2000  # rows per read and write: memory holds one batch
LOOKUP = 500  # ids per IN (…) lookup
PACKED, PICKLED = b"m", b"p"  # the first byte of a chunk: how its values are kept
ENCODER = msgspec.msgpack.Encoder()
as_dict = msgspec.structs.asdict


class Staging:
    def __init__(self, path: Path, shown: Mapping[str, tuple[str, ...]] | None = None,
                 types: Mapping[str, Mapping[str, Any]] | None = None):
        """`shown`: per table the values `earlier_with_k` and `by_k_and_seq` return of a row. `types`:
        per table the type of each key whose values MessagePack must be told (dates)."""
        self.db = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
        for pragma in (f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"", "PRAGMA journal_mode = OFF",
                       "PRAGMA synchronous = OFF", "PRAGMA temp_store = MEMORY"):
            self.db.execute(pragma)
        # the values apart from what the plan reads and writes: a verdict set never rewrites them
        self.db.execute("CREATE TABLE chunk (tbl TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, "
                        "v BLOB NOT NULL)")
        self.db.execute("CREATE TABLE row (tbl TEXT NOT NULL, n INTEGER NOT NULL, id TEXT NOT NULL, k TEXT, seq INTEGER, "
                        "repeated INTEGER NOT NULL DEFAULT 0, verdict TEXT, owner TEXT, x BLOB, PRIMARY KEY (tbl, n)) "
                        "WITHOUT ROWID")
        self.db.execute("BEGIN")  # one transaction for the staging's whole life, never committed: a scratch file
        self.shown = dict(shown or {})
        self.types = dict(types or {})
        self.decoders: dict[str, msgspec.msgpack.Decoder] = {}
        self.counts: dict[str, int] = {}
        self.keys: dict[str, tuple[str, ...]] = {}  # per table the column names, in the order decode gives them
        self.with_repeats: set[str] = set()  # tables in which an id repeats (`loaded`)

    def add(self, table: str, rows: list[tuple[int, str, str | None, int | None, dict]]) -> None:
        """(n, id, k, seq, values) per row, in the order of the bundle, numbered on from the rows added
        before; every row of a table has the same keys."""
        if rows[-1][0] - rows[0][0] != len(rows) - 1:
            raise ValueError("staged rows must be numbered one after another")  # `batches` numbers them so
        keys = self.keys.setdefault(table, tuple(rows[0][4]))
        ordered = itemgetter(*keys) if len(keys) > 1 else (lambda values, k=keys[0]: (values[k],))
        shown = self.shown.get(table, ())
        self.db.executemany("INSERT INTO row (tbl, n, id, k, seq, x) VALUES (?, ?, ?, ?, ?, ?)",
                            [(table, n, i, k, seq, pickle.dumps(tuple(values[f] for f in shown)) if shown else None)
                             for n, i, k, seq, values in rows])
        self.db.execute("INSERT INTO chunk (tbl, first, last, v) VALUES (?, ?, ?, ?)",
                        (table, rows[0][0], rows[-1][0], packed([ordered(values) for *_, values in rows])))
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def loaded(self) -> None:
        """Index the staged rows and mark each row whose id an earlier row of its table has."""
        self.db.execute("CREATE INDEX chunk_first ON chunk (tbl, first)")
        self.db.execute("CREATE INDEX row_id ON row (tbl, id, n)")
        self.db.execute("CREATE INDEX row_k ON row (tbl, k, seq) WHERE k IS NOT NULL")
        # one pass over the index finds the ids that repeat (normally none); only their rows are touched
        repeats = self.db.execute("SELECT tbl, id, min(n) FROM row GROUP BY tbl, id HAVING count(*) > 1").fetchall()
        self.db.executemany("UPDATE row SET repeated = 1 WHERE tbl = ? AND id = ? AND n > ?", repeats)
        self.with_repeats = {tbl for tbl, _, _ in repeats}

    def has(self, table: str) -> bool:
        return self.counts.get(table, 0) > 0

    def batches(self, table: str) -> Iterator[list[tuple[int, dict, bool]]]:
        """(n, values, repeated) per row, a batch as it was added at a time, in the bundle's order;
        `repeated`: an earlier row of the table has the same id (looked up only in a table that has one)."""
        if not self.has(table):
            return
        spans = self.db.execute("SELECT first, last FROM chunk WHERE tbl = ? ORDER BY first", (table,)).fetchall()
        for first, last in spans:
            (blob,) = self.db.execute("SELECT v FROM chunk WHERE tbl = ? AND first = ?", (table, first)).fetchone()
            rows = self.unpacked(table, blob)
            if table in self.with_repeats:
                marks = [bool(r) for (r,) in self.db.execute("SELECT repeated FROM row WHERE tbl = ? AND n BETWEEN ? AND ? "
                                                              "ORDER BY n", (table, first, last))]
            else:
                marks = [False] * len(rows)
            yield list(zip(range(first, last + 1), rows, marks, strict=True))

    def unpacked(self, table: str, blob: bytes) -> list[dict]:
        """A chunk's rows as dicts: MessagePack's read as structs whose fields are the table's keys (its
        column names), msgspec making each struct and its dict in C."""
        if blob[:1] == PICKLED:
            return [dict(zip(self.keys[table], values)) for values in pickle.loads(blob[1:])]
        if table not in self.decoders:
            kinds = self.types.get(table, {})
            row = msgspec.defstruct(f"staged_{table}", [(k, kinds.get(k, Any)) for k in self.keys[table]], array_like=True)
            self.decoders[table] = msgspec.msgpack.Decoder(list[row])
        return [as_dict(values) for values in self.decoders[table].decode(blob[1:])]

    def all(self, table: str) -> list[dict]:
        """Every row of a table whose size the bounds keep small (offices)."""
        return [values for batch in self.batches(table) for _, values, _ in batch]

    def set_verdicts(self, table: str, verdicts: list[tuple[int, str, str | None]]) -> None:
        """(n, verdict, owner it is taken under or None) per row. A run of rows numbered one after
        another with the same verdict and owner (in a township's bundle, mostly a whole batch) takes
        one statement."""
        runs = []
        for (_, v, owner), run in groupby(enumerate(verdicts), key=lambda x: (x[1][0] - x[0], x[1][1], x[1][2])):
            numbers = [n for _, (n, _, _) in run]
            runs.append((v, owner, table, numbers[0], numbers[-1]))
        self.db.executemany("UPDATE row SET verdict = ?, owner = ? WHERE tbl = ? AND n BETWEEN ? AND ?", runs)

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

    def by_k_and_seq(self, table: str, verdict: str) -> Iterator[dict]:
        """The `shown` values of the rows with that verdict ordered by k then seq (an office's audit
        events in chain order)."""
        last: tuple[str, int] = ("", -(2 ** 63))
        while True:
            rows = self.db.execute(f"SELECT k, seq, x FROM row WHERE tbl = ? AND verdict = ? AND k IS NOT NULL "
                                   f"AND (k, seq) > (?, ?) ORDER BY k, seq LIMIT {BATCH}",
                                   (table, verdict, *last)).fetchall()
            if not rows:
                return
            last = (rows[-1][0], rows[-1][1])
            for _, _, x in rows:
                yield self.shown_values(table, x)

    def lookup(self, sql: str, table: str, ids: Iterable[str], *extra) -> list[tuple]:
        ordered = sorted(set(ids))
        out: list[tuple] = []
        for start in range(0, len(ordered), LOOKUP):
            chunk = ordered[start:start + LOOKUP]
            out.extend(self.db.execute(sql.format(", ".join("?" * len(chunk))), (table, *extra, *chunk)).fetchall())
        return out

    def close(self) -> None:
        self.db.close()


def packed(rows: list[tuple]) -> bytes:
    try:
        return PACKED + ENCODER.encode(rows)
    except (OverflowError, TypeError):  # an integer beyond 64 bits in a JSON value, a type MessagePack lacks
        return PICKLED + pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)
