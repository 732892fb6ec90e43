"""Issue 19: an office's old 问题线索台账 imported from real .xlsx/.csv/.tsv files into a real store —
preview buckets, what each row becomes, statistics, bundles, and a store left as it was by a dry
run, a cancel and a failed commit."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from app.models import AuditEvent, Case, Clue, Decision, Person, Sanction, StepRecord
from app.paths import store_paths
from app.services import backfill, cases, ledger_import, statistics, unlock
from app.services.import_staging import ImportCancelled, ImportFileError, ImportRefused
from app.storage import audit
from tests.integration.test_sync_roundtrip import chain, opened, pair  # noqa: F401  (chain: the fixture)

TODAY = date(2026, 6, 30)
HEADER = ["线索编号", "收件日期", "线索来源", "被反映人", "单位及职务", "主要问题", "处置方式", "办理结果", "立案日期",
          "处分种类", "结案日期", "备注", "经办人"]


@pytest.fixture
def store(township):
    with opened(township) as s:
        yield s


def snapshot(store) -> dict:
    """What the store holds, by its own queries: row counts of every table an import writes, the
    audit events and every case's state."""
    with store.read() as s:
        counts = {m.__tablename__: s.exec(select(func.count()).select_from(m)).one()
                  for m in (Case, Clue, Person, Decision, Sanction, StepRecord)}
        # opening the store is audited (解锁); everything else must be as it was
        events = [(e.action, e.entity, e.summary) for e in s.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
                  if e.action != "unlock"]
        states = sorted((c.id, json.dumps(c.state, sort_keys=True), c.step_id) for c in s.exec(select(Case)).all())
        counts[AuditEvent.__tablename__] = len(events)
    return {"counts": counts, "events": events, "states": states}


def merged_header_xlsx(path: Path) -> Path:
    """A ledger as offices keep it: a title row, a two-row header with merged group cells (被反映人
    over 姓名 and 单位及职务, 办理情况 over five columns, the rest merged down), dates in four forms and
    as an Excel date cell, a blank row and a 合计 row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "2025年台账"
    sheet.append(["青石镇纪委问题线索台账（2025年）"])
    sheet.merge_cells("A1:M1")
    top = ["线索编号", "收件日期", "线索来源", "被反映人", None, "主要问题", "办理情况", None, None, None, None, "备注", "经办人"]
    sub = [None, None, None, "姓名", "单位及职务", None, "处置方式", "办理结果", "立案日期", "处分种类", "结案日期", None, None]
    sheet.append(top)
    sheet.append(sub)
    for col in "ABCFLM":
        sheet.merge_cells(f"{col}2:{col}3")
    sheet.merge_cells("D2:E2")
    sheet.merge_cells("G2:K2")
    sheet.append(["青石纪线〔2025〕1号", "2025-03-05", "来信", "王建国", "青石村党支部书记", "优亲厚友评定低保",
                  "初步核实", "", "", "", "", "", "李专干"])
    sheet.append(["青石纪线〔2025〕2号", "2025/4/1", "来访", "李明", "白沙村会计", "侵占村集体资金", "初步核实",
                  "立案，给予党内警告", "2025.5.6", "党内警告", date(2025, 8, 1), "", "李专干"])
    sheet.append([None] * 13)
    sheet.append(["青石纪线〔2025〕3号", "2025年6月1日", "12388电话", "赵六", "河口村村委会主任", "吃拿卡要",
                  "谈话函询", "说明清楚，予以了结", "", "", 45839, "", ""])  # 45839 = 2025-07-01
    sheet.append(["青石纪线〔2025〕4号", "2025-07-10", "上级转办", "钱七", "青石镇财政所工作人员", "违规收受礼金",
                  "暂存待查", "", "", "", "", "待补充材料", ""])
    sheet.append(["合计", "4件", None, None, None, None, None, None, None, None, None, None, None])
    book.save(path)
    return path


def test_merged_two_row_header_xlsx_previews_in_buckets_and_writes_nothing(store, tmp_path):
    path = merged_header_xlsx(tmp_path / "台账.xlsx")
    before = snapshot(store)
    preview = ledger_import.preview_ledger(store, path, today=TODAY)
    assert preview.header_row == 3 and preview.sheet == "2025年台账"
    assert preview.counts() == {"new": 4, "existing": 0, "duplicate": 0, "invalid": 0, "skipped": 2}
    used = {h: f for h, f in preview.mapping.items() if f}
    assert used == {"线索编号": "number", "收件日期": "received_on", "线索来源": "source", "姓名": "name",
                    "单位及职务": "unit_post", "主要问题": "summary", "处置方式": "disposition", "办理结果": "result",
                    "立案日期": "filed_on", "处分种类": "sanction", "结案日期": "closed_on", "备注": "note"}
    assert preview.mapping["经办人"] == ""  # not a field: kept in the note
    assert [(r.received_on, r.step) for r in preview.new] == [
        (date(2025, 3, 5), "初步核实"), (date(2025, 4, 1), "已归档"), (date(2025, 6, 1), "已归档"),
        (date(2025, 7, 10), "暂存待查")]
    assert snapshot(store) == before


def test_commit_makes_real_cases_at_their_step_marked_backfilled(store, tmp_path, run_cli, township):
    path = merged_header_xlsx(tmp_path / "台账.xlsx")
    result = ledger_import.commit_ledger(store, path, today=TODAY)
    assert result.imported == 4 and result.by_step == {"初步核实": 1, "已归档": 2, "暂存待查": 1}
    shown = {cases.show_case(store, c, today=TODAY)["clue_number"]: cases.show_case(store, c, today=TODAY)
             for c in result.case_ids}
    open_case = shown["青石纪线〔2025〕1号"]
    assert open_case["step"]["id"] == "prelim_verify" and not open_case["terminal"]
    assert open_case["persons"][0]["unit"] == "青石村"
    # 补录 in the history and the case: file, row, who; the checks of the steps passed were not made
    assert {h["approver"] for h in open_case["history"]} == {backfill.MARK}
    marked = open_case["backfill"]
    assert (marked["file"], marked["row"], marked["by"]) == ("台账.xlsx", 4, "张书记")
    assert [u["step"] for u in marked["unchecked"]] == ["intake_register", "disposition"]
    assert "经办人：李专干" in marked["note"]
    # the open one goes on through the normal workflow from where it stands
    assert {d["id"] for d in open_case["decisions"]} >= {"propose_filing", "close"}
    filed = shown["青石纪线〔2025〕2号"]
    assert filed["terminal"] and [(x["type_id"], x["decided_on"]) for x in filed["sanctions"]] == [
        ("party_warning", "2025-08-01")]
    assert [h["decided_on"] for h in filed["history"] if h["decision"] == "file"] == ["2025-05-06"]
    assert filed["number"] == "T001纪立〔2025〕1号"  # the 立案 number, as a filing made here gets
    assert shown["青石纪线〔2025〕4号"]["source"] == "上级转办"
    with store.read() as s:
        notes = s.exec(select(AuditEvent).where(AuditEvent.action == "backfill")).all()
        assert sorted(e.summary for e in notes)[0] == "补录：原台账“台账.xlsx”第4行"
        assert {e.account for e in notes} == {"张书记"}
    # the same file again: everything is in the store already (same clue number)
    again = ledger_import.preview_ledger(store, path, today=TODAY)
    assert again.counts()["existing"] == 4 and [r.match for r in again.existing][0] == "青石纪线〔2025〕1号"
    store.close()  # one process at a time per data folder
    # case show --json says it too
    shown_cli = run_cli("--data-dir", township, "case", "show", result.case_ids[0], "--json")
    assert shown_cli.code == 0 and shown_cli.json["backfill"]["file"] == "台账.xlsx"
    assert run_cli("--data-dir", township, "verify", "--json").code == 0


def test_imported_cases_count_in_statistics_for_their_own_dates(store, tmp_path):
    ledger_import.commit_ledger(store, merged_header_xlsx(tmp_path / "台账.xlsx"), today=TODAY)
    year_2025 = statistics.report(store, statistics.period_from_options(2025), today=TODAY)["indicators"]
    assert (year_2025["clues_received"], year_2025["filings"], year_2025["cases_closed"]) == (4, 1, 1)
    assert year_2025["breakdowns"]["by_disposition"] == {"初步核实": 2, "谈话函询": 1, "暂存待查": 1}
    assert year_2025["breakdowns"]["by_sanction_type"] == {"party_warning": 1}
    second_quarter = statistics.report(store, statistics.period_from_options(2025, quarter=2), today=TODAY)
    assert second_quarter["indicators"]["filings"] == 1  # 立案 on 2025-05-06, not the day it was imported
    assert statistics.report(store, statistics.period_from_options(2026), today=TODAY)["indicators"]["filings"] == 0


def gbk_csv(path: Path, rows: list[list[str]], encoding: str = "gbk", delimiter: str = ",") -> Path:
    lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


ROWS = [
    ["", "2025-03-05", "来信", "王建国", "青石村 党支部书记", "优亲厚友", "初步核实", "", "", "", "", "", ""],
    ["", "2025-03-09", "网络举报", "周强、吴敏", "长岭村", "违规发放补贴", "", "", "", "", "", "", ""],
    ["", "2025-03-05", "来信", "王建国", "青石村 党支部书记", "优亲厚友", "初步核实", "", "", "", "", "", ""],
    ["", "2025-02-30", "来信", "孙亮", "石桥村", "酒驾", "", "", "", "", "", "", ""],
    ["", "2025-04-01", "来信", "", "石桥村", "酒驾", "", "", "", "", "", "", ""],
    ["", "2025-04-01", "邮局寄来", "孙亮", "石桥村", "酒驾", "", "", "", "", "", "", ""],
]


def test_gbk_csv_buckets_with_duplicates_and_invalid_rows_naming_row_and_column(store, tmp_path):
    preview = ledger_import.preview_ledger(store, gbk_csv(tmp_path / "台账.csv", ROWS), today=TODAY)
    assert preview.counts() == {"new": 2, "existing": 0, "duplicate": 1, "invalid": 3, "skipped": 0}
    assert preview.new[1].name == "周强、吴敏"
    assert [(r.row, r.match) for r in preview.duplicate] == [(4, "第2行")]
    assert [(p.row, p.column) for p in preview.invalid] == [(5, "收件日期"), (6, "被反映人"), (7, "线索来源")]
    assert "2025年没有2月30日" in preview.invalid[0].reason
    # a commit is refused as a whole while any row is invalid
    before = snapshot(store)
    with pytest.raises(ImportRefused) as refused:
        ledger_import.commit_ledger(store, tmp_path / "台账.csv", today=TODAY)
    assert refused.value.exit_code == 2 and "第5行“收件日期”" in refused.value.message
    assert len(refused.value.detail["invalid"]) == 3
    assert snapshot(store) == before


@pytest.mark.parametrize("encoding, delimiter, name", [("utf-8-sig", ",", "台账.csv"), ("utf-8", ",", "台账.csv"),
                                                       ("gb18030", "\t", "台账.tsv"), ("utf-8", "\t", "台账.csv")])
def test_encodings_and_delimiters_are_detected(store, tmp_path, encoding, delimiter, name):
    path = gbk_csv(tmp_path / name, ROWS[:2], encoding, delimiter)
    preview = ledger_import.preview_ledger(store, path, today=TODAY)
    assert preview.counts()["new"] == 2 and preview.new[0].name == "王建国"


def test_a_store_clue_with_the_same_person_date_and_summary_is_already_there(store, tmp_path):
    cases.register_clue(store, {"received_on": "2025-03-05", "source": "信访举报（来信）", "summary": "优亲厚友",
                                "persons": [{"name": "王建国", "unit": "青石村"}]}, today=TODAY)
    preview = ledger_import.preview_ledger(store, gbk_csv(tmp_path / "台账.csv", ROWS[:2]), today=TODAY)
    assert preview.counts()["existing"] == 1 and preview.existing[0].match.endswith("纪线〔2025〕1号")


def test_mapping_is_reusable_and_a_bad_one_is_refused(tmp_path, run_cli, township):
    renamed = [h if h != "主要问题" else "问题摘要及线索" for h in HEADER]
    path = tmp_path / "台账.csv"
    path.write_text(",".join(renamed) + "\n" + ",".join(ROWS[0]) + "\n", encoding="utf-8")
    with opened(township) as store, pytest.raises(ImportFileError) as missing:
        ledger_import.preview_ledger(store, path, {"问题摘要及线索": ""}, today=TODAY)
    assert missing.value.code == "import_mapping" and "问题性质/主要问题" in missing.value.message
    mapping = tmp_path / "map.json"
    dry = run_cli("--data-dir", township, "import-ledger", path, "--map", write_map(tmp_path, {"问题摘要及线索": "summary"}),
                  "--dry-run", "--save-map", mapping, "--json")
    assert dry.code == 0 and dry.json["counts"]["new"] == 1 and dry.json["dry_run"]
    assert json.loads(mapping.read_text(encoding="utf-8"))["columns"]["问题摘要及线索"] == "summary"
    bad = run_cli("--data-dir", township, "import-ledger", path, "--map", write_map(tmp_path, {"收件日期": "when"}))
    assert bad.code == 2 and "无法识别" in bad.err
    done = run_cli("--data-dir", township, "import-ledger", path, "--map", mapping, "--json")
    assert done.code == 0 and done.json["imported"] == 1


def write_map(tmp_path: Path, columns: dict) -> Path:
    path = tmp_path / "given_map.json"
    path.write_text(json.dumps({"kind": "ledger", "columns": columns}, ensure_ascii=False), encoding="utf-8")
    return path


def test_files_that_are_not_ledgers_are_refused_in_chinese(store, tmp_path):
    for name, content, code in (("台账.xls", b"\xd0\xcf\x11\xe0", "import_format"),
                                ("台账.xlsx", b"not a zip", "import_unreadable"),
                                ("台账.csv", "甲,乙\n1,2\n".encode(), "import_no_header")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ImportFileError) as refused:
            ledger_import.preview_ledger(store, tmp_path / name, today=TODAY)
        assert refused.value.code == code and refused.value.exit_code == 2
    with pytest.raises(ImportFileError):
        ledger_import.preview_ledger(store, tmp_path / "无此文件.csv", today=TODAY)


def big_ledger(path: Path, n: int) -> Path:
    """n distinct rows in an .xlsx: mostly closed 谈话函询 and 初核, some filed and sanctioned, some open."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(HEADER)
    for i in range(n):
        month, day = 1 + i % 12, 1 + i % 28
        received = f"2025-{month:02d}-{day:02d}"
        kind = i % 5
        row = [f"青石纪线〔2025〕{i + 1}号", received, ("来信", "来访", "电话", "网络", "上级交办")[i % 5],
               f"王{i}", f"村{i % 40}村会计", f"反映问题{i}", ("谈话函询", "初步核实", "初步核实", "暂存待查", "")[kind],
               "", "", "", "", "", ""]
        if kind == 0:
            row[7], row[10] = "予以了结", f"2025-{month:02d}-28"
        if kind == 1:
            row[8], row[9], row[10] = f"2025-{month:02d}-{day:02d}", "党内警告", f"2025-{month:02d}-28"
        sheet.append(row)
    book.save(path)
    return path


def test_five_thousand_rows_all_or_nothing_cancel_and_failure(store, tmp_path):
    path = big_ledger(tmp_path / "台账.xlsx", 5000)
    preview = ledger_import.preview_ledger(store, path, today=TODAY)
    assert preview.counts() == {"new": 5000, "existing": 0, "duplicate": 0, "invalid": 0, "skipped": 0}
    before = snapshot(store)
    # a cancel pressed mid-way through the commit: nothing of what was written stays
    seen = []

    def cancel_mid_commit():
        seen.append(1)
        return len(seen) > 40  # past the preview's checks, well inside the writing

    with pytest.raises(ImportCancelled):
        ledger_import.commit_ledger(store, path, cancelled=cancel_mid_commit, today=TODAY)
    assert snapshot(store) == before
    # a failure while writing (the progress report breaks): rolled back as a whole
    def broken_progress(done, total, label):
        if label == "正在导入…" and done >= 2000:
            raise OSError("progress pipe closed")

    with pytest.raises(OSError):
        ledger_import.commit_ledger(store, path, progress=broken_progress, today=TODAY)
    assert snapshot(store) == before
    reports = []
    result = ledger_import.commit_ledger(store, path, progress=lambda d, t, label: reports.append((d, t)), today=TODAY)
    assert result.imported == 5000 and reports[-1] == (5000, 5000)
    with store.read() as s:
        assert s.exec(select(func.count()).select_from(Case)).one() == 5000
        assert audit.verify_chain(s).ok


def test_dry_run_and_refused_run_through_the_cli_leave_the_store_as_it_was(tmp_path, run_cli, township):
    path = merged_header_xlsx(tmp_path / "台账.xlsx")
    with opened(township) as store:
        before = snapshot(store)
    dry = run_cli("--data-dir", township, "import-ledger", path, "--dry-run", "--json")
    assert dry.code == 0 and dry.json["counts"] == {"new": 4, "existing": 0, "duplicate": 0, "invalid": 0, "skipped": 2}
    refused = run_cli("--data-dir", township, "import-ledger", gbk_csv(tmp_path / "台账.csv", ROWS), "--json")
    assert refused.code == 2 and refused.json["ok"] is False and "未导入任何记录" in refused.err
    with opened(township) as store:
        assert snapshot(store) == before
    verify = run_cli("--data-dir", township, "verify", "--json")
    assert verify.code == 0, verify.err


def test_imported_cases_travel_upward_like_any_case(chain, run_cli, tmp_path):
    path = merged_header_xlsx(tmp_path / "台账.xlsx")
    done = run_cli("--data-dir", chain.township, "import-ledger", path, "--json")
    assert done.code == 0 and done.json["imported"] == 4, done.err
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    with opened(chain.county) as county:
        with county.read() as s:
            received = s.exec(select(Case).where(Case.backfill != {})).all()
            assert len(received) == 4 and {c.backfill["file"] for c in received} == {"台账.xlsx"}
            assert s.exec(select(func.count()).select_from(Decision)).one() > 4
        counted = statistics.report(county, statistics.period_from_options(2025), today=TODAY)
    # the county counts the township's 补录 cases by their own dates, like any case it received
    assert {o["code"]: o["indicators"]["filings"] for o in counted["offices"]} == {"T001": 1}


def test_a_commit_reuses_the_preview_only_while_file_and_store_are_unchanged(store, tmp_path):
    path = gbk_csv(tmp_path / "台账.csv", ROWS)
    shown = ledger_import.preview_ledger(store, path, today=TODAY)
    assert shown.counts()["invalid"] == 3
    gbk_csv(path, ROWS[:3])  # the user fixes the file after the preview
    done = ledger_import.commit_ledger(store, path, today=TODAY, preview=shown)
    assert (done.imported, done.skipped_duplicate) == (2, 1)  # read again: the preview was of the old file
    path2 = gbk_csv(tmp_path / "台账2.csv", [["", "2025-05-05", "来信", "孙亮", "石桥村", "酒驾"] + [""] * 7])
    fresh = ledger_import.preview_ledger(store, path2, today=TODAY)
    cases.register_clue(store, {"received_on": "2025-05-05", "source": "信访举报（来信）", "summary": "酒驾",
                                "persons": [{"name": "孙亮", "unit": "石桥村"}]}, today=TODAY)
    again = ledger_import.commit_ledger(store, path2, today=TODAY, preview=fresh)
    assert (again.imported, again.skipped_existing) == (0, 1)  # the store changed since: checked again


def test_a_commit_given_the_preview_it_was_shown_does_not_read_the_file_again(store, tmp_path):
    path = gbk_csv(tmp_path / "台账.csv", ROWS[:3])
    shown = ledger_import.preview_ledger(store, path, today=TODAY)
    asked = []
    done = ledger_import.commit_ledger(store, path, shown.mapping, today=TODAY, preview=shown,
                                       progress=lambda d, t, label: asked.append(label))
    assert done.imported == 2 and "正在检查台账各行…" not in asked and "检查完毕" not in asked


def test_a_reporter_column_left_unmapped_is_dropped_never_written_into_a_note(tmp_path, township):
    # 处理检举控告工作规则第四十七条第一项: 对检举控告人的姓名 … 必须严格保密 — only the sealed 举报人 record holds it
    from app.models import Reporter
    from app.services import accounts

    header = ["收件日期", "线索来源", "反映人", "被反映人", "主要问题", "经办人"]
    path = tmp_path / "台账.csv"
    path.write_text("\n".join([",".join(header), "2025-03-05,来信,刘举报,王建国,优亲厚友,李专干"]) + "\n", encoding="utf-8")
    with opened(township) as admin:
        accounts.add_account(admin, "李专干", "staff", "lizhuangan1")
    staff = unlock.unlock(store_paths(township), "李专干", "lizhuangan1").store
    try:
        with pytest.raises(ImportFileError) as refused:  # staff may not map it …
            ledger_import.preview_ledger(staff, path, today=TODAY)
        assert "只能由书记/管理员导入" in refused.value.message and "不会写入备注" in refused.value.message
        done = ledger_import.commit_ledger(staff, path, {"反映人": ""}, today=TODAY)  # … and 不导入 drops it
    finally:
        staff.close()
    assert done.imported == 1
    with opened(township) as admin:
        shown = cases.show_case(admin, done.case_ids[0])
        with admin.read() as s:
            assert s.exec(select(Reporter)).all() == []
    assert "刘举报" not in json.dumps(shown, ensure_ascii=False) and "经办人：李专干" in shown["backfill"]["note"]


def test_a_reporter_column_mapped_by_an_administrator_is_kept_sealed(store, tmp_path):
    # the 举报人 record is the one place a reporter's name lives, sealed to the role key (docs/STORAGE.md)
    from sqlalchemy import text as sql

    from app.models import Reporter

    path = tmp_path / "台账.csv"
    path.write_text("收件日期,线索来源,反映人,被反映人,主要问题\n2025-03-05,来信,刘举报,王建国,优亲厚友\n", encoding="utf-8")
    done = ledger_import.commit_ledger(store, path, today=TODAY)
    assert done.imported == 1
    with store.read() as s:
        (reporter,) = s.exec(select(Reporter)).all()
        raw = s.execute(sql("SELECT name FROM reporter")).scalar_one()
    assert reporter.name == "刘举报" and raw.startswith("jrk1:") and "刘举报" not in raw
    assert "刘举报" not in json.dumps(cases.show_case(store, done.case_ids[0]), ensure_ascii=False)


def test_each_person_of_a_row_gets_the_sanction_the_ledger_gives_them_and_an_unattributed_one_is_refused(store, tmp_path):
    # a sanction counts against its person in every later 影响期 ([T] 第二十一条) and in the statistics
    filed = ["", "2025-03-09", "网络举报", "周强、吴敏", "长岭村", "违规发放补贴", "初核", "给予处分", "2025-05-06",
             "周强：党内警告；吴敏：政务记过", "2025-08-01", "", ""]
    unclear = ["", "2025-04-01", "来信", "孙亮、李军", "石桥村", "违规领取低保", "初核", "给予处分", "2025-05-10",
               "党内警告", "2025-09-01", "", ""]
    preview = ledger_import.preview_ledger(store, gbk_csv(tmp_path / "台账.csv", [filed, unclear]), today=TODAY)
    assert [(p.row, p.column) for p in preview.invalid] == [(3, "处分种类")]
    assert "孙亮、李军" in preview.invalid[0].reason and "张三：党内警告；李四：政务记过" in preview.invalid[0].reason
    result = ledger_import.commit_ledger(store, gbk_csv(tmp_path / "台账2.csv", [filed]), today=TODAY)
    assert result.imported == 1
    with store.read() as s:
        given = sorted((s.get(Person, x.person_id).name, x.type_id, x.decided_on) for x in s.exec(select(Sanction)).all())
    assert given == [("吴敏", "gov_demerit", date(2025, 8, 1)), ("周强", "party_warning", date(2025, 8, 1))]


def test_a_name_padded_to_three_characters_is_one_person_and_keeps_its_sanction(store, tmp_path):
    # ledgers align a two-character name with three-character ones ("吴  敏", "吴　敏"): that is one
    # person, not 吴 and 敏, and the 处分种类 cell that writes it padded speaks of them
    padded = ["", "2025-03-09", "网络举报", "吴　敏、周  强", "长岭村", "违规发放补贴", "初核", "给予处分", "2025-05-06",
              "吴 敏：政务记过；周强：党内警告", "2025-08-01", "", ""]
    listed = ["", "2025-04-01", "来信", "孙亮 李军", "石桥村", "违规领取低保", "初核", "给予处分", "2025-05-10",
              "孙亮：通报；李军：无", "2025-09-01", "", ""]
    result = ledger_import.commit_ledger(store, gbk_csv(tmp_path / "台账.csv", [padded, listed]), today=TODAY)
    assert result.imported == 2
    with store.read() as s:
        assert sorted(p.name for p in s.exec(select(Person)).all()) == ["吴敏", "周强", "孙亮", "李军"]
        given = sorted((s.get(Person, x.person_id).name, x.type_id) for x in s.exec(select(Sanction)).all())
    assert given == [("吴敏", "gov_demerit"), ("周强", "party_warning"), ("孙亮", "form1_circular")]
