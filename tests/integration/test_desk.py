"""工作台 on a real store: what is due, waits for the county, needs periodic review, or leaves an effect
period — seen on chosen days; and the holiday years the running deadlines need."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from app.errors import InputError
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


def items(board: desk.Desk, case_id: str) -> list[desk.DeadlineItem]:
    return [d for d in board.deadlines if d.case_id == case_id]


def test_deadlines_due_soon_today_and_overdue(store):
    assigned = walk(store, RECEIVED, (), source="上级交办", today=RECEIVED)
    soon = items(desk.desk(store, today=date(2026, 3, 6)), assigned)
    assert [(d.deadline_id, d.due, d.state, d.when) for d in soon] == [
        ("register_passed_down", date(2026, 3, 9), "due_soon", "即将到期，剩 1 个工作日")]
    assert items(desk.desk(store, today=date(2026, 3, 9)), assigned)[0].when == "今天到期"
    late = items(desk.desk(store, today=date(2026, 3, 11)), assigned)
    assert late[0].state == "overdue" and late[0].when == "已超期 2 个工作日"
    # the three-month limit of an assigned case is far off: not on the desk yet
    assert {d.deadline_id for d in late} == {"register_passed_down"}


def test_a_deadline_within_seven_days_shows_before_it_is_due_soon(store):
    case_id = walk(store, RECEIVED, ("accept",), today=RECEIVED + timedelta(days=1))
    board = desk.desk(store, today=date(2026, 3, 27))
    [item] = items(board, case_id)
    assert (item.deadline_id, item.due, item.state) == ("disposition", date(2026, 4, 2), "normal")
    assert item.when == "7天内到期，剩 4 个工作日" and item.step_title == "提出处置意见"
    assert items(desk.desk(store, today=date(2026, 3, 20)), case_id) == []


def test_county_shelved_and_effect_periods(store):
    waiting = walk(store, RECEIVED, TO_COUNTY_REVIEW)
    shelved = walk(store, RECEIVED, ("accept", "to_shelve"))
    sanctioned = walk(store, RECEIVED, TO_EXECUTION, name="钱有福")
    entered = RECEIVED + timedelta(days=len(TO_COUNTY_REVIEW) - 1)  # one day per decision, sanctions take none
    board = desk.desk(store, today=date(2026, 4, 1))
    [county] = board.county
    assert county.case_id == waiting and county.since == entered and county.days == (date(2026, 4, 1) - entered).days
    assert county.waiting_for == "等待县纪委审理室审核意见（乡案县审）"
    assert board.shelved == ()  # the six-month review is far off

    review_due = cases.show_case(store, shelved, today=date(2026, 8, 20))["deadlines"]
    due = date.fromisoformat(next(d for d in review_due if d["id"] == "shelved_review")["due"])
    board = desk.desk(store, today=due - timedelta(days=20))
    assert [(s.case_id, s.review_due, s.state) for s in board.shelved] == [(shelved, due, "normal")]
    assert board.shelved[0].when == "20 天后到清理期"
    assert all(d.deadline_id != "shelved_review" for d in board.deadlines)  # shown once, in its own list
    late = desk.desk(store, today=due + timedelta(days=3)).shelved
    assert late[0].state == "overdue" and late[0].when.startswith("已超期")

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


def test_summing_up_reports_progress_and_can_be_cancelled(store):
    for days in (0, 1, 2):
        walk(store, RECEIVED + timedelta(days=days), ("accept",), today=date(2026, 3, 10))
    seen = []
    board = desk.desk(store, today=date(2026, 4, 1), progress=lambda done, total, label: seen.append((done, total, label)))
    assert len(board.deadlines) == 3 and seen == [(0, 3, "正在逐件计算办案期限")]
    with pytest.raises(InputError) as cancelled:
        desk.desk(store, today=date(2026, 3, 27), cancelled=lambda: True)
    assert cancelled.value.code == "cancelled" and "F5" in cancelled.value.message
