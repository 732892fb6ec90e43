"""Issue 15, statistics: the county's way of counting, through real stores and real bundles.

A county hands one clue down by 转办 and one by 交办; the townships register, file and report them
back. They are the townships' own (自办) filings, so neither township is 零立案, unless the county's
setting counts them otherwise. The county's export to the city makes the statistics itself.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from app.domain import clue_sources
from app.domain import statistics as stats
from app.errors import InputError
from app.models import Case, Clue, Setting, StatisticsSnapshot
from app.services import settings, statistics
from app.sync import quarantine
from tests.integration.statistics_support import FILED, TODAY, Walker, make_store
from tests.integration.test_sync_roundtrip import export, fingerprint, init_with_package, ok, opened, pair

COUNTY_PERSON = {"name": "赵德明", "unit": "青石镇农业服务中心", "post": "主任", "category": "乡镇干部"}


class Stick:
    def __init__(self, path: Path):
        self.stick = path


def county_report(run_cli, data: Path, year: int) -> dict:
    return ok(run_cli("--data-dir", data, "report", "--year", year, "--json"))


def hand_down(run_cli, county: Path, township: str, mode: str, tmp_path: Path) -> None:
    clue = tmp_path / f"{township}.json"
    clue.write_text(json.dumps({"received_on": date.today().isoformat(), "source": "信访举报（来信）",
                                "persons": [COUNTY_PERSON], "summary": "反映虚报冒领惠农补贴",
                                "categories": ["违反廉洁纪律"]}, ensure_ascii=False), encoding="utf-8")
    ok(run_cli("--data-dir", county, "transfer", "add", "--to", township, "--file", clue, "--mode", mode, "--json"))


def file_the_handed_down_case(data: Path) -> None:
    """The township files the case its county's transfer became, on today's date."""
    with opened(data) as store:
        with store.read() as s:
            case_id = s.exec(select(Case.id).join(Clue, Clue.id == Case.clue_id)
                             .where(Clue.transferred_from_office_id.is_not(None))).one()
        w = Walker(store, today=date.today())
        w.walk(case_id, *w.dated(FILED, date.today(), step_days=0))


def set_referred_as_self(data: Path, value: bool) -> None:
    with opened(data) as store:
        settings.save(store, replace(settings.load(store), count_referred_as_self=value))


@pytest.fixture
def region(run_cli, tmp_path):
    stick = Stick(tmp_path / "stick")
    stick.stick.mkdir()
    dirs = {code: tmp_path / code for code in ("S01", "C01", "T001", "T002", "T003")}
    ok(run_cli("--data-dir", dirs["S01"], "init", "--office-code", "S01", "--office-name", "江州市纪委", "--level", "city",
               "--account", "管理员", "--kdf", "fast", "--json"))
    init_with_package(run_cli, dirs["S01"], dirs["C01"], "C01", "青山县纪委", "county", stick.stick)
    for code, name in (("T001", "青石镇纪委"), ("T002", "河口乡纪委"), ("T003", "龙泉镇纪委")):
        init_with_package(run_cli, dirs["C01"], dirs[code], code, name, "township", stick.stick)
    # T003 checks a clue of its own (初核) but files nothing
    with opened(dirs["T003"]) as store:
        w = Walker(store, today=date.today())
        w.walk(w.clue(date.today()), ("accept", date.today()), ("to_prelim", date.today()))
    for code in ("T001", "T002", "T003"):
        pair(run_cli, stick, dirs[code], dirs["C01"], code, "C01")
    return dirs, stick


def test_referred_cases_are_the_townships_own_and_the_city_gets_fresh_figures(region, run_cli, tmp_path):
    dirs, stick = region
    year = date.today().year
    # [J] 第十六条第二款 (转送) and 第二十条 (发函交办): the two ways a county hands a complaint down
    hand_down(run_cli, dirs["C01"], "T001", "转办", tmp_path)
    hand_down(run_cli, dirs["C01"], "T002", "交办", tmp_path)
    for code in ("T001", "T002"):
        down = export(run_cli, dirs["C01"], code, stick.stick)
        assert down["snapshots"] is None  # only a bundle to the city makes statistics
        ok(run_cli("--data-dir", dirs[code], "import", down["bundle"], "--json"))
        file_the_handed_down_case(dirs[code])
        up = export(run_cli, dirs[code], "C01", stick.stick)
        ok(run_cli("--data-dir", dirs["C01"], "import", up["bundle"], "--json"))
    with opened(dirs["C01"]) as store:
        with store.read() as s:
            assert s.exec(select(StatisticsSnapshot)).all() == []

    report = county_report(run_cli, dirs["C01"], year)
    rows = {o["code"]: o for o in report["offices"]}
    assert rows["T001"]["indicators"]["breakdowns"]["by_source"] == {clue_sources.TRANSFERRED: 1}
    assert rows["T002"]["indicators"]["breakdowns"]["by_source"] == {clue_sources.ASSIGNED: 1}
    for code in ("T001", "T002"):
        ind = rows[code]["indicators"]
        assert (ind["filings"], ind["filings_self"]) == (1, 1), code
        assert ind["breakdowns"]["filings_by_subject"]["乡镇干部"] == 1
        assert rows[code]["shares"]["filings"] == 50
        # each township counts itself the same way as its county does
        assert county_report(run_cli, dirs[code], year)["indicators"] == ind
    assert rows["T003"]["shares"]["filings"] == 0 and rows["T003"]["shares"]["verifications"] == 33
    r = report["rollup"]
    assert r["zero_filing_townships"] == ["T003"]
    assert (r["townships_with_filing"], r["townships_with_filing_pct"]) == (2, 67)
    assert (r["verifications"], r["filings"], r["filing_rate_pct"]) == (3, 2, 67)
    workbook = tmp_path / "县报表.xlsx"
    ok(run_cli("--data-dir", dirs["C01"], "report", "--year", year, "--out", workbook, "--json"))
    sheet = openpyxl.load_workbook(workbook)["指标"]
    header = [c.value for c in sheet[4]]
    line = next([c.value for c in row] for row in sheet.iter_rows(min_row=5) if row[1].value == "T001")
    assert line[header.index(stats.RATIO_LABELS["filing_rate_pct"])] == 100
    assert line[header.index(dict(stats.SHARES)["filings"])] == 50

    # a county that counts handed-down filings apart (按本地做法)
    set_referred_as_self(dirs["C01"], False)
    other = county_report(run_cli, dirs["C01"], year)
    assert [o["indicators"]["filings_self"] for o in other["offices"]] == [0, 0, 0]
    assert other["rollup"]["zero_filing_townships"] == ["T001", "T002", "T003"]
    assert (other["rollup"]["townships_with_filing"], other["rollup"]["townships_with_filing_pct"]) == (0, 0)

    # no `snapshot` was run: the export to the city makes the statistics, and says so
    up = export(run_cli, dirs["C01"], "S01", stick.stick)
    assert up["snapshots"]["written"] > 0 and {"from": f"{year}-01-01", "to": f"{year}-12-31",
                                              "label": f"{year}-01-01至{year}-12-31"} in up["snapshots"]["periods"]
    first = run_cli("--data-dir", dirs["S01"], "import", up["bundle"], "--json")
    assert first.code == 2 and first.json[0]["code"] == "fingerprint_unconfirmed"
    ok(run_cli("--data-dir", dirs["S01"], "trust", "C01", "--fingerprint", fingerprint(run_cli, dirs["C01"]), "--json"))
    assert quarantine.held(dirs["S01"]) == []
    city = county_report(run_cli, dirs["S01"], year)
    townships = {o["code"]: o for o in city["offices"] if o["level"] == "township"}
    assert {c: t["indicators"] for c, t in townships.items()} == {o["code"]: o["indicators"] for o in other["offices"]}
    assert city["rollup"]["zero_filing_townships"] == ["T001", "T002", "T003"]
    # each township's share of its county, as the county counts: no 自办 filings in the county to share
    assert (townships["T001"]["shares"]["filings"], townships["T001"]["shares"]["filings_self"]) == (50, None)
    again = run_cli("--data-dir", dirs["C01"], "export", "--to", "S01", "--out", stick.stick)
    assert again.code == 0 and "导出前已按本库数据生成上报统计" in again.out and "新增0条" in again.out


def test_a_bad_counting_setting_is_refused_and_a_damaged_one_reads_as_the_default(tmp_path):
    store = make_store(tmp_path / "c", "C07", "东岭县纪委", "county", "S01")
    try:
        current = settings.load(store)
        assert current.count_referred_as_self is True
        with pytest.raises(InputError) as err:
            settings.save(store, replace(current, count_referred_as_self="是"))
        assert err.value.detail["field"] == "count_referred_as_self" and "是或否" in err.value.message
        assert settings.load(store) == current
        with store.write() as s:
            s.add(Setting(key="count_referred_as_self", value="否"))
        assert settings.load(store).count_referred_as_self is True
    finally:
        store.close()


def test_filings_by_subject_category_and_filing_rate_from_real_cases(tmp_path):
    store = make_store(tmp_path / "t", "T008", "白沙乡纪委", "township", "C01")
    try:
        w = Walker(store)
        for i, (category, tokens) in enumerate((("乡镇干部", FILED), ("村（社区）干部", FILED), ("其他党员", FILED),
                                                ("村（社区）干部", ("accept", "to_prelim")))):
            received = date(2026, 3, 2 + 7 * i)
            person = {"name": f"被反映人{i}", "unit": "白沙乡", "category": category}
            source = "自行发现" if i == 0 else "信访举报（来信）"
            w.walk(w.clue(received, source=source, person=person), *w.dated(tokens, date(2026, 3, 3 + 7 * i)))
        ind = statistics.report(store, stats.period_of(2026), today=TODAY)["indicators"]
    finally:
        store.close()
    assert ind["breakdowns"]["filings_by_subject"] == {"乡镇干部": 1, "村干部": 1, "其他": 1}
    assert (ind["verifications"], ind["filings"], ind["filing_rate_pct"]) == (4, 3, 75)
    assert (ind["clues_self_discovered"], ind["self_discovered_pct"]) == (1, 25)
