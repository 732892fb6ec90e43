"""The pure statistics definitions: periods, indicators from plain facts, rollups, rounding."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from app.domain import statistics as stats
from app.domain.errors import DomainError
from app.domain.rules import parse_workflow

ROOT = Path(__file__).resolve().parents[2]
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
D = date
YEAR = stats.period_of(2026)


def clue(case_id: str, received: date, source: str = "自行发现", *, handed_down: bool = False,
         handled_elsewhere: bool = False, categories=("其他",), subject: str = ""):
    return stats.ClueFact(case_id, received, source, tuple(categories), handed_down, handled_elsewhere, subject)


def dec(case_id: str, step: str, decision: str, on: date) -> stats.DecisionFact:
    return stats.DecisionFact(case_id, step, decision, on)


def sanction(case_id: str, type_id: str, kind: str, form: int, on: date, person: str = "p1", category: str = "村干部"):
    return stats.SanctionFact(case_id, person, category, type_id, kind, form, on)


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, start, end, label", [
    ({}, D(2026, 1, 1), D(2026, 12, 31), "2026年"),
    ({"quarter": 1}, D(2026, 1, 1), D(2026, 3, 31), "2026年第一季度"),
    ({"quarter": 2}, D(2026, 4, 1), D(2026, 6, 30), "2026年第二季度"),
    ({"quarter": 4}, D(2026, 10, 1), D(2026, 12, 31), "2026年第四季度"),
    ({"half": 1}, D(2026, 1, 1), D(2026, 6, 30), "2026年上半年"),
    ({"half": 2}, D(2026, 7, 1), D(2026, 12, 31), "2026年下半年"),
    ({"start": D(2026, 2, 28), "end": D(2026, 3, 1)}, D(2026, 2, 28), D(2026, 3, 1), "2026-02-28至2026-03-01"),
])
def test_periods(kwargs, start, end, label):
    p = stats.period_of(2026, **kwargs)
    assert (p.start, p.end, p.label) == (start, end, label)


def test_leap_year_first_quarter_and_months():
    p = stats.period_of(2028, quarter=1)
    assert p.end == D(2028, 3, 31) and p.months() == ("2028-01", "2028-02", "2028-03")
    assert stats.period_of(2026, start=D(2026, 11, 30), end=D(2026, 12, 1)).months() == ("2026-11", "2026-12")


@pytest.mark.parametrize("kwargs, words", [
    ({"quarter": 5}, "季度"),
    ({"half": 3}, "半年"),
    ({"quarter": 1, "half": 1}, "只能选一种"),
    ({"start": D(2026, 1, 1)}, "同时给出"),
    ({"start": D(2026, 3, 1), "end": D(2026, 2, 1)}, "晚于"),
    ({"start": D(2025, 12, 1), "end": D(2026, 1, 31)}, "2026年之内"),
])
def test_bad_periods_say_what_is_wrong(kwargs, words):
    with pytest.raises(DomainError) as err:
        stats.period_of(2026, **kwargs)
    assert err.value.code == "bad_period" and words in err.value.message


def test_standard_periods_are_year_halves_quarters():
    labels = [p.label for p in stats.standard_periods(2026)]
    assert labels == ["2026年", "2026年上半年", "2026年下半年", "2026年第一季度", "2026年第二季度", "2026年第三季度",
                      "2026年第四季度"]


# --- indicators ------------------------------------------------------------------------------


def test_counts_by_decision_date_with_boundaries():
    facts = stats.OfficeFacts(
        clues=(clue("a", D(2025, 12, 30)), clue("b", D(2026, 1, 1)), clue("c", D(2026, 12, 31), handled_elsewhere=True)),
        decisions=(
            dec("a", "disposition", "to_prelim", D(2025, 12, 31)),
            dec("a", "filing", "file", D(2026, 1, 1)),
            dec("b", "disposition", "to_prelim", D(2026, 1, 2)),
            dec("b", "filing", "back_to_prelim", D(2026, 1, 3)),  # a return, not a new 初核
            dec("b", "filing", "file", D(2026, 12, 31)),
            dec("c", "filing", "file", D(2026, 12, 31)),
            dec("c", "disposition", "to_prelim", D(2027, 1, 1)),
        ),
    )
    y25 = stats.compute(facts, stats.period_of(2025), D(2027, 6, 1))
    y26 = stats.compute(facts, YEAR, D(2027, 6, 1))
    assert (y25["clues_received"], y25["clues_disposed"], y25["verifications"], y25["filings"]) == (1, 1, 1, 0)
    assert (y26["clues_received"], y26["clues_disposed"], y26["verifications"], y26["filings"]) == (2, 1, 1, 3)
    assert y26["filings_self"] == 2
    assert y26["breakdowns"]["monthly"]["2026-01"]["filings"] == 1
    assert y26["breakdowns"]["monthly"]["2026-12"]["filings"] == 2


def test_decisions_of_unknown_or_tombstoned_cases_are_ignored():
    facts = stats.OfficeFacts(
        clues=(clue("live", D(2026, 3, 1)),),
        decisions=(dec("gone", "filing", "file", D(2026, 3, 2)), dec("live", "filing", "file", D(2026, 3, 3))),
        sanctions=(sanction("gone", "party_warning", "party", 2, D(2026, 3, 4)),),
        deadlines=(stats.DeadlineFact("gone", "disposition", D(2026, 3, 1), D(2026, 4, 1), None),),
    )
    ind = stats.compute(facts, YEAR, D(2026, 12, 31))
    assert (ind["filings"], ind["people_sanctioned_party"], ind["form2"], ind["overdue"]) == (1, 0, 0, 0)


def test_talk_rounds_are_counted_as_件次_and_closures_as_first_form():
    facts = stats.OfficeFacts(
        clues=(clue("t", D(2026, 2, 1)),),
        decisions=(
            dec("t", "disposition", "to_talk", D(2026, 2, 2)),
            dec("t", "talk_inquiry", "again", D(2026, 2, 20)),
            dec("t", "talk_inquiry", "accept_closed", D(2026, 3, 5)),
        ),
    )
    ind = stats.compute(facts, YEAR, D(2026, 12, 31))
    assert (ind["clues_disposed"], ind["talk_inquiry"], ind["form1"]) == (1, 2, 1)
    assert ind["breakdowns"]["by_disposition"] == {"谈话函询": 1}


def test_person_times_people_and_the_heaviest_form():
    facts = stats.OfficeFacts(
        clues=(clue("x", D(2026, 1, 5)), clue("y", D(2026, 1, 6)), clue("z", D(2026, 1, 7))),
        sanctions=(
            # one person in two cases: one person sanctioned, two person-times
            sanction("x", "party_warning", "party", 2, D(2026, 3, 1), person="p1"),
            sanction("y", "party_serious_warning", "party", 2, D(2026, 4, 1), person="p1"),
            # expulsion and transfer to the judiciary for one person in one case: one person-time, form 4
            sanction("z", "party_expulsion", "party", 3, D(2026, 5, 1), person="p2", category="乡科级"),
            sanction("z", "judicial", "judicial", 4, D(2026, 5, 20), person="p2", category="乡科级"),
            sanction("z", "gov_dismissal", "gov", 3, D(2026, 5, 1), person="p2", category="乡科级"),
            # a sanction that names nobody stands for its case
            sanction("x", "form1_reminder", "form1", 1, D(2026, 6, 1), person=""),
        ),
    )
    ind = stats.compute(facts, YEAR, D(2026, 12, 31))
    assert (ind["people_sanctioned_party"], ind["people_sanctioned_gov"]) == (2, 1)
    # p2 has a 党纪 and a 政务处分: one person in 处分人数, once in each kind (issue 14 §7)
    assert ind["people_sanctioned"] == 2
    assert [ind[f"form{i}"] for i in range(1, 5)] == [1, 2, 0, 1]
    assert ind["breakdowns"]["by_person_category"] == {"乡科级": 1, "村干部": 1}
    assert ind["breakdowns"]["by_sanction_type"]["party_warning"] == 1
    q2 = stats.compute(facts, stats.period_of(2026, quarter=2), D(2026, 12, 31))
    assert [q2[f"form{i}"] for i in range(1, 5)] == [1, 1, 0, 1]


def test_conclusions_and_judicial_transfers():
    facts = stats.OfficeFacts(
        clues=tuple(clue(c, D(2026, 1, 1)) for c in "abcde"),
        decisions=(
            dec("a", "township_approval", "approve", D(2026, 2, 1)),
            dec("b", "county_request", "approved", D(2026, 2, 1)),
            dec("c", "exempt", "done", D(2026, 2, 1)),
            dec("d", "review", "revoke", D(2026, 2, 1)),
            dec("e", "investigation", "revoke", D(2026, 2, 1)),
            dec("a", "judicial_transfer", "done", D(2026, 3, 1)),
            dec("b", "execution", "to_close", D(2026, 3, 1)),  # 办结 after the decision is not a second 结案
        ),
    )
    ind = stats.compute(facts, YEAR, D(2026, 12, 31))
    assert (ind["cases_closed"], ind["transferred_judicial"]) == (5, 1)


@pytest.mark.parametrize("due, met_on, as_of, overdue", [
    (D(2026, 3, 31), None, D(2026, 3, 31), False),  # due that very day: not yet overdue
    (D(2026, 3, 30), None, D(2026, 3, 31), True),
    (D(2026, 3, 30), D(2026, 3, 31), D(2026, 3, 31), False),  # met (late) by the end
    (D(2026, 3, 30), D(2026, 4, 1), D(2026, 3, 31), True),  # met only after the end
])
def test_overdue_at_the_end(due, met_on, as_of, overdue):
    fact = stats.DeadlineFact("a", "disposition", D(2026, 3, 1), due, met_on)
    assert stats.overdue_at(fact, as_of) is overdue


def test_overdue_is_judged_at_today_when_the_period_has_not_ended():
    facts = stats.OfficeFacts(clues=(clue("a", D(2026, 3, 1)),),
                              deadlines=(stats.DeadlineFact("a", "disposition", D(2026, 3, 1), D(2026, 4, 1), None),))
    assert stats.compute(facts, YEAR, D(2026, 4, 1))["overdue"] == 0
    assert stats.compute(facts, YEAR, D(2026, 4, 2))["overdue"] == 1


def test_empty_facts_give_zeros_and_every_month():
    ind = stats.empty_indicators(stats.period_of(2026, half=2))
    assert all(ind[k] == 0 for k in stats.INDICATOR_KEYS)
    assert list(ind["breakdowns"]["monthly"]) == [f"2026-{m:02d}" for m in range(7, 13)]
    assert not stats.has_data(ind)


# --- rollups -----------------------------------------------------------------------------------


@pytest.mark.parametrize("part, whole, pct", [
    (1, 8, 13), (3, 8, 38), (1, 3, 33), (2, 3, 67), (1, 200, 1), (1, 201, 0), (5, 5, 100), (0, 7, 0), (0, 0, 0),
])
def test_percent_rounds_half_up(part, whole, pct):
    assert stats.percent_half_up(part, whole) == pct


def test_rollup_over_townships():
    def ind(**values):
        return {**dict.fromkeys(stats.INDICATOR_KEYS, 0), **values,
                "breakdowns": {"by_source": {k: 1 for k in values.get("sources", ())}}}

    rows = [
        ("T1", ind(verifications=2, filings=1, filings_self=1, sources=("自行发现",))),
        ("T2", ind(verifications=1, filings=2, filings_self=0, sources=("自行发现", "巡察移交"))),
        ("T3", ind()),
        ("T0", ind(verifications=1)),
        ("T4", ind(filings=1, filings_self=1)),
        ("T5", ind()), ("T6", ind()), ("T7", ind()),
    ]
    r = stats.rollup(rows)
    assert r["townships_total"] == 8
    assert r["townships_with_verification"] == 3
    # the same measure as 零立案: T2 has 立案 but no 自办 立案
    assert r["townships_with_filing"] == 2
    assert r["townships_with_filing_pct"] == 25
    assert r["zero_filing_townships"] == ["T0", "T2", "T3", "T5", "T6", "T7"]
    assert (r["filings"], r["filings_self"], r["verifications"]) == (4, 2, 4)
    assert r["breakdowns"]["by_source"] == {"自行发现": 2, "巡察移交": 1}


def test_rollup_of_no_townships():
    r = stats.rollup([])
    assert (r["townships_total"], r["townships_with_filing_pct"], r["zero_filing_townships"]) == (0, 0, [])
    assert all(r[k] == 0 for k in stats.INDICATOR_KEYS)


def test_ranking_shares_places_on_ties():
    rows = [("A", {"filings": 2}), ("B", {"filings": 3}), ("C", {"filings": 2}), ("D", {"filings": 0}),
            ("E", {"filings": 2, "filings_self": 1})]
    assert stats.ranking(rows) == {"B": 1, "E": 2, "A": 3, "C": 3, "D": 5}


# --- the counted decisions are the shipped workflow's ----------------------------------------


def test_every_counted_decision_exists_and_means_what_it_is_counted_as():
    for step_id, decision_id in stats.COUNTED_DECISIONS:
        assert WF.steps[step_id].decision(decision_id) is not None, (step_id, decision_id)

    def target(pair):
        return WF.steps[pair[0]].decision(pair[1]).target

    assert {target(p) for p in stats.TALK_STARTS} == {"talk_inquiry"}
    assert {target(p) for p in stats.VERIFICATION_STARTS} == {"prelim_verify"}
    assert all("filed" in WF.steps[s].decision(d).sets_events for s, d in stats.FILINGS)
    assert {target(p) for p in stats.TALK_CLOSURES} == {"close_feedback"}
    assert {s for s, _ in stats.JUDICIAL_TRANSFERS} == {"judicial_transfer"}
    for s, d in stats.CONCLUSIONS:
        rule = WF.steps[s].decision(d)
        assert {"decided", "case_revoked"} & set(rule.sets_events) or s == "exempt", (s, d)


def test_every_way_into_talks_and_checks_is_classified():
    """A rules change that adds a way into 谈话函询 or 初步核实 must be classified here too."""
    into: dict[str, set] = {"talk_inquiry": set(), "prelim_verify": set()}
    for step in WF.steps.values():
        for d in step.decisions:
            if d.target in into:
                into[d.target].add((step.id, d.id))
    assert into["talk_inquiry"] == stats.TALK_STARTS
    assert into["prelim_verify"] == stats.VERIFICATION_STARTS | {("filing", "back_to_prelim")}
    assert {d.id for d in WF.steps[stats.DISPOSITION_STEP].decisions} == set(stats.DISPOSITION_METHODS)
