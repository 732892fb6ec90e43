"""What follows a 谈话函询: the spot check, the 廉政档案, the 民主生活会/组织生活会 statement.

《中国共产党纪律检查机关监督执纪工作规则》第三十条 (last two paragraphs): “必要时可以对被反映人谈话函询的说明情况进行抽查核实。
谈话函询材料应当存入廉政档案。” 第三十一条: “被谈话函询的党员干部应当在民主生活会、组织生活会上就本年度或者上年度谈话函询
问题进行说明，讲清组织予以采信了结的情况；存在违纪问题的，应当进行自我批评，作出检讨。”
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.paths import store_paths
from app.services import archive, desk, unlock

from tests.integration.conftest import PASSWORD
from tests.integration.test_case_paths import CLUE, Walk, run_walk

TODAY = date(2026, 11, 20)


def reminders(data, case_id: str, today: date = TODAY) -> list[desk.TodoItem]:
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        return [t for t in desk.desk(store, today=today).todo if t.case_id == case_id and t.due_title.startswith("民主生活会")]
    finally:
        store.close()


def talk_closed_and_archived(clue: dict | None = None) -> Walk:
    """采信了结, then archived without a 民主生活会 date (Walk.decide would fill every field)."""
    walk = Walk(clue).path("accept", "to_talk", "accept_closed")
    walk.on += timedelta(days=3)
    walk.act(type="complete_item", item_id="closing_report")
    walk.act(type="set_fields", values={"result_summary": "反映不实，采信了结", "result_fed_back_on": walk.on.isoformat()})
    walk.act(type="decide", decision_id="to_archive", decided_on=walk.on.isoformat())
    walk.step = "archive_filing"
    return walk.path("archive")


def test_a_spot_check_needs_what_was_checked(township, run_cli, tmp_path):
    # [R] 第三十条: 必要时可以对被反映人谈话函询的说明情况进行抽查核实
    walk = Walk().path("accept", "to_talk")
    walk.decide("accept_closed", extra={"spot_checked": True, "spot_check_result": ""})
    refused = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert refused.code == 2 and "抽查核实情况" in refused.err

    walk = Walk().path("accept", "to_talk")
    walk.decide("accept_closed", extra={"spot_checked": True, "spot_check_result": "向村委会经办人核实借用登记，情况一致"})
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["fields"]["talk_inquiry.spot_check_result"] == "向村委会经办人核实借用登记，情况一致"


def test_the_talk_materials_go_into_the_integrity_archive_before_it_ends(township, run_cli, tmp_path):
    # [R] 第三十条: 谈话函询材料应当存入廉政档案
    walk = Walk().path("accept", "to_talk")
    walk.decide("accept_closed")
    walk.lines = [line for line in walk.lines if line.get("item_id") != "integrity_archive"]
    refused = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert refused.code == 2 and "廉政档案" in refused.err


def test_the_statement_at_the_life_meeting_waits_on_the_desk_until_recorded(township, run_cli, tmp_path):
    # [R] 第三十一条: 本年度或者上年度 — a 谈话函询 ended in 2026 is explained at the meeting of 2026 or 2027
    walk = talk_closed_and_archived()
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "archived"
    [item] = reminders(township, shown["case_id"])
    assert item.due == date(2027, 12, 31) and item.persons == ("王建国",)
    assert "第三十一条" in item.waiting_for

    meeting = walk.on + timedelta(days=10)
    walk.act(type="decide", decision_id="life_meeting_explained", decided_on=meeting.isoformat())
    shown = run_walk(walk, township, run_cli, tmp_path)  # the same walk again: a second case, its statement recorded
    assert shown["step"]["id"] == "archived" and shown["history"][-1]["decision"] == "life_meeting_explained"
    assert reminders(township, shown["case_id"]) == []


def test_the_statement_recorded_before_archiving_ends_the_reminder(township, run_cli, tmp_path):
    walk = Walk().path("accept", "to_talk", "accept_closed")
    walk.decide("to_archive", extra={"life_meeting_on": (walk.on + timedelta(days=2)).isoformat()})
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "archive_filing"
    assert reminders(township, shown["case_id"]) == []


@pytest.mark.parametrize("status, reminded", [("群众", False), ("中共预备党员", True)])
def test_only_party_members_explain_at_the_life_meeting(status, reminded, township, run_cli, tmp_path):
    # [R] 第三十一条 speaks of 被谈话函询的党员干部
    clue = {**CLUE, "persons": [{**CLUE["persons"][0], "political_status": status}]}
    shown = run_walk(talk_closed_and_archived(clue), township, run_cli, tmp_path)
    assert bool(reminders(township, shown["case_id"])) is reminded


def test_the_persons_integrity_archive_shows_the_talk_and_the_statement(township, run_cli, tmp_path):
    # [R] 第三十条: 谈话函询材料应当存入廉政档案; 第三十一条: the statement joins it
    walk = talk_closed_and_archived()
    meeting = walk.on + timedelta(days=10)
    walk.act(type="decide", decision_id="life_meeting_explained", decided_on=meeting.isoformat())
    shown = run_walk(walk, township, run_cli, tmp_path)
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        [case] = archive.person_detail(store, shown["subjects"][0]["person_id"], today=TODAY).cases
    finally:
        store.close()
    report_on = shown["fields"]["talk_inquiry.report_on"]
    assert case.talk == f"谈话，情况报告 {report_on}，采信了结，发函反馈；民主生活会（组织生活会）说明 {meeting.isoformat()}"
