"""Practice scenarios: the shipped files validate and cover the procedure; broken ones name file, field, reason."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from app.domain.rules import parse_workflow
from app.domain.sanctions import parse_sanctions
from app.domain.scenarios import ScenarioError, parse_scenario, triggered
from app.domain.workflow import CaseState, HistoryEntry

ROOT = Path(__file__).resolve().parents[2]
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
CATALOG = parse_sanctions(tomllib.loads((ROOT / "resources/rules/sanctions.toml").read_text("utf-8")), "sanctions.toml")
FILES = sorted((ROOT / "resources/practice").glob("*.toml"))
RAW = {path.name: tomllib.loads(path.read_text("utf-8")) for path in FILES}
SHIPPED = {name: parse_scenario(data, name, WF, CATALOG) for name, data in RAW.items()}
BY_ID = {sc.id: sc for sc in SHIPPED.values()}
BASE = "02_gift_money_warning.toml"


def broken(edit, name: str = BASE) -> ScenarioError:
    data = copy.deepcopy(RAW[name])
    edit(data)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, name, WF, CATALOG)
    return err.value


def problems(err: ScenarioError) -> dict[str, str]:
    return {p["field"]: p["problem"] for p in err.detail["problems"]}


def decisions_taken(step_id: str) -> set[str]:
    return {d for sc in SHIPPED.values() for s, d in sc.path if s == step_id}


# ---------------------------------------------------------------- the shipped scenarios


def test_at_least_eight_scenarios_ship_with_unique_ids_and_full_rubrics():
    assert len(SHIPPED) >= 8
    assert len(BY_ID) == len(SHIPPED)
    for name, sc in SHIPPED.items():
        assert sc.total == 100, name
        assert sc.title and sc.summary and sc.version, name
        assert sc.points, name
        for item in (*sc.points, *sc.required, *sc.documents):
            assert item.feedback and item.citation, (name, item)
            assert all(c.startswith("《") for c in item.citation), (name, item)


def test_together_they_cover_every_disposition_and_verification_proposal_and_both_routes():
    assert {d.id for d in WF.steps["disposition"].decisions} <= decisions_taken("disposition")
    assert {d.id for d in WF.steps["prelim_verify"].decisions} <= decisions_taken("prelim_verify")
    assert {"submit_county_review", "submit_county_consult"} <= decisions_taken("review")
    # every one of these is also a scored decision point somewhere, not only a step on the way
    scored = {(p.step, p.expected) for sc in SHIPPED.values() for p in sc.points if p.kind == "decision"}
    for step, decision in [("disposition", d.id) for d in WF.steps["disposition"].decisions] + \
            [("prelim_verify", d.id) for d in WF.steps["prelim_verify"].decisions] + \
            [("review", "submit_county_review"), ("review", "submit_county_consult")]:
        assert (step, decision) in scored, (step, decision)


def test_together_they_cover_the_four_forms():
    forms = set()
    for sc in SHIPPED.values():
        for entry in sc.reference:
            forms |= {CATALOG.get(t).form for t in entry.sanctions or ()}
        if ("talk_inquiry", "accept_closed") in sc.path:
            forms.add(1)  # 谈话函询了结 counts in the first form
    assert forms == {1, 2, 3, 4}


def sanctions_of(sc) -> set[str]:
    return {t for e in sc.reference for t in e.sanctions or ()}


def test_the_common_township_cases_are_there():
    letter = BY_ID["vague_anonymous_letter"]
    assert letter.clue["source"] == "信访举报（来信）" and "reporter" not in letter.clue
    assert ("disposition", "to_close") in letter.path
    assert sanctions_of(BY_ID["gift_money_warning"]) >= {"party_warning"}
    dibao = BY_ID["dibao_favouritism"]
    assert "低保" in dibao.clue["summary"] and sanctions_of(dibao) == {"party_serious_warning", "form1_return_gains"}
    drunk = BY_ID["drunk_driving_police"]
    assert drunk.clue["source"] == "其他机关移送" and "酒" in drunk.summary
    reception = BY_ID["over_standard_reception"]
    assert {CATALOG.get(t).form for t in sanctions_of(reception)} == {1, 2} and "接待" in reception.title
    assets = BY_ID["collective_assets_expulsion"]
    assert sanctions_of(assets) == {"party_expulsion", "judicial"} and ("execution", "judicial") in assets.path
    talk = BY_ID["real_name_talk_closed"]
    assert talk.clue["reporter"]["real_name"] is True and ("talk_inquiry", "accept_closed") in talk.path
    reopened = BY_ID["shelved_reopened"]
    assert ("shelved", "reopen_prelim") in reopened.path
    assert any(f.when.kind == "enter" and f.when.ref == "shelved" for f in reopened.facts)


def test_every_scenario_reveals_facts_as_steps_are_done():
    for name, sc in SHIPPED.items():
        assert any(f.when.kind == "start" for f in sc.facts), name
    kinds = {f.when.kind for sc in SHIPPED.values() for f in sc.facts}
    assert {"start", "enter", "item", "decision"} <= kinds


def test_points_sit_on_the_path_and_expect_the_reference_answer():
    sc = BY_ID["over_standard_reception"]
    review = [i for i, (s, _) in enumerate(sc.path) if s == "review"]
    assert [p.visit for p in sc.points if p.step == "review"] == [review[0], review[0]]
    county = sc.point("county_opinion")
    assert sc.path[county.visit] == ("county_review", "back_to_review")
    assert BY_ID["shelved_reopened"].point("second_proposal").round == 2


def test_a_path_may_end_in_a_step_with_work_of_its_own():
    sc = BY_ID["disposition_shelved"]
    assert sc.end_step == "shelved" and sc.reference[-1].decide == ""
    assert BY_ID["gift_money_warning"].end_step == "archived"


# ---------------------------------------------------------------- facts


def test_facts_appear_when_their_trigger_happens_and_stay():
    sc = BY_ID["shelved_reopened"]
    start = CaseState(step_id="intake_register", entered_on=date(2026, 3, 2))
    assert triggered(sc, start) == ("letter",)
    in_prelim = CaseState(step_id="prelim_verify", entered_on=date(2026, 3, 3),
                          history=(HistoryEntry("intake_register", "accept", date(2026, 3, 2)),
                                   HistoryEntry("disposition", "to_prelim", date(2026, 3, 3))))
    assert "first_check" not in triggered(sc, in_prelim)
    ticked = CaseState(**{**in_prelim.__dict__, "checklist": frozenset({"evidence_collected"})})
    assert "first_check" in triggered(sc, ticked)
    # once the step is left, the item counts from the visit records the service passes in
    later = CaseState(step_id="shelved", entered_on=date(2026, 3, 4),
                      history=in_prelim.history + (HistoryEntry("prelim_verify", "shelve", date(2026, 3, 4)),))
    assert triggered(sc, later, frozenset({"prelim_verify.evidence_collected"})) == ("letter", "first_check", "new_evidence")
    reopened = CaseState(step_id="prelim_verify", entered_on=date(2026, 3, 5),
                         history=later.history + (HistoryEntry("shelved", "reopen_prelim", date(2026, 3, 5)),),
                         fields=MappingProxyType({"prelim_verify@1.finding": "暂无法查实"}))
    assert "second_check" in triggered(sc, reopened)


# ---------------------------------------------------------------- malformed files


def test_an_unknown_step_in_the_reference_names_the_entry():
    err = broken(lambda d: d["reference"][2].update(step="prelim_verfy"))
    assert err.code == "scenario_invalid"
    assert "02_gift_money_warning.toml" in err.message
    assert "prelim_verfy" in problems(err)["reference[3].step"]


def test_a_reference_that_skips_a_step_is_refused():
    err = broken(lambda d: d["reference"].pop(1))
    assert "应在“提出处置意见”" in problems(err)["reference[2].step"]


def test_an_unknown_decision_sanction_or_field_is_refused_with_the_choices():
    def edit(d):
        d["points"][0]["expected"] = "to_investigate"
        d["reference"][6]["sanctions"] = ["party_caution"]
        d["reference"][1]["fields"]["handlr"] = "某"

    found = problems(broken(edit))
    assert "to_investigate" in found["points[1].expected"] and "to_prelim" in found["points[1].expected"]
    assert "party_caution" in found["reference[7].sanctions"]
    assert "handlr" in found["reference[2].fields.handlr"]


def test_a_sanction_the_step_cannot_record_is_refused():
    err = broken(lambda d: d["reference"][6].update(sanctions=["judicial"]))
    assert "不能录入" in problems(err)["reference[7].sanctions"]


def test_a_field_value_outside_its_choices_is_refused():
    err = broken(lambda d: d["reference"][2]["fields"].update(finding="基本属实"))
    assert "不是可选项" in problems(err)["reference[3].fields.finding"]


def test_a_point_must_expect_what_the_reference_does():
    err = broken(lambda d: d["points"][0].update(expected="to_talk"))
    assert "不一致" in problems(err)["points[1].expected"]
    err = broken(lambda d: d["points"][2].update(expected=["party_serious_warning"]))
    assert "不一致" in problems(err)["points[3].expected"]


def test_a_point_off_the_path_is_refused():
    err = broken(lambda d: d["points"][0].update(step="talk_inquiry", expected="accept_closed"))
    assert "永远不会出现" in problems(err)["points[1].step"]


def test_every_point_needs_feedback_and_an_article():
    def edit(d):
        del d["points"][0]["citation"]
        d["points"][1]["feedback"] = " "
        d["points"][2]["citation"] = ["纪律处分条例第十条"]

    found = problems(broken(edit))
    assert found["points[1].citation"] == "缺少此项"
    assert found["points[2].feedback"] == "应为非空文字"
    assert "书名号" in found["points[3].citation"]


def test_an_alternative_equal_to_the_answer_or_worth_more_is_refused():
    def edit(d):
        d["points"][0]["alternatives"][0]["answer"] = "to_prelim"
        d["points"][2]["alternatives"][0]["points"] = 99

    found = problems(broken(edit))
    assert "相同" in found["points[1].alternatives[1].answer"]
    assert "不大于 30" in found["points[3].alternatives[1].points"]


def test_a_misspelt_key_or_trigger_is_reported():
    def edit(d):
        d["points"][0]["feedbak"] = d["points"][0].pop("feedback")
        d["facts"][1]["when"] = {"item": "prelim_verify.evidence"}

    found = problems(broken(edit))
    assert "feedbak" in found["points[1]"]
    assert "evidence" in found["facts[2].when.item"]


def test_required_checks_and_documents_must_name_existing_things_on_the_path():
    def edit(d):
        d["required"][0]["field"] = "township_approval.approver"
        d["required"].append({"id": "x", "title": "谈话", "study": "talk_inquiry", "points": 1, "feedback": "x",
                              "citation": ["《中国共产党纪律检查机关监督执纪工作规则》第三十条"]})
        d["documents"] = [{"template": "no_such_template", "points": 5, "feedback": "x",
                           "citation": ["《中国共产党纪律检查机关监督执纪工作规则》第三十条"]}]

    found = problems(broken(edit))
    assert "approver" in found["required[1].field"]
    assert "不经过" in found["required[2].study"]
    assert "no_such_template" in found["documents[1].template"]


def test_a_clue_outside_the_intake_choices_is_refused():
    err = broken(lambda d: d["clue"].update(source="群众来信", received_days_ago=400))
    found = problems(err)
    assert "群众来信" in found["clue.source"]
    assert "不大于 60" in found["clue.received_days_ago"]


def test_all_problems_are_reported_at_once():
    def edit(d):
        d["scenario"]["id"] = "Gift-Money"
        d["points"][0]["points"] = 0
        d["reference"][0]["decide"] = "acept"

    err = broken(edit)
    assert len(err.detail["problems"]) >= 3
    assert err.message.count("02_gift_money_warning.toml：") == len(err.detail["problems"])
