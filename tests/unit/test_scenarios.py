"""Practice scenarios: the shipped files validate and cover the procedure; broken ones name file, field, reason.

The scenarios of cases with several persons (docs/PRACTICE.md §4.8) are checked by the same parser, with the
persons' own rules: who the clue names, their 政治面貌, 立案 before a closing, the 定性's range, 政务处分法第二十二条.
"""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from app.domain.articles import parse_articles
from app.domain.rules import parse_workflow
from app.domain.sanctions import parse_sanctions
from app.domain.scenarios import GOES_ON, PersonPoint, ScenarioError, parse_answers, parse_scenario, triggered
from app.domain.workflow import CaseState, HistoryEntry

ROOT = Path(__file__).resolve().parents[2]
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
CATALOG = parse_sanctions(tomllib.loads((ROOT / "resources/rules/sanctions.toml").read_text("utf-8")), "sanctions.toml")
ARTICLES = parse_articles(tomllib.loads((ROOT / "resources/rules/articles.toml").read_text("utf-8")), "articles.toml")
FILES = sorted((ROOT / "resources/practice").glob("*.toml"))
RAW = {path.name: tomllib.loads(path.read_text("utf-8")) for path in FILES}
SHIPPED = {name: parse_scenario(data, name, WF, CATALOG, ARTICLES) for name, data in RAW.items()}
BY_ID = {sc.id: sc for sc in SHIPPED.values()}
BASE = "02_gift_money_warning.toml"
TWO = "12_wedding_banquet_two_persons.toml"
THREE = "13_disaster_aid_three_persons.toml"


def broken(edit, name: str = BASE) -> ScenarioError:
    data = copy.deepcopy(RAW[name])
    edit(data)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, name, WF, CATALOG, ARTICLES)
    return err.value


def problems(err: ScenarioError) -> dict[str, str]:
    return {p["field"]: p["problem"] for p in err.detail["problems"]}


def problems_at(err: ScenarioError, field: str) -> list[str]:
    return [p["problem"] for p in err.detail["problems"] if p["field"] == field]


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
    assert "低保" in dibao.clue["summary"] and sanctions_of(dibao) == {"party_serious_warning", "gov_demerit", "form1_return_gains"}
    drunk = BY_ID["drunk_driving_police"]
    assert drunk.clue["source"] == "其他机关移送" and "酒" in drunk.summary
    reception = BY_ID["over_standard_reception"]
    assert {CATALOG.get(t).form for t in sanctions_of(reception)} == {1, 2} and "接待" in reception.title
    assets = BY_ID["collective_assets_expulsion"]
    assert sanctions_of(assets) == {"party_expulsion", "gov_major_demerit", "judicial"} and ("execution", "judicial") in assets.path
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


# ---------------------------------------------------------------- several persons (docs/PRACTICE.md §4.8)


def person(data, entry: int, name: str) -> dict:
    """The raw work for `name` in reference entry `entry` (1-based, as the messages count)."""
    return next(w for w in data["reference"][entry - 1]["persons"] if w["subject"] == name)


def test_every_shipped_file_parses_the_cases_with_several_persons_among_them():
    assert {TWO, THREE} <= set(SHIPPED)
    assert [len(SHIPPED[name].names) for name in (TWO, THREE)] == [2, 3]
    assert all(not sc.person_points for name, sc in SHIPPED.items() if name not in (TWO, THREE))


def test_the_work_for_each_person_and_the_points_about_them_are_read():
    sc = SHIPPED[THREE]
    assert sc.names == ("孙某军", "周某兰", "钱某生")
    work = {(index, w.subject): w for index, e in enumerate(sc.reference, start=1) for w in e.persons}
    assert set(work) == {(3, "钱某生"), (4, "孙某军"), (4, "周某兰"), (7, "孙某军"), (7, "周某兰")}
    assert work[(3, "钱某生")].close == "了结" and work[(3, "钱某生")].reason
    assert dict(work[(4, "周某兰")].particulars) == {"supervision_object": True, "village_manager": True}
    assert work[(4, "周某兰")].supervision_filing and work[(4, "周某兰")].sanctions is None
    assert work[(7, "孙某军")].sanctions == ("party_warning", "gov_warning")
    assert [dict(q) for q in work[(7, "周某兰")].qualification] == [{"article": "G34-1", "plot": "一般"}]
    zhou = sc.point("sanction_zhou")
    assert isinstance(zhou, PersonPoint) and zhou not in sc.points
    assert (zhou.subject, zhou.kind, zhou.expected) == ("周某兰", "sanction", frozenset({"gov_warning"}))
    assert sc.point("qualification_sun").expected == frozenset({"T97:较轻", "G34-1:一般"})  # 第九十七条 is T97
    assert sc.point("outcome_qian").expected == "了结"
    # the points in path order, and in the file's order within a step visit
    assert [p.id for p in sc.all_points] == ["disposition_method", "outcome_qian", "prelim_proposal", "qualification_sun",
                                             "sanction_sun", "qualification_zhou", "sanction_zhou", "route"]
    assert sc.total == 100 == sum(p.points for p in sc.all_points) + sum(r.points for r in sc.required) \
        + sum(d.points for d in sc.documents) + sc.time_points


def test_a_name_not_in_the_clue_is_refused_naming_who_is():
    err = broken(lambda d: person(d, 3, "钱某生").update(subject="李某某"), THREE)
    assert problems(err)["reference[3].persons[1].subject"] == \
        "“李某某”不是本案的被反映人（[[clue.persons]] 中有：孙某军、周某兰、钱某生）"


def test_a_person_is_named_once_in_an_entry_and_needs_a_name():
    def edit(d):
        d["reference"][6]["persons"].append({"subject": "孙某军"})
        d["reference"][3]["persons"].append({"supervision_filing": True})

    found = problems(broken(edit, THREE))
    assert found["reference[7].persons[3].subject"] == "同一项办理中对孙某军只能写一次"
    assert found["reference[4].persons[3].subject"].startswith("缺少此项：写明是对哪一名被反映人")


def test_no_work_for_a_person_after_the_reference_closed_the_case_for_them():
    def edit(d):
        d["reference"][6]["persons"].append({"subject": "钱某生", "sanctions": ["party_warning"]})
        d["points"][1]["step"] = "review"  # outcome_qian, asked when 钱某生 is long closed

    err = broken(edit, THREE)
    assert problems(err)["reference[7].persons[3].subject"] == "参考答案此前已对钱某生办结（了结），之后不能再为其办理"
    assert problems(err)["points[2].subject"] == "参考答案在此之前已对钱某生办结（了结），这个评分点无从作答"


def test_a_closing_must_fit_whether_the_case_is_filed():
    before = broken(lambda d: person(d, 3, "钱某生")["close"].update(outcome="免予处分"), THREE)
    assert problems(before)["reference[3].persons[1].close.outcome"] == \
        "立案前对单个被审查调查人只能：了结；“免予处分”不在其中（分案须另立新案，练习中不办理）"

    def close_zhou(d):
        d["reference"][6]["persons"][1] = {"subject": "周某兰", "close": {"outcome": "了结", "reason": "情节轻微"}}

    after = broken(close_zhou, THREE)
    assert problems(after)["reference[7].persons[2].close.outcome"] == \
        "立案后对单个被审查调查人只能：免予处分、不予处分、撤销案件；“了结”不在其中（分案须另立新案，练习中不办理）"
    no_reason = broken(lambda d: person(d, 3, "钱某生")["close"].pop("reason"), THREE)
    assert problems(no_reason)["reference[3].persons[1].close.reason"] == "缺少此项：写明对其本人办结的理由"


def test_the_last_person_left_cannot_be_closed_on_their_own():
    err = broken(lambda d: d["reference"][2]["persons"].append(
        {"subject": "孙某明", "close": {"outcome": "了结", "reason": "查无实据"}}), TWO)
    assert problems(err)["reference[3].persons[2].close"] == "孙某明是本案仅剩的被审查调查人，请通过本环节的决定办理全案"


def test_a_sanction_outside_the_range_of_the_qualification_is_refused():
    err = broken(lambda d: person(d, 7, "孙某军").update(sanctions=["party_removal", "gov_warning"]), THREE)
    (problem,) = problems_at(err, "reference[7].persons[1].sanctions")
    assert "超出《中国共产党纪律处分条例》第九十七条“情节较轻”的处分幅度" in problem
    gov = broken(lambda d: person(d, 7, "周某兰").update(sanctions=["gov_dismissal"]), THREE)
    assert any("超出《中华人民共和国公职人员政务处分法》第三十四条第一款" in p
               for p in problems_at(gov, "reference[7].persons[2].sanctions"))


def test_a_sanction_needs_a_qualification_and_a_plot_the_article_has():
    bare = broken(lambda d: person(d, 7, "周某兰").pop("qualification"), THREE)
    assert problems_at(bare, "reference[7].persons[2].sanctions") == ["拟给予“政务警告”，须先为其定性（qualification）"]
    plot = broken(lambda d: person(d, 7, "周某兰").update(qualification=[{"article": "G34-1", "plot": "较轻"}]), THREE)
    assert problems(plot)["reference[7].persons[2].qualification 第 1 项"] == \
        "《中华人民共和国公职人员政务处分法》第三十四条第一款的情节只能是：一般、较重、严重；“较轻”不在其中"


def test_a_party_sanction_for_a_person_not_in_the_party_is_refused():
    err = broken(lambda d: person(d, 7, "周某兰").update(sanctions=["party_warning", "gov_warning"]), THREE)
    found = problems_at(err, "reference[7].persons[2].sanctions")
    assert found[0] == "周某兰不是中共党员（政治面貌：群众），不能给予党纪处分（党内警告）"


def test_demotion_or_heavier_for_a_village_committee_member_is_refused():
    err = broken(lambda d: person(d, 7, "周某兰").update(sanctions=["gov_demotion"]), THREE)
    found = problems_at(err, "reference[7].persons[2].sanctions")
    assert "对村（居）委会管理人员不能给予“降级”：监察机关可以予以警告、记过、记大过" \
           "（《中华人民共和国公职人员政务处分法》第二十二条）" in found
    assert any("拟给予的“降级”超出《中华人民共和国公职人员政务处分法》第三十四条第一款的处分幅度（警告、记过、记大过）" in p
               for p in found)


def test_a_supervision_filing_needs_a_supervision_object():
    err = broken(lambda d: person(d, 4, "孙某军").update(particulars={"village_manager": True}), THREE)
    assert problems(err)["reference[4].persons[1].supervision_filing"] == \
        "孙某军未登记为监察对象：请先在 particulars 中写 supervision_object = true"


def test_sanctions_and_qualification_must_name_the_person_in_a_case_with_several():
    def edit(d):
        d["reference"][6]["sanctions"] = ["gov_warning"]
        d["reference"][6]["qualification"] = [{"article": "G34-1", "plot": "一般"}]
        del d["points"][6]["subject"]  # sanction_zhou about nobody in particular

    found = problems(broken(edit, THREE))
    assert found["reference[7].sanctions"] == ("本案有 3 名被反映人（孙某军、周某兰、钱某生），处分或处理要写明对谁："
                                               "请写在 [[reference.persons]] 中（subject = 姓名）")
    assert found["reference[7].qualification"].startswith("本案有 3 名被反映人（孙某军、周某兰、钱某生），定性要写明对谁")
    assert found["points[7].subject"] == "本案有多名被反映人，处分评分点要写明评谁（subject = 姓名）"


def test_a_point_about_a_person_must_expect_their_reference_work():
    def edit(d):
        d["points"][1]["expected"] = GOES_ON
        d["points"][3]["expected"] = [{"article": "第九十七条", "plot": "较轻"}]
        d["points"][6]["expected"] = ["gov_demerit"]

    found = problems(broken(edit, THREE))
    assert found["points[2].expected"] == "与参考答案在该处对钱某生的办理（了结）不一致"
    assert found["points[4].expected"] == "与参考答案在该处对孙某军的定性（reference.persons 的 qualification）不一致"
    assert found["points[7].expected"] == "与参考答案在该处对周某兰录入的处分或处理（reference.persons 的 sanctions）不一致"


def test_a_point_about_a_person_has_a_kind_of_its_own_and_one_slot_per_person():
    def edit(d):
        d["points"][6]["kind"] = "decision"
        d["points"].append({**d["points"][4], "id": "sanction_sun_again"})

    found = problems(broken(edit, THREE))
    assert "不写 subject" in found["points[7].kind"]
    assert found["points[9]"] == "同一环节同一轮次已有一个评孙某军处分或处理的评分点"


def test_point_ids_are_unique_across_the_case_and_the_persons():
    err = broken(lambda d: d["points"][6].update(id="route"), THREE)
    assert problems(err)["points"] == "id 重复：route"


def test_the_persons_problems_are_listed_after_the_others():
    def edit(d):
        person(d, 3, "钱某生")["subject"] = "李某某"
        d["points"][0]["expected"] = "to_prelimm"

    err = broken(edit, THREE)
    fields = [p["field"] for p in err.detail["problems"]]
    assert fields.index("points[1].expected") < fields.index("reference[3].persons[1].subject")
    assert err.message.startswith(f"练习案例文件“{THREE}”有 {len(fields)} 处问题，未能加载：")


def test_an_answers_file_may_name_persons_checked_when_it_runs():
    steps = [{"step": "intake_register", "decide": "accept"}, {"step": "disposition", "decide": "to_prelim"},
             {"step": "prelim_verify", "decide": "propose_filing",
              "persons": [{"subject": "李某某", "close": {"outcome": "了结", "reason": "查无实据"}}]}]
    entries = parse_answers({"steps": steps}, "answers.json", WF, CATALOG, ARTICLES)
    assert [e.persons for e in entries[:2]] == [(), ()]
    (work,) = entries[2].persons
    assert (work.subject, work.close, work.reason) == ("李某某", "了结", "查无实据")  # who is in the case: when it runs
    steps[2]["persons"] = [{"subject": "钱某生", "close": {"outcome": "了解"}, "sanction": ["party_warning"]}]
    with pytest.raises(ScenarioError) as err:
        parse_answers({"steps": steps}, "answers.json", WF, CATALOG, ARTICLES)
    found = problems(err.value)
    assert "sanction" in found["steps[3].persons[1]"]
    assert found["steps[3].persons[1].close.outcome"].startswith("对单个被审查调查人只能：了结、免予处分、不予处分、撤销案件；“了解”不在其中")
    assert found["steps[3].persons[1].close.reason"] == "缺少此项：写明对其本人办结的理由"
