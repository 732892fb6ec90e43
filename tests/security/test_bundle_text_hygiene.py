"""Issue 19 point 10 on arrival: a validly signed bundle whose records hold text this app never keeps
(a Word \\x0b, a right-to-left override, zero-width characters, a text past its field's limit) is
refused whole, naming the sending office, the table, the record and the field; a signature says who
sent it, not that the content is right. Every bundle here is the township's own export, opened with
its own identity, edited, and sealed and signed again with its own keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.domain import text_hygiene as hygiene
from app.models import Clue, Person
from app.services import sync
from tests.integration.test_sync_poison import fresh_bundle, read_payload, refused_unchanged, reseal
from tests.integration.test_sync_roundtrip import opened
from tests.security.security_support import paired_township_with_clue


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """County C01 and township T001, paired; the township holds one clue about 王建国."""
    return paired_township_with_clue(tmp_path_factory.mktemp("hygiene"), {"name": "王建国", "unit": "青石村", "id_number": "32010219800101123X"})


def forged(chain, tmp_path: Path, table: str, column: str, value: str) -> tuple[Path, str]:
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    record = records[table][0]
    record[column] = value
    record["version"] += 1  # a newer version, as a real change would be
    return reseal(chain.township, bundle, records, others, tmp_path / "forged"), record["id"]


@pytest.mark.parametrize(("table", "column", "value", "shown"), [
    ("clue", "summary", "第一段\x0b第二段", "U+000B"),  # the Word soft line break
    ("person", "name", "\u202e国建王", "U+202E"),  # shows as 王建国, filed as 国建王
    ("person", "id_number", "3201\u200b0219800101123X", "U+200B"),
    ("person", "unit", "青石村\n委", "U+000A"),  # a one-line field
    ("clue", "summary", "很" * (hygiene.LONG.limit + 1), f"上限{hygiene.LONG.limit}个字"),
    ("person", "name", "王" * (hygiene.NAME.limit + 1), f"上限{hygiene.NAME.limit}个字"),
])
def test_a_signed_record_with_unkept_text_is_refused_naming_office_table_record_and_field(chain, tmp_path, table,
                                                                                         column, value, shown):
    bundle, record_id = forged(chain, tmp_path, table, column, value)
    result = refused_unchanged(chain.county, bundle, "record_invalid")
    for part in ("青石镇纪委（T001）", f"“{table}”", record_id, f"字段 {column}", shown):
        assert part in result.reason, (part, result.reason)


def test_text_an_older_version_stored_leaves_scrubbed_and_is_taken(chain, tmp_path):
    with opened(chain.township) as store, store.write() as s:  # kept before text hygiene existed
        s.exec(update(Clue).values(summary="旧数据\x0b软回车\u202e", version=Clue.version + 1))
        s.exec(update(Person).values(unit="青石村\r\n委", version=Person.version + 1))
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    with opened(chain.county) as store:
        result = sync.import_one(store, bundle)
        assert not result.refused, result.reason
        with store.read() as s:
            township = [c for c in s.exec(select(Clue)).all() if c.owner_office_id != store.office.id]
            units = {p.unit for p in s.exec(select(Person)).all()}
    assert [c.summary for c in township] == ["旧数据\n软回车"]
    assert "青石村 委" in units


def test_the_first_failing_record_of_a_batch_is_named_whichever_check_fails(chain, tmp_path):
    """Texts are judged for a whole batch at once (records.texts_acceptable): a record with bad text is
    still named before a later record of the same batch whose value has the wrong type."""
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    template = records["person"][0]
    extra = [{**template, "id": f"{n:032x}", "person_key": f"王建国{n}|青石村"} for n in range(1, 6)]
    extra[2]["unit"] = "青石村\x0b委"
    extra[4]["version"] = "二"
    records["person"] += extra
    result = refused_unchanged(chain.county, reseal(chain.township, bundle, records, others, tmp_path / "both"),
                               "record_invalid")
    assert extra[2]["id"] in result.reason and "字段 unit" in result.reason and "U+000B" in result.reason, result.reason
    extra[2]["unit"] = "青石村"
    result = refused_unchanged(chain.county, reseal(chain.township, bundle, records, others, tmp_path / "type"),
                               "record_invalid")
    assert extra[4]["id"] in result.reason and "字段 version 应为整数" in result.reason, result.reason
