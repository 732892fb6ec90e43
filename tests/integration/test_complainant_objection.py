"""A real-name complainant after the result feedback, and a 不予受理 that needs no second feedback.

《纪检监察机关处理检举控告工作规则》第二十七条: “承办的监督检查、审查调查部门应当将实名检举控告的处理结果在办结之日起
15个工作日内向检举控告人反馈，并记录反馈情况。检举控告人提出异议的，承办部门应当如实记录，并予以说明；提供新的证据材料的，
承办部门应当核查处理。” 第二十六条: 对属于本机关受理的实名检举控告 … 15个工作日内告知实名检举控告人受理情况 (a 不予受理 is
told there, in the 不予受理 step).
"""

from __future__ import annotations

from datetime import timedelta

from tests.integration.test_case_paths import Walk, run_walk


def _close_feedback_by_hand(walk: Walk, values: dict) -> Walk:
    """At 办结与反馈: the closing report and the given fields only (Walk.decide would fill every field)."""
    walk.on += timedelta(days=3)
    walk.act(type="complete_item", item_id="closing_report")
    walk.act(type="set_fields", values={"result_summary": "反映问题不属实，予以了结", **values})
    return walk


def test_a_real_name_complaint_not_accepted_is_archived_without_a_second_feedback(township, run_cli, tmp_path):
    # [J] 第二十六条: the 不予受理 was told in the 不予受理 step; 第二十七条's feedback is of a 处理结果 the office reached
    walk = _close_feedback_by_hand(Walk().path("not_accept", "done"), {})
    walk.act(type="decide", decision_id="to_archive", decided_on=walk.on.isoformat())
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "archive_filing"
    assert "result_feedback" not in [d["id"] for d in shown["deadlines"]]
    assert "close_feedback.result_fed_back_on" not in shown["fields"]


def test_an_accepted_real_name_complaint_still_needs_the_feedback_date(township, run_cli, tmp_path):
    # [J] 第二十七条: the office that handled it 反馈 within 15 working days of 办结
    walk = _close_feedback_by_hand(Walk().path("accept", "to_close"), {})
    walk.act(type="decide", decision_id="to_archive", decided_on=walk.on.isoformat())
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2 and "向实名举报人反馈日期" in result.err


def test_an_objection_is_recorded_and_answered_before_archiving(township, run_cli, tmp_path):
    # [J] 第二十七条: 提出异议的，承办部门应当如实记录，并予以说明
    walk = Walk().path("accept", "to_close")
    fed_back = (walk.on + timedelta(days=3)).isoformat()
    _close_feedback_by_hand(walk, {"result_fed_back_on": fed_back, "complainant_response": "提出异议",
                                   "response_on": fed_back, "response_record": "举报人认为低保名单未公示"})
    walk.act(type="decide", decision_id="to_archive", decided_on=walk.on.isoformat())
    refused = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert refused.code == 2 and "向举报人所作的说明" in refused.err

    walk.lines.insert(-1, {"case": "c", "type": "set_fields",
                           "values": {"response_explained": "已说明低保名单于2026年1月在村务公开栏公示"}})
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "archive_filing"
    assert shown["fields"]["close_feedback.response_record"] == "举报人认为低保名单未公示"
    assert shown["fields"]["close_feedback.response_explained"].startswith("已说明低保名单")


def test_new_evidence_at_feedback_goes_back_to_disposition_and_is_fed_back_again(township, run_cli, tmp_path):
    # [J] 第二十七条: 提供新的证据材料的，承办部门应当核查处理 — a new disposition, then a new 办结 and a new feedback
    walk = Walk().path("accept", "to_close")
    fed_back = (walk.on + timedelta(days=3)).isoformat()
    _close_feedback_by_hand(walk, {"result_fed_back_on": fed_back, "complainant_response": "提供新的证据材料",
                                   "response_on": fed_back, "response_record": "举报人交来评议会议签到表复印件"})
    walk.act(type="decide", decision_id="new_evidence", decided_on=walk.on.isoformat(), approver="张书记")
    walk.step = "disposition"
    # the reporter was told of the acceptance in the first round ([J] 第二十六条): not asked again
    walk.on += timedelta(days=3)
    for item in ("plan_drafted", "reported_dual"):
        walk.act(type="complete_item", item_id=item)
    walk.act(type="set_fields", values={"handler": "李委员", "analysis": "新材料具体，可以查证"})
    walk.act(type="record_study", held_on=walk.on.isoformat(), attendees=["张书记", "李委员", "赵委员"], conclusion="同意初步核实")
    walk.act(type="decide", decision_id="to_prelim", decided_on=walk.on.isoformat(), approver="张书记")
    walk.step = "prelim_verify"
    walk.path("close")
    reclosed = walk.on.isoformat()
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "close_feedback" and shown["step"]["round"] == 2
    assert [h["decision"] for h in shown["history"]][-3:] == ["new_evidence", "to_prelim", "close"]
    feedback = next(d for d in shown["deadlines"] if d["id"] == "result_feedback")
    assert feedback["start"] == reclosed and feedback["met_on"] is None
    assert "close_feedback.result_fed_back_on" in [r["id"] for r in shown["required"]]
    assert shown["fields"]["close_feedback@1.response_record"] == "举报人交来评议会议签到表复印件"


def test_new_evidence_needs_it_recorded_and_the_secretarys_approval(township, run_cli, tmp_path):
    walk = _close_feedback_by_hand(Walk().path("accept", "to_close"), {"result_fed_back_on": "2026-02-20"})
    walk.act(type="decide", decision_id="new_evidence", decided_on=walk.on.isoformat())
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2
    assert "乡镇纪委书记" in result.err and "异议内容或新的证据材料" in result.err


def test_new_evidence_after_archiving_reopens_the_disposition(township, run_cli, tmp_path):
    walk = Walk().path("accept", "to_close", "to_archive", "archive")
    walk.decide("new_evidence")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "disposition" and shown["step"]["round"] == 2
    assert shown["history"][-1]["decision"] == "new_evidence" and shown["history"][-1]["approver"] == "张书记"


def test_an_objection_without_new_material_does_not_reopen_the_disposition(township, run_cli, tmp_path):
    # [J] 第二十七条: an objection is recorded and answered; only 新的证据材料 are 核查处理
    walk = _close_feedback_by_hand(Walk().path("accept", "to_close"), {
        "result_fed_back_on": "2026-02-20", "complainant_response": "提出异议", "response_on": "2026-02-20",
        "response_record": "举报人不认可结果", "response_explained": "已当面说明核查经过"})
    walk.act(type="decide", decision_id="new_evidence", decided_on=walk.on.isoformat(), approver="张书记")
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2 and "提供新的证据材料" in result.err
