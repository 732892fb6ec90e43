"""留党察看期满 on a real store: restoration, a one-year extension or expulsion, after archiving too.

《中国共产党纪律处分条例》第十二条: 留党察看一年期满后仍不符合恢复党员权利条件的，应当延长一年；最长不得超过二年；
确有悔改表现的，期满后恢复其党员权利；坚持不改或者又发现其他应当受到党纪处分的违纪行为的，应当开除党籍。
《中国共产党处分违纪党员批准权限和程序规定》第二十一条: 恢复 (支部党员大会决议, 基层党委批准), 延长一年 (报原作出
党纪处分决定的党组织批准), 开除党籍 (由有监督执纪权限的纪律检查机关履行处分审批程序).
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.errors import InputError
from app.models import Sanction
from app.paths import store_paths
from app.services import cases, demo_data, desk, probation, ruleset, unlock
from app.sync import records

from tests.integration.conftest import PASSWORD

RECEIVED = date(2026, 3, 2)

TODAY = date(2026, 11, 20)
TO_ARCHIVED = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept", "+party_probation_1y",
               "submit_county_review", "to_branch", "to_township_approval", "approve", "to_execution", "to_close",
               "to_archive", "archive")
# 留党察看 is approved by the 乡镇党委 ([P] 第二十八条)
FIELDS = {"approve": {"approver_body": "乡镇党委"}}


def walk(store, received: date, tokens: tuple[str, ...], *, name: str, today: date = TODAY) -> str:
    """Register a clue about `name` on `received` and take the decisions `tokens` one day apart."""
    rules = ruleset.load(store)
    writer = demo_data.Writer(random.Random(7), received.year, today, "青石")
    clue = writer.clue("filed_sanctioned", received)
    clue["persons"][0]["name"] = name
    case_id = cases.register_clue(store, clue, today=today, rules=rules).case_id
    on = received
    for token in tokens:
        if token.startswith("+"):
            cases.act(store, case_id, {"type": "record_sanction", "type_id": token[1:]}, today=today, rules=rules)
            continue
        on += timedelta(days=1)
        demo_data.prepare_step(store, rules, writer, case_id, "filed_sanctioned", on, name, today)
        if token in FIELDS:
            cases.act(store, case_id, {"type": "set_fields", "values": FIELDS[token]}, today=today, rules=rules)
        option = next(d for d in cases.show_case(store, case_id, today=today, rules=rules)["decisions"] if d["id"] == token)
        action = {"type": "decide", "decision_id": token, "decided_on": on.isoformat()}
        if option["approver_role"]:
            action["approver"] = writer.secretary
        cases.act(store, case_id, action, today=today, rules=rules)
    return case_id


@pytest.fixture
def store(township):
    opened = unlock.unlock(store_paths(township), None, PASSWORD).store
    yield opened
    opened.close()


def probation_row(store, case_id: str) -> Sanction:
    with store.read() as s:
        return s.exec(select(Sanction).where(Sanction.case_id == case_id, Sanction.type_id == "party_probation_1y")).one()


def end(store, case_id: str, today: date, **data):
    return cases.act(store, case_id, {"type": "end_probation", **data}, today=today)


@pytest.fixture
def archived(store):
    case_id = walk(store, RECEIVED, TO_ARCHIVED, name="钱有福")
    assert cases.show_case(store, case_id, today=TODAY)["step"]["id"] == "archived"
    return case_id


def test_the_end_of_the_probation_reminds_the_office_even_after_archiving(store, archived):
    row = probation_row(store, archived)
    until = row.decided_on.replace(year=row.decided_on.year + 1)  # 察看期一年 ([T] 第十二条)
    shown = next(x for x in cases.show_case(store, archived, today=TODAY)["subjects"][0]["sanctions"]
                 if x["type_id"] == "party_probation_1y")
    assert shown["probation"] == {"until": until.isoformat(), "extended": False, "outcome": "", "acts": []}
    assert archived not in [t.case_id for t in desk.desk(store, today=until - timedelta(days=40)).todo]
    [item] = [t for t in desk.desk(store, today=until + timedelta(days=3)).todo if t.case_id == archived]
    assert item.due == until and item.state == "overdue" and "第二十一条" in item.waiting_for


def test_restoration_needs_the_period_over_and_the_branch_meeting(store, archived):
    row = probation_row(store, archived)
    until = row.decided_on.replace(year=row.decided_on.year + 1)
    later = until + timedelta(days=20)
    with pytest.raises(InputError, match="期满后才能作出“恢复党员权利”") as early:
        end(store, archived, later, outcome="恢复党员权利", decided_on=(until - timedelta(days=1)).isoformat(),
            body="青石镇党委", branch_meeting_on=(until - timedelta(days=2)).isoformat())
    assert "第十二条" in early.value.message
    with pytest.raises(InputError, match="支部党员大会"):  # [P] 第二十一条第一款
        end(store, archived, later, outcome="恢复党员权利", decided_on=later.isoformat(), body="青石镇党委")
    assert probation_row(store, archived).probation_acts == []  # refused: nothing changed
    end(store, archived, later, outcome="恢复党员权利", decided_on=later.isoformat(), body="青石镇党委",
        document_no="青石党〔2027〕3号", branch_meeting_on=(later - timedelta(days=5)).isoformat())
    after = probation_row(store, archived)
    assert after.probation_outcome == "恢复党员权利"
    # 恢复党员权利后二年内不得担任与其原任职务相当或者高于其原任职务的职务 ([T] 第十二条第三款)
    assert after.effect_end == later.replace(year=later.year + 2)
    assert archived not in [t.case_id for t in desk.desk(store, today=later).todo]
    # the outcome travels with the sanction row in bundles (docs/BUNDLE.md §6)
    line = json.loads(json.dumps(records.encode("sanction", after), ensure_ascii=False))
    back = records.decode("sanction", line, set())
    assert back["probation_outcome"] == "恢复党员权利" and back["probation_acts"] == after.probation_acts
    with pytest.raises(InputError, match="留党察看已经结束"):
        end(store, archived, later, outcome="开除党籍", decided_on=later.isoformat(), body="县纪委")


def test_a_one_year_probation_is_extended_once_then_ends(store, archived):
    row = probation_row(store, archived)
    until = row.decided_on.replace(year=row.decided_on.year + 1)
    first_end = row.effect_end
    end(store, archived, until + timedelta(days=5), outcome="延长一年留党察看期限",
        decided_on=(until + timedelta(days=5)).isoformat(), body="青石镇党委（报原作出处分决定的党组织批准）")
    extended = probation_row(store, archived)
    assert extended.probation_outcome == "" and extended.effect_end == first_end.replace(year=first_end.year + 1)
    new_until = row.decided_on.replace(year=row.decided_on.year + 2)
    shown = next(x for x in cases.show_case(store, archived, today=TODAY)["subjects"][0]["sanctions"]
                 if x["type_id"] == "party_probation_1y")
    assert shown["probation"]["until"] == new_until.isoformat() and shown["probation"]["extended"]
    # 留党察看期限最长不得超过二年 ([T] 第十二条第一款): no second extension
    with pytest.raises(InputError, match="最长不得超过二年"):
        end(store, archived, new_until + timedelta(days=1), outcome="延长一年留党察看期限",
            decided_on=(new_until + timedelta(days=1)).isoformat(), body="青石镇党委")
    [item] = [t for t in desk.desk(store, today=new_until).todo if t.case_id == archived]
    assert item.due == new_until


def test_expulsion_at_the_end_is_a_sanction_of_its_own(store, archived):
    row = probation_row(store, archived)
    on = row.decided_on + timedelta(days=200)  # 坚持不改: any time during the 察看期
    end(store, archived, on, outcome="开除党籍", decided_on=on.isoformat(), body="县纪委常委会",
        document_no="县纪发〔2026〕9号")
    after = probation_row(store, archived)
    assert after.probation_outcome == "开除党籍" and after.effect_end == on
    with store.read() as s:
        expelled = s.exec(select(Sanction).where(Sanction.case_id == archived, Sanction.type_id == "party_expulsion")).one()
    # 五年内不得重新入党 ([T] 第十三条), counted from the expulsion, not added to the probation ([T] 第十二条第二款)
    assert (expelled.decided_on, expelled.effect_end, expelled.approving_body) == (on, on.replace(year=on.year + 5), "县纪委常委会")


def test_a_new_violation_during_the_probation_leads_to_expulsion(store, archived):
    """[T] 第十二条第二款, [P] 第二十一条第三款: 又发现其他应当受到党纪处分的违纪行为的，应当开除党籍."""
    row = probation_row(store, archived)
    second = walk(store, RECEIVED + timedelta(days=30), ("accept", "to_prelim", "propose_filing", "file",
                                                         "transfer_review", "accept"), name="钱有福")
    with pytest.raises(InputError, match="尚在留党察看期间") as refused:
        cases.act(store, second, {"type": "record_sanction", "type_id": "party_serious_warning"}, today=TODAY)
    assert "第二十一条第三款" in refused.value.message
    cases.act(store, second, {"type": "record_sanction", "type_id": "party_expulsion"}, today=TODAY)
    # the probation's own case may still change it on 申诉 (复议复查): no 开除党籍 forced there
    with store.read() as s:
        rules = ruleset.load(store)
        assert probation.new_sanction_problem(s, rules, archived, row.person_id, "party_serious_warning", TODAY) is None
        assert probation.new_sanction_problem(s, rules, second, row.person_id, "party_serious_warning", TODAY)
    # a 政务处分 is another track: the probation does not decide it
    cases.act(store, second, {"type": "record_sanction", "type_id": "gov_warning"}, today=TODAY)
    assert probation_row(store, archived).probation_outcome == ""
    # the 开除党籍 of the later case, once decided, ends the probation; its five years are not added to it
    decided = TODAY - timedelta(days=1)
    with store.write() as s:
        cases.finalize_sanctions(s, ruleset.load(store), cases.load_case(s, second), decided)
    ended = probation_row(store, archived)
    assert (ended.probation_outcome, ended.effect_end) == ("开除党籍", decided) and row.effect_end != decided
    assert ended.probation_acts[0]["case_id"] == second
    with store.read() as s:
        expelled = s.exec(select(Sanction).where(Sanction.case_id == second, Sanction.type_id == "party_expulsion")).one()
    assert expelled.effect_end == decided.replace(year=decided.year + 5)
