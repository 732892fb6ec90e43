"""Issue 15, statistics: the county's way of counting 自办, persons and forms, and the new measures
(成案率, 立案 by subject category, 自主发现 share, a township's share of the county's totals)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from app.domain import clue_sources, subjects
from app.domain import statistics as stats

ROOT = Path(__file__).resolve().parents[2]
D = date
YEAR = stats.period_of(2026)
QUARTERS = [stats.period_of(2026, quarter=q) for q in (1, 2, 3, 4)]


def clue(case_id: str, source: str = "信访举报（来信）", *, handed_down: bool = False, handled_elsewhere: bool = False,
         subject: str = "") -> stats.ClueFact:
    return stats.ClueFact(case_id, D(2026, 1, 5), source, (), handed_down, handled_elsewhere, subject)


def filed(case_id: str, on: date = D(2026, 2, 1)) -> stats.DecisionFact:
    return stats.DecisionFact(case_id, "filing", "file", on)


def checked(case_id: str, on: date = D(2026, 1, 20)) -> stats.DecisionFact:
    return stats.DecisionFact(case_id, "disposition", "to_prelim", on)


def sanction(case_id: str, type_id: str, kind: str, form: int, on: date, person: str = "p1") -> stats.SanctionFact:
    return stats.SanctionFact(case_id, person, "乡镇干部", type_id, kind, form, on)


def shipped_sources() -> list[str]:
    rules = tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8"))
    field = next(f for f in rules["steps"]["intake_register"]["fields"] if f["id"] == "source")
    return field["choices"]


# --- 自办: cases referred by the county are the township's own when it handles them ------------


def test_referred_and_assigned_clues_handled_here_are_self_filings_by_default():
    facts = stats.OfficeFacts(
        clues=(clue("own"), clue("zb", clue_sources.TRANSFERRED, handed_down=True),
               clue("jb", clue_sources.ASSIGNED, handed_down=True),
               # passed on by this office (办理方式 转办, or a transfer down): never its 自办
               clue("away", handled_elsewhere=True)),
        decisions=tuple(filed(c) for c in ("own", "zb", "jb", "away")),
    )
    ind = stats.compute(facts, YEAR, D(2026, 12, 31))
    assert (ind["filings"], ind["filings_self"]) == (4, 3)


def test_a_county_that_counts_otherwise_leaves_referred_filings_out_of_self():
    facts = stats.OfficeFacts(clues=(clue("own"), clue("zb", clue_sources.TRANSFERRED, handed_down=True)),
                              decisions=(filed("own"), filed("zb")))
    ind = stats.compute(facts, YEAR, D(2026, 12, 31), referred_as_self=False)
    assert (ind["filings"], ind["filings_self"]) == (2, 1)


def test_both_spellings_of_handed_down_are_the_ones_the_rules_offer():
    assert stats.FROM_ABOVE_SOURCES == clue_sources.FROM_ABOVE
    assert stats.FROM_ABOVE_SOURCES <= set(shipped_sources())
    assert stats.SELF_DISCOVERED_SOURCES <= set(shipped_sources())


def test_townships_with_filing_uses_the_same_measure_as_zero_filing():
    def ind(filings: int, own: int) -> dict:
        return {**dict.fromkeys(stats.INDICATOR_KEYS, 0), "filings": filings, "filings_self": own}

    r = stats.rollup([("T1", ind(2, 2)), ("T2", ind(1, 0)), ("T3", ind(0, 0))])
    assert r["zero_filing_townships"] == ["T2", "T3"]
    assert r["townships_with_filing"] == 1 == r["townships_total"] - len(r["zero_filing_townships"])
    assert r["townships_with_filing_pct"] == 33


# --- persons and forms -------------------------------------------------------------------------


def test_a_person_with_a_party_and_a_gov_sanction_counts_once_in_the_period_of_the_first():
    facts = stats.OfficeFacts(
        clues=(clue("x"),),
        sanctions=(sanction("x", "party_warning", "party", 2, D(2026, 3, 20)),
                   sanction("x", "gov_demerit", "gov", 2, D(2026, 4, 10))),
    )
    q1, q2 = (stats.compute(facts, q, D(2026, 12, 31)) for q in QUARTERS[:2])
    year = stats.compute(facts, YEAR, D(2026, 12, 31))
    assert (year["people_sanctioned"], year["people_sanctioned_party"], year["people_sanctioned_gov"]) == (1, 1, 1)
    assert (q1["people_sanctioned"], q2["people_sanctioned"]) == (1, 0)
    assert (q1["people_sanctioned_party"], q2["people_sanctioned_gov"]) == (1, 1)


def test_a_form_counts_in_the_period_of_the_decision_that_settles_it_so_quarters_add_up():
    # 《中国共产党纪律处分条例》第五条 (四种形态): one person-time, at the heaviest form; here 开除党籍 in
    # Q2 and 移送司法 in Q3 make one person-time of the fourth form, in Q3 only.
    facts = stats.OfficeFacts(
        clues=(clue("z"), clue("y")),
        sanctions=(sanction("z", "party_expulsion", "party", 3, D(2026, 6, 20)),
                   sanction("z", "judicial", "judicial", 4, D(2026, 7, 3)),
                   sanction("y", "form1_reminder", "form1", 1, D(2026, 2, 1), person="p2"),
                   sanction("y", "party_warning", "party", 2, D(2026, 5, 1), person="p2")),
    )
    year = stats.compute(facts, YEAR, D(2026, 12, 31))
    quarters = [stats.compute(facts, q, D(2026, 12, 31)) for q in QUARTERS]
    assert [year[f"form{i}"] for i in range(1, 5)] == [0, 1, 0, 1]
    assert [[q[f"form{i}"] for i in range(1, 5)] for q in quarters] == [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1],
                                                                         [0, 0, 0, 0]]
    for key in stats.INDICATOR_KEYS:
        if key != "overdue":
            assert sum(q[key] for q in quarters) == year[key], key


# --- new measures ------------------------------------------------------------------------------


def test_filing_rate_is_filings_over_checks_and_undefined_without_checks():
    facts = stats.OfficeFacts(clues=tuple(clue(c) for c in "abc"),
                              decisions=(checked("a"), checked("b"), checked("c"), filed("a"), filed("b")))
    assert stats.compute(facts, YEAR, D(2026, 12, 31))["filing_rate_pct"] == 67
    assert stats.empty_indicators(YEAR)["filing_rate_pct"] is None


def test_filings_by_subject_category():
    assert {"乡镇干部", "村（社区）干部"} <= set(subjects.PERSON_CATEGORIES)
    facts = stats.OfficeFacts(
        clues=(clue("a", subject="乡镇干部"), clue("b", subject="村（社区）干部"), clue("c", subject="村干部"),
               clue("d", subject="事业单位管理人员"), clue("e"), clue("f", subject="乡镇干部")),
        decisions=tuple(filed(c) for c in "abcde"),  # f is not filed
    )
    by_subject = stats.compute(facts, YEAR, D(2026, 12, 31))["breakdowns"]["filings_by_subject"]
    assert by_subject == {"乡镇干部": 1, "村干部": 2, "其他": 2}


def test_self_discovered_share_of_clues_received():
    facts = stats.OfficeFacts(clues=(clue("a", "自行发现"), clue("b"), clue("c"), clue("d", "巡察移交")))
    ind = stats.compute(facts, YEAR, D(2026, 12, 31))
    assert (ind["clues_self_discovered"], ind["self_discovered_pct"]) == (1, 25)


def test_ratios_of_a_rollup_are_recomputed_from_the_sums_not_added():
    def ind(checks: int, filings: int) -> dict:
        return stats.with_ratios({**dict.fromkeys(stats.INDICATOR_KEYS, 0), "verifications": checks, "filings": filings})

    rows = [("T1", ind(1, 1)), ("T2", ind(3, 0))]
    assert [r["filing_rate_pct"] for _, r in rows] == [100, 0]
    assert stats.rollup(rows)["filing_rate_pct"] == 25
    assert "filing_rate_pct" not in stats.add({}, rows[0][1])  # a percent is never summed


def test_a_townships_share_of_the_county_totals():
    def ind(**values) -> dict:
        return {**dict.fromkeys(stats.INDICATOR_KEYS, 0), **values}

    rows = [("T1", ind(clues_received=3, filings=1)), ("T2", ind(clues_received=5, filings=0)), ("T3", ind())]
    totals = stats.rollup(rows)
    share = stats.shares(rows[0][1], totals)
    assert share["clues_received"] == 38 and share["filings"] == 100
    assert share["people_sanctioned"] is None  # nothing to share in the county
    assert set(share) == {k for k, _ in stats.SHARES}


@pytest.mark.parametrize("key", [k for k, _ in stats.RATIOS])
def test_every_ratio_names_its_parts_among_the_indicators(key):
    part, whole = stats.RATIO_PARTS[key]
    assert {part, whole} <= set(stats.INDICATOR_KEYS)
