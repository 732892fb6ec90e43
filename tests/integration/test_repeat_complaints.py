"""重复检举控告 and forwarded clues: the 实名举报 deadlines run only where the office itself accepts and
handles the complaint. On real stores, through the CLI.

《纪检监察机关处理检举控告工作规则》(2020):
- 第十四条第一款: …对于重复检举控告，按规定登记后留存备查，并定期向有关部门通报情况。
- 第二十六条: 纪检监察机关信访举报部门对属于本机关受理的实名检举控告，应当在收到检举控告之日起15个工作日内告知实名
  检举控告人受理情况。重复检举控告的，不再告知。
- 第二十七条: 承办的监督检查、审查调查部门应当将实名检举控告的处理结果在办结之日起15个工作日内向检举控告人反馈…
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.integration.test_case_paths import CLUE, WF, Walk, run_walk

FIRST = CLUE  # received 2026-02-02, where the walks of test_case_paths start
AGAIN = {**CLUE, "received_on": "2026-02-20", "summary": "再次反映王建国在低保评定中优亲厚友"}


def ok(result):
    assert result.code == 0, result.out + result.err
    return result.json


def add(run_cli, township, tmp_path, clue: dict, name: str = "clue.json"):
    path = tmp_path / name
    path.write_text(json.dumps(clue, ensure_ascii=False), encoding="utf-8")
    return run_cli("--data-dir", township, "clue", "add", "--file", path, "--json")


def show(run_cli, township, case_id: str) -> dict:
    return ok(run_cli("--data-dir", township, "case", "show", case_id, "--json"))


def act(run_cli, township, tmp_path, case_id: str, action: dict):
    path = tmp_path / "action.json"
    path.write_text(json.dumps(action, ensure_ascii=False), encoding="utf-8")
    return run_cli("--data-dir", township, "case", "act", case_id, "--file", path, "--json")


def deadline_ids(shown: dict) -> set[str]:
    return {d["id"] for d in shown["deadlines"]}


def required_fields(shown: dict) -> set[str]:
    return {r["id"] for r in shown["required"] if r["kind"] == "field"}


def close_without_feedback(run_cli, township, tmp_path, case_id: str) -> dict:
    """办结 with only the result written: no date of feedback to the reporter."""
    for item in WF.steps["close_feedback"].checklist:
        ok(act(run_cli, township, tmp_path, case_id, {"type": "complete_item", "item_id": item.id}))
    ok(act(run_cli, township, tmp_path, case_id, {"type": "set_fields", "values": {"result_summary": "已办结"}}))
    ok(act(run_cli, township, tmp_path, case_id, {"type": "decide", "decision_id": "to_archive",
                                                   "decided_on": date.today().isoformat()}))
    return show(run_cli, township, case_id)


def test_a_real_name_clue_this_office_accepts_still_runs_both_deadlines(township, run_cli, tmp_path):
    # [J] 第二十六条 and 第二十七条 hold for a complaint the office accepts and handles itself
    shown = show(run_cli, township, ok(add(run_cli, township, tmp_path, FIRST))["case_id"])
    assert "acceptance_notice" in deadline_ids(shown)
    walked = run_walk(Walk(FIRST).path("accept"), township, run_cli, tmp_path)
    assert "disposition.acceptance_notified_on" in required_fields(walked)
    closed = run_walk(Walk(FIRST).path("accept", "to_close"), township, run_cli, tmp_path)
    assert "close_feedback.result_fed_back_on" in required_fields(closed)


def test_a_forwarded_real_name_clue_is_closed_without_contacting_the_reporter(township, run_cli, tmp_path):
    # [J] 第二十六条 "属于本机关受理的": a clue forwarded upward is told and answered by the office that accepts it
    walked = run_walk(Walk(FIRST).path("forward_up", "forwarded"), township, run_cli, tmp_path)
    assert walked["step"]["id"] == "close_feedback"
    assert {"acceptance_notice", "result_feedback"}.isdisjoint(deadline_ids(walked))
    assert "close_feedback.result_fed_back_on" not in required_fields(walked)
    closed = close_without_feedback(run_cli, township, tmp_path, walked["case_id"])
    assert closed["step"]["id"] == "archive_filing"
    assert "close_feedback.result_fed_back_on" not in closed["fields"]


def test_a_repeat_complaint_is_registered_linked_and_not_told_again(township, run_cli, tmp_path):
    first = ok(add(run_cli, township, tmp_path, FIRST))
    repeat = ok(add(run_cli, township, tmp_path, {**AGAIN, "repeat_of": [first["number"]]}, "again.json"))
    shown = show(run_cli, township, repeat["case_id"])
    # [J] 第十四条: registered and linked to the earlier clue
    assert shown["fields"]["intake_register.repeat_complaint"] is True
    assert shown["repeat_of"] == [{"clue_number": first["number"], "case_id": first["case_id"], "received_on": "2026-02-02"}]
    original = show(run_cli, township, first["case_id"])
    assert original["repeated_by"] == [{"clue_number": repeat["number"], "case_id": repeat["case_id"],
                                        "received_on": "2026-02-20"}]
    assert original["repeat_of"] == [] and "acceptance_notice" in deadline_ids(original)
    # [J] 第二十六条: 重复检举控告的，不再告知
    assert "acceptance_notice" not in deadline_ids(shown)
    # [J] 第十四条: 登记后留存备查 — closed at intake, no feedback of its own; the original goes on
    for item in WF.steps["intake_register"].checklist:
        ok(act(run_cli, township, tmp_path, repeat["case_id"], {"type": "complete_item", "item_id": item.id}))
    ok(act(run_cli, township, tmp_path, repeat["case_id"], {"type": "decide", "decision_id": "repeat_kept",
                                                             "decided_on": "2026-02-20"}))
    kept = show(run_cli, township, repeat["case_id"])
    assert kept["step"]["id"] == "close_feedback"
    assert "result_feedback" not in deadline_ids(kept)
    assert "close_feedback.result_fed_back_on" not in required_fields(kept)
    assert close_without_feedback(run_cli, township, tmp_path, repeat["case_id"])["step"]["id"] == "archive_filing"


def test_only_a_repeat_complaint_may_be_kept_on_file_at_intake(township, run_cli, tmp_path):
    case_id = ok(add(run_cli, township, tmp_path, FIRST))["case_id"]
    for item in WF.steps["intake_register"].checklist:
        ok(act(run_cli, township, tmp_path, case_id, {"type": "complete_item", "item_id": item.id}))
    refused = act(run_cli, township, tmp_path, case_id, {"type": "decide", "decision_id": "repeat_kept",
                                                          "decided_on": "2026-02-02"})
    assert refused.code == 2 and "原线索编号" in refused.err
    assert show(run_cli, township, case_id)["step"]["id"] == "intake_register"


@pytest.mark.parametrize("extra, words", [
    ({"repeat_complaint": True}, "须填写原线索编号"),
    ({"repeat_of": ["青石纪线〔2026〕99号"]}, "没有登记过编号为“青石纪线〔2026〕99号”的线索"),
    ({"repeat_complaint": False, "repeat_of": ["{first}"]}, "只有重复检举控告才填写原线索编号"),
    ({"repeat_of": "{first}", "received_on": "2026-01-20"}, "晚于本件"),
    ({"repeat_of": [7]}, "应为线索编号的列表"),
])
def test_bad_links_are_refused_and_nothing_is_registered(extra, words, township, run_cli, tmp_path):
    first = ok(add(run_cli, township, tmp_path, FIRST))
    extra = {k: ([x.format(first=first["number"]) if isinstance(x, str) else x for x in v] if isinstance(v, list)
                 else v.format(first=first["number"]) if isinstance(v, str) and k == "repeat_of" else v)
             for k, v in extra.items()}
    refused = add(run_cli, township, tmp_path, {**AGAIN, **extra}, "again.json")
    assert refused.code == 2 and words in refused.err, refused.err
    assert len(ok(run_cli("--data-dir", township, "case", "list", "--json"))) == 1


def test_links_set_later_at_intake_are_checked_too(township, run_cli, tmp_path):
    first = ok(add(run_cli, township, tmp_path, FIRST))
    later = ok(add(run_cli, township, tmp_path, AGAIN, "again.json"))
    wrong = act(run_cli, township, tmp_path, later["case_id"], {"type": "set_fields", "values": {
        "repeat_complaint": True, "repeat_of": ["青石纪线〔2026〕99号"]}})
    assert wrong.code == 2 and "没有登记过" in wrong.err
    assert "intake_register.repeat_complaint" not in show(run_cli, township, later["case_id"])["fields"]
    ok(act(run_cli, township, tmp_path, later["case_id"], {"type": "set_fields", "values": {
        "repeat_complaint": True, "repeat_of": [first["number"]]}}))
    shown = show(run_cli, township, later["case_id"])
    assert [r["clue_number"] for r in shown["repeat_of"]] == [first["number"]]
    assert "acceptance_notice" not in deadline_ids(shown)
    unlinked = act(run_cli, township, tmp_path, later["case_id"], {"type": "set_fields", "values": {"repeat_of": None}})
    assert unlinked.code == 2 and "须填写原线索编号" in unlinked.err  # the flag stays, so its links must too


def test_the_ledger_marks_the_repeat_and_names_the_earlier_clue(township, run_cli, tmp_path):
    from openpyxl import load_workbook

    first = ok(add(run_cli, township, tmp_path, FIRST))
    ok(add(run_cli, township, tmp_path, {**AGAIN, "repeat_complaint": True, "repeat_of": [first["number"]]},
           "again.json"))
    out = tmp_path / "台账.xlsx"
    ok(run_cli("--data-dir", township, "ledger", "--year", "2026", "--out", str(out), "--json"))
    sheet = load_workbook(out).active
    column = [c.value for c in sheet[1]].index("是否重复件")
    assert [row[column].value for row in sheet.iter_rows(min_row=2)] == [None, f"是（原线索：{first['number']}）"]
