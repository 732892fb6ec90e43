"""County and city reports: townships' records in the county's store, snapshots in the city's.

The stores are filled with `copy_records`, which inserts exactly what a full bundle import does
(tests/integration/statistics_support.py).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from app.domain import statistics as stats
from app.errors import InputError
from app.models import StatisticsSnapshot
from app.services import statistics
from tests.integration.statistics_support import FILED, TODAY, Walker, copy_records, make_store

D = date
YEAR = stats.period_of(2026)


def person(name: str) -> dict:
    return {"name": name, "unit": "某村民委员会", "post": "村委会委员", "category": "村干部"}


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("region")
    stores = {}

    def store(code, name, level, parent):
        stores[code] = make_store(root / code, code, name, level, parent)
        return stores[code]

    store("S01", "临溪市纪委", "city", None)
    c01 = store("C01", "青山县纪委", "county", "S01")
    c02 = store("C02", "白水县纪委", "county", "S01")
    t001 = store("T001", "青石镇纪委", "township", "C01")
    t002 = store("T002", "河口乡纪委", "township", "C01")
    t003 = store("T003", "龙泉镇纪委", "township", "C01")
    t201 = store("T201", "三合镇纪委", "township", "C02")
    w = Walker(t001)  # T001: one 自办 filing in March
    w.walk(w.clue(D(2026, 3, 2), person=person("甲")), *w.dated(FILED, D(2026, 3, 3)))
    w = Walker(t002)  # T002: a filing handed down from above (自办 when handled here, issue 15), and one 初核 only
    w.walk(w.clue(D(2026, 4, 1), source="上级交办", person=person("乙")), *w.dated(FILED, D(2026, 4, 2)))
    w.walk(w.clue(D(2026, 4, 10), person=person("丙")), ("accept", D(2026, 4, 11)), ("to_prelim", D(2026, 4, 12)))
    w = Walker(t201)  # T201: one 自办 filing
    w.walk(w.clue(D(2026, 6, 1), person=person("丁")), *w.dated(FILED, D(2026, 6, 2)))
    w = Walker(c01)  # the county's own case, not part of any township
    w.walk(w.clue(D(2026, 5, 5), person=person("戊")), ("accept", D(2026, 5, 6)), ("to_close", D(2026, 5, 7)))
    for township, county in ((t001, c01), (t002, c01), (t003, c01), (t201, c02)):
        copy_records(township, county)
    yield stores
    for s in stores.values():
        s.close()


def test_county_reports_itself_each_township_and_the_rollup(region):
    report = statistics.report(region["C01"], YEAR, today=TODAY)
    assert report["office"] == {"code": "C01", "name": "青山县纪委", "level": "county"}
    assert (report["indicators"]["clues_received"], report["indicators"]["clues_disposed"]) == (1, 1)
    assert report["indicators"]["filings"] == 0
    rows = {o["code"]: o for o in report["offices"]}
    assert list(rows) == ["T001", "T002", "T003"]
    assert rows["T001"] == {**rows["T001"], "name": "青石镇纪委", "level": "township", "parent_code": "C01"}
    assert (rows["T001"]["indicators"]["filings"], rows["T001"]["indicators"]["filings_self"]) == (1, 1)
    assert (rows["T002"]["indicators"]["filings"], rows["T002"]["indicators"]["filings_self"]) == (1, 1)
    assert rows["T002"]["indicators"]["verifications"] == 2
    assert stats.has_data(rows["T003"]["indicators"]) is False
    r = report["rollup"]
    assert {k: r[k] for k in ("townships_total", "townships_with_verification", "townships_with_filing",
                              "townships_with_filing_pct")} == {"townships_total": 3, "townships_with_verification": 2,
                                                                "townships_with_filing": 2, "townships_with_filing_pct": 67}
    assert r["zero_filing_townships"] == ["T003"]
    assert (r["clues_received"], r["verifications"], r["filings"], r["filings_self"]) == (3, 3, 2, 2)
    assert r["breakdowns"]["by_source"] == {"上级交办": 1, "信访举报（来信）": 2}


def test_a_quarter_without_filings_lists_every_township_as_zero(region):
    r = statistics.report(region["C01"], stats.period_of(2026, quarter=3), today=TODAY)["rollup"]
    assert r["zero_filing_townships"] == ["T001", "T002", "T003"] and r["townships_with_filing_pct"] == 0


def test_snapshots_are_written_once_and_updated_only_on_change(region, tmp_path):
    c01 = region["C01"]
    first = statistics.refresh_snapshots(c01, YEAR.start, YEAR.end, today=TODAY)
    assert (first.written, first.updated, first.unchanged) == (4, 0, 0)
    again = statistics.refresh_snapshots(c01, YEAR.start, YEAR.end, today=TODAY)
    assert (again.written, again.updated, again.unchanged) == (0, 0, 4)
    with c01.read() as s:
        rows = {r.office_code: r for r in s.exec(select(StatisticsSnapshot)).all()}
    assert set(rows) == {"C01", "T001", "T002", "T003"}
    assert all(r.owner_office_id == c01.office.id and r.version == 1 for r in rows.values())
    assert rows["T001"].indicators["filings"] == 1 and rows["T001"].parent_code == "C01"
    assert rows["C01"].level == "county" and rows["C01"].parent_code == "S01"
    with pytest.raises(InputError) as err:
        statistics.refresh_snapshots(region["T001"], YEAR.start, YEAR.end, today=TODAY)
    assert err.value.code == "not_county"


def test_a_later_bundle_updates_the_township_snapshot(tmp_path):
    county = make_store(tmp_path / "c", "C05", "东岭县纪委", "county", "S01")
    township = make_store(tmp_path / "t", "T501", "东岭镇纪委", "township", "C05")
    copy_records(township, county)
    assert statistics.refresh_snapshots(county, YEAR.start, YEAR.end, today=TODAY).written == 2
    w = Walker(township)
    w.walk(w.clue(D(2026, 7, 1), person=person("己")), *w.dated(FILED, D(2026, 7, 2)))
    copy_records(township, county)
    copy_records(township, county)  # the same bundle twice changes nothing more
    result = statistics.refresh_snapshots(county, YEAR.start, YEAR.end, today=TODAY)
    assert (result.written, result.updated, result.unchanged) == (0, 1, 1)
    with county.read() as s:
        row = s.exec(select(StatisticsSnapshot).where(StatisticsSnapshot.office_code == "T501")).one()
    assert row.version == 2 and row.indicators["filings_self"] == 1
    county.close()
    township.close()


def test_city_reports_both_counties_and_their_townships_from_snapshots(region):
    city = region["S01"]
    for code in ("C01", "C02"):
        statistics.refresh_periods(region[code], list(stats.standard_periods(2026)), today=TODAY)
        copy_records(region[code], city, ("office", "statistics_snapshot"))
    report = statistics.report(city, YEAR, today=TODAY)
    assert report["office"] == {"code": "S01", "name": "临溪市纪委", "level": "city"}
    rows = report["offices"]
    assert [(o["code"], o["level"], o["parent_code"]) for o in rows] == [
        ("C01", "county", "S01"), ("C02", "county", "S01"),
        ("T001", "township", "C01"), ("T002", "township", "C01"), ("T003", "township", "C01"),
        ("T201", "township", "C02")]
    c01, c02 = rows[0], rows[1]
    assert c01["indicators"]["clues_disposed"] == 1 and c01["rollup"]["townships_total"] == 3
    assert c01["rollup"]["zero_filing_townships"] == ["T003"]
    assert c02["rollup"]["townships_with_filing_pct"] == 100
    r = report["rollup"]
    assert (r["townships_total"], r["townships_with_filing"], r["townships_with_filing_pct"]) == (4, 3, 75)
    assert r["zero_filing_townships"] == ["T003"]
    assert r["filings"] == 3 and r["filings_self"] == 3
    assert report["warnings"] == []
    q3 = statistics.report(city, stats.period_of(2026, quarter=3), today=TODAY)
    assert [o["code"] for o in q3["offices"] if o["level"] == "county"] == ["C01", "C02"]
    # a period no county forwarded: nothing to show, and the city is told who has not reported
    custom = statistics.report(city, stats.period_of(2026, start=D(2026, 2, 1), end=D(2026, 2, 28)), today=TODAY)
    assert custom["offices"] == [] and custom["rollup"]["townships_total"] == 0
    assert "青山县纪委（C01）" in custom["warnings"][0] and "白水县纪委（C02）" in custom["warnings"][0]


def test_the_city_store_holds_no_case_content(region):
    from app.models import Case, Clue

    with region["S01"].read() as s:
        assert s.exec(select(Clue)).all() == [] and s.exec(select(Case)).all() == []
