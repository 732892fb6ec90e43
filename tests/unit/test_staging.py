"""The staging database of a bundle's records (app/sync/staging.py): encrypted on disk, read back in
batches in the bundle's order, repeats marked, lookups for the plan's checks."""

from __future__ import annotations

import sqlcipher3

from app.sync.staging import Staging


def staged_people(tmp_path, names: list[tuple[str, str]], cache_pages: int | None = None, per_add: int = 3000) -> Staging:
    s = Staging(tmp_path / "records.staging")
    if cache_pages:
        s.db.execute(f"PRAGMA cache_size = {cache_pages}")
    rows = [(n, i, None, None, {"id": i, "owner_office_id": "T1", "name": name, "version": 1})
            for n, (i, name) in enumerate(names, 1)]
    for start in range(0, len(rows), per_add):
        s.add("person", rows[start:start + per_add])
    s.loaded()
    return s


def test_the_staged_file_holds_no_readable_record_and_opens_with_no_key(tmp_path):
    # a cache of 10 pages: the rows spill into the file while the staging's transaction is open
    s = staged_people(tmp_path, [(f"p{i}", f"王建国{i}") for i in range(3000)], cache_pages=10)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert len(raw) > 100_000 and "王建国".encode() not in raw and b"owner_office_id" not in raw
    other = sqlcipher3.connect(str(tmp_path / "records.staging"))
    try:
        other.execute("SELECT count(*) FROM sqlite_master").fetchall()
        readable = True
    except sqlcipher3.DatabaseError:
        readable = False
    finally:
        other.close()
    assert not readable
    s.close()


def test_batches_come_back_as_added_in_the_bundles_order_with_repeats_marked(tmp_path):
    s = staged_people(tmp_path, [("a", "甲"), ("b", "乙"), ("a", "甲二"), ("c", "丙"), ("b", "乙二")], per_add=2)
    batches = [[(n, r["name"], repeated) for n, r, repeated in batch] for batch in s.batches("person")]
    assert batches == [[(1, "甲", False), (2, "乙", False)], [(3, "甲二", True), (4, "丙", False)], [(5, "乙二", True)]]
    s.close()


def test_lookups_return_the_values_the_staging_was_told_to_show(tmp_path):
    s = Staging(tmp_path / "records.staging", {"document": ("id", "title")})
    s.add("document", [(n, i, "v1", None, {"id": i, "title": title, "case_id": "c"})
                       for n, (i, title) in enumerate([("d1", "立案决定书"), ("d2", "立案决定书（重）")], 1)])
    s.loaded()
    s.set_verdicts("document", [(1, "new", "T1"), (2, "new", "T1")])
    assert s.earlier_with_k("document", "new", ["v1"], before=2) == {"v1": {"id": "d1", "title": "立案决定书"}}
    assert s.earlier_with_k("document", "new", ["v1"], before=1) == {}
    s.close()


def test_taken_owners_name_only_taken_rows_and_taken_by_k_only_new_or_updated_ones(tmp_path):
    s = Staging(tmp_path / "records.staging")
    s.add("case_subject", [(n, i, "c1", None, {"id": i}) for n, i in enumerate(["a", "b", "c", "d"], 1)])
    s.loaded()
    s.set_verdicts("case_subject", [(1, "new", "T1"), (2, "rejected", None), (3, "updated", "T9"), (4, "unchanged", "T9")])
    assert s.taken_owners("case_subject", ["a", "b", "c", "d", "z"]) == {"a": "T1", "c": "T9", "d": "T9"}
    assert s.taken_by_k("case_subject", ["a", "b", "c", "d"]) == {"a": "c1", "c": "c1"}
    s.close()


def test_audit_events_stream_in_office_and_seq_order(tmp_path):
    s = Staging(tmp_path / "records.staging", {"audit_event": ("office_id", "seq")})
    events = [("T2", 2), ("T1", 3), ("T2", 1), ("T1", 1), ("T1", 2)]
    s.add("audit_event", [(n, f"{o}:{q}", o, q, {"office_id": o, "seq": q}) for n, (o, q) in enumerate(events, 1)])
    s.loaded()
    s.set_verdicts("audit_event", [(n, "new", o) for n, (o, _) in enumerate(events, 1)])
    assert [(e["office_id"], e["seq"]) for e in s.by_k_and_seq("audit_event", "new")] == [
        ("T1", 1), ("T1", 2), ("T1", 3), ("T2", 1), ("T2", 2)]
    s.close()


def test_verdicts_set_in_runs_land_on_exactly_their_rows(tmp_path):
    # runs of one verdict and owner take one statement each: every row must still get its own verdict,
    # across a run's ends, a run interrupted by a gap in the numbers, and the rows no verdict names
    s = Staging(tmp_path / "records.staging")
    ids = [f"r{n}" for n in range(1, 11)]
    s.add("case_subject", [(n, i, f"c{n}", None, {"id": i}) for n, i in enumerate(ids, 1)])
    s.loaded()
    s.set_verdicts("case_subject", [(1, "new", "T1"), (2, "new", "T1"), (3, "new", "T1"), (4, "rejected", None),
                                    (5, "new", "T1"), (6, "new", "T2"), (8, "new", "T2"), (9, "updated", "T2")])
    assert s.taken_owners("case_subject", ids) == {"r1": "T1", "r2": "T1", "r3": "T1", "r5": "T1", "r6": "T2",
                                                   "r8": "T2", "r9": "T2"}
    assert sorted(s.taken_by_k("case_subject", ids).values()) == ["c1", "c2", "c3", "c5", "c6", "c8", "c9"]
    assert s.db.execute("SELECT n FROM row WHERE verdict IS NULL ORDER BY n").fetchall() == [(7,), (10,)]
    s.close()
