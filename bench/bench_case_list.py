"""The 案件 list with 10,000 cases: time to show it after unlock, and time per keystroke of the search,
as ratios to the raw SQLCipher queries over the same data in the same run.

- show: a fresh 案件 page on the unlocked store loads the rows (`search.case_list`), fills the
  model and paints the table; baseline: the list and persons queries on a bare sqlcipher3
  connection (key set, cipher_compatibility 4), rows fetched.
- keystroke: typing "王建国", "青石村", "红纪纪立" and "补贴" one character at a time; each
  keystroke runs `search.matching_case_ids` and refilters the model; baseline: the same FTS5
  (or LIKE) query on the bare connection.

Run: python -m bench case_list   (about half a minute; prints the ratios)
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlcipher3.dbapi2 as sqlcipher  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.paths import store_paths  # noqa: E402
from app.services import search, setup, unlock  # noqa: E402
from app.storage.engine import key_pragma  # noqa: E402
from app.ui import theme  # noqa: E402
from app.ui.pages.cases_page import CasesPage  # noqa: E402
from app.ui.prompter import Prompter  # noqa: E402
from app.ui.session import SessionContext  # noqa: E402
from app.ui.tasks import TaskRunner  # noqa: E402
from bench.bulk_cases import insert_cases  # noqa: E402

CASES = 10_000
PASSWORD = "bench-2026-list"
RUNS = 5
TYPED = ("王建国", "青石村", "红纪纪立", "补贴")


def raw_connection(db: Path, key: bytes):
    conn = sqlcipher.connect(str(db))
    conn.execute(key_pragma(key))
    conn.execute("PRAGMA cipher_compatibility = 4")
    return conn


def raw_search_sql(query: str) -> tuple[str, dict]:
    """The statement `search.matching_case_ids` runs, for the bare connection."""
    words = query.split()
    conditions, params = [], {}
    long_words = [w for w in words if len(w) >= search.MIN_TRIGRAM]
    if long_words:
        conditions.append("s.case_search MATCH :match")
        params["match"] = " AND ".join(search.fts_phrase(w) for w in long_words)
    for index, word in enumerate(w for w in words if len(w) < search.MIN_TRIGRAM):
        conditions.append("(" + " OR ".join(f"s.{c} LIKE :p{index} ESCAPE '\\'" for c in search.SEARCH_COLUMNS) + ")")
        params[f"p{index}"] = search.like_pattern(word)
    return ("SELECT k.case_id FROM case_search AS s JOIN case_search_key AS k ON k.id = s.rowid WHERE "
            + " AND ".join(conditions)), params


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    app = QApplication.instance() or QApplication([])
    theme.apply_app_font(app)
    root = Path(tempfile.mkdtemp(prefix="bench-list-"))
    try:
        paths = store_paths(root / "data")
        setup.create_store(paths, setup.SetupRequest("HX-01", "红星镇纪委", "township", "管理员", PASSWORD,
                                                     parent_code="LX", office_abbr="红纪", kdf_profile="fast"))
        store = unlock.unlock(paths, None, PASSWORD).store
        fill_s = timed(lambda: insert_cases(store, CASES))
        print(f"filled the store with {CASES} demonstration cases in {fill_s:.1f} s")
        key = store.master_key
        runner = TaskRunner(sync=True)
        ctx = SessionContext(store, runner, Prompter())

        raw = raw_connection(paths.db, key)
        baseline_show = []
        shown = []
        for _ in range(RUNS):
            baseline_show.append(timed(lambda: (raw.execute(search.LIST_QUERY).fetchall(),
                                                raw.execute(search.SUBJECTS_QUERY).fetchall())))
            page = CasesPage(ctx)
            page.resize(1366, 700)

            def show(page=page) -> None:
                page.show()
                app.processEvents()
                assert page.model.rowCount() == CASES
                page.grab()

            shown.append(timed(show))
            last = page
        show_s, base_s = statistics.median(shown), statistics.median(baseline_show)
        print(f"show the list   {show_s * 1000:8.1f} ms   raw SQLCipher list query {base_s * 1000:7.1f} ms   "
              f"ratio {show_s / base_s:5.1f}x")

        page = last
        typed_all = [word[:end] for word in TYPED for end in range(1, len(word) + 1)]
        took: dict[str, list[float]] = {typed: [] for typed in typed_all}
        base: dict[str, list[float]] = {typed: [] for typed in typed_all}
        shows: dict[str, int] = {}
        for _ in range(RUNS):
            for word in TYPED:
                page.search.setText("")
                page.apply_search()
                for end in range(1, len(word) + 1):
                    typed = word[:end]
                    sql, params = raw_search_sql(typed)
                    base[typed].append(timed(lambda: raw.execute(sql, params).fetchall()))

                    def keystroke(typed=typed) -> None:
                        page.search.setText(typed)  # as typed: the timer is skipped, the search runs at once
                        page.apply_search()
                        app.processEvents()

                    took[typed].append(timed(keystroke))
                    shows[typed] = page.model.rowCount()
        ratios = []
        for typed in typed_all:
            key_s, base_s = statistics.median(took[typed]), statistics.median(base[typed])
            ratios.append(key_s / base_s)
            print(f"  keystroke “{typed}”: {key_s * 1000:6.1f} ms (shows {shows[typed]:5d})   "
                  f"raw query {base_s * 1000:6.2f} ms   ratio {key_s / base_s:5.1f}x")
        per_key = statistics.median(statistics.median(v) for v in took.values())
        per_base = statistics.median(statistics.median(v) for v in base.values())
        print(f"per keystroke   {per_key * 1000:8.1f} ms   raw SQLCipher FTS/LIKE query {per_base * 1000:7.1f} ms   "
              f"ratio {statistics.median(ratios):5.1f}x (median of the keystrokes), "
              f"slowest keystroke {max(statistics.median(v) for v in took.values()) * 1000:.1f} ms")
        with store.read() as s:
            assert s.execute(text("SELECT count(*) FROM case_search")).scalar_one() == CASES
        raw.close()
        store.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
