"""Record lines a township's own keys signed that are not what this app writes: issue 17 §1 ("JSON
columns decode into the engine's types"). Lines are read the quick way (msgspec) and, when it does
not take them, the slow way (json, then records.decode), which takes them or names the problem
(docs/BUNDLE.md §7, step 11). Every bundle here is the township's own export, opened with its own
identity, edited, and sealed and signed again with its own keys."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Clue, Person
from app.services import sync
from tests.integration.test_sync_poison import fresh_bundle, read_payload, refused_unchanged, reseal
from tests.integration.test_sync_roundtrip import opened
from tests.security.security_support import paired_township_with_clue


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """County C01 and township T001, paired; the township holds one clue about 王建国."""
    return paired_township_with_clue(tmp_path_factory.mktemp("json-lines"), {"name": "王建国", "unit": "青石村"})


def with_raw_lines(chain, tmp_path: Path, table: str, edit) -> tuple[Path, list[dict]]:
    """The township's bundle with `table`'s lines written as `edit(rows)` returns them (bytes)."""
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    rows = records.pop(table)
    for r in rows:
        r["version"] += 1  # a newer version, as a real change would be
    lines = edit(rows)
    counts = {t: len(v) for t, v in records.items() if v} | {table: len(rows)}
    files = sum(1 for name in others if name.startswith("files/"))
    return reseal(chain.township, bundle, records, {**others, f"records/{table}.jsonl": lines}, tmp_path / "forged",
                  counts={**counts, "files": files}), rows


def line(row: dict) -> bytes:
    return json.dumps(row, ensure_ascii=True, sort_keys=True).encode() + b"\n"


@pytest.mark.parametrize(("where", "value", "shown"), [
    # a lone surrogate escape: a string that is no text, which SQLite could not even bind
    ("person.name", '"王\\ud800建国"', "含有不成对的 UTF-16 代理项转义"),
    # Python's json module reads these; JSON has none of them (RFC 8259 §6), nor has SQLite's json()
    ("person.version", "NaN", "不是有效的 JSON"),
    ("case.backfill", '{"note": Infinity}', "不是有效的 JSON"),
    ("case.backfill", '{"note": [1e999]}', "不是有效的 JSON"),  # too large for a double: read as infinity
])
def test_a_signed_line_that_is_not_json_text_is_refused_with_its_line_and_nothing_changes(chain, tmp_path, where,
                                                                                         value, shown):
    table, column = where.split(".")

    def edit(rows):
        marked = {**rows[0], column: "<<value>>"}
        return line(marked).replace(b'"<<value>>"', value.encode()) + b"".join(line(r) for r in rows[1:])

    bundle, _ = with_raw_lines(chain, tmp_path, table, edit)
    result = refused_unchanged(chain.county, bundle, "payload_bad_json")
    assert f"“records/{table}.jsonl”第1行{shown}" in result.reason, result.reason


def test_a_date_the_quick_way_leaves_is_taken_the_slow_way_with_its_value(chain, tmp_path):
    """ISO 8601's basic form (20260302): msgspec is not asked to read dates, and date.fromisoformat takes it."""
    def edit(rows):
        return b"".join(line({**r, "received_on": "20260302"}) for r in rows)

    bundle, rows = with_raw_lines(chain, tmp_path, "clue", edit)
    with opened(chain.county) as store:
        result = sync.import_one(store, bundle)
        assert not result.refused, result.reason
        with store.read() as s:
            taken = s.get(Clue, rows[0]["id"])
            assert taken.received_on == date(2026, 3, 2) and taken.version == rows[0]["version"]
            assert s.exec(select(Person).where(Person.name == "王建国")).first() is not None
