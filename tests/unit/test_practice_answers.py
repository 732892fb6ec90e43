"""The practice answers teach what the articles say (issue 15, item 13), each against its text in
../shared/domain/regulations/."""

from __future__ import annotations

from tests.unit.test_scenarios import BY_ID


def point(scenario: str, point_id: str):
    return next(p for p in BY_ID[scenario].points if p.id == point_id)


def test_over_standard_reception_starts_at_the_more_serious_plot():
    # 条例第一百一十六条：超标准、超范围接待 … 情节较重的，给予警告或者严重警告处分
    sanction = point("over_standard_reception", "sanction")
    assert "情节较重" in sanction.feedback and "情节较轻" not in sanction.feedback
    assert any("第一百一十六条" in c for c in sanction.citation)


def test_a_gov_sanction_alongside_a_warning_goes_the_township_route():
    # 批准权限和程序规定第三十八条第一款：基层纪委可以批准 … 警告、严重警告; the 政务处分 is the 监察 organ's
    route = point("drunk_driving_police", "route")
    assert route.expected == "submit_county_review"
    assert any("第三十八条" in c for c in route.citation)
    assert [a.answer for a in route.alternatives] == ["submit_county_consult"]


def test_village_committee_members_who_are_supervision_objects_get_a_gov_sanction_too():
    # 政务处分法第二十二条：基层群众性自治组织中从事管理的人员 … 警告、记过、记大过; 条例第三十一条: 先党纪处分 … 政务处分 … 再移送
    assert "gov_demerit" in point("dibao_favouritism", "sanction").expected
    assert "gov_major_demerit" in point("collective_assets_expulsion", "sanction").expected


def test_the_township_commission_approves_warnings_and_the_committee_removal_and_probation():
    # 第三十八条第一款 (警告、严重警告) and 第二十八条 (基层党委 … 留党察看以下处分)
    required = next(r for r in BY_ID["gift_money_warning"].required if r.id == "approver_body")
    assert "留党察看以下处分才需" not in required.feedback and "第二十八条" in required.feedback


def test_collective_study_rests_on_article_ten():
    # 监督执纪工作规则第十条第三款：对于线索处置、谈话函询 … 中的重要问题，经集体研究后 … 审批
    required = next(r for r in BY_ID["real_name_talk_closed"].required if r.id == "talk_study")
    assert any("第十条第三款" in c for c in required.citation)


def test_not_accepting_a_letter_without_substance_is_defensible():
    # 处理检举控告工作规则第十三条第一款第三项：仅列举出违纪 … 行为名称但无实质内容的，不予受理
    jurisdiction = point("vague_anonymous_letter", "jurisdiction")
    alternative = next(a for a in jurisdiction.alternatives if a.answer == "not_accept")
    assert alternative.points >= 20 and "第十三条第一款第三项" in alternative.note
