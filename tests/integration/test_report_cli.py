"""`report`, `ledger` and `snapshot` from the command line, on stores filled by `demo-data`."""

from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
import pytest

from app.domain import statistics as stats
from app.paths import store_paths
from app.services import audit_log, ledger, unlock
from tests.integration.conftest import PASSWORD
from tests.integration.statistics_support import copy_records

ROUTES = {"closed_directly": 3, "talk_inquiry_closed": 2, "shelved": 1, "verification_closed": 2,
          "verification_form1": 1, "filed_open": 2, "filed_sanctioned": 2}
FINAL_STEP = {"closed_directly": "archived", "talk_inquiry_closed": "archived", "shelved": "shelved",
              "verification_closed": "archived", "verification_form1": "archived", "filed_open": "investigation",
              "filed_sanctioned": "execution"}
YEAR = 2026


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A township store with demo data, made through the CLI; (data dir, demo-data JSON)."""
    from app import cli

    data = tmp_path_factory.mktemp("demo") / "data"
    spec = data.parent / "spec.json"
    spec.write_text(json.dumps({"year": YEAR, "seed": 11, "routes": ROUTES}), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIANTONG_PASSWORD", PASSWORD)
    try:
        assert cli.run(["--data-dir", str(data), "init", "--office-code", "T001", "--office-name", "青石镇纪委",
                        "--office-abbr", "青石", "--level", "township", "--parent-code", "C01", "--account", "张书记",
                        "--kdf", "fast"]) == 0
        store = unlock.unlock(store_paths(data), None, PASSWORD).store
        try:
            from app.services import demo_data

            made = demo_data.generate(store, json.loads(spec.read_text(encoding="utf-8")))
        finally:
            store.close()
    finally:
        mp.undo()
    return data, made


def test_demo_data_routes_come_back_through_the_indicators(demo, run_cli):
    data, made = demo
    sources = {}
    for route, ids in made.case_ids.items():
        for case_id in ids:
            shown = run_cli("--data-dir", data, "case", "show", case_id, "--json").json
            assert shown["step"]["id"] == FINAL_STEP[route], route
            sources[case_id] = shown["source"]
    assert run_cli("--data-dir", data, "verify", "--json").json["audit_chain"] == "ok"

    result = run_cli("--data-dir", data, "report", "--year", YEAR, "--json")
    assert result.code == 0, result.err
    report = result.json
    assert set(report) >= {"period", "office", "indicators", "offices"} and "rollup" not in report
    assert report["period"] == {"from": "2026-01-01", "to": "2026-12-31", "label": "2026年"}
    assert report["office"] == {"code": "T001", "name": "青石镇纪委", "level": "township"}
    ind = report["indicators"]
    filed = made.case_ids["filed_open"] + made.case_ids["filed_sanctioned"]
    expected = {
        "clues_received": 13, "clues_disposed": 13, "talk_inquiry": 2, "verifications": 7, "filings": 4,
        # a 上级交办 clue the township handles is its own 自办 case (issue 15, the county's way of counting)
        "filings_self": len(filed), "cases_closed": 2,
        "clues_self_discovered": sum(1 for s in sources.values() if s in stats.SELF_DISCOVERED_SOURCES),
        "people_sanctioned": 2, "people_sanctioned_party": 2, "people_sanctioned_gov": 0, "form1": 3, "form2": 2, "form3": 0, "form4": 0,
        "transferred_judicial": 0,
    }
    assert {k: ind[k] for k in expected} == expected
    b = ind["breakdowns"]
    assert b["by_disposition"] == {"初步核实": 7, "予以了结": 3, "谈话函询": 2, "暂存待查": 1}
    assert b["by_sanction_type"] == {"party_warning": 2, "form1_reminder": 1}
    assert sum(b["by_source"].values()) == 13
    assert sum(m["clues_received"] for m in b["monthly"].values()) == 13


def test_report_periods_and_refusals(demo, run_cli):
    data, _ = demo
    quarters = [run_cli("--data-dir", data, "report", "--year", YEAR, "--quarter", q, "--json").json for q in (1, 2, 3, 4)]
    assert sum(q["indicators"]["filings"] for q in quarters) == 4
    assert quarters[2]["period"] == {"from": "2026-07-01", "to": "2026-09-30", "label": "2026年第三季度"}
    custom = run_cli("--data-dir", data, "report", "--year", YEAR, "--from", "2026-01-01", "--to", "2026-12-31", "--json")
    assert custom.json["indicators"]["filings"] == 4
    text = run_cli("--data-dir", data, "report", "--year", YEAR, "--half", 1)
    assert text.code == 0 and text.out.startswith("统计期间：2026年上半年")
    for args, words in [(("--quarter", 1, "--half", 1), "not allowed"), (("--from", "2026-01-01"), "同时给出"),
                        (("--from", "2026-02-30", "--to", "2026-03-01"), "不是有效日期"),
                        (("--from", "2025-12-01", "--to", "2026-01-31"), "2026年之内"), (("--quarter", 5), "invalid choice")]:
        refused = run_cli("--data-dir", data, "report", "--year", YEAR, *args, "--json")
        assert refused.code == 2 and words in refused.err, args


def test_ledger_workbook(demo, run_cli, tmp_path):
    data, _ = demo
    out = tmp_path / "台账.xlsx"
    result = run_cli("--data-dir", data, "ledger", "--year", YEAR, "--out", out, "--json")
    assert result.code == 0, result.err
    assert result.json["rows"] == 13
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [header for _, header, _ in ledger.COLUMNS]
    assert len(rows) == 1 + 13
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == f"A1:W{1 + 13}"
    column = {header: i for i, (_, header, _) in enumerate(ledger.COLUMNS)}
    body = rows[1:]
    assert all(isinstance(r[column["收件日期"]], datetime) for r in body)
    assert [r[column["收件日期"]] for r in body] == sorted(r[column["收件日期"]] for r in body)
    assert ws.cell(row=2, column=column["收件日期"] + 1).number_format == "yyyy-mm-dd"
    assert {r[column["反映人（实名/匿名）"]] for r in body} <= {"实名", "匿名"}
    assert {r[column["处置方式"]] for r in body} == {"初步核实", "予以了结", "谈话函询", "暂存待查"}
    assert all(r[column["是否重复件"]] is None for r in body)  # the demonstration clues are no 重复件
    assert all(r[column["备注"]] == "演示数据" for r in body)
    closed = [r for r in body if r[column["进展状态"]] == "办结归档（已归档）"]
    assert len(closed) == 3 + 2 + 2 + 1 and all(r[column["归档号"]] and r[column["办结日期"]] for r in closed)
    filed = [r for r in body if r[column["进展状态"]].startswith("立案审查调查")]
    assert len(filed) == 2 and all(r[column["办结日期"]] is None for r in filed)
    warned = [r for r in body if "党纪处分：警告（第二种形态）" in (r[column["处置结果"]] or "")]
    assert len(warned) == 2
    # the reporter is 实名 or 匿名, never a name
    with_reporter = _reporter_names(data)
    cells = {str(v) for r in body for v in r if v is not None}
    assert with_reporter and not any(name in cell for name in with_reporter for cell in cells)
    events = _events(data)
    assert any(e.action == "export" and "问题线索台账" in e.summary for e in events)


def _reporter_names(data) -> list[str]:
    from sqlmodel import select

    from app.models import Reporter

    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        with store.read() as s:
            return [r.name for r in s.exec(select(Reporter)).all() if r.name]
    finally:
        store.close()


def _events(data):
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        return audit_log.recent_events(store, 50)
    finally:
        store.close()


def test_ledger_of_an_empty_year_and_bad_targets(demo, run_cli, tmp_path):
    data, _ = demo
    out = tmp_path / "empty.xlsx"
    assert run_cli("--data-dir", data, "ledger", "--year", 2025, "--out", out).code == 0
    assert len(list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))) == 1
    bad = run_cli("--data-dir", data, "ledger", "--year", YEAR, "--out", tmp_path / "x.csv")
    assert bad.code == 2 and ".xlsx" in bad.err
    missing = run_cli("--data-dir", data, "ledger", "--year", YEAR, "--out", tmp_path / "nope" / "x.xlsx")
    assert missing.code == 2 and "不存在" in missing.err
    assert not (tmp_path / "nope").exists()


def test_report_workbook(demo, run_cli, tmp_path):
    data, _ = demo
    out = tmp_path / "报表.xlsx"
    result = run_cli("--data-dir", data, "report", "--year", YEAR, "--quarter", 3, "--out", out, "--json")
    assert result.code == 0, result.err
    assert result.json["path"] == str(out) and result.json["format"] == "xlsx"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["指标", "分类统计"]
    sheet = wb["指标"]
    header = [c.value for c in sheet[4]]
    assert header[:4] == ["单位", "单位代码", "级别", "上级单位代码"]
    assert header[4:] == [label for _, label in (*stats.INDICATORS, *stats.RATIOS)]  # a township: no shares
    quarter = run_cli("--data-dir", data, "report", "--year", YEAR, "--quarter", 3, "--json").json["indicators"]
    assert [c.value for c in sheet[5]][4:] == [quarter[k] for k in (*stats.INDICATOR_KEYS, *stats.RATIO_LABELS)]
    assert "2026年第三季度" in sheet["A2"].value
    forms = wb["分类统计"]
    labels = [r[0] for r in forms.iter_rows(values_only=True) if r and r[0]]
    assert "第一种形态" in labels and "线索来源（件次）" in labels
    refused = run_cli("--data-dir", data, "report", "--year", YEAR, "--out", tmp_path / "r.pdf")
    assert refused.code == 2 and ".xlsx" in refused.err and ".docx" in refused.err
    assert not (tmp_path / "r.pdf").exists()


def _docx_text_and_fonts(path) -> tuple[str, set]:
    from docx import Document as open_docx
    from docx.oxml.ns import qn

    doc = open_docx(str(path))
    lines = [p.text for p in doc.paragraphs]
    lines += [p.text for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs]
    rfonts = list(doc.element.body.iter(qn("w:rFonts"))) + list(doc.styles.element.iter(qn("w:rFonts")))
    assert rfonts and all(el.get(qn("w:eastAsia")) for el in rfonts), "every run property names its East Asian font"
    return "\n".join(lines), {el.get(qn("w:eastAsia")) for el in rfonts}


def _indicator_cells(path) -> dict[str, str]:
    from docx import Document as open_docx

    table = open_docx(str(path)).tables[0]
    return {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}


def test_docx_report_renders_through_the_documents_pipeline(demo, run_cli, tmp_path):
    data, _ = demo
    out = tmp_path / "r.docx"
    result = run_cli("--data-dir", data, "report", "--year", YEAR, "--quarter", 3, "--out", out, "--json")
    assert result.code == 0, result.err
    assert result.json["path"] == str(out) and result.json["format"] == "docx"
    quarter = run_cli("--data-dir", data, "report", "--year", YEAR, "--quarter", 3, "--json").json["indicators"]
    text, fonts = _docx_text_and_fonts(out)
    assert "青石镇纪委2026年第三季度监督执纪工作统计报告" in text
    assert "2026年7月1日至2026年9月30日" in text and "统计范围：本级" in text
    assert "乡镇工作开展情况" not in text  # a township has no rollup
    cells = _indicator_cells(out)
    for key in ("clues_received", "verifications", "filings", "filings_self", "people_sanctioned_party", "form1", "overdue"):
        assert cells[stats.INDICATOR_LABELS[key]] == str(quarter[key]), key
    assert cells["四种形态合计（人次）"] == str(sum(quarter[f"form{i}"] for i in range(1, 5)))
    assert {"仿宋_GB2312", "方正小标宋简体"} <= fonts
    assert not list(tmp_path.glob(".*tmp*"))
    missing = run_cli("--data-dir", data, "report", "--year", YEAR, "--out", tmp_path / "nope" / "r.docx")
    assert missing.code == 2 and "不存在" in missing.err


def test_county_report_and_snapshot_from_the_command_line(demo, run_cli, tmp_path):
    data, _ = demo
    county = tmp_path / "county"
    assert run_cli("--data-dir", county, "init", "--office-code", "C01", "--office-name", "青山县纪委", "--level", "county",
                   "--parent-code", "S01", "--account", "李主任", "--kdf", "fast").code == 0
    source = unlock.unlock(store_paths(data), None, PASSWORD).store
    target = unlock.unlock(store_paths(county), None, PASSWORD).store
    try:
        copy_records(source, target)
    finally:
        source.close()
        target.close()
    report = run_cli("--data-dir", county, "report", "--year", YEAR, "--json").json
    assert [o["code"] for o in report["offices"]] == ["T001"]
    assert report["offices"][0]["indicators"]["filings"] == 4
    assert report["rollup"]["townships_total"] == 1 and report["rollup"]["filings"] == 4
    snap = run_cli("--data-dir", county, "snapshot", "--year", YEAR, "--json")
    assert snap.code == 0, snap.err
    started = [p for p in stats.standard_periods(YEAR) if p.start <= date.today()]
    assert len(snap.json["periods"]) == len(started) and snap.json["written"] == 2 * len(started)
    assert run_cli("--data-dir", county, "snapshot", "--year", YEAR, "--quarter", 1, "--json").json["unchanged"] == 2
    refused = run_cli("--data-dir", data, "snapshot", "--year", YEAR)
    assert refused.code == 2 and "县纪委" in refused.err
    out = tmp_path / "county.docx"
    assert run_cli("--data-dir", county, "report", "--year", YEAR, "--out", out).code == 0
    text, fonts = _docx_text_and_fonts(out)
    assert "青山县纪委2026年监督执纪工作统计报告" in text and "统计范围：各乡镇合计" in text
    rollup = report["rollup"]
    assert "所辖乡镇总数1个" in text
    assert f"有自办立案的乡镇{rollup['townships_with_filing']}个，占{rollup['townships_with_filing_pct']}%" in text
    assert _indicator_cells(out)[stats.RATIO_LABELS["filing_rate_pct"]] == f"{rollup['filing_rate_pct']}%"
    zero = "青石镇纪委" if report["rollup"]["zero_filing_townships"] else "无"
    assert f"零立案乡镇（无自办立案）：{zero}。" in text
    assert _indicator_cells(out)[stats.INDICATOR_LABELS["filings"]] == str(report["rollup"]["filings"]) == "4"
    from docx import Document as open_docx

    offices = open_docx(str(out)).tables[1]
    assert [r.cells[0].text for r in offices.rows] == ["单位", "青山县纪委（本级）", "青石镇纪委"]
    assert offices.rows[2].cells[3].text == "4"
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体"} <= fonts
