"""The staging keeps each batch's decoded values in MessagePack (app/sync/staging.py): what comes back
must be what the importer decoded, type for type, or the plan and the writing would see other values
than the bundle's. A time may come back in UTC: the same instant, which is what the store keeps."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync.records import STAGED_TYPES, decode_line
from app.sync.staging import PICKLED, Staging
from tests.unit.test_record_lines import FILES, lines, slow, typed


def in_utc(value):
    """The value with every time it holds in UTC (`typed` tells zones apart)."""
    if isinstance(value, dict):
        return {k: in_utc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [in_utc(v) for v in value]
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def decoded(table: str, line: bytes) -> dict | None:
    try:
        return decode_line(table, line, FILES) or slow(table, line)
    except Exception:  # noqa: BLE001 - a line the importer refuses is never staged
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(lines(), min_size=1, max_size=6))
def test_staged_values_come_back_as_decoded_type_for_type(tmp_path_factory, drawn):
    by_table: dict[str, list[dict]] = {}
    for table, line in drawn:
        row = decoded(table, line)
        if row is not None and list(row) == list(by_table.get(table, [row])[0]):  # a batch's rows share their keys
            by_table.setdefault(table, []).append(row)
    s = Staging(tmp_path_factory.mktemp("staging") / "records.staging", types=STAGED_TYPES)
    try:
        for table, rows in by_table.items():
            s.add(table, [(n, str(n), None, None, row) for n, row in enumerate(rows, 1)])
        s.loaded()
        for table, rows in by_table.items():
            back = [values for batch in s.batches(table) for _, values, _ in batch]
            assert [list(r) for r in back] == [list(r) for r in rows]
            assert typed(in_utc(back)) == typed(in_utc(rows))
    finally:
        s.close()


def test_a_batch_messagepack_cannot_hold_is_pickled_and_comes_back_alike(tmp_path):
    s = Staging(tmp_path / "records.staging", types=STAGED_TYPES)
    rows = [{"id": "a", "state": {"n": 2 ** 70}, "at": datetime(2026, 3, 2, 8, tzinfo=UTC)},
            {"id": "b", "state": {"n": 1}, "at": datetime(2026, 3, 2, 9, tzinfo=UTC)}]
    s.add("case", [(n, r["id"], None, None, r) for n, r in enumerate(rows, 1)])
    s.loaded()
    assert s.db.execute("SELECT substr(v, 1, 1) FROM chunk").fetchone()[0] == PICKLED
    assert typed([values for batch in s.batches("case") for _, values, _ in batch]) == typed(rows)
    s.close()
