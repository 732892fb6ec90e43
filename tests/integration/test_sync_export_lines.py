"""Issue 17 §12: export reads each record as the JSON line SQLite makes (records.export_columns).
Whatever a store holds — text an older version kept unscrubbed, JSON and times not in the form
SQLAlchemy writes —, every line must be the object `records.encode` gives for the row."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

from sqlalchemy import select as sa_select
from sqlalchemy import text

from app.models import AuditEvent, Clue, Person
from app.services import sync
from app.sync import records
from app.sync.records import MODELS, encode_line, line_of, selected_columns
from tests.integration.test_sync_roundtrip import opened

# (name, unit, note): clean ones go SQLite's way, the others must come out as `scrub` leaves them
TEXTS = [
    ("王建国", "某村民委员会", "第一行\n第二行\t缩进"),
    (" 王建国", "某村", ""),                      # a space before a one-line text: stripped
    ("王建国\u3000", "某村", ""),                 # an ideographic space after it
    ("王\u200b建国", "某村", ""),                 # zero-width space in a name
    ("\u202e国建王", "某村", ""),                 # a right-to-left override
    ("王建国", "某村\n二组", ""),                 # a line break in a one-line text
    ("王建国", "某村", "Shift+Enter\x0b之后"),    # Word's vertical tab in a long text
    ("王建国", "某村", unicodedata.normalize("NFD", "Café")),  # not NFC
    ("王建国", "某村", "引号\"与\\反斜杠|竖线"),
    ("王建国", "某村", "\x7f\x85\u2028"),
]


def lines_of(s, table: str) -> tuple[list[str], list[str | None]]:
    rows = sorted(sync.record_rows(s, table), key=lambda r: r.id)
    return sync.record_lines(s, table, rows), [line_of(table, r) for r in rows]


def expected(s, table: str) -> list[str]:
    rows = s.execute(sa_select(*selected_columns(table)).order_by(MODELS[table].__table__.c.id)).all()
    return [encode_line(table, r) for r in rows]


def test_every_line_is_what_encode_gives(township):
    with opened(township) as store:
        me = store.office.id
        with store.write() as s:
            for i, (name, unit, note) in enumerate(TEXTS):
                s.add(Person(owner_office_id=me, name=name, unit=unit, note=note, person_key=f"k{i}"))
                s.add(Clue(owner_office_id=me, number=f"线索{i}", received_on=date(2026, 3, 2), source="自行发现",
                           summary=note, categories=["违反群众纪律", {"嵌套": [1, 2.5, None, True]}]))
        with store.write() as s:  # values as SQLAlchemy never writes them
            # the two clean rows (k0, k8) get the odd forms: ids are time-ordered, so "the first by id" would be k0, k1
            first = [s.execute(text("SELECT id FROM person WHERE person_key = :k"), {"k": k}).scalar() for k in ("k8", "k0")]
            s.execute(text("UPDATE person SET created_at = '2026-03-02 08:00:00' WHERE id = :i"), {"i": first[0]})
            s.execute(text("UPDATE person SET updated_at = '2026-03-02 08:00:00.250000' WHERE id = :i"), {"i": first[1]})
            s.execute(text("UPDATE clue SET categories = '[\n\"分行的\"]' WHERE number = '线索0'"))
            s.execute(text("UPDATE clue SET categories = '[NaN]' WHERE number = '线索1'"))
        with store.read() as s:
            for table in ("person", "clue", "audit_event", "office"):
                lines, _ = lines_of(s, table)
                assert [json.loads(x) for x in lines] == [json.loads(x) for x in expected(s, table)], table
                assert all("\n" not in x for x in lines)
            rows = sorted(sync.record_rows(s, "person"), key=lambda r: r.id)
            keys = {r.id: r.person_key for r in s.execute(sa_select(MODELS["person"].__table__))}
            taken = {keys[r.id] for r in rows if line_of("person", r) is not None}
        # SQLite's line only where nothing needed Python: clean texts, and times as SQLAlchemy writes them
        # k8's created_at without its fraction is not as SQLAlchemy writes a time: Python makes that line
        assert taken == {"k0"}


def test_export_scrubs_as_before(township):
    """The scrubbed text is what leaves: one-line texts stripped, invisible characters removed."""
    with opened(township) as store:
        me = store.office.id
        with store.write() as s:
            s.add(Person(owner_office_id=me, name=" 王\u200b建国\u3000", unit="某村\n二组", note="甲\x0b乙", person_key="p"))
        with store.read() as s:
            lines, _ = lines_of(s, "person")
    person = next(json.loads(x) for x in lines if json.loads(x)["person_key"] == "p")
    assert (person["name"], person["unit"], person["note"]) == ("王建国", "某村 二组", "甲\n乙")


def test_audit_events_are_not_scrubbed(township):
    """The audit log is hash-chained: its texts leave exactly as stored."""
    with opened(township) as store:
        with store.read() as s:
            lines, fast = lines_of(s, "audit_event")
            events = s.execute(sa_select(MODELS["audit_event"].__table__).order_by(AuditEvent.id)).all()
    assert all(line is not None for line in fast)
    assert [json.loads(x)["hash"] for x in lines] == [e.hash for e in events]


def test_the_texts_of_many_rows_are_checked_at_once_as_each_row_alone_would_be(township):
    """`lines_of` joins every row's texts for one check and gives what `line_of` gives each row: with
    texts that meet at the joints ("e", then U+0301), and with one unclean row among clean ones."""
    with opened(township) as store:
        me = store.office.id
        with store.write() as s:
            for i, (name, unit) in enumerate([("王建国", "某村e"), ("\u0301李四", "某村"), ("张三", "某村e")]):
                s.add(Person(owner_office_id=me, name=name, unit=unit, person_key=f"c{i}"))
        with store.read() as s:
            rows = sorted(sync.record_rows(s, "person"), key=lambda r: r.id)
            alone = [line_of("person", r) for r in rows]
            assert None not in alone and records.lines_of("person", rows) == alone
        with store.write() as s:
            s.add(Person(owner_office_id=me, name="王\u200b五", unit="某村", person_key="dirty"))
        with store.read() as s:
            rows = sorted(sync.record_rows(s, "person"), key=lambda r: r.id)
            alone = [line_of("person", r) for r in rows]
            assert alone.count(None) == 1 and records.lines_of("person", rows) == alone
