"""Issue 19 point 5: a 村（社）干部花名册 brought into the integrity archive (人员档案) from a real .xlsx:
a person already there (same 身份证号, or same name and unit) is updated, not duplicated; a person
twice in the file is taken once; every row or none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import select

from app.models import AuditEvent, Person
from app.services import cases, roster_import
from app.services.import_staging import ImportCancelled, ImportRefused
from tests.integration.test_sync_roundtrip import opened

TODAY = date(2026, 6, 30)
ID_WANG = "510722197503120017"
ID_LI = "51072219800101002X"


@pytest.fixture
def store(township):
    with opened(township) as s:
        # in the archive already: 王建国 of 青石村 from a clue (no 身份证号), and 李明 with his number
        cases.register_clue(s, {"received_on": "2026-01-05", "source": "信访举报（来信）", "summary": "反映优亲厚友",
                                "persons": [{"name": "王建国", "unit": "青石村", "post": "村委会主任"},
                                            {"name": "李明", "unit": "白沙村", "id_number": ID_LI}]}, today=TODAY)
        yield s


def roster(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["青石镇村（社区）干部花名册"])
    sheet.append(["序号", "姓名", "身份证号码", "村（社区）", "职务", "任职时间", "政治面貌", "联系电话"])
    for row in rows:
        sheet.append(row)
    sheet.append(["合计", None, None, None, None, None, None, None])
    book.save(path)
    return path


ROWS = [
    [1, "王建国", ID_WANG, "青石村", "党支部书记", "2021.3—2026.3", "中共党员", "13900000001"],  # same name and unit
    [2, "李明", ID_LI, "白沙镇白沙村", "会计", "2021.3—2026.3", "群众", ""],  # same 身份证号, unit written otherwise
    [3, "张秀英", "", "河口村", "妇联主席", "2021.3—2026.3", "预备党员", ""],  # new
    [4, "张秀英", "", "河口村", "妇联主席", "2021.3—2026.3", "预备党员", ""],  # twice in the file
    [5, "赵六", "510722198001010011", "长岭村", "村委会委员", "2021.3—2026.3", "群众", ""],  # new
    [6, "钱七", "510722198001010011", "石桥村", "文书", "", "", ""],  # the same 身份证号 as row 7's person
]


def people(store) -> dict[str, Person]:
    with store.read() as s:
        return {f"{p.name}|{p.unit}": p for p in s.exec(select(Person)).all()}


def test_preview_shows_updates_and_duplicates_and_commit_updates_not_duplicates(store, tmp_path):
    path = roster(tmp_path / "花名册.xlsx", ROWS)
    before = people(store)
    preview = roster_import.preview_roster(store, path)
    assert preview.counts() == {"new": 2, "updated": 2, "duplicate": 2, "invalid": 0, "skipped": 1}
    assert [(r.name, r.match) for r in preview.updated] == [("王建国", "王建国（青石村）"), ("李明", "李明（白沙村）")]
    assert [(r.row, r.match) for r in preview.duplicate] == [(6, "第5行"), (8, "第7行")]
    assert people(store) == before  # a preview writes nothing
    result = roster_import.commit_roster(store, path)
    assert (result.created, result.updated, result.skipped_duplicate) == (2, 2, 2)
    after = people(store)
    assert len(after) == len(before) + 2
    wang = after["王建国|青石村"]
    assert (wang.id, wang.id_number, wang.post, wang.term, wang.political_status) == (
        before["王建国|青石村"].id, ID_WANG, "党支部书记", "2021.3—2026.3", "中共党员")
    assert wang.note == "序号：1\n联系电话：13900000001"  # unmapped columns are kept, never lost
    assert after["李明|白沙村"].political_status == "群众"
    assert after["张秀英|河口村"].political_status == "中共预备党员"
    # the same file again: everyone is in the archive now
    assert roster_import.preview_roster(store, path).counts()["updated"] == 4


def test_invalid_rows_refuse_the_whole_commit(store, tmp_path):
    path = roster(tmp_path / "花名册.xlsx", ROWS + [[7, "孙亮", "12345", "石桥村", "会计", "", "", ""],
                                                  [8, "", "", "石桥村", "会计", "", "", ""]])
    preview = roster_import.preview_roster(store, path)
    assert [(p.row, p.column) for p in preview.invalid] == [(9, "身份证号码"), (10, "姓名")]
    before = people(store)
    with store.read() as s:
        events = len(s.exec(select(AuditEvent)).all())
    with pytest.raises(ImportRefused) as refused:
        roster_import.commit_roster(store, path)
    assert "第9行“身份证号码”" in refused.value.message
    assert people(store) == before
    with store.read() as s:
        assert len(s.exec(select(AuditEvent)).all()) == events


def test_cancel_during_commit_leaves_the_archive_as_it_was(store, tmp_path):
    path = roster(tmp_path / "花名册.xlsx", [[i, f"村干部{i}", "", f"村{i % 30}", "委员", "", "群众", ""]
                                            for i in range(1, 1201)])
    before = people(store)
    asked = []
    with pytest.raises(ImportCancelled):
        roster_import.commit_roster(store, path, cancelled=lambda: asked.append(1) or len(asked) > 4)
    assert people(store) == before
    assert roster_import.commit_roster(store, path).created == 1200


def test_roster_through_the_cli(tmp_path, run_cli, township):
    path = roster(tmp_path / "花名册.xlsx", ROWS[2:3])
    dry = run_cli("--data-dir", township, "import-roster", path, "--dry-run", "--json")
    assert dry.code == 0 and dry.json["counts"]["new"] == 1
    done = run_cli("--data-dir", township, "import-roster", path, "--json")
    assert done.code == 0 and done.json["created"] == 1
