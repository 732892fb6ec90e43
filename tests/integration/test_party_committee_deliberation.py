"""乡镇报批 through the 乡镇党委 on a real store: its deliberation, the 15-day deadline and the 请示 in its name.

《中国共产党处分违纪党员批准权限和程序规定》第三十八条第一款: 基层纪委……如果涉及的问题比较重要或者复杂的，应当经同级
党委审议同意后，按照程序报有处分批准权的县级以上纪委审查批准。
第十七条第一款: 依照本规定应当由上级党组织审批的，还须经同级党委审议同意后，按照程序于15日内呈报上一级纪委审查批准。
("15日" without 工作日: calendar days; local practice may count working days, so the rule's unit can be set.)
"""

from __future__ import annotations

import io
import random
import tomllib
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.domain.rules import RulesError, parse_workflow
from app.errors import InputError
from app.paths import store_paths
from app.services import cases, demo_data, documents, ruleset, unlock

from tests.integration.conftest import PASSWORD
from tests.integration.test_case_paths import TO_REVIEW, Walk
from tests.integration.test_sync_roundtrip import export, make_chain, ok, pair

ROOT = Path(__file__).resolve().parents[2]
RECEIVED = date(2026, 3, 2)
TODAY = date(2026, 11, 20)
TO_BRANCH = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept", "+party_expulsion",
             "submit_county_consult", "to_branch")


@pytest.fixture
def store(township):
    opened = unlock.unlock(store_paths(township), None, PASSWORD).store
    yield opened
    opened.close()


def walk(store, tokens: tuple[str, ...], *, start: date = RECEIVED, case_id: str = "",
         person: str = "钱某生") -> tuple[str, date]:
    """Take the decisions `tokens` one day apart (a new clue about `person` when no case is given);
    returns the case and the last day."""
    rules = ruleset.load(store)
    writer = demo_data.Writer(random.Random(3), start.year, TODAY, "青石")
    if not case_id:
        clue = writer.clue("filed_sanctioned", start)
        clue["persons"][0]["name"] = person
        case_id = cases.register_clue(store, clue, today=TODAY, rules=rules).case_id
    on = start
    for token in tokens:
        if token.startswith("+"):
            cases.act(store, case_id, {"type": "record_sanction", "type_id": token[1:]}, today=TODAY, rules=rules)
            continue
        on += timedelta(days=1)
        demo_data.prepare_step(store, rules, writer, case_id, "filed_sanctioned", on, person, TODAY)
        decide(store, case_id, token, on)
    return case_id, on


def decide(store, case_id: str, token: str, on: date) -> dict:
    option = option_of(store, case_id, token)
    action = {"type": "decide", "decision_id": token, "decided_on": on.isoformat()}
    if option["approver_role"]:  # 立案 is the 乡镇党委书记's ([R] 第三十八条), not a 纪委 account's
        action["approver"] = "刘党委书记" if option["approver_role"] == "乡镇党委书记" else "张书记"
    cases.act(store, case_id, action, today=TODAY)
    return cases.show_case(store, case_id, today=TODAY)


def option_of(store, case_id: str, token: str) -> dict:
    return next(d for d in cases.show_case(store, case_id, today=TODAY)["decisions"] if d["id"] == token)


def set_fields(store, case_id: str, **values) -> None:
    cases.act(store, case_id, {"type": "set_fields", "values": values}, today=TODAY)


def deadline(shown: dict, deadline_id: str) -> dict:
    return next(d for d in shown["deadlines"] if d["id"] == deadline_id)


def at_deliberation(store) -> tuple[str, date]:
    case_id, on = walk(store, TO_BRANCH)
    on += timedelta(days=1)
    rules = ruleset.load(store)
    writer = demo_data.Writer(random.Random(3), on.year, TODAY, "青石")
    demo_data.prepare_step(store, rules, writer, case_id, "filed_sanctioned", on, "钱某生", TODAY)
    decide(store, case_id, "to_county_request", on)
    return case_id, on


def test_branch_meeting_goes_to_the_party_committee_not_straight_to_the_county(store):
    """[P] 第三十八条第一款: 经同级党委审议同意后 … 报县级以上纪委."""
    case_id, _ = at_deliberation(store)
    shown = cases.show_case(store, case_id, today=TODAY)
    assert shown["step"]["id"] == "party_committee_deliberation"
    assert [d["id"] for d in shown["decisions"]] == ["agreed", "back_to_review"]
    rules = ruleset.load(store)
    skip = rules.workflow.steps["branch_meeting"].decision("skip_branch_meeting")
    assert skip.target == "party_committee_deliberation"  # without a 支部大会 resolution the 党委 still deliberates


def test_the_deliberation_needs_its_meeting_date_and_minutes(store):
    case_id, on = at_deliberation(store)
    option = option_of(store, case_id, "agreed")
    assert not option["enabled"]
    messages = " ".join(p["message"] for p in option["problems"])
    assert "乡镇党委会议审议日期" in messages and "党委会议纪要要点" in messages
    with pytest.raises(InputError):
        cases.act(store, case_id, {"type": "decide", "decision_id": "agreed", "decided_on": on.isoformat()}, today=TODAY)
    assert cases.show_case(store, case_id, today=TODAY)["step"]["id"] == "party_committee_deliberation"


def test_report_to_county_within_15_calendar_days_of_the_deliberation(store):
    """[P] 第十七条第一款: 经同级党委审议同意后 … 于15日内呈报上一级纪委 — calendar days."""
    case_id, on = at_deliberation(store)
    met = on + timedelta(days=1)
    # 15 calendar days (two weekends inside, so 15 working days would end later); an end on a
    # rest day would roll to the next working day, so pick a start whose 15th day is a weekday
    assert (met + timedelta(days=15)).weekday() < 5
    set_fields(store, case_id, commission_meeting_on=on.isoformat(), meeting_on=met.isoformat(),
               minutes="党委会议审议同意开除党籍的处分意见，以党委名义报县纪委审批。")
    cases.act(store, case_id, {"type": "complete_item", "item_id": "minutes_kept"}, today=TODAY)
    shown = decide(store, case_id, "agreed", met)
    assert shown["step"]["id"] == "county_request"
    running = deadline(shown, "report_to_county")
    assert running["start"] == met.isoformat() and running["due"] == (met + timedelta(days=15)).isoformat()
    assert running["met_on"] is None
    set_fields(store, case_id, request_submitted_on=(met + timedelta(days=16)).isoformat())
    late = deadline(cases.show_case(store, case_id, today=TODAY), "report_to_county")
    assert late["state"] == "met_late"
    set_fields(store, case_id, request_submitted_on=(met + timedelta(days=15)).isoformat())
    assert deadline(cases.show_case(store, case_id, today=TODAY), "report_to_county")["state"] == "met"


def test_party_committee_disagreeing_returns_the_case_to_review(store):
    case_id, on = at_deliberation(store)
    set_fields(store, case_id, commission_meeting_on=on.isoformat(), meeting_on=on.isoformat(),
               minutes="党委会议认为事实部分需要补充，不同意报送。")
    cases.act(store, case_id, {"type": "complete_item", "item_id": "minutes_kept"}, today=TODAY)
    assert decide(store, case_id, "back_to_review", on)["step"]["id"] == "review"


def test_the_request_is_issued_by_the_party_committee(store):
    """The 请示 to the county is the 乡镇党委's: its 版头 and 署名, the deliberation date in the text."""
    case_id, on = at_deliberation(store)
    set_fields(store, case_id, commission_meeting_on="2026-03-12", meeting_on="2026-03-13", minutes="同意报县纪委审批。")
    cases.act(store, case_id, {"type": "complete_item", "item_id": "minutes_kept"}, today=TODAY)
    decide(store, case_id, "agreed", date(2026, 3, 14))
    data, _ = documents.preview(store, case_id, "approval_request", today=TODAY)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    text = "".join(part.split(">", 1)[-1] for part in xml.split("<w:t")[1:] if ">" in part).replace("</w:t>", "")
    assert "中共青石镇委员会" in text
    assert "党委会议（2026年3月13日）审议同意" in text or "党委会议（2026-03-13）审议同意" in text, text
    assert "经我委" not in text  # the 纪委 investigated; the 党委 speaks of it by name


def rules_data() -> dict:
    return tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8"))


def test_the_15_days_can_be_set_to_working_days_by_local_practice():
    data = rules_data()
    rule = data["steps"]["party_committee_deliberation"]["deadlines"]["report_to_county"]
    assert rule["unit"] == "days" and rule["length"] == 15 and "按本地做法" in rule["note"]
    rule["unit"] = "wd"
    wf = parse_workflow(data, "workflow.toml")
    assert wf.deadline("report_to_county").unit == "wd"


def test_a_bad_unit_is_refused_with_a_message_and_nothing_else_loads():
    data = rules_data()
    data["steps"]["party_committee_deliberation"]["deadlines"]["report_to_county"]["unit"] = "fortnights"
    with pytest.raises(RulesError) as refused:
        parse_workflow(data, "workflow.toml")
    assert "report_to_county" in refused.value.message


def test_the_county_reply_answers_the_party_committee(tmp_path, run_cli):
    """The 批复 answers the 请示's sender, the 乡镇党委 ([P] 第十七条第一款): so the county's queue and the
    township's import say, and the opinion fills the 批复 fields of the township case."""
    chain = make_chain(tmp_path, run_cli)
    walk = Walk().path(*TO_REVIEW, "+party_expulsion", "submit_county_consult", "to_branch", "to_county_request", "agreed")
    case_id = ok(run_cli("--data-dir", chain.township, "apply", "--file", walk.write(tmp_path), "--json"))["refs"]["c"]
    entered = date.fromisoformat(ok(run_cli("--data-dir", chain.township, "case", "show", case_id, "--json"))["step"]["entered_on"])
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    [row] = ok(run_cli("--data-dir", chain.county, "review", "queue", "--json"))
    assert row["step"] == "county_request" and row["kind_title"] == "给乡镇党委的批复（乡镇报批）"
    ok(run_cli("--data-dir", chain.county, "review", "opinion", case_id, "--number", "县纪批〔2026〕5号",
               "--date", (entered + timedelta(days=3)).isoformat(), "--conclusion", "同意", "--json"))
    down = export(run_cli, chain.county, "T001", chain.stick)
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert any("给乡镇党委的批复（乡镇报批）（县纪批〔2026〕5号）" in e for e in taken["effects"]), taken["effects"]
    fields = ok(run_cli("--data-dir", chain.township, "case", "show", case_id, "--json"))["fields"]
    assert fields["county_request.county_opinion_no"] == "县纪批〔2026〕5号" and fields["county_request.reply"] == "同意"
