"""The appeal is received by the body that approved the appealed sanction, checked on a real store.

《中国共产党纪律检查机关监督执纪工作规则》第五十九条第一款: 对不服处分决定的申诉，由批准或者决定处分的党委（党组）
或者纪检监察机关受理。
《中国共产党处分违纪党员批准权限和程序规定》第九条: 对党员所作处分，需要变更或者撤销的，由原批准处分决定的党组织或者
有处分批准权的党组织审批。
《中华人民共和国监察法》（2024年修正）第五十六条 and 《中华人民共和国公职人员政务处分法》第五十五条: a 政务处分 is
reexamined (复审) by the 监察机关 that decided it and rechecked (复核) by the one above, not appealed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from app.paths import store_paths
from app.services import cases, demo_data, ruleset, unlock
from app.services.cases import ActionRefused

from tests.integration.conftest import PASSWORD
from tests.integration.test_party_committee_deliberation import TO_BRANCH, decide, option_of, set_fields
from tests.integration.test_party_committee_deliberation import walk as committee_walk

TODAY = date(2026, 11, 20)
BEFORE_APPROVAL = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept")
TOWNSHIP = ("submit_county_review", "to_branch", "to_township_approval", "approve")
PERSON = "吴某华"


@pytest.fixture
def store(township):
    opened = unlock.unlock(store_paths(township), None, PASSWORD).store
    yield opened
    opened.close()


def appealed(store, sanction: str, route: tuple[str, ...] = TOWNSHIP, *, by_committee: bool = False) -> tuple[str, date]:
    """A case whose `sanction` was approved by `route` (by the 乡镇党委 when `by_committee`) and announced, its
    appeal accepted and ready to decide but for the receiving body."""
    if by_committee:
        case_id, on = committee_walk(store, BEFORE_APPROVAL + (f"+{sanction}",) + route[:-1], person=PERSON)
        on += timedelta(days=1)
        writer = demo_data.Writer(random.Random(3), on.year, TODAY, "青石")
        demo_data.prepare_step(store, ruleset.load(store), writer, case_id, "filed_sanctioned", on, PERSON, TODAY)
        set_fields(store, case_id, approver_body="乡镇党委", party_committee_submitted_on=on.isoformat(),
                   opinions_sought_on=on.isoformat())
        decide(store, case_id, route[-1], on)
        case_id, on = committee_walk(store, ("appeal",), start=on, case_id=case_id, person=PERSON)
    else:
        case_id, on = committee_walk(store, BEFORE_APPROVAL + (f"+{sanction}",) + route + ("appeal",), person=PERSON)
    assert cases.show_case(store, case_id, today=TODAY)["step"]["id"] == "appeal_review"
    set_fields(store, case_id, received_on=on.isoformat(), review_team=["孙委员", "周委员"],
               result="维持原处理决定", decided_on=on.isoformat())
    for item in ("dossier_read", "notified"):
        cases.act(store, case_id, {"type": "complete_item", "item_id": item}, today=TODAY)
    cases.act(store, case_id, {"type": "record_study", "held_on": on.isoformat(), "attendees": ["张书记", "孙委员", "周委员"],
                               "conclusion": "经集体研究，提出复查意见。"}, today=TODAY)
    return case_id, on


def refused_with(store, case_id: str, on: date) -> str:
    with pytest.raises(ActionRefused) as refused:
        cases.act(store, case_id, {"type": "decide", "decision_id": "done", "decided_on": on.isoformat(),
                                   "approver": "张书记"}, today=TODAY)
    assert cases.show_case(store, case_id, today=TODAY)["step"]["id"] == "appeal_review"  # nothing moved
    return refused.value.message


def test_a_warning_approved_by_the_township_commission_is_appealed_to_it_not_to_the_party_committee(store):
    """[R] 第五十九条第一款: 警告 is approved by the 乡镇纪委 ([P] 第三十八条), so the 乡镇纪委 receives the appeal."""
    case_id, on = appealed(store, "party_warning")
    set_fields(store, case_id, receiving_body="乡镇党委")
    option = option_of(store, case_id, "done")
    assert not option["enabled"]
    shown = " ".join(p["message"] for p in option["problems"])
    assert "应是批准处分的乡镇纪委，不是乡镇党委" in shown and "第五十九条第一款" in shown
    message = refused_with(store, case_id, on)
    assert "乡镇纪委" in message and "《中国共产党纪律检查机关监督执纪工作规则》第五十九条第一款" in message
    set_fields(store, case_id, receiving_body="乡镇纪委")
    assert option_of(store, case_id, "done")["enabled"]
    assert decide(store, case_id, "done", on)["step"]["id"] == "execution"


def test_a_probation_approved_by_the_party_committee_is_appealed_to_the_party_committee(store):
    """[R] 第五十九条第一款 with [P] 第九条: 留党察看 is approved by the 乡镇党委; the 乡镇纪委 cannot receive it."""
    case_id, on = appealed(store, "party_probation_1y", by_committee=True)
    set_fields(store, case_id, receiving_body="乡镇纪委")
    assert "应是批准处分的乡镇党委，不是乡镇纪委" in refused_with(store, case_id, on)
    set_fields(store, case_id, receiving_body="县纪委")
    assert "应是批准处分的乡镇党委，不是县纪委" in refused_with(store, case_id, on)
    set_fields(store, case_id, receiving_body="乡镇党委")
    assert option_of(store, case_id, "done")["enabled"]


def test_a_sanction_the_county_approved_on_the_township_request_is_appealed_to_the_county(store):
    """[R] 第五十九条第一款: on the 乡镇报批 route (county_request, [P] 第三十八条第一款) the 县纪委 approved it."""
    route = TO_BRANCH[6:] + ("to_county_request", "agreed", "approved")
    case_id, on = appealed(store, "party_expulsion", route)
    assert "county_request" in [h["step"] for h in cases.show_case(store, case_id, today=TODAY)["history"]]
    set_fields(store, case_id, receiving_body="乡镇纪委")
    assert "应是批准处分的县纪委，不是乡镇纪委" in refused_with(store, case_id, on)
    set_fields(store, case_id, receiving_body="县纪委")
    assert option_of(store, case_id, "done")["enabled"]


def test_a_government_sanction_alone_is_not_appealed_but_reexamined(store):
    """[M] 第五十六条, [Z] 第五十五条: only a 政务处分 was decided, so the 申诉 path is refused and 复审 named."""
    case_id, on = committee_walk(store, BEFORE_APPROVAL + ("+gov_warning",) + TOWNSHIP, person=PERSON)
    assert cases.show_case(store, case_id, today=TODAY)["step"]["id"] == "announce"
    rules = ruleset.load(store)
    writer = demo_data.Writer(random.Random(3), on.year, TODAY, "青石")
    demo_data.prepare_step(store, rules, writer, case_id, "filed_sanctioned", on, PERSON, TODAY)
    cases.act(store, case_id, {"type": "decide_gov_sanction", "type_id": "gov_warning", "decided_on": on.isoformat(),
                               "organ": "青山县监察委员会", "document_no": "青监政〔2026〕1号"}, today=TODAY)
    option = option_of(store, case_id, "appeal")
    assert not option["enabled"]
    assert "政务处分不适用申诉" in " ".join(p["message"] for p in option["problems"])
    with pytest.raises(ActionRefused) as refused:
        cases.act(store, case_id, {"type": "decide", "decision_id": "appeal", "decided_on": on.isoformat(),
                                   "approver": "张书记"}, today=TODAY)
    assert "申请复审" in refused.value.message and "第五十六条" in refused.value.message
