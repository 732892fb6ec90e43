"""澄清正名 after 采信了结 or 查否了结, not only after 诬告陷害.

《纪检监察机关处理检举控告工作规则》第五十条: “核查认定检举控告失实、有必要予以澄清的，经本机关主要负责人批准后，
可以采取以下方式予以澄清”; 《中华人民共和国公职人员政务处分法》第五十三条: 受到不实检举、控告或者诬告陷害，造成不良
影响的，应当按照规定及时澄清事实，恢复名誉，消除不良影响.
"""

from __future__ import annotations

from docx import Document as open_docx

from tests.integration.test_case_paths import Walk, run_walk


def test_a_talk_closed_as_untrue_can_go_on_to_clear_the_persons_name(township, run_cli, tmp_path):
    walk = Walk().path("accept", "to_talk", "accept_clarify")
    closed_on = walk.on.isoformat()
    shown = run_walk(walk.path("done"), township, run_cli, tmp_path)
    assert shown["step"]["id"] == "close_feedback"
    assert [s["id"] for s in shown["stage_path"]] == ["intake", "disposition", "talk", "clarify", "archive"]
    # 采信了结 is the 办结: the 实名 feedback's 15 working days ([J] 第二十七条) run from it, not from the clarification
    feedback = next(d for d in shown["deadlines"] if d["id"] == "result_feedback")
    assert feedback["start"] == closed_on
    assert shown["fields"]["clarification.method"] == "向所在单位党组织主要负责人和本人发函说明"


def test_a_prelim_closed_as_untrue_can_clear_the_persons_name(township, run_cli, tmp_path):
    shown = run_walk(Walk().path("accept", "to_prelim", "close_clarify", "done"), township, run_cli, tmp_path)
    assert shown["step"]["id"] == "close_feedback"
    assert [s["id"] for s in shown["stage_path"]] == ["intake", "disposition", "prelim", "clarify", "archive"]
    assert [h["decision"] for h in shown["history"]][-2:] == ["close_clarify", "done"]


def test_the_clearing_needs_the_secretarys_approval(township, run_cli, tmp_path):
    # [J] 第五十条: 经本机关主要负责人批准
    walk = Walk().path("accept", "to_talk")
    walk.decide("accept_clarify")
    del walk.lines[-1]["approver"]
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2 and "乡镇纪委书记" in result.err


def test_a_way_of_clearing_the_rules_do_not_list_is_refused(township, run_cli, tmp_path):
    walk = Walk().path("accept", "to_talk", "accept_clarify")
    walk.act(type="set_fields", values={"method": "在村务公开栏张贴"})
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2 and "澄清方式" in result.err


def test_the_report_after_prelim_states_the_way_and_the_date(township, run_cli, tmp_path):
    walk = Walk().path("accept", "to_prelim", "close_clarify")
    walk.act(type="set_fields", values={"method": "向所在单位党组织通报情况", "clarified_on": walk.on.isoformat()})
    shown = run_walk(walk, township, run_cli, tmp_path)
    out = tmp_path / "澄清.docx"
    made = run_cli("--data-dir", township, "doc", "render", shown["case_id"], "clarification_report", "--out", out, "--json")
    assert made.code == 0, made.err
    text = "".join(p.text for p in open_docx(str(out)).paragraphs)
    assert "经初步核实，反映问题不实" in text
    on = walk.on
    assert f"{on.year}年{on.month}月{on.day}日，我委以向所在单位党组织通报情况的方式为王建国" in text, text
