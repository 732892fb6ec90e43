"""Indicators of a hand-built township store against hand-counted expectations.

The cases are walked through the real services on chosen dates; the expectations below were
counted by hand from those dates (see the comment on each case).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from app.domain import statistics as stats
from app.models import Case, Clue, Sanction
from app.services import statistics
from tests.integration.statistics_support import FILED, TODAY, Walker, make_store

D = date


def person(name: str, category: str = "村干部") -> dict:
    return {"name": name, "unit": "青石村民委员会", "post": "村委会委员", "category": category, "political_status": "中共党员"}


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    store = make_store(tmp_path_factory.mktemp("stats") / "t", "T001", "青石镇纪委", "township", "C01")
    w = Walker(store)
    # A: filed on 2025-12-31 (counts in 2025, not in 2026).
    a = w.clue(D(2025, 12, 20), person=person("甲"))
    w.walk(a, ("accept", D(2025, 12, 22)), ("to_prelim", D(2025, 12, 29)), ("propose_filing", D(2025, 12, 30)),
           ("file", D(2025, 12, 31)))
    # B: received and disposed in 2025, filed 2026-01-01, decided (警告) 2026-04-02; a withdrawn
    # 严重警告 leaves a tombstoned sanction row behind.
    b = w.clue(D(2025, 12, 28), source="信访举报（电话）", person=person("乙", "乡科级"))
    w.walk(b, ("accept", D(2025, 12, 28)), ("to_prelim", D(2025, 12, 29)), ("propose_filing", D(2025, 12, 31)),
           ("file", D(2026, 1, 1)), ("transfer_review", D(2026, 1, 10)), ("accept", D(2026, 1, 12)),
           "+party_serious_warning", "-party_serious_warning", "+party_warning",
           ("submit_county_review", D(2026, 1, 15)), ("to_branch", D(2026, 1, 20)),
           ("to_township_approval", D(2026, 1, 25)), ("approve", D(2026, 4, 2)))
    # C: handed down from above (上级交办) and handled here: filed 2026-03-01, 自办 by the county's way of counting.
    c = w.clue(D(2026, 2, 10), source="上级交办", person=person("丙"))
    w.walk(c, ("accept", D(2026, 2, 11)), ("to_prelim", D(2026, 2, 12)), ("propose_filing", D(2026, 2, 13)),
           ("file", D(2026, 3, 1)))
    # D: two 谈话函询 rounds in Q1, 采信了结 on 2026-04-05 (first form, Q2).
    d = w.clue(D(2026, 2, 15), source="巡察移交", person=person("丁"), categories=("违反廉洁纪律", "违反工作纪律"))
    w.walk(d, ("accept", D(2026, 2, 16)), ("to_talk", D(2026, 2, 20)), ("again", D(2026, 3, 10)),
           ("accept_closed", D(2026, 4, 5)))
    # E: received 01-05, filed 01-09, then tombstoned: counts nowhere.
    e = w.clue(D(2026, 1, 5), source="自行发现", person=person("戊"))
    w.walk(e, *w.dated(FILED, D(2026, 1, 6)))
    # F: 开除党籍 decided 2026-05-20 and 移送司法 2026-06-01: one person-time of the fourth form.
    f = w.clue(D(2026, 5, 4), source="信访举报（来访）", person=person("己", "一般干部"))
    w.walk(f, *w.dated(FILED, D(2026, 5, 5)), ("transfer_review", D(2026, 5, 10)), ("accept", D(2026, 5, 11)),
           "+party_expulsion", ("submit_county_consult", D(2026, 5, 12)), ("to_branch", D(2026, 5, 13)),
           ("to_county_request", D(2026, 5, 14)), ("agreed", D(2026, 5, 15)), ("approved", D(2026, 5, 20)), ("to_execution", D(2026, 5, 21)),
           ("judicial", D(2026, 5, 25)), "+judicial", ("done", D(2026, 6, 1)))
    # G: 予以了结 in March.
    g = w.clue(D(2026, 3, 20), person=person("庚"))
    w.walk(g, ("accept", D(2026, 3, 21)), ("to_close", D(2026, 3, 25)))
    # H: 初核 then 谈话提醒 (first form) on 2026-06-25.
    h = w.clue(D(2026, 6, 10), person=person("辛"))
    w.walk(h, ("accept", D(2026, 6, 11)), ("to_prelim", D(2026, 6, 12)), ("remind", D(2026, 6, 20)), "+form1_reminder",
           ("done", D(2026, 6, 25)))
    with store.write() as s:
        case = s.get(Case, e)
        case.deleted = True
        s.get(Clue, case.clue_id).deleted = True
    yield store
    store.close()


def indicators(store, **period) -> dict:
    year = period.pop("year")
    return statistics.report(store, statistics.period_from_options(year, **period), today=TODAY)["indicators"]


def counts(ind: dict) -> dict:
    return {k: ind[k] for k in stats.INDICATOR_KEYS}


ZERO = dict.fromkeys(stats.INDICATOR_KEYS, 0)


def test_2025_counts_the_filing_of_12_31_and_the_clues_received_then(township):
    ind = indicators(township, year=2025)
    assert counts(ind) == {**ZERO, "clues_received": 2, "clues_disposed": 2, "verifications": 2, "filings": 1,
                           "filings_self": 1}
    assert ind["breakdowns"]["by_source"] == {"信访举报（来信）": 1, "信访举报（电话）": 1}
    assert ind["breakdowns"]["by_disposition"] == {"初步核实": 2}
    assert ind["breakdowns"]["monthly"]["2025-12"] == {"clues_received": 2, "clues_disposed": 2, "filings": 1}


def test_first_quarter_2026(township):
    ind = indicators(township, year=2026, quarter=1)
    assert counts(ind) == {**ZERO, "clues_received": 3, "clues_disposed": 3, "talk_inquiry": 2, "verifications": 1,
                           "filings": 2, "filings_self": 2}
    b = ind["breakdowns"]
    assert b["by_disposition"] == {"予以了结": 1, "初步核实": 1, "谈话函询": 1}
    assert b["by_category"] == {"违反群众纪律": 2, "违反工作纪律": 1, "违反廉洁纪律": 1}
    assert list(b["monthly"]) == ["2026-01", "2026-02", "2026-03"]
    assert b["monthly"]["2026-01"]["filings"] == 1 and b["monthly"]["2026-03"]["filings"] == 1


def test_second_quarter_2026_sanctions_and_forms(township):
    ind = indicators(township, year=2026, quarter=2)
    assert counts(ind) == {**ZERO, "clues_received": 2, "clues_disposed": 2, "verifications": 2, "filings": 1,
                           "filings_self": 1, "cases_closed": 2, "people_sanctioned": 2, "people_sanctioned_party": 2, "form1": 2, "form2": 1,
                           "form4": 1, "transferred_judicial": 1,
                           # on 06-30: B's announcement (due 05-06 after the May holiday) and C's 上级交办
                           # three months (due 05-11, a Monday) are running past due
                           "overdue": 2}
    b = ind["breakdowns"]
    assert b["by_sanction_type"] == {"form1_reminder": 1, "judicial": 1, "party_expulsion": 1, "party_warning": 1}
    assert b["by_person_category"] == {"一般干部": 1, "乡科级": 1}


def test_the_year_is_the_sum_of_its_quarters(township):
    year = indicators(township, year=2026)
    quarters = [indicators(township, year=2026, quarter=q) for q in (1, 2, 3, 4)]
    total = {}
    for q in quarters:
        total = stats.add(total, q)
    for key in stats.INDICATOR_KEYS:
        if key != "overdue":  # judged at each period's end, not additive
            assert year[key] == total[key], key
    assert counts(year)["filings"] == 3 and year["filings_self"] == 3
    halves = [indicators(township, year=2026, half=h) for h in (1, 2)]
    assert halves[0]["filings"] == 3 and halves[1]["filings"] == 0


def test_custom_days_on_each_side_of_new_year(township):
    assert indicators(township, year=2025, date_from="2025-12-31", date_to="2025-12-31")["filings"] == 1
    assert indicators(township, year=2026, date_from="2026-01-01", date_to="2026-01-01")["filings"] == 1
    assert indicators(township, year=2026, date_from="2026-01-02", date_to="2026-02-28")["filings"] == 0


def test_tombstoned_rows_are_present_but_never_counted(township):
    with township.read() as s:
        dead_sanctions = s.exec(select(Sanction).where(Sanction.deleted == True)).all()  # noqa: E712
        dead_cases = s.exec(select(Case).where(Case.deleted == True)).all()  # noqa: E712
    assert [x.type_id for x in dead_sanctions] == ["party_serious_warning"]
    assert len(dead_cases) == 1 and dead_cases[0].filed_on == D(2026, 1, 9)
    january = indicators(township, year=2026, date_from="2026-01-02", date_to="2026-01-31")
    assert counts(january) == ZERO


def test_a_township_reports_only_itself(township):
    report = statistics.report(township, statistics.period_from_options(2026), today=TODAY)
    assert report["office"] == {"code": "T001", "name": "青石镇纪委", "level": "township"}
    assert report["period"]["from"] == "2026-01-01" and report["period"]["to"] == "2026-12-31"
    assert "rollup" not in report and report["offices"] == []


def test_overdue_is_judged_at_each_periods_end(tmp_path):
    store = make_store(tmp_path / "o", "T009", "白沙乡纪委", "township", "C01")
    w = Walker(store)
    # Registered 03-02: the disposition is due within one month (2026-04-02) and is made on 07-10.
    case = w.clue(D(2026, 3, 2), person=person("壬"))
    w.walk(case, ("accept", D(2026, 3, 2)))

    def overdue(**period) -> int:
        return indicators(store, **period)["overdue"]

    assert overdue(year=2026, quarter=1) == 0  # not yet due on 03-31
    assert overdue(year=2026, quarter=2) == 1  # past due on 06-30
    w.walk(case, ("to_prelim", D(2026, 7, 10)))
    assert overdue(year=2026, quarter=2) == 1  # still overdue at 06-30: met only on 07-10
    assert overdue(year=2026, quarter=3) == 0  # met (late) before 09-30
    assert overdue(year=2026, date_from="2026-04-03", date_to="2026-07-09") == 1
    store.close()
