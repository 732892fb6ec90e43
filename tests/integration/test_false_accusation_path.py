"""诬告陷害: the township proposes and reports upward; only a 设区的市级以上 body's approval opens the acts.

《纪检监察机关处理检举控告工作规则》第三十九条第二款: “认定诬告陷害，应当经设区的市级以上党委或者纪检监察机关批准。”
第二十九条第二款: tracing an anonymous complainant's 笔迹、IP地址 “应当经设区的市级以上纪委监委批准”.
"""

from __future__ import annotations

import pytest

from tests.integration.test_case_paths import Walk, run_walk

TO_REPORT = ("accept", "to_talk", "false_accusation")
REPLY = {"grounds": "检举信所附“收条”系伪造", "reported_to": "县纪委监委（转报市纪委监委）",
         "reply_body": "设区的市级纪委监委", "reply_no": "市纪监复〔2026〕3号"}


def apply(walk: Walk, township, run_cli, tmp_path):
    return run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")


def reported(walk: Walk, **reply) -> Walk:
    """At the report step: the proposal recorded, the upward reply as given (the Walk dates it)."""
    walk.act(type="complete_item", item_id="reported_upward")
    on = walk.on.isoformat()
    walk.act(type="set_fields", values={"reported_on": on, "reply_on": on, **{**REPLY, **reply}})
    walk.filled |= {f"false_accusation_report.{k}" for k in ("grounds", "reported_on", "reported_to", "reply_body",
                                                             "reply_no", "reply_on")}
    return walk


def test_a_suspected_false_accusation_after_talk_is_only_reported_upward(township, run_cli, tmp_path):
    # [J] 第三十九条第二款: the 乡镇纪委书记's approval sends the proposal up, it decides nothing about the complainant
    shown = run_walk(Walk().path(*TO_REPORT), township, run_cli, tmp_path)
    assert shown["step"]["id"] == "false_accusation_report"
    assert [s["id"] for s in shown["stage_path"]][-1] == "accusation"
    approved = next(d for d in shown["decisions"] if d["id"] == "approved")
    assert not approved["enabled"]
    missing = {f for p in approved["problems"] for f in p.get("fields", [])}
    assert {"false_accusation_report.reply_body", "false_accusation_report.reply_no",
            "false_accusation_report.reply_on"} <= missing
    assert approved["approver_role"] == "设区的市级以上党委或纪检监察机关"


def test_the_proposal_is_reachable_after_prelim_verification_too(township, run_cli, tmp_path):
    # [R] 第三十条（四） for 谈话函询; an 初核 that finds fabricated material is reported the same way ([J] 第三十九条)
    shown = run_walk(Walk().path("accept", "to_prelim", "false_accusation"), township, run_cli, tmp_path)
    assert shown["step"]["id"] == "false_accusation_report"
    assert [s["id"] for s in shown["stage_path"]] == ["intake", "disposition", "prelim", "accusation"]


def test_no_act_against_the_complainant_before_the_upward_approval_is_recorded(township, run_cli, tmp_path):
    walk = Walk().path(*TO_REPORT)
    walk.act(type="complete_item", item_id="reported_upward")
    walk.act(type="decide", decision_id="approved", decided_on=walk.on.isoformat(), approver="市纪委监委陈主任")
    result = apply(walk, township, run_cli, tmp_path)
    assert result.code == 2
    assert "批复文号" in result.err and "作出批复的上级机关" in result.err


@pytest.mark.parametrize("body", ["县纪委监委", "乡镇纪委", "乡镇党委"])
def test_a_county_or_township_body_cannot_be_recorded_as_the_approver(township, run_cli, tmp_path, body):
    # [J] 第三十九条第二款 names 设区的市级以上 bodies: a county (not 设区的市) cannot approve, still less the township
    result = apply(reported(Walk().path(*TO_REPORT), reply_body=body), township, run_cli, tmp_path)
    assert result.code == 2, result.out
    assert "作出批复的上级机关" in result.err
    shown = run_cli("--data-dir", township, "case", "show", result_case(township, run_cli), "--json").json
    assert "false_accusation_report.reply_body" not in shown["fields"]


def result_case(township, run_cli) -> str:
    listed = run_cli("--data-dir", township, "case", "list", "--json")
    [row] = listed.json
    return row["case_id"]


def test_the_township_secretary_cannot_sign_as_the_approving_body(township, run_cli, tmp_path):
    walk = reported(Walk().path(*TO_REPORT))
    walk.act(type="decide", decision_id="approved", decided_on=walk.on.isoformat(), approver="张书记")
    result = apply(walk, township, run_cli, tmp_path)
    assert result.code == 2
    assert "是本纪委的账户" in result.err and "设区的市级以上党委或纪检监察机关" in result.err


def test_after_the_approval_the_case_clears_the_person_and_pursues_the_complainant(township, run_cli, tmp_path):
    shown = run_walk(approved(Walk().path(*TO_REPORT)), township, run_cli, tmp_path)
    assert shown["step"]["id"] == "false_accusation"
    assert shown["fields"]["false_accusation_report.reply_no"] == "市纪监复〔2026〕3号"
    assert shown["history"][-1]["approver"] == "市纪委监委陈主任"


def approved(walk: Walk) -> Walk:
    return reported(walk).path("approved")


def test_tracing_an_anonymous_complainant_waits_for_its_own_approval(township, run_cli, tmp_path):
    # [J] 第二十九条第二款: 确有需要追查身份的，应当经设区的市级以上纪委监委批准
    walk = approved(Walk().path(*TO_REPORT))
    walk.act(type="set_fields", values={"trace_needed": True, "clarified_on": walk.on.isoformat(),
                                        "new_clue_ref": "T001纪线〔2026〕9号"})
    walk.act(type="decide", decision_id="done", decided_on=walk.on.isoformat())
    result = apply(walk, township, run_cli, tmp_path)
    assert result.code == 2
    assert "批准追查身份的纪委监委" in result.err and "批准追查身份的文号" in result.err


def test_a_party_committee_does_not_approve_the_tracing(township, run_cli, tmp_path):
    # [J] 第二十九条第二款 names 纪委监委 only (第三十九条 admits a 党委 for the 认定, not this)
    walk = approved(Walk().path(*TO_REPORT))
    walk.act(type="set_fields", values={"trace_needed": True, "trace_body": "设区的市级党委"})
    result = apply(walk, township, run_cli, tmp_path)
    assert result.code == 2
    assert "批准追查身份的纪委监委" in result.err


def test_the_tracing_approval_recorded_the_case_closes(township, run_cli, tmp_path):
    walk = approved(Walk().path(*TO_REPORT))
    walk.act(type="set_fields", values={"trace_needed": True, "trace_body": "设区的市级纪委监委",
                                        "trace_no": "市纪监批〔2026〕5号", "trace_on": walk.on.isoformat()})
    walk.filled |= {f"false_accusation.{k}" for k in ("trace_needed", "trace_body", "trace_no", "trace_on")}
    shown = run_walk(walk.path("done"), township, run_cli, tmp_path)
    assert shown["step"]["id"] == "close_feedback"
    assert shown["fields"]["false_accusation.trace_no"] == "市纪监批〔2026〕5号"


def test_a_reply_that_does_not_find_false_accusation_closes_the_clue(township, run_cli, tmp_path):
    # [J] 第四十五条: 错告 is not 诬告陷害; the case is closed, the complainant may be educated
    walk = reported(Walk().path(*TO_REPORT), reply_no="市纪监复〔2026〕4号").path("not_approved")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "close_feedback"
    assert "false_accusation" not in {h["step"] for h in shown["history"]}


def test_an_untrue_but_not_false_accusation_can_still_clear_the_persons_name(township, run_cli, tmp_path):
    # [J] 第四十五条 错告 is no 诬告陷害; 第五十条: 检举控告失实、有必要予以澄清的 is cleared all the same
    walk = reported(Walk().path(*TO_REPORT)).path("not_approved_clarify", "done")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "close_feedback"
    assert [s["id"] for s in shown["stage_path"]][-3:] == ["accusation", "clarify", "archive"]
