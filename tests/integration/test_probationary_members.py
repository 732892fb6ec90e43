"""A 预备党员 who broke party discipline: 批评教育, 延长预备期 or 取消预备党员资格, not a 党纪处分.

《中国共产党纪律处分条例》第三十六条: “预备党员违犯党纪，情节较轻，可以保留预备党员资格的，党组织应当对其批评教育或者延长
预备期；情节较重的，应当取消其预备党员资格。” 《中国共产党处分违纪党员批准权限和程序规定》第四十八条第二款: “延长预备期、取消
预备党员资格，由有监督执纪权限的纪律检查机关向预备党员所在党组织提出书面建议，…交由预备党员所在党支部党员大会讨论形成决议，
呈报有审批预备党员权限的基层党委批准后作出处理决定。”
"""

from __future__ import annotations

from tests.integration.test_case_paths import CLUE, TO_REVIEW, Walk, run_walk

PROBATIONARY = {**CLUE, "persons": [{**CLUE["persons"][0], "political_status": "中共预备党员"}]}
TO_BRANCH = ("submit_county_review", "to_branch")


def refused(walk: Walk, township, run_cli, tmp_path) -> str:
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2, result.out
    return result.err


def test_a_probationary_member_is_given_no_party_sanction(township, run_cli, tmp_path):
    err = refused(Walk(PROBATIONARY).path(*TO_REVIEW, "+party_warning"), township, run_cli, tmp_path)
    assert "预备党员" in err and "第三十六条" in err


def test_a_full_member_is_given_no_probationary_measure(township, run_cli, tmp_path):
    err = refused(Walk().path(*TO_REVIEW, "+probationary_extension"), township, run_cli, tmp_path)
    assert "不是中共预备党员" in err


def test_an_extension_goes_through_the_branch_and_the_township_party_committee(township, run_cli, tmp_path):
    # [P] 第四十八条第二款: 书面建议 → 支部党员大会决议 → 基层党委批准
    walk = Walk(PROBATIONARY).path(*TO_REVIEW, "+probationary_extension", *TO_BRANCH)
    walk.decide("to_township_approval", extra={"probationary_proposal_on": walk.on.isoformat()})
    walk.decide("approve", extra={"approver_body": "乡镇党委"})
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "announce"
    [measure] = shown["sanctions"]
    assert measure["name"] == "延长预备期" and measure["decided_on"] is not None
    assert shown["fields"]["branch_meeting.probationary_proposal_on"]


def test_the_written_proposal_to_the_branch_comes_first(township, run_cli, tmp_path):
    walk = Walk(PROBATIONARY).path(*TO_REVIEW, "+probationary_cancel", *TO_BRANCH)
    walk.decide("to_township_approval", extra={"probationary_proposal_on": None})
    assert "书面建议" in refused(walk, township, run_cli, tmp_path)


def test_the_township_commission_cannot_approve_a_cancellation(township, run_cli, tmp_path):
    # [P] 第四十八条第二款: 有审批预备党员权限的基层党委 — the 乡镇党委, not the 乡镇纪委
    walk = Walk(PROBATIONARY).path(*TO_REVIEW, "+probationary_cancel", *TO_BRANCH, "to_township_approval")
    walk.decide("approve", extra={"approver_body": "乡镇纪委"})
    assert "乡镇党委" in refused(walk, township, run_cli, tmp_path)


def test_criticism_needs_no_branch_proposal(township, run_cli, tmp_path):
    # [P] 第四十八条第一款: 可以直接给予其批评教育
    walk = Walk(PROBATIONARY).path(*TO_REVIEW, "+probationary_criticism", *TO_BRANCH)
    walk.decide("to_township_approval", extra={"probationary_proposal_on": None})
    walk.path("approve")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert [s["name"] for s in shown["sanctions"]] == ["批评教育（预备党员）"]


def test_the_status_cannot_change_under_a_measure_that_needs_it(township, run_cli, tmp_path):
    walk = Walk(PROBATIONARY).path(*TO_REVIEW, "+probationary_extension")
    walk.act(type="set_subject", values={"political_status": "中共党员"})
    assert "不是中共预备党员" in refused(walk, township, run_cli, tmp_path)
