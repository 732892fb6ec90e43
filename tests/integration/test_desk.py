"""工作台 on a real store: every case waiting for the office with what it waits for, most urgent first;
what waits for the county, needs periodic review, or leaves an effect period — seen on chosen days; and
the holiday years the running deadlines need."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.domain.rules import DocumentRef
from app.models import Case, Office, ReviewOpinion
from app.paths import store_paths
from app.services import cases, demo_data, desk, holidays, ruleset, unlock

from tests.integration.conftest import PASSWORD

RECEIVED = date(2026, 3, 2)  # a Monday
TO_COUNTY_REVIEW = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept", "+party_warning",
                    "submit_county_review")
TO_EXECUTION = TO_COUNTY_REVIEW + ("to_branch", "to_township_approval", "approve", "to_execution")


@pytest.fixture
def store(township):
    opened = unlock.unlock(store_paths(township), None, PASSWORD).store
    yield opened
    opened.close()


def walk(store, received: date, tokens: tuple[str, ...], *, source: str = "信访举报（来信）", name: str = "",
         today: date = date(2026, 11, 20)) -> str:
    """Register a clue on `received` and take the decisions `tokens` one day apart through the services."""
    rules = ruleset.load(store)
    writer = demo_data.Writer(random.Random(len(tokens) + received.toordinal()), received.year, today, "青石")
    clue = writer.clue("filed_sanctioned", received)
    clue["source"] = source
    if name:
        clue["persons"][0]["name"] = name
    case_id = cases.register_clue(store, clue, today=today, rules=rules).case_id
    on = received
    for token in tokens:
        if token.startswith("+"):
            cases.act(store, case_id, {"type": "record_sanction", "type_id": token[1:]}, today=today, rules=rules)
            continue
        on += timedelta(days=1)
        demo_data.prepare_step(store, rules, writer, case_id, "filed_sanctioned", on, clue["persons"][0]["name"], today)
        option = next(d for d in cases.show_case(store, case_id, today=today, rules=rules)["decisions"] if d["id"] == token)
        action = {"type": "decide", "decision_id": token, "decided_on": on.isoformat()}
        if option["approver_role"]:
            action["approver"] = writer.secretary
        cases.act(store, case_id, action, today=today, rules=rules)
    return case_id


def row(board: desk.Desk, case_id: str) -> desk.TodoItem:
    [item] = [t for t in board.todo if t.case_id == case_id]
    return item


def listed(board: desk.Desk) -> list[str]:
    return [t.case_id for t in board.todo]


def test_a_new_clue_waits_for_acceptance_and_open_items_are_counted(store):
    today = RECEIVED + timedelta(days=3)
    new = walk(store, RECEIVED, (), today=today)
    board = desk.desk(store, today=today)
    item = row(board, new)
    assert item.waiting_for == "待受理：决定是否受理" and item.step_title == "线索受理登记"
    assert len(item.open_items) == 3 and item.open_items[0] == "已编号登记进问题线索台账，登记人签名"
    assert (item.due, item.state, item.when) == (None, "", "")  # an anonymous letter: no deadline runs yet
    for item_id in ("ledger_numbered", "jurisdiction_checked", "reporter_protected"):
        cases.act(store, new, {"type": "complete_item", "item_id": item_id}, today=today)
    assert row(desk.desk(store, today=today), new).open_items == ()

    verifying = walk(store, RECEIVED, ("accept", "to_prelim"), today=today)
    item = row(desk.desk(store, today=today), verifying)
    assert (item.step_title, item.waiting_for, len(item.open_items)) == ("初步核实", "必办事项未完成（4项）", 4)
    for checked in ruleset.load(store).workflow.steps["prelim_verify"].checklist:
        cases.act(store, verifying, {"type": "complete_item", "item_id": checked.id}, today=today)
    item = row(desk.desk(store, today=today), verifying)
    assert (item.waiting_for, item.open_items) == ("待作出决定（须经乡镇纪委书记审批）", ())
    disposing = walk(store, RECEIVED, ("accept",), today=today)
    assert row(desk.desk(store, today=today), disposing).waiting_for == "待作出处置决定"


def test_most_urgent_first_overdue_then_due_date_then_undated(store):
    undated = walk(store, RECEIVED, (), today=RECEIVED)
    assigned = walk(store, RECEIVED, (), source="上级转办", today=RECEIVED)  # 登记 within 5 working days ([J] 第十六条第二款)
    disposing = walk(store, RECEIVED - timedelta(days=3), ("accept",), today=RECEIVED)  # 处置 within a month
    board = desk.desk(store, today=date(2026, 3, 6))
    assert listed(board) == [assigned, disposing, undated]
    item = row(board, assigned)
    assert (item.due, item.state, item.when) == (date(2026, 3, 9), "due_soon", "即将到期，剩 1 个工作日")
    assert item.due_title == "上级转办件5个工作日内登记并完成受理或转办"
    assert row(desk.desk(store, today=date(2026, 3, 9)), assigned).when == "今天到期"
    late = desk.desk(store, today=date(2026, 3, 11))
    assert late.overdue == 1 and row(late, assigned).when == "已超期 2 个工作日"
    assert row(late, disposing).state == "normal" and row(late, disposing).when.startswith("剩 ")
    much_later = desk.desk(store, today=date(2026, 4, 20))
    assert listed(much_later) == [assigned, disposing, undated] and much_later.overdue == 2


def test_terminal_and_other_offices_cases_are_not_listed(store):
    archived = walk(store, RECEIVED, ("accept", "to_close", "to_archive", "archive"))
    other = walk(store, RECEIVED, ())
    mine = walk(store, RECEIVED, ())
    with store.write() as s:
        county = Office(code="C01", name="县纪委", level="county", owner_office_id=store.office.id)
        s.add(county)
        s.flush()
        s.get(Case, other).owner_office_id = county.id
    assert cases.show_case(store, archived)["terminal"]
    assert listed(desk.desk(store, today=date(2026, 11, 20))) == [mine]


def test_a_county_opinion_that_arrived_is_waiting_for_the_township(store):
    today = date(2026, 4, 1)
    waiting = walk(store, RECEIVED, TO_COUNTY_REVIEW)
    paper = walk(store, RECEIVED, TO_COUNTY_REVIEW)
    board = desk.desk(store, today=today)
    assert {c.case_id for c in board.county} == {waiting, paper} and listed(board) == []
    # an opinion in a bundle from the county (county-owned), and a paper opinion typed in by hand
    with store.write() as s:
        county = Office(code="C01", name="县纪委", level="county", owner_office_id=store.office.id)
        s.add(county)
        s.flush()
        s.add(ReviewOpinion(owner_office_id=county.id, case_id=waiting, kind="review", number="县纪审〔2026〕1号",
                            issued_on=today, conclusion="同意"))
    cases.act(store, paper, {"type": "set_fields", "values": {"county_opinion_no": "县纪审〔2026〕2号"}}, today=today)
    board = desk.desk(store, today=today)
    assert board.county == ()
    assert [(t.case_id, t.waiting_for) for t in board.todo] == [
        (waiting, "县纪委意见已到，待办理"), (paper, "县纪委意见已到，待办理")]


def test_a_required_document_not_yet_made_is_what_the_step_waits_for(store):
    wf = ruleset.load(store).workflow
    step = replace(wf.steps["filing"], documents=(DocumentRef("filing_decision", "立案决定书", True),))
    label, open_items = desk.waiting_for(wf, step, {i.id for i in step.checklist}, set(), False)
    assert (label, open_items) == ("待制作：立案决定书", ("制作立案决定书",))
    assert desk.waiting_for(wf, step, {i.id for i in step.checklist}, {"filing_decision"}, False)[0] == "待作出决定（须经乡镇党委书记审批）"


def test_county_shelved_and_effect_periods(store):
    waiting = walk(store, RECEIVED, TO_COUNTY_REVIEW)
    shelved = walk(store, RECEIVED, ("accept", "to_shelve"))
    sanctioned = walk(store, RECEIVED, TO_EXECUTION, name="钱有福")
    entered = RECEIVED + timedelta(days=len(TO_COUNTY_REVIEW) - 1)  # one day per decision, sanctions take none
    board = desk.desk(store, today=date(2026, 4, 1))
    [county] = board.county
    assert county.case_id == waiting and county.since == entered and county.days == (date(2026, 4, 1) - entered).days
    assert county.waiting_for == "等待县纪委审理室审核意见（乡案县审）"
    assert board.shelved == () and shelved not in listed(board)  # the six-month review is far off

    review_due = cases.show_case(store, shelved, today=date(2026, 8, 20))["deadlines"]
    due = date.fromisoformat(next(d for d in review_due if d["id"] == "shelved_review")["due"])
    board = desk.desk(store, today=due - timedelta(days=20))
    assert [(s.case_id, s.review_due, s.state) for s in board.shelved] == [(shelved, due, "normal")]
    assert board.shelved[0].when == "20 天后到清理期"
    assert shelved not in listed(board)  # not yet waiting for the office
    late = desk.desk(store, today=due + timedelta(days=3))
    assert late.shelved[0].state == "overdue" and late.shelved[0].when.startswith("已超期")
    assert (row(late, shelved).waiting_for, row(late, shelved).state) == ("暂存线索到期，待定期清理", "overdue")

    decided = next(x for x in cases.show_case(store, sanctioned)["sanctions"])
    end = date.fromisoformat(decided["effect_end"])
    board = desk.desk(store, today=end - timedelta(days=10))
    [effect] = board.effects
    assert (effect.case_id, effect.person, effect.sanction, effect.days_left) == (sanctioned, "钱有福", "警告", 10)
    assert desk.desk(store, today=end - timedelta(days=40)).effects == ()
    assert desk.desk(store, today=end + timedelta(days=1)).effects == ()


def test_missing_holiday_years_until_entered(store):
    walk(store, date(2026, 12, 1), ("accept",), today=date(2026, 12, 2))  # disposition due in January 2027
    board = desk.desk(store, today=date(2026, 12, 2))
    assert board.missing_holiday_years == (2027,)
    holidays.save_year(store, 2027, "2027-01-01 元旦\n2027-02-06~2027-02-12 春节", "2027-02-14")
    assert desk.desk(store, today=date(2026, 12, 2)).missing_holiday_years == ()
