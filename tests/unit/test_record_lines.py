"""A record's line read the quick way (records.decode_line: msgspec against the table's columns) must
take only what the slow way (the json module, then records.decode) takes, with the same values: a
line msgspec takes that `decode` would refuse would let a township's bad record in (issue 17 §1,
"JSON columns decode into the engine's types"); a value that differed would be stored differently.
And the lines export writes must go the quick way, or it would buy nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, String

from app.domain.statistics import INDICATOR_KEYS
from app.domain.subjects import ADJUSTMENT_KINDS
from app.sync.archive import Payload
from app.sync.container import BundleError
from app.sync.json_shapes import SHAPES
from app.sync.limits import MAX_INTEGER, MAX_TEXT
from app.sync.records import MODELS, RecordInvalid, base_type, columns, decode, decode_line

FILES = {"a" * 64, "b" * 64}
TABLES = sorted(MODELS)
ZONES = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60))
TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=12)
# texts as this app keeps them: a lone surrogate is no character, and neither Qt nor UTF-8 holds one
STORED_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=("Cs",)), max_size=12)


def json_values(finite: bool):
    """JSON values; `finite`: as export writes them (no NaN or infinity, no lone surrogate)."""
    text = STORED_TEXT if finite else TEXT
    leaves = st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | st.floats(allow_nan=not finite,
                                                                                    allow_infinity=not finite) | text
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                        max_leaves=8)


JSON_VALUES = json_values(finite=False)
ODD = st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | st.floats() | TEXT | JSON_VALUES
ODD_TIMES = st.sampled_from([
    "2026-03-02", "2026-03-02T08:00:00Z", "2026-03-02 08:00", "20260302T080000", "2026-03-02T08:00:00.1234567+00:00",
    "2026-03-02T08:00:00.5+00:00", "2026-03-02t08:00:00+00:00", "2026-03-02T08:00:00+0800", "2026-03-02T24:00:00",
    "9999-01-01T00:00:00", "0001-01-01T00:00:00+00:00", "2026-W10-1T08:00", "1899-12-31T23:59:59+00:00", " 2026-03-02",
    "20260302", "2026-W10-1", "2026-3-2", "2200-01-01", "2026-02-30", "２０２６-03-02",
])


DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)).map(date.isoformat)
NAMES = st.lists(st.text(max_size=5), max_size=3)
SHAPED = {  # values of the JSON columns with a shape (app/sync/json_shapes.py), as this app writes them
    ("clue", "categories"): NAMES,
    ("subject_fact", "evidence_ids"): NAMES,
    ("step_record", "checklist"): NAMES,
    ("collective_study", "attendees"): NAMES,
    ("step_record", "fields"): st.dictionaries(st.text(max_size=5), json_values(finite=True), max_size=3),
    ("case", "backfill"): st.just({}) | st.fixed_dictionaries(
        {"file": st.text(max_size=5), "row": st.integers(1, 10 ** 6), "by": st.text(max_size=5), "on": DAYS,
         "steps": NAMES, "note": st.text(max_size=5)}),
    ("case_subject", "articles"): st.lists(st.fixed_dictionaries({"article": st.text(max_size=5),
                                                                  "plot": st.text(max_size=5)}), max_size=3),
    ("case_subject", "adjustments"): st.lists(st.fixed_dictionaries({"kind": st.sampled_from(ADJUSTMENT_KINDS),
                                                                     "basis": st.text(max_size=5)}), max_size=3),
    ("sanction", "probation_acts"): st.lists(st.fixed_dictionaries(
        {"outcome": st.text(max_size=5), "decided_on": DAYS},
        optional={"body": st.text(max_size=5), "branch_meeting_on": st.none() | DAYS}), max_size=2),
    ("statistics_snapshot", "indicators"): st.dictionaries(st.sampled_from(INDICATOR_KEYS), st.integers(0, 10 ** 6)),
}


def good(col, exact: bool):
    """Values `decode` takes for the column (and, unless `exact`, some near misses)."""
    kind = base_type(col)
    if isinstance(kind, LargeBinary):
        return st.sampled_from(sorted(FILES)).map(lambda sha: {"$file": sha})
    if isinstance(kind, DateTime):
        times = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30),
                             timezones=st.just(UTC) if exact else ZONES | st.none()).map(datetime.isoformat)
        return times if exact else times | ODD_TIMES
    if isinstance(kind, Date):
        dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)).map(date.isoformat)
        return dates if exact else dates | ODD_TIMES
    if isinstance(kind, Boolean):
        return st.booleans()
    if isinstance(kind, Integer):
        small = st.integers(1, 10 ** 6)
        return small if exact else small | st.sampled_from([0, -1, MAX_INTEGER, MAX_INTEGER + 1, -MAX_INTEGER - 1])
    if isinstance(kind, JSON):
        values = json_values(finite=exact)  # export writes no NaN: SQLite's json() has none
        shaped = SHAPED.get((col.table.name, col.key))
        anything = st.dictionaries(st.text(max_size=5), values, max_size=3) | st.lists(values, max_size=3)
        if shaped is None:
            return anything
        return shaped if exact else shaped | anything
    if isinstance(kind, String):
        limit = kind.length or MAX_TEXT
        texts = st.text(max_size=min(limit, 20))
        if exact:
            return texts
        near = st.sampled_from(["x" * limit, "x" * (limit + 1), "𠀀" * limit, "𠀀" * (limit + 1)]) if limit <= 200 else texts
        return texts | near | st.sampled_from(["\ud800", "a\udfff", "\x00", "\u2028"])
    return ODD


@st.composite
def lines(draw, exact: bool = False):
    """A table's record as export writes it, or (unless `exact`) with one thing changed: a column's
    value a near miss or of another type, a key missing or added, a byte-level twist of the line."""
    table = draw(st.sampled_from(TABLES))
    cols = list(columns(table))
    raw = {}
    for col in cols:
        if col.nullable and not col.primary_key and draw(st.booleans()):
            raw[col.key] = None
        else:
            raw[col.key] = draw(good(col, exact=True))
    if "sha256" in raw:
        raw["sha256"] = next((v["$file"] for v in raw.values() if isinstance(v, dict) and "$file" in v), raw["sha256"])
    if "version" in raw:
        raw["version"] = max(1, raw["version"])
    change = "" if exact else draw(st.sampled_from(["near", "near", "near", "odd", "drop", "extra", "bom", "duplicate",
                                                    "spaces", "crlf", "ascii"]))
    if change in ("near", "odd"):
        col = draw(st.sampled_from(cols))
        raw[col.key] = draw(good(col, exact=False) if change == "near" else ODD)
    elif change == "drop":
        del raw[draw(st.sampled_from(sorted(raw)))]
    elif change == "extra":
        raw["extra"] = draw(ODD)
    line = json.dumps(raw, ensure_ascii=change == "ascii", sort_keys=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if change == "bom":
        line = b"\xef\xbb\xbf" + line
    elif change == "duplicate":
        key = draw(st.sampled_from(sorted(raw)))
        line = line[:-1] + b", " + json.dumps(key).encode() + b": " + json.dumps(draw(ODD)).encode() + b"}"
    elif change == "spaces":
        line = b"  " + line + b" \t"
    elif change == "crlf":
        line = line + b"\r"
    return table, line


def slow(table: str, line: bytes) -> dict:
    """What the importer makes of a line the quick way does not take (archive.Payload.json_line, then decode)."""
    return decode(table, Payload.json_line(f"records/{table}.jsonl", 1, line), FILES, quick=True)


def typed(value):
    """A value with the type of everything in it, so True never equals 1 and a zone never goes unseen."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, float) and value != value:
        return (float, "nan")
    return (type(value), value, value.utcoffset() if isinstance(value, datetime) else None)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines())
def test_a_line_taken_the_quick_way_is_taken_the_slow_way_with_the_same_values(table_line):
    table, line = table_line
    quick = decode_line(table, line, FILES)
    if quick is None:
        return  # the importer reads it the slow way: that is the reference
    try:
        reference = slow(table, line)
    except (BundleError, RecordInvalid) as exc:
        raise AssertionError(f"the quick way took a line the slow way refuses ({exc}): {line!r}") from exc
    assert list(quick) == list(reference)
    assert typed(quick) == typed(reference)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines(exact=True))
def test_records_as_export_writes_them_are_read_the_quick_way(table_line):
    table, line = table_line
    quick = decode_line(table, line, FILES)
    assert quick is not None, line
    assert typed(quick) == typed(slow(table, line))


def plain_record(table: str) -> dict:
    """A record of the table the slow way takes."""
    sha = min(FILES)
    out = {}
    for col in columns(table):
        kind = base_type(col)
        out[col.key] = (sha if col.key == "sha256" else {"$file": sha} if isinstance(kind, LargeBinary)
                        else "2026-03-02T08:00:00+00:00" if isinstance(kind, DateTime) else "2026-03-02" if isinstance(kind, Date)
                        else False if isinstance(kind, Boolean) else 1 if isinstance(kind, Integer)
                        else empty_json(table, col.key) if isinstance(kind, JSON) else "x")
    return out


def empty_json(table: str, key: str) -> list | dict:
    """An empty value of the column's shape: [] where it is a list, else {}."""
    shape = SHAPES.get((table, key), dict)
    return [] if getattr(shape, "__origin__", shape) is list else {}


BOUNDARY = [None, True, False, 0, 1, -1, MAX_INTEGER, MAX_INTEGER + 1, -MAX_INTEGER, -MAX_INTEGER - 1, 2 ** 64, 1.0, 1.5,
            float("inf"), "", "x", "\ud800", "\x00", "𠀀", "\u2028", [], {}, [1], {"a": 1}, {"$file": min(FILES)},
            {"$file": "c" * 64}, {"$file": min(FILES), "x": 1}, {"$file": 1}, [float("nan")], {"x": float("inf")},
            ["\ud800"], {"\udfff": 1}, *ODD_TIMES.elements]


def lengths(col) -> list[str]:
    limit = base_type(col).length if isinstance(base_type(col), String) else None
    return ["x" * limit, "x" * (limit + 1), "𠀀" * limit, "𠀀" * (limit + 1)] if limit else []


def test_every_column_of_every_table_at_its_boundaries_is_read_alike():
    """Each column of a plain record of each table given each boundary value in turn (and each
    record's line with a byte-level twist): the quick way never takes what the slow way refuses."""
    checked = taken = 0
    for table in TABLES:
        plain = plain_record(table)
        assert decode_line(table, json.dumps(plain).encode(), FILES) is not None, table
        variants = [{**plain, col.key: value} for col in columns(table) for value in [*BOUNDARY, *lengths(col)]]
        variants += [{k: v for k, v in plain.items() if k != key} for key in plain] + [{**plain, "extra": 1}]
        encoded = [json.dumps(v, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
                   for v in variants for ascii_only in (True, False)]
        line = json.dumps(plain).encode()
        encoded += [b"\xef\xbb\xbf" + line, line + b"\r", b" " + line + b"\t", line[:-1] + b', "id": 1}',
                    line[:-1] + b', "id": "y"}', line.replace(b": 1", b": 1.0", 1), line.replace(b": 1", b": 01", 1),
                    line.replace(b": false", b": 0", 1), line.replace(b"{}", b"[1e999]", 1),
                    line.replace(b"{}", b'{"a": -1e400}', 1), line + b"x", line[:-1]]
        for encoded_line in encoded:
            checked += 1
            quick = decode_line(table, encoded_line, FILES)
            if quick is None:
                continue
            taken += 1
            try:
                reference = slow(table, encoded_line)
            except (BundleError, RecordInvalid) as exc:
                raise AssertionError(f"the quick way took a line the slow way refuses ({exc}): {encoded_line[:300]!r}") from exc
            assert typed(quick) == typed(reference), encoded_line[:300]
    assert checked > 10_000 and taken > 1000, (checked, taken)


def test_what_the_quick_way_leaves_is_refused_by_the_slow_way_with_its_reason():
    """A few lines the quick way does not take, and what the slow way says of them."""
    person = {c.key: None for c in columns("person")}
    person.update(id="p1", owner_office_id="T1", version=1, created_at="2026-03-02T08:00:00+00:00",
                  updated_at="2026-03-02T08:00:00+00:00", deleted=False, name="王建国", unit="某村", post="主任",
                  rank="", category="", political_status="", id_number="", person_key="k", term="", note="")
    assert decode_line("person", json.dumps(person).encode(), FILES) is not None
    for change, reason in [({"version": True}, "应为整数"), ({"name": 7}, "应为文字"), ({"deleted": 0}, "应为真假值"),
                           ({"created_at": "2026-03-02T08:00:00"}, None), ({"created_at": "9999-01-01T00:00:00+00:00"}, "年份"),
                           ({"unit": "x" * (MAX_TEXT + 1)}, "过长"), ({"name": None}, "不能为空")]:
        line = json.dumps({**person, **change}).encode()
        if reason is None:  # a time without its zone: msgspec takes it as text, decode as UTC
            assert decode_line("person", line, FILES)["created_at"] == datetime(2026, 3, 2, 8, tzinfo=UTC)
            continue
        assert decode_line("person", line, FILES) is None, change
        try:
            slow("person", line)
        except (BundleError, RecordInvalid) as exc:
            assert reason in str(exc), (change, exc)
        else:
            raise AssertionError(f"the slow way took {change}")
