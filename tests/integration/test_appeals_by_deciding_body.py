"""申诉 and 政务处分 复审/复核 on a real store, also after archiving.

《中国共产党纪律检查机关监督执纪工作规则》第五十九条第一款: 对不服处分决定的申诉，由批准或者决定处分的党委（党组）
或者纪检监察机关受理。
《中国共产党处分违纪党员批准权限和程序规定》第九条: 对党员所作处分，需要变更或者撤销的，由原批准处分决定的党组织或者
有处分批准权的党组织审批。
《中华人民共和国监察法》（2024年修正）第五十六条: 可以在收到处理决定之日起一个月内，向作出决定的监察机关申请复审，
复审机关应当在一个月内作出复审决定；……可以在收到复审决定之日起一个月内，向上一级监察机关申请复核，复核机关应当
在二个月内作出复核决定。
《中华人民共和国公职人员政务处分法》第五十五条: 复审向作出决定的监察机关，复核向上一级监察机关。
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.domain.rules import RulesError, parse_workflow
from app.errors import InputError
from app.paths import store_paths
from app.services import cases, unlock

from tests.integration.conftest import PASSWORD
from tests.integration.test_party_committee_deliberation import deadline, decide, option_of
from tests.integration.test_party_committee_deliberation import walk as committee_walk

RECEIVED = date(2026, 3, 2)
TODAY = date(2026, 11, 20)
TO_ANNOUNCE = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept", "+party_warning",
               "submit_county_review", "to_branch", "to_township_approval", "approve")
TO_ARCHIVED = TO_ANNOUNCE + ("to_execution", "to_close", "to_archive", "archive")
TO_EXECUTION_GOV = TO_ANNOUNCE[:7] + ("+gov_warning",) + TO_ANNOUNCE[7:] + ("to_execution",)
PERSON = "孙某明"


@pytest.fixture
def store(township):
    opened = unlock.unlock(store_paths(township), None, PASSWORD).store
    yield opened
    opened.close()


def walk(store, tokens: tuple[str, ...]) -> tuple[str, date]:
    """A new case about PERSON, the decisions `tokens` taken one day apart; returns it and the last day."""
    return committee_walk(store, tokens, person=PERSON)


def act(store, case_id: str, **action) -> None:
    cases.act(store, case_id, action, today=TODAY)




def study(store, case_id: str, on: date) -> None:
    act(store, case_id, type="record_study", held_on=on.isoformat(), attendees=["张书记", "孙委员", "周委员"],
        conclusion="经集体研究，提出复查意见。")


def test_an_appeal_is_received_after_archiving_and_the_case_returns_to_the_archive(store):
    """[R] 第五十九条: appeals mostly come after archiving; the case takes them then, and only them."""
    case_id, on = walk(store, TO_ARCHIVED)
    shown = cases.show_case(store, case_id, today=TODAY)
    assert shown["step"]["id"] == "archived" and shown["terminal"]
    with pytest.raises(InputError) as refused:  # the archived case takes nothing else
        act(store, case_id, type="set_fields", values={"archive_no": "改"})
    assert refused.value.code == "terminal_case"
    appeal_on = on + timedelta(days=60)
    shown = decide(store, case_id, "appeal", appeal_on)
    assert shown["step"]["id"] == "appeal_review" and not shown["terminal"]
    running = deadline(shown, "appeal")
    assert running["start"] == appeal_on.isoformat() and running["met_on"] is None
    option = option_of(store, case_id, "done_archived")
    assert not option["enabled"] and "受理申诉的机关" in " ".join(p["message"] for p in option["problems"])
    decided = appeal_on + timedelta(days=20)
    act(store, case_id, type="set_fields", values={
        "received_on": appeal_on.isoformat(), "receiving_body": "乡镇纪委", "review_team": ["孙委员", "周委员"],
        "result": "维持原处理决定", "decided_on": decided.isoformat()})
    for item in ("dossier_read", "notified"):
        act(store, case_id, type="complete_item", item_id=item)
    study(store, case_id, decided)
    assert not option_of(store, case_id, "done")["enabled"]  # an archived case goes back to the archive, not to 执行
    shown = decide(store, case_id, "done_archived", decided)
    assert shown["step"]["id"] == "archived"
    assert deadline(shown, "appeal")["state"] == "met"
    assert [h["decision"] for h in shown["history"]][-2:] == ["appeal", "done_archived"]


def test_a_change_goes_back_to_the_body_that_approved_the_sanction(store):
    """[P] 第九条: a change or revocation is approved by the body that approved the sanction; the date of its approval is required."""
    case_id, on = walk(store, TO_ARCHIVED)
    appeal_on = on + timedelta(days=30)
    decide(store, case_id, "appeal", appeal_on)
    act(store, case_id, type="set_fields", values={
        "received_on": appeal_on.isoformat(), "receiving_body": "乡镇纪委", "review_team": ["孙委员", "周委员"],
        "result": "撤销原处理决定", "decided_on": appeal_on.isoformat()})
    for item in ("dossier_read", "notified"):
        act(store, case_id, type="complete_item", item_id=item)
    study(store, case_id, appeal_on)
    option = option_of(store, case_id, "done_archived")
    assert not option["enabled"] and "原批准机关审批变更（撤销）的日期" in " ".join(p["message"] for p in option["problems"])
    assert option["approver_role"] == "受理申诉的党组织（原批准或决定处分的党组织）"
    act(store, case_id, type="set_fields", values={"change_approved_on": appeal_on.isoformat()})
    assert option_of(store, case_id, "done_archived")["enabled"]


def test_the_receiving_body_is_one_that_approves_sanctions():
    """[R] 第五十九条第一款: the 乡镇纪委 (警告、严重警告), the 乡镇党委 (撤销党内职务、留党察看) or the county (乡镇报批)."""
    root = Path(__file__).resolve().parents[2]
    wf = parse_workflow(tomllib.loads((root / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
    body = wf.steps["appeal_review"].field("receiving_body")
    assert body.required and set(body.choices) == {"乡镇纪委", "乡镇党委", "县纪委"}


def test_gov_reexamination_and_recheck_deadlines(store):
    """[M] 第五十六条: apply within one month of receipt, 复审 decided within one month; 复核 applied for within one
    month of the 复审 decision, decided within two months."""
    case_id, on = walk(store, TO_EXECUTION_GOV)
    shown = decide(store, case_id, "gov_reexamine", on + timedelta(days=1))
    assert shown["step"]["id"] == "gov_reexamination"
    received = on + timedelta(days=1)
    applied = received + timedelta(days=20)
    act(store, case_id, type="set_fields", values={"decision_received_on": received.isoformat(),
                                                   "applied_on": applied.isoformat(), "organ": "青山县监察委员会"})
    shown = cases.show_case(store, case_id, today=TODAY)
    apply_window, decide_window = deadline(shown, "gov_reexam_apply"), deadline(shown, "gov_reexam_decide")
    assert apply_window["start"] == received.isoformat() and apply_window["state"] == "met"
    assert decide_window["start"] == applied.isoformat() and decide_window["met_on"] is None
    # one month: the same day of the next month (rolled to a working day)
    assert date.fromisoformat(decide_window["due"]) >= applied.replace(month=applied.month + 1)
    assert date.fromisoformat(decide_window["due"]) <= applied.replace(month=applied.month + 1) + timedelta(days=3)
    reexamined = applied + timedelta(days=40)  # later than one month: shown as late
    act(store, case_id, type="set_fields", values={"result": "维持", "decided_on": reexamined.isoformat()})
    assert deadline(cases.show_case(store, case_id, today=TODAY), "gov_reexam_decide")["state"] == "met_late"
    shown = decide(store, case_id, "to_recheck", reexamined)
    assert shown["step"]["id"] == "gov_recheck"
    got = reexamined + timedelta(days=3)
    asked = got + timedelta(days=10)
    act(store, case_id, type="set_fields", values={"reexam_received_on": got.isoformat(), "applied_on": asked.isoformat(),
                                                   "organ": "青山市监察委员会"})
    shown = cases.show_case(store, case_id, today=TODAY)
    recheck = deadline(shown, "gov_recheck_decide")
    due = date.fromisoformat(recheck["due"])
    two_months = asked.replace(month=asked.month + 2)
    assert two_months <= due <= two_months + timedelta(days=3)  # two months, not one
    assert deadline(shown, "gov_recheck_apply")["state"] == "met"
    act(store, case_id, type="set_fields", values={"result": "变更", "decided_on": (asked + timedelta(days=30)).isoformat()})
    shown = decide(store, case_id, "done", asked + timedelta(days=30))
    assert shown["step"]["id"] == "execution"
    assert deadline(shown, "gov_recheck_decide")["state"] == "met"


def test_gov_reexamination_after_archiving(store):
    case_id, on = walk(store, TO_ARCHIVED)
    shown = decide(store, case_id, "gov_reexamine", on + timedelta(days=10))
    assert shown["step"]["id"] == "gov_reexamination"
    option = option_of(store, case_id, "done_archived")
    assert not option["enabled"]  # its dates and result first


def test_reopens_is_only_for_a_terminal_step_and_its_only_kind_of_decision():
    root = Path(__file__).resolve().parents[2]
    data = tomllib.loads((root / "resources/rules/workflow.toml").read_text("utf-8"))
    data["steps"]["archived"]["decisions"].append({"id": "again", "title": "再来", "target": "intake_register"})
    data["steps"]["execution"]["decisions"][0]["reopens"] = True
    with pytest.raises(RulesError) as refused:
        parse_workflow(data, "workflow.toml")
    text = refused.value.message
    assert "环节“archived”：终点环节（terminal = true）只能有重新办理的决定（reopens = true）" in text
    assert "环节“execution”：reopens = true 只能用于终点环节的决定" in text
