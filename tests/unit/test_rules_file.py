"""The shipped workflow rules file validates; broken copies fail naming the file, the step and the problem."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.domain.rules import RulesError, parse_workflow

ROOT = Path(__file__).resolve().parents[2]
RAW = tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8"))
WF = parse_workflow(RAW, "workflow.toml")


def broken(edit) -> RulesError:
    data = copy.deepcopy(RAW)
    edit(data)
    with pytest.raises(RulesError) as err:
        parse_workflow(data, "workflow.toml")
    return err.value


def decision(data: dict, step: str, decision_id: str) -> dict:
    return next(d for d in data["steps"][step]["decisions"] if d["id"] == decision_id)


def test_shipped_file_covers_every_path_of_the_procedure():
    stages = {s.id for s in WF.stages}
    assert {"intake", "disposition", "talk", "prelim", "shelved", "filing", "review", "decision", "archive"} <= stages
    assert {s.id for s in WF.stages if s.side} == {"referral", "revoke", "exempt", "judicial", "appeal", "merged",
                                                    "accusation", "clarify", "taken_over"}
    # 并案 is entered from any step by split_merge.merge, never by a decision (RULES.md §11)
    assert WF.merge_step.id == "merged" and WF.merge_step.terminal
    # 提级办理 ([R] 第九条, [S] 第四十七条) is entered from any step by the county's decision in a bundle
    assert WF.take_over_step.id == "taken_over" and WF.take_over_step.terminal
    assert [d.title for d in WF.steps["disposition"].decisions] == ["谈话函询", "初步核实", "暂存待查", "予以了结"]
    # [R] 第三十条's four outcomes (采信了结 with or without 澄清正名, [J] 第五十条) and the 诬告陷害 report
    assert len(WF.steps["talk_inquiry"].decisions) == 6
    # 初核's five ways ([R] 第三十五条), 了结 with 澄清正名 ([J] 第五十条) and the 诬告陷害 report upward ([J] 第三十九条第二款)
    assert len(WF.steps["prelim_verify"].decisions) == 7
    assert [s.id for s in WF.steps.values() if s.terminal] == ["archived", "merged", "taken_over"]
    for step in WF.steps.values():
        assert step.citation and all(c.startswith(("《", "中国纪检监察报", "2017年")) for c in step.citation), step.id
        assert step.guidance.what and step.guidance.why and step.guidance.how and step.guidance.mistakes, step.id


def test_intake_source_choices_match_the_clue_json():
    assert WF.steps["intake_register"].field("source").choices == (
        "信访举报（来信）", "信访举报（来访）", "信访举报（电话）", "信访举报（网络）",
        "上级转办", "上级交办", "巡察移交", "自行发现", "其他机关移送",
    )


def test_required_deadlines_are_declared():
    expected = {
        "forward_upward": (5, "wd"),
        "register_passed_down": (5, "wd"),
        "acceptance_notice": (15, "wd"),
        "disposition": (1, "months"),
        "inquiry_reply": (15, "wd"),
        "talk_report": (1, "months"),
        "inquiry_report": (1, "months"),
        "review": (1, "months"),
        "submit_party_committee": (15, "days"),
        "announce": (1, "months"),
        "execution_report": (6, "months"),
        "assigned_case": (3, "months"),
        "appeal": (3, "months"),
        "result_feedback": (15, "wd"),
    }
    for deadline_id, (length, unit) in expected.items():
        rule = WF.deadline(deadline_id)
        assert (rule.length, rule.unit, rule.enabled) == (length, unit, True), deadline_id
        assert rule.citation, deadline_id
    assert WF.deadline("assigned_case").extension.length == 3
    assert WF.deadline("review").extension.approver


def test_local_practice_values_say_so():
    for deadline_id in ("prelim_local_limit", "investigation_local_limit"):
        rule = WF.deadline(deadline_id)
        assert not rule.enabled and "本地" in rule.note
    assert "按本地做法" in WF.deadline("submit_party_committee").note
    assert "本地做法" in WF.steps["prelim_verify"].guidance.how or "本地" in WF.steps["prelim_verify"].guidance.how


def test_unknown_target_is_reported_with_file_and_step():
    err = broken(lambda d: decision(d, "filing", "file").update(target="investigaton"))
    assert isinstance(err, DomainError) and err.code == "rules_invalid"
    assert "workflow.toml：环节“filing”：决定“file”的去向“investigaton”不是已定义的环节" in err.message


def test_unreachable_step_is_reported():
    def edit(d):
        for dec in d["steps"]["review"]["decisions"]:
            if dec["id"] == "propose_exempt":
                d["steps"]["review"]["decisions"].remove(dec)
                break

    err = broken(edit)
    assert "workflow.toml：环节“exempt”：无法从起始环节“intake_register”到达" in err.message


def test_decision_without_target_is_reported():
    err = broken(lambda d: decision(d, "review_accept", "accept").pop("target"))
    assert "workflow.toml：环节“review_accept”决定“accept”：缺少去向（target）" in err.message


def test_deadline_without_start_event_is_reported():
    err = broken(lambda d: d["steps"]["review"]["deadlines"]["review"].pop("start"))
    assert "workflow.toml：期限“review”（环节“review”）：缺少开始事件（start）" in err.message


def test_all_problems_are_reported_together():
    def edit(d):
        decision(d, "filing", "file")["target"] = "nowhere"
        decision(d, "talk_inquiry", "again").pop("target")
        d["deadlines"]["announce"]["start"] = "never_happens"
        d["steps"]["review"]["fields"][0]["type"] = "colour"
        decision(d, "investigation", "transfer_review")["requries"] = ["study"]

    err = broken(edit)
    problems = err.detail["problems"]
    assert len(problems) >= 5
    text = err.message
    assert text.startswith("规则文件“workflow.toml”有")
    assert "“nowhere”" in text and "缺少去向" in text and "“never_happens”没有任何决定或日期字段会设置" in text
    assert "类型“colour”未知" in text and "requries" in text


def test_references_to_fields_items_and_events_are_checked():
    def edit(d):
        decision(d, "investigation", "transfer_review")["requires_items"].append("ghost_item")
        decision(d, "investigation", "transfer_review")["min_count"][0]["field"] = "ghosts"
        d["deadlines"]["assigned_case"]["applies_if"] = {"field": "intake_register.source", "equals": "天上掉下来"}
        decision(d, "disposition", "to_talk")["requires"] = ["study", "approval", "luck"]

    text = broken(edit).message
    assert "必办事项“ghost_item”不存在" in text
    assert "字段“investigation.ghosts”不存在" in text
    assert "取值“天上掉下来”不在字段“intake_register.source”的选项中" in text
    assert "“luck”未知" in text


def test_dead_end_and_terminal_rules():
    def edit(d):
        d["steps"]["archived"]["decisions"] = [{"id": "again", "title": "再来", "target": "intake_register"}]
        d["steps"]["refer_org"]["decisions"] = []

    text = broken(edit).message
    assert "环节“archived”：终点环节（terminal = true）只能有重新办理的决定（reopens = true）" in text
    assert "环节“refer_org”：既不是终点环节，也没有任何决定" in text
