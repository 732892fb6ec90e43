"""人员档案, reporter identity and typed holiday years on a real store."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.errors import AuthError, InputError
from app.models import AuditEvent, Setting
from app.paths import store_paths
from app.services import accounts, archive, cases, holidays, reporters, ruleset, unlock

from tests.integration.conftest import PASSWORD
from tests.integration.test_desk import RECEIVED, TO_EXECUTION, walk

TODAY = date(2026, 11, 20)


@pytest.fixture
def store(township):
    opened = unlock.unlock(store_paths(township), None, PASSWORD).store
    yield opened
    opened.close()


@contextmanager
def signed_in(township, account: str | None = None, password: str = PASSWORD):
    """One account at a time: a data directory is open in one place only (app/storage/instance_lock.py)."""
    opened = unlock.unlock(store_paths(township), account, password).store
    try:
        yield opened
    finally:
        opened.close()


@contextmanager
def as_staff(store, township):
    """Close the administrator's store, sign in as the staff account 李专干, then reopen for the administrator."""
    if "李专干" not in {a.name for a in accounts.list_accounts(store)}:
        accounts.add_account(store, "李专干", "staff", "lizhuangan1")
    store.close()
    with signed_in(township, "李专干", "lizhuangan1") as staff:
        yield staff


def test_person_with_clues_cases_sanctions_and_effect_period(store):
    case_id = walk(store, RECEIVED, TO_EXECUTION, name="钱有福")
    person = next(p for p in archive.list_persons(store, today=TODAY) if p.name == "钱有福")
    assert (person.clues, person.filed, person.sanctions, person.in_effect) == (1, 1, 1, True)
    decided = RECEIVED + timedelta(days=TO_EXECUTION.index("approve"))  # one day per decision; "+…" takes none
    assert person.effect_end == decided.replace(year=decided.year + 1)
    detail = archive.person_detail(store, person.person_id, today=TODAY)
    assert detail.labels == ("处分影响期内",)
    [case] = detail.cases
    assert case.case_id == case_id and "纪立〔2026〕" in case.number and case.step_title == "执行处分并报告"
    [sanction] = detail.sanctions
    assert (sanction.name, sanction.kind_label, sanction.in_effect) == ("警告", "党纪处分", True)
    after = archive.person_detail(store, person.person_id, today=person.effect_end + timedelta(days=1))
    assert not after.row.in_effect and not after.sanctions[0].in_effect
    with pytest.raises(InputError):
        archive.person_detail(store, "0" * 32, today=TODAY)


def test_preview_counts_the_clue_about_to_be_registered(store):
    assert archive.preview(store, {"name": "孙七", "unit": "长岭村村民委员会"}, today=TODAY).known is False
    walk(store, RECEIVED, (), name="孙七")
    data = {"name": "孙七", "unit": next(p.unit for p in archive.list_persons(store, today=TODAY) if p.name == "孙七")}
    seen = archive.preview(store, data, today=TODAY)
    assert seen.known and seen.clues_before == 1 and seen.labels == ("多次被反映",) and not seen.in_effect
    # typed with a full-width space and a zero-width joiner: still the same person
    assert archive.preview(store, {**data, "name": "孙\u3000七\u200d"}, today=TODAY).known
    assert archive.preview(store, {"name": "", "unit": "x"}, today=TODAY).known is False
    assert [p.name for p in archive.find_persons(store, "孙", today=TODAY)] == ["孙七"]
    assert archive.find_persons(store, "%", today=TODAY) == []


def test_reporter_identity_admin_only_and_audited(township):
    data = {"received_on": "2026-03-02", "source": "信访举报（来访）", "persons": [{"name": "周九"}], "summary": "反映其优亲厚友",
            "reporter": {"name": "刘举报", "phone": "13900001111", "real_name": True}}
    with signed_in(township) as store:
        clue_id = cases.register_clue(store, data, today=TODAY).clue_id
        with as_staff(store, township) as staff:
            masked = reporters.masked(staff, clue_id)
            assert masked.recorded and masked.real_name and masked.masked
            assert (masked.name, masked.phone, masked.address) == (reporters.MASK, reporters.MASK, "")
            with pytest.raises(AuthError):
                reporters.reveal(staff, clue_id)
            with pytest.raises(AuthError):
                reporters.save(staff, clue_id, {"name": "改"})
    with signed_in(township) as store:
        check_reporter_reveal_and_save(store, clue_id)


def check_reporter_reveal_and_save(store, clue_id: str) -> None:
    shown = reporters.reveal(store, clue_id)
    assert (shown.name, shown.phone, shown.masked) == ("刘举报", "13900001111", False)
    saved = reporters.save(store, clue_id, {"name": "刘举报", "phone": "", "address": "青石村3组"})
    assert (saved.phone, saved.address) == ("", "青石村3组")
    assert reporters.reveal(store, clue_id).address == "青石村3组"
    with store.read() as s:
        views = s.exec(select(AuditEvent).where(AuditEvent.action == "view_reporter")).all()
        changes = s.exec(select(AuditEvent).where(AuditEvent.entity.startswith("reporter:"))).all()
    assert len(views) == 2 and {v.account for v in views} == {"张书记"}
    assert all("刘举报" not in e.summary and "青石村3组" not in e.summary for e in views + changes)
    with pytest.raises(InputError) as too_long:
        reporters.save(store, clue_id, {"address": "长" * 201})
    assert too_long.value.detail["field"] == "address"
    with pytest.raises(InputError):
        reporters.masked(store, "f" * 32)


def test_typed_holiday_year(township):
    with signed_in(township) as store, as_staff(store, township) as staff, pytest.raises(AuthError):
        holidays.save_year(staff, 2027, "2027-01-01 元旦", "")
    with signed_in(township) as store:
        check_holiday_year_entry(store)


def check_holiday_year_entry(store) -> None:
    rows = holidays.list_years(store)
    assert rows[0].year == 2004 and rows[-1].year == 2026 and rows[-1].origin == "随软件提供"
    text, work = holidays.entry_text(holidays.year_table(store, 2026))
    assert text.splitlines()[0] == "2026-01-01~2026-01-03 元旦" and "2026-02-14" in work.split()
    for bad, field in (("2027-01-01", "holidays"), ("2027-02-30 春节", "holidays"), ("", "holidays"),
                       ("2026-12-31 元旦", "holidays"), ("2027-10-07~2027-10-01 国庆节", "holidays")):
        with pytest.raises(InputError) as refused:
            holidays.save_year(store, 2027, bad, "")
        assert refused.value.detail.get("field") == field, bad
    with pytest.raises(InputError) as weekday:
        holidays.save_year(store, 2027, "2027-01-01 元旦", "2027-02-15")
    assert "不是周末" in weekday.value.message and weekday.value.detail["field"] == "workdays"
    with store.read() as s:
        assert s.get(Setting, "holiday_year:2027") is None  # a refused year writes nothing

    row = holidays.save_year(store, 2027, "2027-01-01 元旦\n2027-10-01 至 2027-10-07 国庆节", "2027-09-26", "国办发明电〔2026〕X号")
    assert (row.year, row.holidays, row.workdays, row.origin) == (2027, 8, 1, "本单位录入")
    calendar = ruleset.load(store).calendar
    assert calendar.has_year(2027) and not calendar.is_workday(date(2027, 10, 4)) and calendar.is_workday(date(2027, 9, 26))
    assert holidays.list_years(store)[-1].source == "国办发明电〔2026〕X号"
    # typing a shipped year again replaces it for this office
    holidays.save_year(store, 2026, "2026-01-01 元旦", "")
    assert ruleset.load(store).calendar.is_workday(date(2026, 10, 2))
