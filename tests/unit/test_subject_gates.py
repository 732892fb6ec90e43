"""Each 被审查调查人 on their own in the engine: proposals, approval bodies, tracks, 查审分离.

The articles quoted are in ../shared/domain/regulations/: [P] 处分违纪党员批准权限和程序规定,
[T] 纪律处分条例 2023, [Z] 政务处分法, [R] 监督执纪工作规则.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from app.domain.workflow import CloseSubject, RecordSanction, SetFields, Subject, action_from_dict, proposed_types

from tests.unit.test_workflow_engine import INVESTIGATION, Case, codes, option, to_step

SECRETARY = Subject("s1", "赵支书")
ACCOUNTANT = Subject("s2", "钱会计")


def two_person_case() -> Case:
    case = Case()
    case.state = replace(case.state, subjects=(SECRETARY, ACCOUNTANT))
    return case


def at_review(case: Case) -> Case:
    to_step(case, *INVESTIGATION, "transfer_review", "accept")
    assert case.state.step_id == "review"
    return case


def test_a_proposal_names_its_person_when_the_case_has_two():
    case = at_review(two_person_case())
    assert codes(case.run(RecordSanction("party_warning"))) == {"subject_required"}
    case.ok(RecordSanction("party_warning", subject="s2"))
    assert [(x.subject, x.type_id) for x in case.state.sanctions] == [("s2", "party_warning")]
    # the 支书 has no proposal yet: the review cannot go to the county for the 会计 alone
    case.prepare()
    problems = {p.code: p for p in option(case, "submit_county_review").problems}
    assert "赵支书" in problems["sanction_missing"].message and "钱会计" not in problems["sanction_missing"].message
    assert codes(case.run(RecordSanction("party_warning", subject="s9"))) == {"subject_unknown"}


def test_one_person_is_cleared_before_filing_and_the_case_goes_on_for_the_other():
    # 规则 第三十八条: 立案 is of a person; one named in the clue can be 了结 while another is filed.
    case = two_person_case()
    to_step(case, "accept", "to_prelim")
    on = case.today
    refused = case.run(CloseSubject("s2", "免予处分", on, "张书记", "查无实据"))
    assert codes(refused) == {"subject_outcome_invalid"}  # 免予处分 only after 立案
    case.ok(CloseSubject("s2", "了结", on, "张书记", "反映其本人的问题不属实"))
    assert [p.outcome for p in case.state.subjects] == ["", "了结"]
    last = case.run(CloseSubject("s1", "了结", on, "张书记", "不实"))
    assert codes(last) == {"last_subject"}  # the last one goes through the step's own decisions
    to_step(case, "propose_filing", "file", "transfer_review", "accept")
    case.ok(RecordSanction("party_warning"))  # only one person left: no need to name him
    assert case.state.sanctions[0].subject == "s1"
    closed = case.run(RecordSanction("party_warning", subject="s2"))
    assert codes(closed) == {"subject_closed"}


def test_closing_a_person_drops_what_was_proposed_for_them():
    case = at_review(two_person_case())
    case.ok(RecordSanction("party_warning", subject="s1"))
    case.ok(RecordSanction("party_serious_warning", subject="s2"))
    case.ok(CloseSubject("s2", "免予处分", case.today, "张书记", "情节轻微，主动交代"))
    assert proposed_types(case.state) == {"party_warning"}


def test_removal_of_party_post_needs_the_township_party_committee():
    # [P] 第六条: 撤销党内职务、留党察看 "须经同级纪委审查同意后报请这一级党委审议批准";
    # 第二十八条: 基层党委 may approve 留党察看以下; 第三十八条: 基层纪委 only 警告、严重警告.
    case = at_review(Case())
    case.state = replace(case.state, subjects=(SECRETARY,))
    case.ok(RecordSanction("party_removal"))
    case.prepare(study=True)
    case.state = replace(case.state, subjects=(replace(SECRETARY, qualified=True),))
    for decision in ("submit_county_review", "to_branch", "to_township_approval"):
        case.go(decision)
    case.prepare(approver_body="乡镇纪委")
    blocked = option(case, "approve")
    [problem] = [p for p in blocked.problems if p.code == "approver_body_too_low"]
    assert "须由乡镇党委批准" in problem.message and "第二十八条" in problem.message
    case.ok(SetFields({"approver_body": "乡镇党委"}))
    assert "approver_body_too_low" not in codes(option(case, "approve"))


def test_a_member_without_a_party_post_gets_serious_warning_approved_as_removal():
    # [T] 第十一条: "对于应当受到撤销党内职务处分，但是本人没有担任党内职务的，应当给予其严重警告处分";
    # [P] 第十二条: "并按照给予其撤销党内职务处分的批准权限履行处分审批程序".
    case = at_review(Case())
    case.state = replace(case.state, subjects=(replace(SECRETARY, holds_party_post=False),))
    refused = case.run(RecordSanction("party_removal"))
    assert codes(refused) == {"no_party_post"} and "第十一条" in refused.problems[0].message
    case.ok(RecordSanction("party_serious_warning_in_lieu"))
    with_post = at_review(Case())
    with_post.state = replace(with_post.state, subjects=(SECRETARY,))
    assert codes(with_post.run(RecordSanction("party_serious_warning_in_lieu"))) == {"holds_party_post"}


def test_village_committee_managers_get_only_warning_demerit_or_major_demerit():
    # [Z] 第二十二条: "基层群众性自治组织中从事管理的人员有违法行为的，监察机关可以予以警告、记过、记大过。"
    case = at_review(Case())
    case.state = replace(case.state, subjects=(replace(SECRETARY, village_manager=True),))
    refused = case.run(RecordSanction("gov_demotion"))
    assert codes(refused) == {"not_allowed_for_village_manager"} and "第二十二条" in refused.problems[0].message
    case.ok(RecordSanction("gov_major_demerit"))


def test_a_gov_sanction_does_not_send_a_party_warning_to_the_county():
    # [P] 第三十八条: 基层纪委 may approve 警告; [Z] 第八条: the 政务处分 is the 监察 organ's own decision.
    case = at_review(Case())
    case.state = replace(case.state, subjects=(replace(SECRETARY, qualified=True),))
    case.ok(RecordSanction("party_warning"))
    case.ok(RecordSanction("gov_warning"))
    case.prepare()
    assert "approval_power_exceeded" not in codes(option(case, "submit_county_review"))


def test_no_investigator_sits_on_the_review_team():
    # [R] 第五十四条: "坚持审查调查与审理相分离的原则，审查调查人员不得参与审理。"
    case = at_review(Case())
    case.ok(RecordSanction("party_warning"))
    case.prepare(reviewers=["甲某", "丙某"])  # 甲某 investigated (sample value of investigators)
    [problem] = [p for p in option(case, "submit_county_review").problems if p.code == "separation_violated"]
    assert "甲某" in problem.message and "丙某" not in problem.message and "第五十四条" in problem.message
    case.ok(SetFields({"reviewers": ["丙某", "丁某"]}))
    assert "separation_violated" not in codes(option(case, "submit_county_review"))


def test_an_investigator_of_an_earlier_round_is_still_an_investigator():
    case = at_review(Case())
    case.prepare()
    case.today += timedelta(days=1)
    case.go("return_supplement")
    assert case.state.step_id == "investigation"
    case.go("transfer_review", investigators=["戊某", "己某"])
    case.go("accept")
    case.ok(RecordSanction("party_warning"))
    case.prepare(reviewers=["甲某", "丙某"])  # 甲某 was on the first round's team
    assert "separation_violated" in codes(option(case, "submit_county_review"))


def test_a_party_or_gov_proposal_needs_the_persons_qualification_first():
    case = at_review(Case())
    case.state = replace(case.state, subjects=(SECRETARY,))
    case.ok(RecordSanction("party_warning"))
    case.prepare()
    assert "qualification_missing" in codes(option(case, "submit_county_review"))
    case.state = replace(case.state, subjects=(replace(SECRETARY, qualified=True),))
    assert option(case, "submit_county_review").enabled


def test_close_subject_from_json():
    action = action_from_dict({"type": "close_subject", "subject": "钱会计", "outcome": "了结",
                               "decided_on": "2026-03-05", "approver": "张书记", "reason": "不实"})
    assert isinstance(action, CloseSubject) and action.subject == "钱会计"


def test_the_original_case_team_neither_reviews_the_appeal_nor_approves_it():
    # [R] 第五十九条第三款: "坚持复议复查与审查审理分离，原案审查、审理人员不得参与复议复查。"
    # Checked from the names entered, not from a tick box: the review team and the approver alike.
    from app.domain.workflow import Decide

    case = Case()
    case.state = replace(case.state, step_id="appeal_review", entered_on=case.today,
                         fields={**case.state.fields, "investigation.investigators": ("甲某", "乙某"),
                                 "review.reviewers": ("丙某", "丁某")})
    case.prepare(review_team=["乙某", "戊某"])
    case.today += timedelta(days=1)
    [team] = [p for p in case.run(Decide("done", case.today, approver="张书记")).problems]
    assert team.code == "separation_violated" and "乙某" in team.message and "第五十九条第三款" in team.message
    case.ok(SetFields({"review_team": ["戊某", "己某"]}))
    refused = case.run(Decide("done", case.today, approver="丙某"))  # the original reviewer may not approve it
    assert codes(refused) == {"approver_not_separate"} and "丙某" in refused.problems[0].message
    assert case.run(Decide("done", case.today, approver="张书记")).ok
