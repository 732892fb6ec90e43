"""回访教育 after execution: an optional record, and a 工作台 reminder at a time the office sets.

No regulation in shared/domain/regulations sets when a sanctioned person is revisited (nor does any
中央纪委 guidance in shared/context), so the time is local practice (按本地做法): the office setting
`revisit_reminder_months`, 0 (no reminder) by default.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from app.domain.deadlines import add_months
from app.paths import store_paths
from app.services import desk, settings, unlock

from tests.integration.conftest import PASSWORD
from tests.integration.test_case_paths import TO_REVIEW, Walk, run_walk

SANCTIONED = (*TO_REVIEW, "+party_warning", "submit_county_review", "to_branch", "to_township_approval", "approve",
              "to_execution")


def archived_walk() -> Walk:
    """A 警告 decided and executed, archived without a 回访 date (Walk.decide would fill every field)."""
    walk = Walk().path(*SANCTIONED, "to_close")
    walk.on += timedelta(days=3)
    walk.act(type="complete_item", item_id="closing_report")
    walk.act(type="set_fields", values={"result_summary": "给予警告处分", "result_fed_back_on": walk.on.isoformat()})
    walk.act(type="decide", decision_id="to_archive", decided_on=walk.on.isoformat())
    walk.step = "archive_filing"
    return walk.path("archive")


def reminders(data, case_id: str, today: date, months: int | None = None) -> list[desk.TodoItem]:
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        if months is not None:
            settings.save(store, replace(settings.load(store), revisit_reminder_months=months))
        return [t for t in desk.desk(store, today=today).todo if t.case_id == case_id and t.due_title == "回访教育"]
    finally:
        store.close()


def test_no_reminder_unless_the_office_sets_a_time(township, run_cli, tmp_path):
    shown = run_walk(archived_walk(), township, run_cli, tmp_path)
    decided = date.fromisoformat(shown["sanctions"][0]["decided_on"])
    assert reminders(township, shown["case_id"], add_months(decided, 12)) == []


def test_the_reminder_comes_at_the_months_set_and_ends_with_the_record(township, run_cli, tmp_path):
    walk = archived_walk()
    shown = run_walk(walk, township, run_cli, tmp_path)
    decided = date.fromisoformat(shown["sanctions"][0]["decided_on"])
    due = add_months(decided, 6)
    assert reminders(township, shown["case_id"], due - timedelta(days=45), months=6) == []
    [item] = reminders(township, shown["case_id"], due - timedelta(days=10))
    assert item.due == due and item.persons == ("王建国",) and "按本地做法" in item.waiting_for

    walk.act(type="decide", decision_id="revisited", decided_on=(walk.on + timedelta(days=1)).isoformat())
    shown = run_walk(walk, township, run_cli, tmp_path)  # the same walk again, now with the 回访 recorded
    assert shown["step"]["id"] == "archived" and shown["history"][-1]["decision"] == "revisited"
    assert reminders(township, shown["case_id"], due) == []


def test_a_revisit_recorded_before_archiving_needs_what_was_found(township, run_cli, tmp_path):
    walk = Walk().path(*SANCTIONED)
    walk.decide("to_close")
    walk.decide("to_archive", extra={"revisit_on": walk.on.isoformat(), "revisit_note": ""})
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2 and "回访教育情况" in result.err


def test_a_bad_reminder_setting_is_refused_and_the_old_one_kept(township):
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        settings.save(store, replace(settings.load(store), revisit_reminder_months=6))
        try:
            settings.save(store, replace(settings.load(store), revisit_reminder_months=30))
        except settings.InputError as exc:
            assert "回访教育提醒" in exc.message
        else:
            raise AssertionError("a 30-month reminder was accepted")
        assert settings.load(store).revisit_reminder_months == 6
    finally:
        store.close()
