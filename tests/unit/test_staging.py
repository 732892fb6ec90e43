"""The plan's record of a bundle's rows (app/sync/staging.py): encrypted on disk, repeats found
across batches and within one, lookups for the plan's checks."""

from __future__ import annotations

import sqlcipher3

from app.sync.staging import Staging


def person(i: str, name: str = "王建国") -> dict:
    return {"id": i, "owner_office_id": "T1", "name": name, "version": 1}


def test_the_staged_file_holds_no_readable_record_and_opens_with_no_key(tmp_path):
    s = Staging(tmp_path / "records.staging", {"person": ("name",)})
    s.db.execute("PRAGMA cache_size = 10")  # the rows spill into the file while the staging's transaction is open
    for start in range(0, 3000, 500):
        s.record("person", [(n, person(f"p{n}", f"王建国{n}"), "new", "T1") for n in range(start + 1, start + 501)])
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


def test_a_repeat_is_found_in_an_earlier_batch_and_in_its_own_whatever_the_verdict_of_the_first(tmp_path):
    s = Staging(tmp_path / "records.staging")
    first = [(1, person("a")), (2, person("b"))]
    assert s.repeated("person", first) == [False, False]
    s.record("person", [(1, first[0][1], "rejected", None), (2, first[1][1], "new", "T1")])
    second = [(3, person("a")), (4, person("c")), (5, person("c")), (6, person("b"))]
    assert s.repeated("person", second) == [True, False, True, True]
    assert s.repeated("clue", [(7, {"id": "a"})]) == [False]  # another table's ids are its own
    s.close()


def test_lookups_return_the_values_the_staging_was_told_to_show(tmp_path):
    s = Staging(tmp_path / "records.staging", {"document": ("id", "title")},
                keys=lambda table, r: (r["id"], r.get("k")))
    s.record("document", [(n, {"id": i, "title": title, "k": "v1"}, "new", "T1")
                          for n, (i, title) in enumerate([("d1", "立案决定书"), ("d2", "立案决定书（重）")], 1)])
    assert s.earlier_with_k("document", "new", ["v1"], before=2) == {"v1": {"id": "d1", "title": "立案决定书"}}
    assert s.earlier_with_k("document", "new", ["v1"], before=1) == {}
    s.close()


def test_taken_owners_name_only_taken_rows_and_taken_by_k_only_new_or_updated_ones(tmp_path):
    s = Staging(tmp_path / "records.staging", keys=lambda table, r: (r["id"], "c1"))
    s.record("case_subject", [(1, {"id": "a"}, "new", "T1"), (2, {"id": "b"}, "rejected", None),
                              (3, {"id": "c"}, "updated", "T9"), (4, {"id": "d"}, "unchanged", "T9")])
    assert s.taken_owners("case_subject", ["a", "b", "c", "d", "z"]) == {"a": "T1", "c": "T9", "d": "T9"}
    assert s.taken_by_k("case_subject", ["a", "b", "c", "d"]) == {"a": "c1", "c": "c1"}
    s.close()

