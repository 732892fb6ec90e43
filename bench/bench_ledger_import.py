"""An office bringing in its old 问题线索台账 of 5,000 rows (issue 19): preview ≤ 2 s, commit ≤ 15 s.

The ledger is the tests' generated one (tests/integration/test_ledger_import.big_ledger): an .xlsx
of 5,000 distinct rows, a fifth each closed 谈话函询, filed and sanctioned, open 初核, 暂存待查 and
not yet disposed, so a commit writes about 80,000 records with their audit events into a store
with the fast key profile. Each figure is shown beside a baseline taken in the same run on the
same machine, since the machine is shared: the preview beside openpyxl reading the same file
(read-only, values only) and nothing else; the commit beside sqlite3 inserting the same number of
rows of the same width in one transaction (in memory, unencrypted). The commit is given the
preview, as the GUI and the CLI give it, so the file is not read a second time.

Run: python -m bench ledger_import   (BENCH_LEDGER_ROWS=1000 for a quick look)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from app.paths import store_paths
from app.services import ledger_import, setup, unlock
from tests.integration.test_ledger_import import big_ledger

ROWS = int(os.environ.get("BENCH_LEDGER_ROWS", "5000"))
PREVIEW_GOAL_S, COMMIT_GOAL_S = 2.0, 15.0
PASSWORD = "bench-2026-ledger"
TODAY = date(2026, 6, 30)


def bare_read(path: Path) -> float:
    start = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    for _ in book.worksheets[0].iter_rows(values_only=True):
        pass
    book.close()
    return time.perf_counter() - start


def bare_insert(records: int) -> float:
    """`records` rows of 12 columns in one transaction: what any store must at least do."""
    start = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.execute("create table t (" + ", ".join(f"c{i}" for i in range(12)) + ")")
    with db:
        db.executemany("insert into t values (" + ", ".join("?" * 12) + ")",
                       ((n, "x" * 32, "2025-01-01", "反映问题", 1, 0, "", "", "{}", "[]", n, "") for n in range(records)))
    db.close()
    return time.perf_counter() - start


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    try:
        path = big_ledger(root / "台账.xlsx", ROWS)
        paths = store_paths(root / "store")
        setup.create_store(paths, setup.SetupRequest("T001", "青石镇纪委", "township", "张书记", PASSWORD,
                                                     parent_code="C01", kdf_profile="fast"))
        store = unlock.unlock(paths, None, PASSWORD).store
        read = bare_read(path)
        start = time.perf_counter()
        preview = ledger_import.preview_ledger(store, path, today=TODAY)
        previewed = time.perf_counter() - start
        assert preview.counts()["new"] == ROWS, preview.counts()
        start = time.perf_counter()
        result = ledger_import.commit_ledger(store, path, today=TODAY, preview=preview)  # as the GUI and CLI do
        committed = time.perf_counter() - start
        assert result.imported == ROWS
        with store.read() as s:
            from sqlalchemy import text

            records = sum(s.execute(text(f'select count(*) from "{t}"')).scalar() for t in
                          ("person", "clue", "clue_subject", "case", "case_subject", "step_record", "decision",
                           "sanction", "audit_event"))
        store.close()
        inserted = bare_insert(records)
        print(f"preview of {ROWS} rows: {previewed:.2f} s (goal <= {PREVIEW_GOAL_S:.0f} s), "
              f"{previewed / read:.1f}× openpyxl reading the file ({read:.2f} s)")
        print(f"commit of {ROWS} rows ({records} records with audit events): {committed:.2f} s "
              f"(goal <= {COMMIT_GOAL_S:.0f} s), {committed / inserted:.1f}× bare sqlite3 inserting as many rows "
              f"({inserted:.2f} s)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
