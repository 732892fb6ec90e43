"""Smaller corrections of the shipped procedure (issue 15, item 12), each against its article."""

from __future__ import annotations

from datetime import date

from app.domain.workflow import RecordSanction, SetFields

from tests.unit.shipped_rules import WF
from tests.unit.test_workflow_engine import Case, _to_branch_meeting, _to_review, codes, to_step


def test_the_inquiry_reply_runs_15_working_days_from_receipt_not_from_sending():
    # [R] 第二十九条：被函询人应当在收到函件后15个工作日内写出说明材料
    case = Case()
    to_step(case, "accept", "to_talk")
    case.today = date(2026, 3, 16)
    case.ok(SetFields({"method": "函询", "letter_sent_on": "2026-03-09"}))
    assert "inquiry_reply" not in {d.id for d in case.view().deadlines if d.due}
    case.ok(SetFields({"letter_received_on": "2026-03-12"}))
    due = {d.id: d for d in case.view().deadlines}["inquiry_reply"].due
    assert due == date(2026, 4, 2)  # 15 working days from Thursday 03-12 (no holiday in between)


def test_not_accepting_a_complaint_needs_the_secretarys_approval():
    # [J] 第十七条第一款：没有实质内容的检举控告 … 经本机关分管领导批准后 …
    decision = next(d for d in WF.steps["intake_register"].decisions if d.id == "not_accept")
    assert "approval" in decision.requires and decision.approver_role == "乡镇纪委书记"
    assert "行政裁决" in decision.help  # [J] 第十三条第一款第一项


def test_the_party_committee_approves_only_after_the_organisation_department_was_asked():
    # [R] 第五十六条第一款：需报同级党委审批的，应当在报批前 … 征求同级党委组织部门和被审查调查人所在党委（党组）意见
    case = Case()
    _to_branch_meeting(case, "party_removal")
    case.go("to_township_approval", eligible=9, present=8, in_favour=7)
    case.prepare(approver_body="乡镇党委", opinions_sought_on=None)
    refused = case.decide("approve")
    assert not refused.ok and "征求组织部门和所在党组织意见日期" in " ".join(p.message for p in refused.problems)
    case.ok(SetFields({"opinions_sought_on": case.today.isoformat()}))
    assert case.decide("approve").ok


def test_the_announcement_is_to_the_branchs_members_and_the_person():
    # [T] 第四十四条：向受处分党员所在党的基层组织中的全体党员及其本人宣布，是领导班子成员的还应当向所在党组织领导班子宣布
    guidance = WF.steps["announce"].guidance
    assert "全体党员" in guidance.what and "领导班子" in guidance.what
    assert "第二十条" in guidance.how  # [P] 第二十条第一款第五项: 基层纪委批准的 报同级基层党委备案


def test_the_branch_meets_only_on_the_countys_agreement():
    # 乡案县审: "同意的，提交支部大会；提出修改意见的，按意见修改审理报告后再提交" (the county's opinion decides)
    case = Case()
    _to_review(case)
    case.ok(RecordSanction("party_warning"))
    case.go("submit_county_review")
    case.prepare(county_opinion="提出修改意见")
    refused = case.decide("to_branch")
    assert codes(refused) == {"decision_not_open"}
    assert "“审核意见”为“提出修改意见”，只有为“同意”时才能“按审核意见提交支部党员大会”" in refused.problems[0].message
    case.ok(SetFields({"county_opinion": "同意"}))
    assert case.decide("to_branch").ok


def test_a_county_reply_of_disagreement_cannot_be_recorded_as_a_decision():
    case = Case()
    _to_review(case)
    case.ok(RecordSanction("party_warning"))
    case.ok(SetFields({"important_or_complex": True}))
    case.go("submit_county_consult")
    case.go("to_branch")
    while case.state.step_id != "county_request":  # steps between the branch and the request (党委审议, [P] 第三十八条)
        step = WF.steps[case.state.step_id]
        onward = [d for d in step.decisions if d.target == "county_request" or d.target.startswith("party_committee")]
        votes = {"eligible": 9, "present": 8, "in_favour": 7} if step.id == "branch_meeting" else {}
        case.go(onward[0].id, **votes)
    case.prepare(reply="不同意")
    assert codes(case.decide("approved")) == {"decision_not_open"}
    assert codes(case.decide("convert_to_township")) >= {"decision_not_open"}
    case.ok(SetFields({"reply": "同意"}))
    assert case.decide("approved").ok
